/* Deletions in their three spellings: OCI layer tars (".wh.NAME",
 * ".wh..wh..opq"), overlay on disk (0/0 character devices, the opaque
 * xattr) and tinyinit's deletion list (include/layers.h). In the layer
 * model they are ET_WHITEOUT and ET_OPAQUE entries. */
#ifndef MKROOTFS_WHITEOUT_H
#define MKROOTFS_WHITEOUT_H
#include <stddef.h>
#include <sys/stat.h>
#include "layer.h"

/* OCI tar name -> model, in place on a normalized E. Returns 1 when E is
 * now a deletion, 0 when it is an ordinary entry, 2 when it is whiteout
 * metadata to drop (".wh..wh..plnk" and the like), -EINVAL (*WHY) when
 * malformed. */
int whiteout_from_oci(struct entry *e, const char **why);

/* Model -> OCI tar name (malloc'd): "a/.wh.b" for a deleted "a/b",
 * "a/.wh..wh..opq" for an opaque "a". */
char *whiteout_oci_name(const struct entry *e);

/* Overlay's on-disk spelling: a 0/0 character device is a whiteout. */
int whiteout_is_overlay_dev(const struct stat *st);
/* The xattrs overlay reads on directories and files ("trusted." and, with
 * the userxattr option, "user." overlay attributes). */
int whiteout_is_opaque_xattr(const char *name, const void *value, size_t len);
int whiteout_is_whiteout_xattr(const char *name);
int whiteout_is_overlay_xattr(const char *name);

/* The deletion list of L in the format of include/layers.h: sorted, unique
 * records. *BUF is malloc'd; *LEN is 0 (and *BUF NULL) when L deletes
 * nothing. Fails when a path or the file would exceed the contract's
 * limits. */
int dellist_build(const struct layer *l, unsigned char **buf, size_t *len);

/* Parses a deletion list back into ET_WHITEOUT/ET_OPAQUE entries of L. */
int dellist_parse(const unsigned char *buf, size_t len, struct layer *l);

#endif
