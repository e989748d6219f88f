/* Which tinyinit goes with a payload: the one built for the payload's
 * architecture (ELF machine, class and byte order), from --init, then
 * MKROOTFS_TINYINIT, then beside mkrootfs, then where make install puts
 * it ($(PREFIX)/lib/tinyinit/<arch>/tinyinit). */
#ifndef MKROOTFS_INITSEL_H
#define MKROOTFS_INITSEL_H
#include <stddef.h>
#include "elfinfo.h"
#include "oci.h"

/* The directory name of an architecture's build (uname -m's spelling):
 * "amd64" -> "x86_64", "arm64" -> "aarch64"; others as OCI spells them. */
const char *arch_dir(const char *oci_arch);

/* Into BUF: the tinyinit (NAME: "tinyinit" or "tinyinit-net") for a
 * payload described by EI. INITS: the --init paths (each is taken for
 * the payloads of its own architecture; when any is given, one must
 * match). Errors name the payload's architecture and what to do. */
int tinyinit_find(const struct strlist *inits, const char *name, const struct elf_info *ei,
		  char *buf, size_t size);

#endif
