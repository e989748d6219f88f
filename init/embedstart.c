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
#include <unistd.h>

#include "../include/embedded.h"
#include "../include/initramfs.h"
#include "fmt.h"
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
	rc = map == MAP_FAILED ? 1 : emb_verify(name, map, size, &a, &alen);
	if (!rc)
		rc = emb_find(name, a, alen, EMB_ARGS, &off, &n);
	if (!rc && n < INIT_ARGS_MAX) {
		memcpy(recorded_args, a + off, n);
		rc = config_recorded(c, (long)n, argc, argv, err);
		if (rc || !c->argv || c->argv[0][0] != '/')
			rc = failure(0, "%s: " EMB_ARGS ": %s", name, rc < 0 ? err : "no payload");
		else if ((rc = emb_find(name, a, alen, c->argv[0] + 1, &off, &n)) == -ENOENT)
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
