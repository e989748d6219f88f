/* Finding the boot layers and turning their deletion lists into whiteout
 * layers (the contract is include/layers.h). */
#ifndef TINYINIT_LAYERS_H_INIT
#define TINYINIT_LAYERS_H_INIT

#include <stddef.h>

#include "../include/layers.h"

struct layers {
	int n;			      /* layer directories, bottom first */
	const char *name[LAYERS_MAX]; /* their names in the layers directory */
	const char *del[LAYERS_MAX];  /* the deletion list's bytes, or NULL */
	size_t del_len[LAYERS_MAX];
};

/* Lists the layers of dir (sorted, bottom first) and maps their deletion
 * lists. Returns 0 (ls->n may be 0), -ENOENT when dir does not exist, or
 * another -errno with errmsg naming the object. */
int layers_scan(const char *dir, struct layers *ls);

/* Checks a deletion list: the magic, then records TYPE PATH '\0' with safe
 * relative paths. Returns the number of records or -EINVAL (errmsg names
 * the list and the byte offset). */
int deletions_check(const char *name, const char *buf, size_t len);

/* Builds the whiteout layer for one checked deletion list under dir (a
 * path relative to the stage): 0/0 devices for deleted paths, opaque
 * directories with trusted.overlay.opaque=y. */
int deletions_build(const char *dir, const char *buf, size_t len);

#endif
