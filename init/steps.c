/* Traced, dry-runnable system calls (see steps.h). */
#include "steps.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fmt.h"

int dry_run;

/* The names of the mount flags tinyinit uses, by bit number (MS_RDONLY is
 * bit 0, MS_STRICTATIME bit 24); empty for the others. */
static const char mflag_names[] = "RDONLY\0NOSUID\0NODEV\0NOEXEC\0\0REMOUNT\0\0\0\0\0NOATIME\0"
				  "NODIRATIME\0BIND\0MOVE\0REC\0\0\0\0PRIVATE\0SLAVE\0\0RELATIME\0"
				  "\0\0STRICTATIME";
_Static_assert(MS_BIND == 1 << 12 && MS_PRIVATE == 1 << 18 && MS_STRICTATIME == 1 << 24,
	       "mount flag bits");

const char *mount_flags(unsigned long flags, char *buf, size_t cap)
{
	size_t n = 0;
	const char *name = mflag_names;

	buf[0] = '0';
	buf[1] = 0;
	for (int bit = 0; bit <= 24; bit++, name += strlen(name) + 1)
		if (flags >> bit & 1)
			n += fmt_buf(buf + n, cap - n, n ? "|MS_%s" : "MS_%s", name);
	return buf;
}

/* Runs (unless --dry-run) and traces one call. rc is the syscall's result
 * (0 or -1 with errno); what is the call as text. */
static int traced(int level, int rc, const char *what)
{
	int err = rc < 0 ? errno : 0;

	if (dry_run)
		say("%s", what);
	else if (verbosity >= level)
		say(err ? "%s = -1 %s" : "%s = 0", what, errstr(err));
	return rc < 0 ? -err : 0;
}

/* Text of a call: static, since the trace line is built before the call
 * and printed after it. */
static char call[4800];

/* Formatted only when it will be printed. */
#define CALL(...) ((dry_run || verbosity) ? fmt_buf(call, sizeof call, __VA_ARGS__) : 0)
#define RUN(expr) (dry_run ? 0 : (expr))

int st_mount(const char *src, const char *dst, const char *type, unsigned long flags,
	     const char *data)
{
	char f[160];

	CALL("mount(\"%s\", \"%s\", \"%s\", %s, \"%s\")", src ? src : "", dst, type ? type : "",
	     mount_flags(flags, f, sizeof f), data ? data : "");
	int rc = traced(1, RUN(mount(src, dst, type, flags, data)), call);
	return rc ? failure(-rc, "mount %s on %s", type ? type : src ? src : "flags", dst) : 0;
}

/* Set when open_tree is missing (kernels before 5.2, qemu-user): the fd is
 * then the directory itself, bound without the mounts inside it. */
static int plain_fd;

int st_clone(const char *path)
{
	CALL("open_tree(AT_FDCWD, \"%s\", OPEN_TREE_CLONE|AT_RECURSIVE)", path);
	long fd = RUN(syscall(SYS_open_tree, AT_FDCWD, path, 1 | O_CLOEXEC | 0x8000));
	if (fd < 0 && errno == ENOSYS) {
		fd = syscall(SYS_openat, AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		plain_fd = 1;
	}
	int rc = traced(1, fd < 0 ? -1 : 0, call);
	return rc ? failure(-rc, "clone the mounts at %s", path) : (int)fd;
}

int st_attach(int fd, const char *path)
{
	if (plain_fd) {
		char src[32];
		fmt_buf(src, sizeof src, "/proc/self/fd/%d", fd);
		int rc = st_mount(src, path, NULL, MS_BIND, NULL);
		close(fd);
		return rc;
	}
	CALL("move_mount(%d, \"\", AT_FDCWD, \"%s\", MOVE_MOUNT_F_EMPTY_PATH)", fd, path);
	int rc = traced(1, RUN((int)syscall(SYS_move_mount, fd, "", AT_FDCWD, path, 4)), call);
	RUN(close(fd));
	return rc ? failure(-rc, "attach mounts at %s", path) : 0;
}

int st_unshare_mnt(void)
{
	int rc = traced(1, RUN(unshare(CLONE_NEWNS)),
			dry_run || verbosity ? "unshare(CLONE_NEWNS)" : "");
	return rc ? failure(-rc, "unshare the mount namespace") : 0;
}

int st_umount(const char *dst, int flags)
{
	CALL("umount2(\"%s\", %s)", dst, flags & MNT_DETACH ? "MNT_DETACH" : "0");
	int rc = traced(1, RUN(umount2(dst, flags)), call);
	return rc ? failure(-rc, "unmount %s", dst) : 0;
}

int st_chdir(const char *path)
{
	CALL("chdir(\"%s\")", path);
	int rc = traced(1, RUN(chdir(path)), call);
	return rc ? failure(-rc, "chdir %s", path) : 0;
}

int st_chroot(const char *path)
{
	CALL("chroot(\"%s\")", path);
	int rc = traced(1, RUN(chroot(path)), call);
	return rc ? failure(-rc, "chroot %s", path) : 0;
}

int st_pivot(const char *new_root, const char *put_old)
{
	CALL("pivot_root(\"%s\", \"%s\")", new_root, put_old);
	int rc = traced(1, RUN((int)syscall(SYS_pivot_root, new_root, put_old)), call);
	return rc ? failure(-rc, "pivot_root into %s", new_root) : 0;
}

int st_mkdir(const char *path, mode_t mode)
{
	CALL("mkdir(\"%s\", 0%o)", path, (unsigned)mode);
	int rc = RUN(mkdir(path, mode));
	/* Already there is fine; should it not be a directory, the step that
	 * uses it fails with ENOTDIR and says so. */
	if (rc < 0 && errno == EEXIST)
		rc = 0;
	rc = traced(2, rc, call);
	return rc ? failure(-rc, "mkdir %s", path) : 0;
}

int st_mknod(const char *path, mode_t mode, dev_t dev)
{
	CALL("mknod(\"%s\", 0%o, %u:%u)", path, (unsigned)mode, major(dev), minor(dev));
	int rc = traced(2, RUN(mknod(path, mode, dev)), call);
	return rc ? failure(-rc, "mknod %s", path) : 0;
}

int st_symlink(const char *target, const char *path)
{
	CALL("symlink(\"%s\", \"%s\")", target, path);
	int rc = traced(2, RUN(symlink(target, path)), call);
	return rc ? failure(-rc, "symlink %s", path) : 0;
}

int st_setxattr(const char *path, const char *name, const char *value)
{
	CALL("setxattr(\"%s\", \"%s\", \"%s\")", path, name, value);
	int rc = traced(2, RUN(setxattr(path, name, value, strlen(value), 0)), call);
	return rc ? failure(-rc, "setxattr %s on %s", name, path) : 0;
}
