/* At start: tinyinit's own file may carry an archive (include/embedded.h).
 * Without one this costs one open, one stat and one 32-byte read. */
#include "embedded.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <elf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../include/embedded.h"
#include "../include/initramfs.h"
#include "../include/layers.h"
#include "fmt.h"
#include "steps.h"
#include "vm.h"

extern char **environ;

#ifndef MFD_EXEC
#define MFD_EXEC 0x10
#endif

static int open_ro(const char *path)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
}

/* The payload, copied by the kernel from the archive into a memfd. */
static int load_payload(const char *name, int fd, off_t off, size_t size)
{
	int m = (int)syscall(SYS_memfd_create, "payload", MFD_CLOEXEC | MFD_EXEC);

	if (m < 0 && errno == EINVAL) /* kernels before 6.3 know no MFD_EXEC */
		m = (int)syscall(SYS_memfd_create, "payload", MFD_CLOEXEC);
	if (m < 0)
		return failure(errno,
			       errno == EACCES ? "%s: cannot run the payload from memory: memfd "
						 "execution is forbidden (vm.memfd_noexec=2)"
					       : "%s: payload to memory",
			       name);
	while (size) {
		long n = syscall(SYS_sendfile, m, fd, &off, size);
		if (n <= 0) {
			close(m);
			return failure(n ? errno : EIO, "%s: payload to memory", name);
		}
		size -= (size_t)n;
	}
	return m;
}

/* The name tinyinit was started by (AT_EXECFN), from the auxiliary vector
 * after the environment: no /proc needed. */
static const char *execfn(void)
{
	char **e = environ;

	while (*e++)
		;
	for (unsigned long *v = (unsigned long *)e; *v; v += 2)
		if (*v == AT_EXECFN)
			return (const char *)v[1];
	return NULL;
}

/* The file and its archive, kept mapped while boot layers wait for
 * embedded_unpack. */
#define LAYERS_K (sizeof EMB_LAYERS) /* "layers/" */
static struct {
	const char *name;
	unsigned char *map;
	size_t size;
	const unsigned char *a;
	size_t len;
} emb;

int embedded_config(struct config *c, int argc, char **argv)
{
	const char *name = execfn();
	const unsigned char *a = NULL;
	size_t alen = 0, off, n;
	struct stat st;
	char err[256];
	int fd = name ? open_ro(name) : -1, rc;

	if (fd < 0)
		fd = open_ro(name = "/proc/self/exe");
	if (fd < 0)
		return 0;
	/* only the last page is read when there is no trailer */
	size_t size = xstat(fd, "", &st, 0) < 0 ? 0 : (size_t)st.st_size;
	unsigned char *map = (unsigned char *)syscall(SYS_mmap, 0, size, PROT_READ,
						      MAP_PRIVATE | MAP_POPULATE, fd, 0);
	rc = map == MAP_FAILED ? 1 : emb_verify(name, fd, map, size, &a, &alen);
	if (!rc)
		rc = emb_find(name, a, alen, EMB_ARGS, &off, &n);
	if (!rc && n < INIT_ARGS_MAX) {
		memcpy(recorded_args, a + off, n);
		rc = config_recorded(c, (long)n, argc, argv, err);
		if (rc || !c->argv || c->argv[0][0] != '/')
			rc = failure(0, "%s: " EMB_ARGS ": %s", name, rc < 0 ? err : "no payload");
		else if (!emb_find(name, a, alen, EMB_LAYERS "/" LAYERS_MARKER, &off, &n)) {
			/* boot layers: rootfs_assemble unpacks them */
			emb.name = name, emb.map = map, emb.size = size, emb.a = a, emb.len = alen;
			c->emb_layers = 1;
			close(fd);
			return 1;
		} else if ((rc = emb_find(name, a, alen, c->argv[0] + 1, &off, &n)) == -ENOENT)
			rc = failure(0, "%s: no payload", name);
		else if (!rc && (rc = load_payload(name, fd, a - map + (off_t)off, n)) >= 0) {
			c->exec_fd = rc;
			c->no_rootfs = 1;
			rc = 2;
		}
	} else if (!rc || rc == -ENOENT) {
		rc = failure(0, "%s: no usable " EMB_ARGS, name);
	}
	if (map != MAP_FAILED)
		syscall(SYS_munmap, map, size);
	close(fd);
	return rc > 0 ? rc - 1 : rc; /* 1: no trailer, 2: ready */
}

int embedded_unpack(const char *into)
{
	static char target[4096];
	/* O_PATH|O_NOFOLLOW with RESOLVE_NO_SYMLINKS: ELOOP when a symbolic
	 * link is on the way to a name, ENOENT when only the name is missing */
	static const struct {
		unsigned long long flags, mode, resolve;
	} how = {O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, 0x04 /* RESOLVE_NO_SYMLINKS */};
	struct emb_ent e;
	size_t pos = 0;
	long rc = 0, top = open_ro(into), err = top < 0 ? errno : 0, fd;

	e.name = into;
	while (!err && (rc = emb_next(emb.name, emb.a, emb.len, &pos, &e)) > 0) {
		const unsigned char *data = emb.a + e.off;
		const char *p = e.name + LAYERS_K;
		long *f = e.f, mode = f[EMB_MODE], type = mode & S_IFMT, perm = mode & 07777;
		size_t size = (size_t)f[EMB_SIZE];
		if (strncmp(e.name, EMB_LAYERS "/", LAYERS_K))
			continue;
		/* Nothing on its way is a symbolic link; nothing else writes the
		 * stage, so the calls below resolve the same directories. */
		fd = syscall(SYS_openat2, top, p, &how, sizeof how);
		if (fd >= 0)
			close((int)fd), errno = EEXIST, rc = -1;
		else if (errno != ENOENT)
			rc = -1;
		else if (type == S_IFDIR)
			rc = syscall(SYS_mkdirat, top, p, perm);
		else if (type == S_IFLNK && size < sizeof target) {
			memcpy(target, data, size);
			target[size] = 0;
			rc = syscall(SYS_symlinkat, target, top, p);
		} else if (type == S_IFREG) {
			rc = fd =
			    syscall(SYS_openat, top, p,
				    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, perm);
			/* tmpfs writes all or fails (ENOSPC): never 0 bytes */
			while (fd >= 0 && size && (rc = write((int)fd, data, size)) > 0)
				data += rc, size -= (size_t)rc;
			close((int)fd);
		} else /* devices (numbers below 4096:256), fifos, sockets */
			rc = syscall(SYS_mknodat, top, p, mode, f[9] << 8 | f[10]);
		/* owners, then the mode again (a new owner clears set-id bits) */
		if (rc >= 0 && (f[EMB_UID] | f[EMB_GID]))
			rc = syscall(SYS_fchownat, top, p, f[EMB_UID], f[EMB_GID],
				     AT_SYMLINK_NOFOLLOW) |
			     (type == S_IFLNK ? 0 : syscall(SYS_fchmodat, top, p, perm, 0));
		err = rc < 0 ? errno : 0;
	}
	if (err) /* ELOOP: a symbolic link where a directory must be */
		rc = failure(err == ELOOP ? ENOTDIR : (int)err, "%s: %s", emb.name, e.name);
	close((int)top);
	syscall(SYS_munmap, emb.map, emb.size);
	return (int)rc; /* 0 at the end record, or a failure */
}
