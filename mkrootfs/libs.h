/* --copy-libs: the shared libraries a dynamic payload needs, found the way
 * glibc's loader finds them (without running anything), and where they go
 * in the image so that the loader in the image finds them there. */
#ifndef MKROOTFS_LIBS_H
#define MKROOTFS_LIBS_H
#include <stddef.h>
#include "elfinfo.h"
#include "layer.h"

struct lib {
	char *name;  /* the DT_NEEDED name that first asked for it */
	char *host;  /* the file read on this machine */
	char *image; /* the absolute path the loader in the image opens */
};

struct libs {
	struct lib *v;
	size_t n;
};

/* The libraries the payload HOST needs, recursively, for the payload
 * placed at IMAGE (its --as, absolute). For every DT_NEEDED name, in the
 * loader's order (breadth first, a name loaded once):
 *   1. DT_RPATH of the object that needs it and of the objects that loaded
 *      that one, up to the payload (each only when that object has no
 *      DT_RUNPATH; none when the needing object has a DT_RUNPATH);
 *   2. its DT_RUNPATH;
 *   3. the directories of /etc/ld.so.conf (include lines followed);
 *   4. the system directories for the payload's machine.
 * $ORIGIN (${ORIGIN}) is the object's own directory: on this machine where
 * the file is, in the image where it goes, so a library found through
 * $ORIGIN/../lib of a payload moved by --as goes to --as's ../lib. A
 * library found through an ld.so.conf directory that is not a system
 * directory goes to the first system directory (the image has no
 * ld.so.cache). Candidates of another machine, class or byte order are
 * skipped, as the loader does. The interpreter (PT_INTERP) is not in the
 * list. Errors name the object and the library it needs. */
int libs_resolve(const char *host, const char *image, const struct elf_info *e, struct libs *out);
void libs_free(struct libs *l);

/* Where a file at the absolute path PATH lands when it is added to TOP,
 * above LOWER[0..N) (bottom first): PATH with every directory component
 * resolved through the symlinks of those layers (the topmost entry of a
 * name counts, a whiteout hides it), ".." taken physically, the last
 * component kept. So with a base whose /lib is a symlink to usr/lib,
 * "/lib/x86_64-linux-gnu/libc.so.6" lands at
 * "usr/lib/x86_64-linux-gnu/libc.so.6" and the symlink stays. *OUT is
 * layer-relative (malloc'd). -EINVAL (with a message) for a loop or a link
 * that leaves the root (an absolute target restarts at the root). */
int view_place(struct layer *const *lower, size_t n, const struct layer *top, const char *path,
	       char **out);

#endif
