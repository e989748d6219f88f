/* ELF headers, program headers and the dynamic section, for both classes
 * and byte orders. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elfinfo.h"
#include "err.h"

struct rd {
	const unsigned char *b;
	size_t len;
	int big, is64;
};

static uint64_t get(const struct rd *r, size_t off, int n)
{
	uint64_t v = 0;

	if (off + (size_t)n > r->len || off + (size_t)n < off)
		return 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)r->b[off + (size_t)(r->big ? n - 1 - i : i)] << (8 * i);
	return v;
}

static const char *arch_of(unsigned m, int is64, const char **variant)
{
	*variant = NULL;
	switch (m) {
	case EM_X86_64: return "amd64";
	case EM_386: return "386";
	case EM_AARCH64: *variant = "v8"; return "arm64";
	case EM_ARM: *variant = "v7"; return "arm";
	case EM_RISCV: return is64 ? "riscv64" : "riscv32";
	case EM_PPC64: return "ppc64le";
	case EM_S390: return is64 ? "s390x" : "s390";
	case EM_MIPS: return is64 ? "mips64le" : "mipsle";
	case EM_LOONGARCH: return "loong64";
	default: return NULL;
	}
}

/* File offset of virtual address VA through the PT_LOAD segments. */
static int va_to_off(const struct rd *r, uint64_t phoff, unsigned phnum, unsigned phent,
		     uint64_t va, uint64_t *off)
{
	for (unsigned i = 0; i < phnum; i++) {
		size_t p = (size_t)(phoff + (uint64_t)i * phent);
		uint32_t type = (uint32_t)get(r, p, 4);
		uint64_t o = r->is64 ? get(r, p + 8, 8) : get(r, p + 4, 4);
		uint64_t v = r->is64 ? get(r, p + 16, 8) : get(r, p + 8, 4);
		uint64_t fsz = r->is64 ? get(r, p + 32, 8) : get(r, p + 16, 4);

		if (type == PT_LOAD && va >= v && va < v + fsz) {
			*off = o + (va - v);
			return 0;
		}
	}
	return -1;
}

static char *str_at(const struct rd *r, uint64_t off)
{
	const unsigned char *z;

	if (off >= r->len)
		return NULL;
	z = memchr(r->b + off, 0, r->len - (size_t)off);
	return z ? strndup((const char *)r->b + off, (size_t)(z - r->b - off)) : NULL;
}

static int parse(const unsigned char *buf, size_t len, struct elf_info *e, const char **why)
{
	struct rd r = {buf, len, 0, 0};
	uint64_t phoff, dynoff = 0, dynsz = 0, strtab = 0;
	unsigned phnum, phent;
	uint64_t need_off[256], runpath = 0, rpath = 0;
	size_t nneed = 0;
	int has_dyn = 0;

	memset(e, 0, sizeof *e);
	if (len < 52 || memcmp(buf, ELFMAG, SELFMAG) != 0) {
		*why = "is not an ELF executable";
		return -ENOEXEC;
	}
	if ((buf[EI_CLASS] != ELFCLASS32 && buf[EI_CLASS] != ELFCLASS64) ||
	    (buf[EI_DATA] != ELFDATA2LSB && buf[EI_DATA] != ELFDATA2MSB)) {
		*why = "is an ELF file of an unknown class or byte order";
		return -ENOEXEC;
	}
	r.is64 = e->is64 = buf[EI_CLASS] == ELFCLASS64;
	r.big = e->big_endian = buf[EI_DATA] == ELFDATA2MSB;
	if (r.is64 && len < 64) {
		*why = "is a truncated ELF file";
		return -ENOEXEC;
	}
	if (get(&r, 16, 2) != ET_EXEC && get(&r, 16, 2) != ET_DYN) {
		*why = "is an ELF file but not an executable";
		return -ENOEXEC;
	}
	e->machine = (unsigned)get(&r, 18, 2);
	e->arch = arch_of(e->machine, r.is64, &e->variant);
	if (e->machine == EM_PPC64 && r.big)
		e->arch = "ppc64";
	if (e->machine == EM_MIPS && r.big)
		e->arch = r.is64 ? "mips64" : "mips";
	if (!e->arch) {
		*why = "is an ELF executable for an unknown machine";
		return -ENOEXEC;
	}
	phoff = r.is64 ? get(&r, 32, 8) : get(&r, 28, 4);
	phent = (unsigned)get(&r, r.is64 ? 54 : 42, 2);
	phnum = (unsigned)get(&r, r.is64 ? 56 : 44, 2);
	if (phent < (r.is64 ? 56u : 32u) || phoff + (uint64_t)phnum * phent > len) {
		*why = "is a truncated ELF file";
		return -ENOEXEC;
	}
	for (unsigned i = 0; i < phnum; i++) {
		size_t p = (size_t)(phoff + (uint64_t)i * phent);
		uint32_t type = (uint32_t)get(&r, p, 4);
		uint64_t o = r.is64 ? get(&r, p + 8, 8) : get(&r, p + 4, 4);
		uint64_t fsz = r.is64 ? get(&r, p + 32, 8) : get(&r, p + 16, 4);

		if (type == PT_INTERP) {
			if (e->interp) {
				*why = "has two PT_INTERP headers";
				return -ENOEXEC;
			}
			e->interp = str_at(&r, o);
			if (!e->interp) {
				*why = "has a broken PT_INTERP";
				return -ENOEXEC;
			}
		} else if (type == PT_DYNAMIC) {
			dynoff = o;
			dynsz = fsz;
			has_dyn = 1;
		}
	}
	if (!has_dyn)
		return 0;
	for (uint64_t d = dynoff; d + (r.is64 ? 16 : 8) <= dynoff + dynsz; d += r.is64 ? 16 : 8) {
		int64_t tag = (int64_t)(r.is64 ? get(&r, (size_t)d, 8) : get(&r, (size_t)d, 4));
		uint64_t val = r.is64 ? get(&r, (size_t)d + 8, 8) : get(&r, (size_t)d + 4, 4);

		if (tag == DT_NULL)
			break;
		if (tag == DT_NEEDED && nneed == sizeof need_off / sizeof *need_off) {
			*why = "needs more than 256 libraries (DT_NEEDED)";
			return -ENOEXEC;
		}
		if (tag == DT_NEEDED)
			need_off[nneed++] = val;
		else if (tag == DT_STRTAB)
			strtab = val;
		else if (tag == DT_RUNPATH)
			runpath = val + 1;
		else if (tag == DT_RPATH)
			rpath = val + 1;
	}
	if (!nneed && !runpath && !rpath)
		return 0;
	if (va_to_off(&r, phoff, phnum, phent, strtab, &strtab) < 0) {
		*why = "has a dynamic section whose string table cannot be found";
		return -ENOEXEC;
	}
	e->needed = calloc(nneed ? nneed : 1, sizeof *e->needed);
	if (!e->needed)
		return -ENOMEM;
	for (size_t i = 0; i < nneed; i++) {
		if (!(e->needed[i] = str_at(&r, strtab + need_off[i]))) {
			*why = "has a DT_NEEDED name outside the file";
			return -ENOEXEC;
		}
		e->nneeded++;
	}
	if (runpath && !(e->runpath = str_at(&r, strtab + runpath - 1))) {
		*why = "has a DT_RUNPATH outside the file";
		return -ENOEXEC;
	}
	if (rpath && !(e->rpath = str_at(&r, strtab + rpath - 1))) {
		*why = "has a DT_RPATH outside the file";
		return -ENOEXEC;
	}
	return 0;
}

int elf_parse(const unsigned char *buf, size_t len, struct elf_info *e, const char **why)
{
	int r = parse(buf, len, e, why);

	if (r)
		elf_free(e); /* nothing half-read stays behind */
	return r;
}

void elf_free(struct elf_info *e)
{
	for (size_t i = 0; i < e->nneeded; i++)
		free(e->needed[i]);
	free(e->needed);
	free(e->interp);
	free(e->runpath);
	free(e->rpath);
	memset(e, 0, sizeof *e);
}

int elf_read(const char *path, struct elf_info *e)
{
	struct stat st;
	const char *why = NULL;
	void *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	memset(e, 0, sizeof *e);
	if (fd < 0)
		return fail(errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return fail(ENOEXEC, "%s is not an ELF executable (empty file)", path);
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return fail(errno, "%s: %s", path, strerror(errno));
	r = elf_parse(m, (size_t)st.st_size, e, &why);
	munmap(m, (size_t)st.st_size);
	if (r == -ENOEXEC)
		return fail(ENOEXEC, "%s %s", path, why);
	return r;
}
