/* Tar headers, reproducibly: ustar where it suffices, a pax extended
 * header only where a name, link, xattr or number needs one. */
#ifndef MKROOTFS_TARWRITE_H
#define MKROOTFS_TARWRITE_H
#include <stddef.h>
#include <stdint.h>
#include "layer.h"

#define TAR_BLOCK 512

/* Where bytes go: a file, a compressor, a digest. */
struct sink {
	int (*write)(struct sink *s, const void *buf, size_t len);
};

static inline int sink_write(struct sink *s, const void *buf, size_t len)
{
	return s->write(s, buf, len);
}

struct tar_meta {
	const char *name; /* as written; directories get a trailing '/' here */
	char type; /* '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo */
	unsigned mode, uid, gid;
	int64_t mtime;
	uint64_t size;
	const char *link;
	unsigned rmajor, rminor;
	const struct xattr *xattrs;
	size_t nxattrs;
};

/* Writes the header (and any pax header before it) for M to S. */
int tar_header(struct sink *s, const struct tar_meta *m);
/* Fills one ustar header block for a plain entry that needs no pax
 * header (used for blobs whose header is written last). */
void tar_ustar_block(unsigned char b[TAR_BLOCK], const struct tar_meta *m);
/* Zero padding after SIZE bytes of data. */
int tar_pad(struct sink *s, uint64_t size);
/* The two zero blocks that end an archive. */
int tar_end(struct sink *s);

/* The data of file E (ET_FILE), in chunks, advancing PROGRESS (may be
 * NULL). A file on disk whose size changed since it was read is an error. */
int entry_write_data(const struct entry *e, struct sink *s, void (*progress)(uint64_t));

/* Layer -> tar, sorted, whiteouts in OCI spelling. EPOCH is every
 * entry's mtime; owners become 0:0 unless KEEP_OWNER. PROGRESS, when set,
 * is advanced by the data bytes written. */
struct layer_write_opts {
	int64_t epoch;
	void (*progress)(uint64_t bytes);
};
int layer_write_tar(const struct layer *l, const struct layer_write_opts *o, struct sink *s);

#endif
