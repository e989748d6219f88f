/* The layer model: what every input is read into and every writer
 * serializes. Paths are normalized and validated on the way in (layer_add),
 * so writers never see a path that could leave the layer. */
#ifndef MKROOTFS_LAYER_H
#define MKROOTFS_LAYER_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum etype {
	ET_FILE,
	ET_DIR,
	ET_SYMLINK,
	ET_HARDLINK, /* link = path of an earlier entry in the same layer */
	ET_CHAR,
	ET_BLOCK,
	ET_FIFO,
	ET_WHITEOUT, /* path is deleted from the layers beneath */
	ET_OPAQUE,   /* directory path hides what the layers beneath hold in it */
};

enum srckind {
	SRC_NONE,
	SRC_DISK,  /* disk: a file read when the layer is written */
	SRC_SPILL, /* spill_off: in the process's spill file (data read from archives) */
	SRC_MEM,   /* mem: owned buffer */
	SRC_FILE,  /* datafd at spill_off: in place in an input (an uncompressed tar) */
};

struct xattr {
	char *name;
	unsigned char *value;
	size_t len;
};

struct entry {
	char *path;
	enum etype type;
	unsigned mode; /* permission bits, 07777 */
	unsigned uid, gid;
	int64_t mtime;
	uint64_t size; /* ET_FILE only */
	char *link;    /* ET_SYMLINK target, ET_HARDLINK target path */
	unsigned rmajor, rminor;
	struct xattr *xattrs; /* sorted by name */
	size_t nxattrs;
	enum srckind src;
	char *disk; /* SRC_DISK: a path with no symbolic link in it (see entry_open_disk) */
	dev_t ddev; /* SRC_DISK: the file's identity when it was read, or 0 */
	ino_t dino;
	off_t spill_off; /* SRC_SPILL, SRC_FILE: where the data starts */
	int datafd;	 /* SRC_FILE: the input it lies in (open while the input is) */
	unsigned char *mem;
	unsigned linked; /* number of hardlinks that point at this entry */
};

struct htab {
	struct entry **slot;
	size_t cap, used;
};

/* A layer of an image input, kept as it was: written byte for byte (same
 * blob, digest, diff_id, history) instead of serializing the entries. */
struct layer_blob {
	int fd;		 /* the compressed blob: in this file (the input or the spill) */
	off_t spill_off; /* at this offset */
	uint64_t size;
	char digest[72], diff_id[72]; /* "sha256:..." */
	char *media_type;
	char *history; /* JSON array of its config history entries, or NULL */
};

struct layer {
	struct layer_blob *blob; /* NULL: serialize the entries */
	char *name;		 /* for messages: "app.tar", "img.tar layer 2" */
	char *created_by;	 /* history */
	struct entry **v;	 /* in the order they were added */
	size_t n, cap;
	struct htab files, dels;
	uint64_t data_bytes; /* sum of file sizes */
};

/* layer_add flags */
#define LA_ABS_OK	 1 /* absolute paths are fine (destinations we chose) */
#define LA_OCI_WHITEOUTS 2 /* ".wh.NAME" and ".wh..wh..opq" are deletions */
#define LA_MERGE_DIRS	 4 /* a directory added twice keeps the later metadata */
#define LA_LAST_WINS                                                                               \
	8 /* a file, symlink or hardlink added again replaces the                                  \
	     earlier one, as tar extraction and the runtimes do                                    \
	     (not one that others link to, not a directory) */

struct layer *layer_new(const char *name);
void layer_free(struct layer *l);

struct entry *entry_new(const char *path, enum etype type);
void entry_free(struct entry *e);
int entry_add_xattr(struct entry *e, const char *name, const void *value, size_t len);
void entry_sort_xattrs(struct entry *e);

/* Validates E (its path as the input spells it) and adds it to L. INPUT
 * names the input in error messages. Takes ownership of E either way. */
int layer_add(struct layer *l, const char *input, struct entry *e, int flags);

/* Adds file PATH (mode 0644) holding the LEN bytes of BUF, which it takes
 * (freed on failure too). */
int layer_add_mem(struct layer *l, const char *input, const char *path, unsigned char *buf,
		  size_t len);

/* Adds directory entries (mode 0755) for every missing ancestor of PATH. */
int layer_add_parents(struct layer *l, const char *path);

struct entry *layer_find(const struct layer *l, const char *path);
struct entry *layer_find_del(const struct layer *l, const char *path);

/* Copies every entry of SRC into DST beneath PREFIX ("layers/01-app"),
 * hardlink targets included; deletions are not copied. */
int layer_copy_under(struct layer *dst, const struct layer *src, const char *prefix);

/* Entries sorted by path (bytewise), in a new array the caller frees. */
struct entry **layer_sorted(const struct layer *l);

/* The spill file holds file data read from archives. */
int spill_write(const void *buf, size_t len, off_t *off);
int spill_append_begin(off_t *off);
int spill_append(const void *buf, size_t len);
int spill_fd(void);
/* Empties the spill file (no entry may still refer to it): for callers
 * that read many inputs in one process, such as the fuzzers. */
void spill_reset(void);
/* The bytes the spill file reached (its peak: it only grows). */
uint64_t spill_peak(void);

/* Reads N bytes of E's data at OFF into BUF; DISKFD is an open fd for
 * SRC_DISK entries (-1 otherwise). */
/* Opens the file of a SRC_DISK entry for reading: no symbolic link may be on
 * its path (openat2 RESOLVE_NO_SYMLINKS: a directory of a live tree swapped
 * for a link since the walk is refused, never followed), it must still be a
 * regular file, the same one the walk saw (device and inode), of the size it
 * had. Returns the descriptor or a negative errno with the reason. */
int entry_open_disk(const struct entry *e);
int entry_read(const struct entry *e, int diskfd, void *buf, size_t n, uint64_t off);

#endif
