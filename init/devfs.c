/* /dev for a container: a small tmpfs with the standard nodes, never
 * devtmpfs (which would expose the host's devices). */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "apifs.h"
#include "fmt.h"
#include "steps.h"

static const struct {
	char name[8];
	unsigned char major, minor;
} nodes[] = {
    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

/* dev/NAME as a node, or (where mknod is refused, as in a user
 * namespace) a bind of the caller's /dev/NAME. */
static int node(const char *name, unsigned major, unsigned minor)
{
	char path[16], host[16];

	fmt_buf(path, sizeof path, "dev/%s", name);
	int rc = st_mknod(path, S_IFCHR | 0666, makedev(major, minor));
	if (rc != -EPERM)
		return rc;
	fmt_buf(host, sizeof host, "/%s", path);
	rc = st_mknod(path, S_IFREG | 0666, 0);
	return rc ? rc : st_mount(host, path, NULL, MS_BIND, NULL);
}

int devfs_build(void)
{
	static const char links[] = "/proc/self/fd\0dev/fd\0/proc/self/fd/0\0dev/stdin\0"
				    "/proc/self/fd/1\0dev/stdout\0/proc/self/fd/2\0dev/stderr\0"
				    "pts/ptmx\0dev/ptmx\0";
	int rc = st_mkdir("dev", 0755);

	if (!rc)
		rc = st_mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
			      "mode=0755,size=65536k");
	for (unsigned i = 0; i < sizeof nodes / sizeof nodes[0] && !rc; i++)
		rc = node(nodes[i].name, nodes[i].major, nodes[i].minor);
	if (!rc)
		rc = st_mkdir("dev/pts", 0755);
	if (!rc)
		rc = st_mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			      "newinstance,ptmxmode=0666,mode=0620,gid=5");
	if (!rc)
		rc = st_mkdir("dev/shm", 01777);
	if (!rc)
		rc = st_mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			      "mode=1777,size=65536k");
	for (const char *p = links; *p && !rc; p += strlen(p) + 1) {
		const char *target = p;
		p += strlen(p) + 1;
		rc = st_symlink(target, p);
	}
	/* The container's terminal: a runtime binds a pseudo-terminal (majors
	 * 136-143) on /dev/console. A real console is a host device: left out. */
	struct stat st;
	if (!rc && xstat(0, "/dev/console", &st, 0) == 0 && S_ISCHR(st.st_mode) &&
	    (major(st.st_rdev) & ~7u) == 136) {
		rc = st_mknod("dev/console", S_IFREG | 0600, 0);
		if (!rc)
			rc = st_mount("/dev/console", "dev/console", NULL, MS_BIND, NULL);
	}
	return rc;
}
