/* Inputs -> layers. Every input (a directory, a tarball, an image
 * tarball, a single file, an overlay upper) is read into the layer model
 * here; nothing downstream reads inputs. */
#ifndef MKROOTFS_INPUT_H
#define MKROOTFS_INPUT_H
#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>
#include "digest.h"
#include "layer.h"

/* input_read flags */
#define IN_NODATA 1 /* metadata only (inspect): file data is not kept */
#define IN_BLOBS  2 /* image layers go out as their blobs: their files' data is not kept */

struct layer_info {
	char digest[DIGEST_STR_LEN + 1]; /* of the stored blob, "" when not an image */
	char *media_type;
	uint64_t csize, usize; /* stored and uncompressed bytes */
};

struct input {
	char *path; /* as the user gave it */
	int is_image;
	size_t nlayers;
	struct layer **layers;
	struct layer_info *info;
	json_t *config;	       /* images: the config document */
	char *config_digest;   /* images: "sha256:..." */
	char *manifest_digest; /* OCI images: the manifest's "sha256:..." */
	char *format;	       /* "directory", "tarball", "docker-archive", "oci-archive" */
	char *name;	       /* images: the first tag it carries, if any */
	json_t *platforms;     /* OCI images: the platform objects of the index the
				  manifest was picked from, when it lists several */
	int fd;		       /* the input file, open while entries refer to it (-1: none) */
};

int input_read(const char *path, int flags, struct input *in);
/* The same; an image input must be for WANT (an index: its manifest for
 * WANT), unless WANT is NULL. */
struct platform;
int input_read_for(const char *path, int flags, const struct platform *want, struct input *in);
void input_free(struct input *in);

/* A directory tree into L beneath PREFIX (the tree's root becomes PREFIX
 * itself when PREFIX is not the layer root). DIR_OVERLAY reads overlay's
 * deletions (0/0 devices, opaque xattrs) and OCI ".wh." names. */
#define DIR_OVERLAY 1
#define DIR_MERGE   2
int input_dir(const char *display, const char *dir, const char *prefix, struct layer *l, int flags);

/* One file (regular or symlink, followed) into L at DST with MODE (-1:
 * keep). */
int input_file(const char *src, const char *dst, int mode, struct layer *l);

/* The entries of a tar (plain, gzip, zstd, xz, bzip2), names as the tar
 * spells them, read in one pass that decompresses once (input_tar.c). SRC:
 * a region of an open file, which must stay open while the entries are
 * used (an uncompressed tar's files are referenced in place, SRC_FILE; a
 * compressed tar's are copied once into the spill file). SUMS, when not
 * NULL, gets the digests of the region (compressed) and of the stream
 * uncompressed to its end (the diff_id), from the same pass. */
struct tar_src {
	const char *path;
	int fd;
	off_t off;
	uint64_t len;
};
struct tar_sums {
	uint64_t csize, usize;
	char digest[DIGEST_HEX_LEN + 1], diff_id[DIGEST_HEX_LEN + 1];
};
int tar_read(const char *display, const struct tar_src *src, int flags, struct entry ***out,
	     size_t *n, struct tar_sums *sums);
void entries_free(struct entry **v, size_t n);

/* An image tarball whose outer tar is MEMBERS (data in place or in the
 * spill file). */
int image_read(const char *display, struct entry **members, size_t n, int flags,
	       const struct platform *want, struct input *in);

#endif
