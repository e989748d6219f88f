/* Directory trees and single files from the disk. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "err.h"
#include "input.h"
#include "keymap.h"
#include "pathsafe.h"
#include "whiteout.h"

struct inode {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct walk {
	const char *display;
	struct layer *l;
	int flags, laflags;
	struct inode *seen; /* owns the paths */
	size_t nseen, capseen;
	struct keymap inodes; /* (device, inode) -> index in seen */
};

static int keep_xattr(const char *name)
{
	return (strncmp(name, "user.", 5) == 0 && !whiteout_is_overlay_xattr(name)) ||
	       strcmp(name, "security.capability") == 0;
}

/* Reads the xattrs of the file open as FD (shown as DISK) into E; notes
 * overlay's opaque and whiteout marks. */
static int read_xattrs(struct walk *w, int fd, const char *disk, struct entry *e, int *opaque,
		       int *whiteout)
{
	char *names = NULL, *n;
	ssize_t len = flistxattr(fd, NULL, 0);
	int r = 0;

	if (len <= 0)
		return 0;
	names = malloc((size_t)len);
	if (!names)
		return -ENOMEM;
	len = flistxattr(fd, names, (size_t)len);
	for (n = names; len > 0 && n < names + len && !r; n += strlen(n) + 1) {
		int ov = whiteout_is_overlay_xattr(n);
		char val[256], *big = NULL;
		ssize_t vl;

		if (!ov && !keep_xattr(n))
			continue;
		vl = fgetxattr(fd, n, val, sizeof val);
		if (vl < 0 && errno == ERANGE) {
			vl = fgetxattr(fd, n, NULL, 0);
			big = vl > 0 ? malloc((size_t)vl) : NULL;
			vl = big ? fgetxattr(fd, n, big, (size_t)vl) : -1;
		}
		if (vl < 0) {
			free(big);
			continue;
		}
		if (ov && (w->flags & DIR_OVERLAY)) {
			if (whiteout_is_opaque_xattr(n, big ? big : val, (size_t)vl))
				*opaque = 1;
			else if (whiteout_is_whiteout_xattr(n))
				*whiteout = 1;
			else if (strstr(n, ".overlay.redirect") || strstr(n, ".overlay.metacopy"))
				r = fail(ENOTSUP,
					 "%s: %s: overlay %s is not supported (mount without "
					 "redirect_dir and metacopy)",
					 w->display, disk, strchr(n + 1, '.') + 9);
		} else if (!ov) {
			r = entry_add_xattr(e, n, big ? big : val, (size_t)vl);
			if (r && r != -ENOMEM)
				r = failctx(r, "%s", w->display);
		}
		free(big);
	}
	free(names);
	entry_sort_xattrs(e);
	return r;
}

static int add(struct walk *w, struct entry *e)
{
	return layer_add(w->l, w->display, e, w->laflags);
}

static int hardlink_of(struct walk *w, const struct stat *st, const char *path, const char **target)
{
	*target = NULL;
	if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return 0;
	uint64_t k;

	if (keymap_get(&w->inodes, st->st_dev, st->st_ino, &k)) {
		*target = w->seen[k].path;
		return 0;
	}
	if (w->nseen == w->capseen) {
		struct inode *n =
		    realloc(w->seen, (w->capseen = w->capseen ? w->capseen * 2 : 16) * sizeof *n);
		if (!n)
			return -ENOMEM;
		w->seen = n;
	}
	w->seen[w->nseen].dev = st->st_dev;
	w->seen[w->nseen].ino = st->st_ino;
	w->seen[w->nseen].path = strdup(path);
	if (!w->seen[w->nseen].path)
		return -ENOMEM;
	w->nseen++;
	return keymap_put(&w->inodes, st->st_dev, st->st_ino, w->nseen - 1);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The walk is relative to directory descriptors: each entry is looked at
 * with fstatat(AT_SYMLINK_NOFOLLOW) in its parent's descriptor, and files
 * and directories are opened there with O_NOFOLLOW and checked to be what
 * fstatat saw (device and inode), so a live tree (a running container's
 * upper) whose directory is swapped for a symbolic link while it is read
 * never leads the walk, or the xattrs and data read later, outside it
 * (entry_open_disk refuses any link on a file's path at write time). */
static int walk(struct walk *w, int dirfd, const char *name, const char *disk, const char *path,
		const struct stat *st);

static int changed(struct walk *w, const char *disk)
{
	return fail(EIO, "%s: %s: changed while being read (replaced by another file or a link)",
		    w->display, disk);
}

static int walk_children(struct walk *w, int fd, const char *disk, const char *path)
{
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int r = 0;

	if (!d) {
		r = fail(errno, "%s: %s: %s", w->display, disk, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return r;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof *nn);

			if (!nn) {
				r = -ENOMEM;
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name))) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!r && n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n && !r; i++) {
		char *cd = path_join(disk, names[i]), *cp = path_join(path, names[i]);
		struct stat cst;

		if (!cd || !cp)
			r = -ENOMEM;
		else if (fstatat(fd, names[i], &cst, AT_SYMLINK_NOFOLLOW) < 0)
			r = fail(errno, "%s: %s: %s", w->display, cd, strerror(errno));
		else
			r = walk(w, fd, names[i], cd, cp, &cst);
		free(cd);
		free(cp);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int walk(struct walk *w, int dirfd, const char *name, const char *disk, const char *path,
		const struct stat *st)
{
	struct entry *e;
	const char *target;
	int opaque = 0, whiteout = 0, fd = -1, r = 0;
	enum etype t;

	switch (st->st_mode & S_IFMT) {
	case S_IFREG: t = ET_FILE; break;
	case S_IFDIR: t = ET_DIR; break;
	case S_IFLNK: t = ET_SYMLINK; break;
	case S_IFCHR: t = ET_CHAR; break;
	case S_IFBLK: t = ET_BLOCK; break;
	case S_IFIFO: t = ET_FIFO; break;
	default: return 0; /* sockets are not archived */
	}
	if ((w->flags & DIR_OVERLAY) && whiteout_is_overlay_dev(st))
		t = ET_WHITEOUT;
	if (t == ET_FILE || t == ET_DIR) {
		struct stat fst;

		fd = openat(dirfd, name,
			    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
				(t == ET_DIR ? O_DIRECTORY : 0));
		if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
			return changed(w, disk);
		if (fd < 0)
			return fail(errno, "%s: %s: %s", w->display, disk, strerror(errno));
		if (fstat(fd, &fst) < 0 || fst.st_dev != st->st_dev || fst.st_ino != st->st_ino) {
			close(fd);
			return changed(w, disk);
		}
	}
	e = entry_new(path[0] ? path : ".", t);
	if (!e) {
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	e->mode = st->st_mode & 07777;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->mtime = st->st_mtime;
	/* xattrs: only files and directories carry the ones kept (user.*,
	 * security.capability, overlay's marks) */
	if (fd >= 0)
		r = read_xattrs(w, fd, disk, e, &opaque, &whiteout);
	if (!r && whiteout && t == ET_FILE)
		e->type = t = ET_WHITEOUT;
	if (!r && t == ET_FILE) {
		r = hardlink_of(w, st, path, &target);
		if (!r && target) {
			e->type = t = ET_HARDLINK;
			e->link = strdup(target);
			r = e->link ? 0 : -ENOMEM;
		} else if (!r) {
			e->size = (uint64_t)st->st_size;
			e->src = SRC_DISK;
			e->ddev = st->st_dev;
			e->dino = st->st_ino;
			e->disk = strdup(disk); /* no link in it: checked again at open */
			r = e->disk ? 0 : -ENOMEM;
		}
	} else if (!r && (t == ET_CHAR || t == ET_BLOCK)) {
		e->rmajor = major(st->st_rdev);
		e->rminor = minor(st->st_rdev);
	} else if (!r && t == ET_SYMLINK) {
		char buf[4096];
		ssize_t n = readlinkat(dirfd, name, buf, sizeof buf - 1);

		if (n < 0)
			r = errno == EINVAL
				? changed(w, disk)
				: fail(errno, "%s: %s: %s", w->display, disk, strerror(errno));
		else {
			buf[n] = 0;
			e->link = strdup(buf);
			r = e->link ? 0 : -ENOMEM;
		}
	}
	if (r) {
		entry_free(e);
		if (fd >= 0)
			close(fd);
		return r;
	}
	r = add(w, e);
	if (!r && opaque && t == ET_DIR) {
		e = entry_new(path[0] ? path : ".", ET_OPAQUE);
		r = e ? add(w, e) : -ENOMEM;
	}
	if (!r && t == ET_DIR)
		r = walk_children(w, fd, disk, path);
	if (fd >= 0)
		close(fd);
	return r;
}

int input_dir(const char *display, const char *dir, const char *prefix, struct layer *l, int flags)
{
	struct walk w = {.display = display, .l = l, .flags = flags};
	struct stat st;
	int r;

	w.laflags = LA_ABS_OK | (flags & DIR_OVERLAY ? LA_OCI_WHITEOUTS : 0) |
		    (flags & DIR_MERGE ? LA_MERGE_DIRS : 0);
	/* the tree's own path, without links: every path below it is built
	 * from it and the names the walk read */
	char *real = realpath(dir, NULL);

	if (!real)
		return fail(errno, "%s: %s", display, strerror(errno));
	if (lstat(real, &st) < 0) {
		r = fail(errno, "%s: %s", display, strerror(errno));
		free(real);
		return r;
	}
	if (!S_ISDIR(st.st_mode)) {
		free(real);
		return fail(ENOTDIR, "%s: not a directory", display);
	}
	r = walk(&w, AT_FDCWD, real, real, prefix, &st);
	free(real);
	for (size_t i = 0; i < w.nseen; i++)
		free(w.seen[i].path);
	free(w.seen);
	keymap_free(&w.inodes);
	return r;
}

int input_file(const char *src, const char *dst, int mode, struct layer *l)
{
	struct stat st;
	struct entry *e;

	if (stat(src, &st) < 0)
		return fail(errno, "%s: %s", src, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(EINVAL, "%s: not a regular file", src);
	if (access(src, R_OK) < 0)
		return fail(errno, "%s: %s", src, strerror(errno));
	e = entry_new(dst, ET_FILE);
	if (!e)
		return -ENOMEM;
	e->mode = mode >= 0 ? (unsigned)mode : st.st_mode & 07777;
	e->mtime = st.st_mtime;
	e->size = (uint64_t)st.st_size;
	e->src = SRC_DISK;
	e->ddev = st.st_dev;
	e->dino = st.st_ino;
	e->disk = realpath(src, NULL);
	if (!e->disk) {
		entry_free(e);
		return fail(errno, "%s: %s", src, strerror(errno));
	}
	return layer_add(l, src, e, LA_ABS_OK);
}
