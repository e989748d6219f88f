/* The kernel's API filesystems in a new root, and the container
 * hardening that goes with them. All paths are relative to the current
 * directory: the new root, before tinyinit pivots into it. */
#ifndef TINYINIT_APIFS_H
#define TINYINIT_APIFS_H

int apifs_proc(void);  /* proc on proc, nosuid,nodev,noexec */
int apifs_sys(void);   /* sysfs on sys, read-only; a failure is logged, not fatal */
int devfs_build(void); /* tmpfs on dev with the standard nodes, devpts, shm, links */
int apifs_mask(void);  /* runc's masked and read-only paths (needs dev/null) */
int apifs_tmp(void);
/* cgroup2 on sys/fs/cgroup, read-only, so the payload sees its limits (Go,
 * JVM); a failure is logged, not fatal. */
int apifs_cgroup(void); /* tmpfs on tmp and run where the image has them */

#endif
