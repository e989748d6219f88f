/* The one place that decides whether a path may go into a layer. */
#ifndef MKROOTFS_PATHSAFE_H
#define MKROOTFS_PATHSAFE_H

#define PATH_ALLOW_ABS 1 /* a leading '/' is dropped instead of refused */

/* Normalizes IN to the layer-relative form: no leading '/' or "./", no
 * empty or "." components, no trailing '/'. The layer root is "". A ".."
 * component anywhere is refused ("escapes the layer"), as is an absolute
 * path unless PATH_ALLOW_ABS ("is an absolute path"). Returns 0 and a
 * malloc'd *OUT, or -EINVAL with *WHY set. */
int path_clean(const char *in, int flags, char **out, const char **why);

/* "a/b/c" -> "a/b"; "c" -> "". Returns a malloc'd string. */
char *path_dirname(const char *p);
/* "a/b/c" -> "c" (a pointer into P). */
const char *path_basename(const char *p);
/* "a" + "b" -> "a/b"; "" + "b" -> "b". Returns a malloc'd string. */
char *path_join(const char *a, const char *b);
/* How a host path is shown in an image's history: its last component
 * ("./out/rootfs/" -> "rootfs"), so that neither the directory it was built
 * in nor the user's home leaks into a published image, and the same inputs
 * give the same image wherever they lie. A malloc'd string, NULL: no memory. */
char *path_shown(const char *p);

#define PATH_NO_CLIMB 1 /* a ".." at the root makes path_lexical fail */
/* "/a/./b//../c" -> "/a/c", by the letters alone (no link is looked at):
 * empty and "." components dropped, each ".." taking off the one before.
 * A ".." at the root stays there, as the kernel resolves it, unless
 * PATH_NO_CLIMB (then NULL). Always absolute. A malloc'd string, NULL also
 * when there is no memory. */
char *path_lexical(const char *p, int flags);

#endif
