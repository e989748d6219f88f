/* The runtime's mounts, read from /proc/self/mountinfo and carried into
 * the assembled root (container mode). */
#ifndef TINYINIT_MOUNTINFO_H
#define TINYINIT_MOUNTINFO_H

/* Parses the line at *pos (before end) in place and moves *pos past it:
 * its mount point, unescaped and NUL-terminated, in *path. Returns 1, 0 at
 * the end, -EINVAL for a line that is not "ID PARENT MAJ:MIN ROOT POINT
 * OPTIONS ..." with an absolute POINT (octal escapes \ooo, never \000).
 * Never reads or writes at or past end. */
int mountinfo_next(char **pos, char *end, char **path);

/* Reads /proc/self/mountinfo (the runtime's mounts, before tinyinit's
 * own); no /proc: nothing to carry. 0 or -errno with errmsg. */
int mounts_read(void);

/* Binds each mount mounts_read saw at the same path under the current
 * directory (the new root), in mountinfo's order (parents first), making
 * the directory or file it covers: every mount point but /, /proc and what
 * is under it, /sys and what is under it except /sys/fs/cgroup, /dev
 * itself, and the layers directory dir (absolute, no symlinks) with what is
 * under it. A bind keeps the mount's flags (read-only stays read-only).
 * Without a /sys/fs/cgroup among them, mounts cgroup2 there read-only. */
int mounts_carry(const char *dir);

#endif
