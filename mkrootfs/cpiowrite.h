/* A layer as a newc cpio ("070701"), the format the kernel unpacks into
 * its initial rootfs, serialized by libarchive. Reproducible: entries in
 * bytewise path order (so every directory comes before what it holds),
 * inode numbers counted from 1 in that order, mtime EPOCH, owners 0:0
 * unless KEEP_OWNER, no padding after the trailer. Hardlinked files share
 * the inode number of the first of them, which carries the data (the
 * kernel links the later ones to it); nlink counts them. Deletions are
 * not entries (they travel in deletion lists, include/layers.h), and cpio
 * has no place for xattrs. */
#ifndef MKROOTFS_CPIOWRITE_H
#define MKROOTFS_CPIOWRITE_H
#include <stddef.h>
#include <stdint.h>
#include "layer.h"
#include "tarwrite.h"

/* The kernel's unpacker skips names longer than this. */
#define CPIO_NAME_MAX 4095

struct cpio_write_opts {
	int64_t epoch;
	void (*progress)(uint64_t bytes);
	size_t dropped_xattrs; /* out: entries whose xattrs were left out */
	int link_copies;       /* hard links written as copies, each with its data */
};

int layer_write_cpio(const struct layer *l, struct cpio_write_opts *o, struct sink *s);

#endif
