/* Shared by mkrootfs's libFuzzer targets (tests/fuzz/fuzz_mk_*.c): the
 * process set-up (the spill file in TMPDIR, a cap on file sizes so that a
 * declared-huge entry fails instead of filling the disk), a reusable
 * memory file for inputs that must be files, and the layer invariants that
 * every layer which passed the gate must hold. */
#ifndef FUZZ_MK_H
#define FUZZ_MK_H
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "gate.h"
#include "layer.h"
#include "layers.h"

/* Files written while fuzzing (the spill file) stop at 256 MiB: a write
 * past that fails with EFBIG, which mkrootfs must report as an error. */
static inline void fuzz_mk_setup(void)
{
	struct rlimit rl = {256u << 20, 256u << 20};

	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &rl);
	if (!getenv("TMPDIR"))
		setenv("TMPDIR", "/tmp", 1);
}

/* A memory file holding DATA: SLOT (0-3) names it, the same file for
 * every run (entries may refer to their data in it until the run ends). */
static inline int fuzz_mk_memfile(int slot, const uint8_t *data, size_t size)
{
	static int fds[4] = {-1, -1, -1, -1};
	int fd;
	size_t off = 0;

	if (fds[slot] < 0)
		fds[slot] = memfd_create("fuzz-input", MFD_CLOEXEC);
	fd = fds[slot];
	if (fd < 0 || ftruncate(fd, 0) < 0)
		abort();
	while (off < size) {
		ssize_t w = pwrite(fd, data + off, size - off, (off_t)off);

		if (w <= 0)
			abort();
		off += (size_t)w;
	}
	return fd;
}

/* 1 when a component of P is empty, "." or "..". */
static inline int fuzz_mk_bad_components(const char *p)
{
	for (;;) {
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 1;
		if (!*e)
			return 0;
		p = e + 1;
	}
}

/* What the gate promises, checked independently of how it does it:
 * - every path is relative and clean (no empty, "." or ".." component);
 * - no entry (deletions included) has a proper ancestor in the layer that
 *   is not a directory;
 * - every hardlink names a non-directory of the layer;
 * - no ordinary entry's name starts with ".wh.". */
static inline void fuzz_mk_check_layer(const struct layer *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct entry *e = l->v[i];
		int del = e->type == ET_WHITEOUT || e->type == ET_OPAQUE;
		char *p;

		if (!e->path[0]) {
			if (del)
				continue;
			abort();
		}
		if (e->path[0] == '/' || fuzz_mk_bad_components(e->path))
			abort();
		if (!del && strncmp(strrchr(e->path, '/') ? strrchr(e->path, '/') + 1 : e->path,
				    ".wh.", 4) == 0)
			abort();
		p = strdup(e->path);
		for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
			const struct entry *a;

			*s = 0;
			a = layer_find(l, p);
			*s = '/';
			if (a && a->type != ET_DIR)
				abort();
		}
		free(p);
		if (e->type == ET_HARDLINK) {
			const struct entry *t = layer_find(l, e->link);

			if (!t || t->type == ET_DIR)
				abort();
		}
	}
}

#endif
