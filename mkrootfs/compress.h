/* Layer compression while hashing: the uncompressed stream is hashed (the
 * diff_id) and cut into fixed 1 MiB chunks that worker threads compress
 * with libdeflate into gzip members, written in order. A multi-member
 * gzip is one valid gzip stream; the bytes do not depend on the number of
 * threads. zstd uses libzstd's own workers.
 *
 * Initramfs files are compressed as one stream (zsink_open_stream): the
 * kernel's unpacker reads one gzip member at a time and refuses a member
 * that ends inside a cpio entry, so gzip is a single zlib stream there;
 * its xz decoder takes CRC32 checks only (liblzma's default is CRC64). */
#ifndef MKROOTFS_COMPRESS_H
#define MKROOTFS_COMPRESS_H
#include <stdint.h>
#include "digest.h"
#include "tarwrite.h"

enum compression { COMP_NONE, COMP_GZIP, COMP_ZSTD, COMP_XZ };

#define GZIP_CHUNK (1u << 20)
#define GZIP_LEVEL 6
#define ZSTD_LEVEL 3
#define XZ_PRESET  6

struct zsink;

/* Bytes written to the returned sink reach OUT compressed. */
int zsink_open(struct zsink **z, enum compression c, struct sink *out);
/* The same, as one stream the kernel's initramfs unpacker reads (xz too). */
int zsink_open_stream(struct zsink **z, enum compression c, struct sink *out);
struct sink *zsink_sink(struct zsink *z);
/* Flushes and frees Z; DIFFID gets the digest of the uncompressed bytes. */
int zsink_close(struct zsink *z, char diffid[DIGEST_HEX_LEN + 1], uint64_t *usize);
void zsink_abort(struct zsink *z);

/* "gzip", "zstd", "none" and, WITH_XZ, "xz". */
int compression_parse(const char *s, int with_xz, enum compression *c);
const char *compression_media_type(enum compression c);
int compression_threads(void);
/* CPUs a cgroup v2 cpu.max line ("200000 100000") allows, rounded up; 0 for
 * "max" or anything unreadable. */
int cpu_max_cpus(const char *text);

#endif
