/* What mkrootfs needs to know about a payload: is it an ELF, for which
 * architecture, static or not, and which libraries it needs. */
#ifndef MKROOTFS_ELFINFO_H
#define MKROOTFS_ELFINFO_H
#include <stddef.h>

struct elf_info {
	int is64, big_endian;
	unsigned machine;
	const char *arch;    /* OCI/Go spelling: amd64, arm64, 386, arm, riscv64, ... */
	const char *variant; /* "v7" for 32-bit arm, "v8" for arm64, else NULL */
	char *interp;	     /* PT_INTERP: NULL when static */
	char **needed;	     /* DT_NEEDED */
	size_t nneeded;
	char *runpath, *rpath;
};

/* Parses an ELF image held in BUF. Returns 0, or -ENOEXEC with *WHY. */
int elf_parse(const unsigned char *buf, size_t len, struct elf_info *e, const char **why);
/* The same for the file at PATH (errors name it). */
int elf_read(const char *path, struct elf_info *e);
void elf_free(struct elf_info *e);

#endif
