/* An executable that carries its own archive (include/embedded.h): the
 * reader (trailer, CRC, newc cpio walker; pure, fuzzed) and the start-up
 * hook that turns it into tinyinit's configuration. */
#ifndef TINYINIT_EMBEDDED_H_INIT
#define TINYINIT_EMBEDDED_H_INIT

#include <stddef.h>

#include "config.h"

/* Checks the trailer of FILE (SIZE bytes) and the CRC of its archive.
 * Returns 0 with *ARCH and *LEN set, 1 when there is no trailer, or a failure
 * (message in errmsg, naming NAME). */
int emb_verify(const char *name, const unsigned char *file, size_t size, const unsigned char **arch,
	       size_t *len);

/* Walks the whole archive, refusing any malformed entry (bad header, name
 * absolute or with "..", sizes past the end, no end record), and finds the
 * regular file ENTRY (NULL: only check). Returns 0 with *OFF and *SIZE (of its
 * data, from the archive's start) set, -ENOENT when absent, or a failure. */
int emb_find(const char *name, const unsigned char *a, size_t len, const char *entry, size_t *off,
	     size_t *size);

/* At start: when tinyinit's own file carries an archive, fills C from the
 * recorded arguments (ARGV[1..] replacing the default arguments) and
 * prepares the payload to run from memory (C->exec_fd). Returns 0 when the
 * file has no archive, 1 when C is ready, or a failure. */
int embedded_config(struct config *c, int argc, char **argv);

#endif
