/* The tinyinit of the payload's architecture. Candidates are read as ELF
 * files and kept only when machine, class and byte order are the
 * payload's: a tinyinit of another architecture is never packed. */
#include "initsel.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "err.h"

#ifndef TINYINIT_SBINDIR
#define TINYINIT_SBINDIR "/usr/local/sbin"
#endif
#ifndef TINYINIT_LIBDIR
#define TINYINIT_LIBDIR "/usr/local/lib/tinyinit"
#endif

const char *arch_dir(const char *a)
{
	static const char *const map[][2] = {
	    {"amd64", "x86_64"}, {"arm64", "aarch64"}, {"386", "i386"}, {"loong64", "loongarch64"}};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(a, map[i][0]) == 0)
			return map[i][1];
	return a;
}

static int same_target(const struct elf_info *a, const struct elf_info *b)
{
	return a->machine == b->machine && a->is64 == b->is64 && a->big_endian == b->big_endian;
}

/* 1: PATH is a static ELF for EI's target; 0: not one (or absent);
 * negative: it is for EI's target but cannot be used (dynamic). */
static int fits(const char *path, const struct elf_info *ei, struct elf_info *got)
{
	int r;

	if (access(path, R_OK) != 0)
		return 0;
	r = elf_read(path, got);
	err_clear();
	if (r)
		return 0;
	r = same_target(got, ei);
	if (r && got->interp)
		r = fail(EINVAL, "%s: tinyinit must be static", path);
	elf_free(got);
	return r;
}

/* An explicit path (--init, MKROOTFS_TINYINIT): 1 when it is a static ELF
 * for EI's target, 0 when it is for another (*ARCH: which), errors name
 * it. */
static int read_given(const char *path, const struct elf_info *ei, const char **arch)
{
	struct elf_info got;
	int r = elf_read(path, &got);

	if (r)
		return failctx(r, "tinyinit (give its path with --init)");
	*arch = got.arch; /* a constant string */
	r = same_target(&got, ei);
	if (r && got.interp)
		r = fail(EINVAL, "%s: tinyinit must be static", path);
	elf_free(&got);
	return r;
}

static int take(char *buf, size_t size, const char *path)
{
	if ((size_t)snprintf(buf, size, "%s", path) >= size)
		return fail(ENAMETOOLONG, "%s: path too long", path);
	return 0;
}

int tinyinit_find(const struct strlist *inits, const char *name, const struct elf_info *ei,
		  char *buf, size_t size)
{
	const char *dir = arch_dir(ei->arch), *env = getenv("MKROOTFS_TINYINIT");
	const char *arch;
	struct elf_info got;
	char self[PATH_MAX - 64], cand[PATH_MAX];
	ssize_t n;
	int r;

	/* --init: one per architecture; one of them must be the payload's */
	for (size_t i = 0; inits && i < inits->n; i++) {
		r = read_given(inits->v[i], ei, &arch);
		if (r)
			return r < 0 ? r : take(buf, size, inits->v[i]);
		if (inits->n == 1)
			return fail(EINVAL, "%s is for %s but the payload is for %s", inits->v[i],
				    arch, ei->arch);
	}
	if (inits && inits->n)
		return fail(EINVAL, "--init: none of the %zu given is for %s (the payload's)",
			    inits->n, ei->arch);
	/* the environment's is a default: taken for its own architecture only */
	if (env && *env) {
		r = read_given(env, ei, &arch);
		if (r)
			return r < 0 ? r : take(buf, size, env);
	}
	/* beside mkrootfs: the build tree (build/<arch>/, build/) or an
	 * installed tree (bin/../lib/tinyinit/<arch>/, bin/../sbin/); then
	 * where make install put them */
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = 0;
	if (strrchr(self, '/'))
		*strrchr(self, '/') = 0;
	else
		self[0] = 0;
	for (int i = self[0] ? 0 : 4; i < 6; i++) {
		switch (i) {
		case 0: snprintf(cand, sizeof cand, "%s/%s/%s", self, dir, name); break;
		case 1: snprintf(cand, sizeof cand, "%s/%s", self, name); break;
		case 2:
			snprintf(cand, sizeof cand, "%s/../lib/tinyinit/%s/%s", self, dir, name);
			break;
		case 3: snprintf(cand, sizeof cand, "%s/../sbin/%s", self, name); break;
		case 4: snprintf(cand, sizeof cand, TINYINIT_LIBDIR "/%s/%s", dir, name); break;
		default: snprintf(cand, sizeof cand, TINYINIT_SBINDIR "/%s", name);
		}
		r = fits(cand, ei, &got);
		if (r)
			return r < 0 ? r : take(buf, size, cand);
	}
	return fail(
	    ENOENT,
	    "no %s for %s (the payload's architecture) beside mkrootfs or in " TINYINIT_LIBDIR
	    "/%s: build it (make) or give one with --init",
	    name, ei->arch, dir);
}
