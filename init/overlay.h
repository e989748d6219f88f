/* Mounting the overlay: lowers escaped, one page for mount(2), appended a
 * few at a time through fsconfig(2) when they don't fit. */
#ifndef TINYINIT_OVERLAY_H
#define TINYINIT_OVERLAY_H

#include <stddef.h>

/* Appends s to buf at *n with '\', ',' and ':' escaped; returns -1 when
 * it does not fit in cap (NUL included). */
int ovl_escape(char *buf, size_t cap, size_t *n, const char *s);

/* Mounts an overlay on target: lowers[0] is the TOP layer. upper and work
 * are paths (escaped here). Returns 0 or -errno (errmsg set). */
int ovl_mount(const char *const *lowers, int n, const char *upper, const char *work,
	      const char *target);

#endif
