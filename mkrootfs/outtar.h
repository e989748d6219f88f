/* The output file: written under a temporary name beside OUT and renamed
 * into place only when complete; removed on any error. For image tarballs,
 * blobs are streamed straight into the tar and their header (whose name is
 * their digest) is filled in afterwards. */
#ifndef MKROOTFS_OUTTAR_H
#define MKROOTFS_OUTTAR_H
#include <stdint.h>
#include <sys/types.h>
#include "digest.h"
#include "tarwrite.h"

struct outtar {
	struct sink raw;  /* buffered writes to the file */
	struct sink blob; /* hashing writes of the blob in progress */
	int fd;
	int slot; /* cleanup.h: the temporary file goes on SIGINT/SIGTERM/SIGHUP */
	char *tmp, *path;
	unsigned char *buf;
	size_t blen;
	off_t off; /* bytes written (buffered included) */
	int64_t epoch;
	off_t blob_hdr;
	uint64_t blob_size;
	struct digest bd;
	char (*blobs)[DIGEST_HEX_LEN + 1];
	size_t nblobs;
	void (*progress)(uint64_t);
};

int outtar_open(struct outtar *o, const char *path, int64_t epoch);
int outtar_dir(struct outtar *o, const char *name);
int outtar_file(struct outtar *o, const char *name, const void *data, size_t len);
/* Starts a blob; write its bytes to the returned sink. */
struct sink *outtar_blob_begin(struct outtar *o);
/* Ends the blob: HEX and SIZE say what it was. A blob already in the
 * archive is dropped (written once). */
int outtar_blob_end(struct outtar *o, char hex[DIGEST_HEX_LEN + 1], uint64_t *size);
int outtar_blob(struct outtar *o, const void *data, size_t len, char hex[DIGEST_HEX_LEN + 1]);
/* Ends the tar (WITH_END: the two zero blocks), fsyncs it, renames it into
 * place and fsyncs the directory. */
int outtar_commit(struct outtar *o, int with_end);
void outtar_abort(struct outtar *o);

#endif
