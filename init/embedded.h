/* An executable that carries its own archive (include/embedded.h): the
 * reader (trailer, CRC, newc cpio walker; pure, fuzzed) and the start-up
 * hook that turns it into tinyinit's configuration. */
#ifndef TINYINIT_EMBEDDED_H_INIT
#define TINYINIT_EMBEDDED_H_INIT

#include <stddef.h>

#include "config.h"

/* Checks the trailer of FILE (SIZE bytes) and the CRC of its archive, read
 * from FD (the same file) when FD >= 0, else from FILE (pure: the fuzzer).
 * Returns 0 with *ARCH and *LEN set, 1 when there is no trailer, or a failure
 * (message in errmsg, naming NAME). */
int emb_verify(const char *name, int fd, const unsigned char *file, size_t size,
	       const unsigned char **arch, size_t *len);

/* One entry of the archive: its name (relative, no ".." component), where
 * its data starts (from the archive's start) and the 13 numbers of its
 * newc header, in header order. */
enum {
	EMB_INO,
	EMB_MODE,
	EMB_UID,
	EMB_GID,
	EMB_NLINK,
	EMB_SIZE = 6,
	EMB_NAMESIZE = 11,
	EMB_FIELDS = 13
};
struct emb_ent {
	const char *name;
	size_t off;
	long f[EMB_FIELDS];
};

/* The entry at *POS (checked as emb_find says), *POS moved past it. Returns
 * 1, 0 at the end record, or a failure. */
int emb_next(const char *name, const unsigned char *a, size_t len, size_t *pos, struct emb_ent *e);

/* Walks the whole archive, refusing any malformed entry (bad header, name
 * absolute or with "..", sizes past the end, no end record), and finds the
 * regular file ENTRY (NULL: only check). Returns 0 with *OFF and *SIZE (of its
 * data, from the archive's start) set, -ENOENT when absent, or a failure. */
int emb_find(const char *name, const unsigned char *a, size_t len, const char *entry, size_t *off,
	     size_t *size);

/* At start: when tinyinit's own file carries an archive, fills C from the
 * recorded arguments (ARGV[1..] replacing the default arguments) and
 * prepares the payload to run from memory (C->exec_fd), or, when the archive
 * holds boot layers, sets C->emb_layers for rootfs_assemble. Returns 0 when
 * the file has no archive, 1 when C is ready, or a failure. */
int embedded_config(struct config *c, int argc, char **argv);

/* Unpacks the archive's boot layers (its entries under "layers/") into the
 * directory INTO (relative to the current one), then unmaps the file.
 * Nothing is written through a symbolic link. Returns 0 or a failure. */
int embedded_unpack(const char *into);

/* Whether C's layers come from the embedded archive (never in the network
 * build, which carries no archive: the unpacker is left out). */
static inline int embedded_layers(const struct config *c)
{
#ifdef TINYINIT_NET
	(void)c;
	return 0;
#else
	return c->emb_layers;
#endif
}

#endif
