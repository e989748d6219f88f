/* Every change tinyinit makes to the system goes through these wrappers.
 * Each prints itself like a line of a syscall trace (at -v for mounts,
 * pivots, unmounts and directory changes; at -vv for the rest) with its
 * result, and at --dry-run is printed and not done. The assembly code is
 * therefore the plan: tracing and dry-run cannot drift from what really
 * happens. Each returns 0 or -errno, with errmsg set on failure. */
#ifndef TINYINIT_STEPS_H
#define TINYINIT_STEPS_H

#include <sys/types.h>

extern int dry_run;

int st_mount(const char *src, const char *dst, const char *type, unsigned long flags,
	     const char *data);
int st_umount(const char *dst, int flags);
int st_unshare_mnt(void); /* unshare(CLONE_NEWNS) */
/* A detached copy of the mount at path with every mount beneath it
 * (open_tree OPEN_TREE_CLONE|AT_RECURSIVE): an fd, or -errno. */
int st_clone(const char *path);
/* Attaches (move_mount) what st_clone returned at path; closes fd. */
int st_attach(int fd, const char *path);
int st_chdir(const char *path);
int st_chroot(const char *path);
int st_pivot(const char *new_root, const char *put_old);
int st_mkdir(const char *path, mode_t mode); /* an existing path is fine */
int st_mknod(const char *path, mode_t mode, dev_t dev);
int st_symlink(const char *target, const char *path);
int st_setxattr(const char *path, const char *name, const char *value);

/* "MS_REC|MS_PRIVATE" for the trace. */
const char *mount_flags(unsigned long flags, char *buf, size_t cap);

#endif
