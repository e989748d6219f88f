/* The overlay mount. mount(2) copies at most one page of options, so with
 * many or long lowers tinyinit switches to the new mount API, where kernel
 * 6.8+ takes the lowers one "lowerdir+" at a time. */
#include "overlay.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fmt.h"
#include "steps.h"

#define PAGE 4096

int ovl_escape(char *buf, size_t cap, size_t *n, const char *s)
{
	size_t i = *n;

	for (; *s; s++) {
		if (i + 3 > cap)
			return -1;
		if (*s == '\\' || *s == ',' || *s == ':')
			buf[i++] = '\\';
		buf[i++] = *s;
	}
	buf[i] = 0;
	*n = i;
	return 0;
}

/* fsconfig(2) through the trace. */
static int fsconfig_str(int fd, const char *key, const char *val)
{
	if (dry_run || verbosity >= 1)
		say("fsconfig(%d, FSCONFIG_SET_STRING, \"%s\", \"%s\")", fd, key, val);
	if (!dry_run && syscall(SYS_fsconfig, fd, 1 /* SET_STRING */, key, val, 0) < 0)
		return failure(errno, "overlay option %s=%s", key, val);
	return 0;
}

/* The new mount API: one "lowerdir+" per lower, top first, unescaped. */
static int mount_fsconfig(const char *const *lowers, int n, const char *upper, const char *work,
			  const char *target)
{
	int fd = dry_run ? 3 : (int)syscall(SYS_fsopen, "overlay", 1 /* FSOPEN_CLOEXEC */);
	int rc = 0;

	if (dry_run || verbosity >= 1)
		say("fsopen(\"overlay\") = %d", fd);
	if (fd < 0)
		return failure(errno, "fsopen overlay (needed for %d lowers)", n);
	for (int i = 0; i < n && !rc; i++)
		rc = fsconfig_str(fd, "lowerdir+", lowers[i]);
	char esc[PAGE];
	size_t len = 0;
	if (!rc && upper) {
		rc = ovl_escape(esc, sizeof esc, &len, upper)
			 ? failure(ENAMETOOLONG, "upper %s", upper)
			 : fsconfig_str(fd, "upperdir", esc);
		len = 0;
		if (!rc)
			rc = ovl_escape(esc, sizeof esc, &len, work)
				 ? failure(ENAMETOOLONG, "work %s", work)
				 : fsconfig_str(fd, "workdir", esc);
	}
	if (!rc) {
		if (dry_run || verbosity >= 1)
			say("fsconfig(%d, FSCONFIG_CMD_CREATE)", fd);
		if (!dry_run && syscall(SYS_fsconfig, fd, 6 /* CMD_CREATE */, 0, 0, 0) < 0)
			rc = failure(errno, "create overlay");
	}
	if (!rc) {
		int mfd = dry_run ? 4 : (int)syscall(SYS_fsmount, fd, 1 /* FSMOUNT_CLOEXEC */, 0);
		if (dry_run || verbosity >= 1)
			say("fsmount(%d) = %d", fd, mfd);
		if (mfd < 0)
			rc = failure(errno, "fsmount overlay");
		else {
			if (dry_run || verbosity >= 1)
				say("move_mount(%d, \"\", AT_FDCWD, \"%s\", "
				    "MOVE_MOUNT_F_EMPTY_PATH)",
				    mfd, target);
			if (!dry_run && syscall(SYS_move_mount, mfd, "", -100 /* AT_FDCWD */,
						target, 4 /* MOVE_MOUNT_F_EMPTY_PATH */) < 0)
				rc = failure(errno, "mount overlay on %s", target);
			if (!dry_run)
				close(mfd);
		}
	}
	if (!dry_run)
		close(fd);
	return rc;
}

int ovl_mount(const char *const *lowers, int n, const char *upper, const char *work,
	      const char *target)
{
	static char opts[PAGE + 16];
	size_t len = 0;
	int fits = 1;

	memcpy(opts, "lowerdir=", 9);
	len = 9;
	for (int i = 0; i < n && fits; i++) {
		if (i)
			opts[len++] = ':';
		fits = !ovl_escape(opts, PAGE, &len, lowers[i]);
	}
	if (fits && upper) {
		static const char u[] = ",upperdir=", w[] = ",workdir=";
		fits = len + sizeof u < PAGE;
		if (fits) {
			memcpy(opts + len, u, sizeof u);
			len += sizeof u - 1;
			fits = !ovl_escape(opts, PAGE, &len, upper);
		}
		if (fits && (fits = len + sizeof w < PAGE)) {
			memcpy(opts + len, w, sizeof w);
			len += sizeof w - 1;
			fits = !ovl_escape(opts, PAGE, &len, work);
		}
	}
	if (fits)
		return st_mount("overlay", target, "overlay", 0, opts);
	LOG(1, "overlay options exceed one page: using fsconfig");
	return mount_fsconfig(lowers, n, upper, work, target);
}
