/* Boot layers: the directories of the layers directory, in byte order,
 * and the deletion lists beside them. Nothing here walks a layer's tree:
 * start-up cost grows with the number of layers and deletions only. */
#include "layers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fmt.h"
#include "steps.h"

/* Names are kept in one arena: at most LAYERS_MAX layers and as many
 * deletion lists, each name at most 255 bytes. */
static char arena[2 * LAYERS_MAX * 256];

struct dent {
	unsigned long ino;
	long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static int ends_with(const char *s, size_t n, const char *suffix, size_t sn)
{
	return n > sn && !memcmp(s + n - sn, suffix, sn);
}

static void sort(const char **v, int n)
{
	for (int i = 1; i < n; i++) {
		const char *x = v[i];
		int j = i;
		for (; j > 0 && strcmp(v[j - 1], x) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Reads dirfd/name (a deletion list) once, into anonymous memory, for
 * layer i: what is checked is what is built (a later write to the file
 * changes nothing), and a file truncated meanwhile cannot fault PID 1. A
 * name that is not a regular file is refused before it is opened (a FIFO
 * would block, a device node act); O_NONBLOCK covers a swap in between. */
static int read_deletions(const char *dir, int dirfd, const char *name, struct layers *ls, int i)
{
	struct stat st;
	long fd = -1, p = -1, got = 0;
	size_t n = 0;
	int err = syscall(SYS_newfstatat, dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? errno : 0;

	if (!err && !(S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size <= DEL_FILE_MAX))
		return failure(0, "deletion list %s/%s: not a regular file of 1 to %d bytes", dir,
			       name, DEL_FILE_MAX);
	if (!err) {
		fd = syscall(SYS_openat, dirfd, name,
			     O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (fd >= 0)
			p = syscall(SYS_mmap, 0, st.st_size, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == -1)
			err = errno;
		while (!err && n < (size_t)st.st_size &&
		       (got = read((int)fd, (char *)p + n, (size_t)st.st_size - n)) > 0)
			n += (size_t)got;
		if (got < 0)
			err = errno;
		if (fd >= 0)
			close((int)fd);
	}
	if (err) { /* never -ENOENT, which is a missing layers directory */
		failure(err, "deletion list %s/%s", dir, name);
		return -EIO;
	}
	ls->del[i] = (const char *)p;
	ls->del_len[i] = n;
	int rc = deletions_check(name, ls->del[i], n);
	return rc < 0 ? rc : 0;
}

int layers_scan(const char *dir, struct layers *ls)
{
	static char buf[8192];
	const char *dels[LAYERS_MAX];
	int ndel = 0,
	    fd = (int)syscall(SYS_openat, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t used = 0;
	long got;

	ls->n = 0;
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : failure(errno, "layers directory %s", dir);
	while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < got;) {
			struct dent *d = (struct dent *)(buf + off);
			size_t n = strlen(d->name);
			off += d->reclen;
			if (d->name[0] == '.')
				continue;
			/* d_type is filled in by every filesystem layers live on
			 * (tmpfs, ext4, xfs, btrfs, overlay); where it is not, the
			 * overlay mount names a non-directory. */
			unsigned char type = d->type;
			int is_del = type != DT_DIR && ends_with(d->name, n, DELETIONS_SUFFIX,
								 sizeof DELETIONS_SUFFIX - 1);
			if (type != DT_DIR && type != DT_UNKNOWN && !is_del) {
				close(fd);
				return failure(0, "layer %s/%s: not a directory", dir, d->name);
			}
			if ((is_del ? ndel : ls->n) >= LAYERS_MAX) {
				close(fd);
				return failure(0, "%s: more than %d %s", dir, LAYERS_MAX,
					       is_del ? "deletion lists" : "layers");
			}
			char *copy = arena + used;
			memcpy(copy, d->name, n + 1);
			used += n + 1;
			if (is_del)
				dels[ndel++] = copy;
			else
				ls->name[ls->n++] = copy;
		}
	}
	if (got < 0) {
		close(fd);
		return failure(errno, "layers directory %s", dir);
	}
	sort(ls->name, ls->n);
	memset(ls->del, 0, sizeof ls->del);
	for (int k = 0; k < ndel; k++) {
		size_t n = strlen(dels[k]) - (sizeof DELETIONS_SUFFIX - 1);
		int i = 0;
		while (i < ls->n && (strncmp(ls->name[i], dels[k], n) || ls->name[i][n]))
			i++;
		if (i == ls->n) {
			close(fd);
			return failure(0, "%s/%s: no layer of that name beside it", dir, dels[k]);
		}
		int rc = read_deletions(dir, fd, dels[k], ls, i);
		if (rc) {
			close(fd);
			return rc;
		}
	}
	close(fd);
	return 0;
}

/* A safe relative path: no leading '/', no empty, "." or ".." component,
 * none longer than a file name can be (255). */
static int safe_path(const char *p, size_t n)
{
	if (!n || n > DEL_PATH_MAX)
		return 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && p[j] != '/')
			j++;
		size_t c = j - i;
		if (!c || c > 255 || (c == 1 && p[i] == '.') ||
		    (c == 2 && p[i] == '.' && p[i + 1] == '.'))
			return 0;
		i = j + 1;
		if (j + 1 == n) /* trailing '/' */
			return 0;
	}
	return 1;
}

int deletions_check(const char *name, const char *buf, size_t len)
{
	size_t m = sizeof DELETIONS_MAGIC - 1, off = m;
	int count = 0;

	if (len < m || memcmp(buf, DELETIONS_MAGIC, m))
		return failure(0, "deletion list %s: bad header", name);
	while (off < len) {
		const char *rec = buf + off;
		const char *end = rec;
		while (end < buf + len && *end)
			end++;
		if (end == buf + len || (rec[0] != DEL_WHITEOUT && rec[0] != DEL_OPAQUE) ||
		    !safe_path(rec + 1, (size_t)(end - rec - 1)))
			return failure(0, "deletion list %s: bad record at byte %lu", name,
				       (unsigned long)off);
		off = (size_t)(end - buf) + 1;
		count++;
	}
	return count;
}

int deletions_build(const char *dir, const char *buf, size_t len)
{
	static char path[DEL_PATH_MAX + 32];
	size_t dn = strlen(dir);
	int rc = st_mkdir(dir, 0755);

	memcpy(path, dir, dn);
	path[dn] = '/';
	for (size_t off = sizeof DELETIONS_MAGIC - 1; off < len && !rc;) {
		const char *rec = buf + off;
		size_t n = strlen(rec + 1);
		off += n + 2;
		memcpy(path + dn + 1, rec + 1, n + 1);
		/* Parents first: each is an ordinary directory that merges. */
		for (char *p = path + dn + 1; *p && !rc; p++) {
			if (*p == '/') {
				*p = 0;
				rc = st_mkdir(path, 0755);
				*p = '/';
			}
		}
		if (rc)
			break;
		if (rec[0] == DEL_WHITEOUT) {
			rc = st_mknod(path, S_IFCHR, 0);
			if (rc == -EEXIST) /* a duplicate record */
				rc = 0;
		} else {
			rc = st_mkdir(path, 0755);
			if (!rc)
				rc = st_setxattr(path, "trusted.overlay.opaque", "y");
		}
	}
	return rc;
}
