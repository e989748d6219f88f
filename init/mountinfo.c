/* The runtime's mounts carried over: volumes, /etc/resolv.conf, /etc/hosts,
 * secrets, /dev/shm, /dev/mqueue, /sys/fs/cgroup... A runtime mounts them
 * in the container's root; tinyinit's new root would hide them, so each is
 * bound again at the same path in it, before the pivot. */
#include "mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "apifs.h"
#include "fmt.h"
#include "steps.h"

static int octal(char c)
{
	return c >= '0' && c <= '7';
}

int mountinfo_next(char **pos, char *end, char **path)
{
	char *p = *pos, *point = p;

	if (p >= end)
		return 0;
	for (int i = 0; i < 6; i++) { /* the 5th is the mount point */
		if (i == 4)
			point = p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		if (p == end || *p != ' ')
			return -EINVAL;
		if (i == 4)
			*p = 0;
		p++;
	}
	while (p < end && *p++ != '\n')
		;
	*pos = p;
	/* \ooo escapes (space, tab, newline, backslash), decoded in place. */
	char *s = point, *d = s;
	if (*s != '/')
		return -EINVAL;
	while (*s) {
		if (*s == '\\') {
			if (!(s[1] >= '0' && s[1] <= '3' && octal(s[2]) && octal(s[3])))
				return -EINVAL;
			*d = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
			if (!*d++)
				return -EINVAL;
		} else {
			*d++ = *s++;
		}
	}
	*d = 0;
	*path = point;
	return 1;
}

static char buf[1 << 18];
static size_t len;

int mounts_read(void)
{
	long got = 0;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);

	len = 0;
	if (fd < 0)
		return 0;
	while (len < sizeof buf && (got = read(fd, buf + len, sizeof buf - len)) > 0)
		len += (size_t)got;
	close(fd);
	if (got < 0 || len == sizeof buf)
		return failure(got < 0 ? errno : E2BIG, "read %s", "/proc/self/mountinfo");
	return 0;
}

/* path is top or under it. */
static int under(const char *path, const char *top)
{
	size_t n = strlen(top);
	return !strncmp(path, top, n) && (path[n] == 0 || path[n] == '/');
}

int mounts_carry(const char *dir)
{
	char *pos = buf, *src;
	int cgroup = 0, rc = 0, more;

	while (!rc && (more = mountinfo_next(&pos, buf + len, &src)) > 0) {
		char *dst = src + 1;
		struct stat st;
		int dir_point;
		if (!*dst || under(src, "/proc") || under(src, dir) || !strcmp(src, "/dev") ||
		    (under(src, "/sys") && !under(src, "/sys/fs/cgroup")))
			continue;
		if (xstat(0, src, &st, 0) < 0) {
			LOG(1, "%s: gone since mountinfo was read, not carried over", src);
			continue;
		}
		dir_point = S_ISDIR(st.st_mode);
		/* The directory or file it covers, with its parents. */
		for (char *p = dst; *p && !rc; p++) {
			if (*p == '/') {
				*p = 0;
				rc = st_mkdir(dst, 0755);
				*p = '/';
			}
		}
		if (!rc && xstat(0, dst, &st, 1) < 0)
			rc = dir_point ? st_mkdir(dst, 0755) : st_mknod(dst, S_IFREG | 0644, 0);
		if (!rc)
			rc = st_mount(src, dst, NULL, MS_BIND, NULL);
		cgroup |= !strcmp(src, "/sys/fs/cgroup");
	}
	if (more < 0)
		return failure(EINVAL, "read %s", "/proc/self/mountinfo");
	return rc || cgroup ? rc : apifs_cgroup();
}
