/* What an initramfs holds besides the payload and its layers, per
 * include/initramfs.h: /init (tinyinit), /dev/console, the tinyinit
 * command line in INIT_ARGS_FILE; and the kernel command line it expects. */
#ifndef MKROOTFS_INITRD_H
#define MKROOTFS_INITRD_H
#include <stddef.h>
#include "layer.h"
#include "oci.h"

#define INITRD_INIT "/init"

/* WORDS as INIT_ARGS_FILE holds them: each followed by a NUL. Fails when
 * they exceed INIT_ARGS_MAX bytes or INIT_ARGS_WORDS words. */
int initrd_args(const struct strlist *words, unsigned char **buf, size_t *len);

/* Adds /dev, /dev/console (5:1, 0600) and INIT_ARGS_FILE (taking BUF). */
int initrd_skeleton(struct layer *l, unsigned char *args, size_t len);

/* Whether PATH (layer-relative, cleaned) is one of the initramfs's own. */
int initrd_reserved(const char *path);

/* The kernel command line for a payload for ELF machine MACHINE: its
 * serial console, panic=-1, quiet, tinyinit.on_exit=poweroff. */
char *initrd_cmdline(unsigned machine);

#endif
