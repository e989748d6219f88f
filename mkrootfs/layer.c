/* The layer model: entries, lookup by path, and the checks every entry
 * passes on its way in. */
#include <errno.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "err.h"
#include "layer.h"
#include "pathsafe.h"

/* --- hash table ---------------------------------------------------------- */

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static struct entry **htab_slot(const struct htab *t, const char *path)
{
	size_t i;

	if (!t->cap)
		return NULL;
	for (i = hash_str(path) & (t->cap - 1);; i = (i + 1) & (t->cap - 1))
		if (!t->slot[i] || strcmp(t->slot[i]->path, path) == 0)
			return &t->slot[i];
}

static int htab_put(struct htab *t, struct entry *e)
{
	struct entry **s;

	if ((t->used + 1) * 2 > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct htab n = {calloc(ncap, sizeof *n.slot), ncap, 0};

		if (!n.slot)
			return -ENOMEM;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slot[i])
				*htab_slot(&n, t->slot[i]->path) = t->slot[i];
		n.used = t->used;
		free(t->slot);
		*t = n;
	}
	s = htab_slot(t, e->path);
	if (!*s)
		t->used++;
	*s = e;
	return 0;
}

/* --- entries --------------------------------------------------------------- */

struct entry *entry_new(const char *path, enum etype type)
{
	struct entry *e = calloc(1, sizeof *e);

	if (!e)
		return NULL;
	e->path = strdup(path);
	if (!e->path) {
		free(e);
		return NULL;
	}
	e->type = type;
	e->mode = type == ET_DIR ? 0755 : 0644;
	return e;
}

void entry_free(struct entry *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nxattrs; i++) {
		free(e->xattrs[i].name);
		free(e->xattrs[i].value);
	}
	free(e->xattrs);
	free(e->path);
	free(e->link);
	free(e->disk);
	free(e->mem);
	free(e);
}

int entry_add_xattr(struct entry *e, const char *name, const void *value, size_t len)
{
	struct xattr *x;

	/* a pax record is KEY=VALUE: a name with '=' would be read back as
	 * another name and value; the kernel takes at most 255 bytes */
	if (!*name || strchr(name, '=') || strlen(name) > 255)
		return fail(EINVAL, "%s: xattr %.64s: a layer cannot carry it (%s)", e->path, name,
			    *name ? strchr(name, '=') ? "'=' in its name" : "name over 255 bytes"
				  : "empty name");
	x = realloc(e->xattrs, (e->nxattrs + 1) * sizeof *x);
	if (!x)
		return -ENOMEM;
	e->xattrs = x;
	x = &x[e->nxattrs];
	x->name = strdup(name);
	x->value = malloc(len ? len : 1);
	if (!x->name || !x->value) {
		free(x->name);
		free(x->value);
		return -ENOMEM;
	}
	memcpy(x->value, value, len);
	x->len = len;
	e->nxattrs++;
	return 0;
}

static int cmp_xattr(const void *a, const void *b)
{
	return strcmp(((const struct xattr *)a)->name, ((const struct xattr *)b)->name);
}

void entry_sort_xattrs(struct entry *e)
{
	if (e->nxattrs > 1)
		qsort(e->xattrs, e->nxattrs, sizeof *e->xattrs, cmp_xattr);
}

/* --- layers ---------------------------------------------------------------- */

struct layer *layer_new(const char *name)
{
	struct layer *l = calloc(1, sizeof *l);

	if (!l || !(l->name = strdup(name ? name : "layer"))) {
		free(l);
		return NULL;
	}
	return l;
}

void layer_free(struct layer *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		entry_free(l->v[i]);
	free(l->v);
	free(l->files.slot);
	free(l->dels.slot);
	if (l->blob) {
		free(l->blob->media_type);
		free(l->blob->history);
		free(l->blob);
	}
	free(l->name);
	free(l->created_by);
	free(l);
}

struct entry *layer_find(const struct layer *l, const char *path)
{
	struct entry **s = htab_slot(&l->files, path);

	return s ? *s : NULL;
}

struct entry *layer_find_del(const struct layer *l, const char *path)
{
	struct entry **s = htab_slot(&l->dels, path);

	return s ? *s : NULL;
}

/* E takes the place of OLD (same path, neither a directory nor a deletion,
 * nothing links to OLD); OLD is freed. */
static void replace(struct layer *l, struct entry *old, struct entry *e)
{
	struct entry *t;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == old)
			l->v[i] = e;
	*htab_slot(&l->files, e->path) = e;
	if (old->type == ET_FILE)
		l->data_bytes -= old->size;
	if (e->type == ET_FILE)
		l->data_bytes += e->size;
	if (old->type == ET_HARDLINK && (t = layer_find(l, old->link)))
		t->linked--;
	entry_free(old);
}

static int push(struct layer *l, struct entry *e)
{
	int r;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 256;
		struct entry **v = realloc(l->v, ncap * sizeof *v);

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = ncap;
	}
	r = htab_put(e->type == ET_WHITEOUT || e->type == ET_OPAQUE ? &l->dels : &l->files, e);
	if (r)
		return r;
	l->v[l->n++] = e;
	if (e->type == ET_FILE)
		l->data_bytes += e->size;
	return 0;
}

/* Resolves the directories of PATH through the symlinks the layer holds,
 * lexically, the way an extractor would follow them. *OUT is the resolved
 * path (malloc'd). Returns 1 when a symlink was on the way, 0 when not,
 * -EINVAL when the path leaves the layer (*VIA names the symlink). */
static int resolve_dirs(const struct layer *l, const char *path, char **out, const char **via)
{
	const char *slash = strrchr(path, '/');
	char *pending, *res, *last;
	size_t pos = 0, cap, hops = 0;
	int met = 0, r = -ENOMEM;

	if (!slash) {
		*out = strdup(path);
		return *out ? 0 : -ENOMEM;
	}
	pending = strndup(path, (size_t)(slash - path));
	last = strdup(slash + 1);
	cap = strlen(path) + 2;
	res = calloc(1, cap);
	if (!pending || !last || !res)
		goto done;
	/* RES is the resolved prefix; PENDING + POS the components still to walk. */
	for (;;) {
		const char *q = pending + pos, *e;
		size_t len, rl = strlen(res);
		struct entry *s;

		while (*q == '/')
			q++;
		if (!*q)
			break;
		e = strchrnul(q, '/');
		len = (size_t)(e - q);
		pos = (size_t)(e - pending);
		if (len == 1 && q[0] == '.')
			continue;
		if (len == 2 && q[0] == '.' && q[1] == '.') {
			char *s2 = strrchr(res, '/');

			if (rl == 0) {
				r = -EINVAL;
				goto done;
			}
			*(s2 ? s2 : res) = 0;
			continue;
		}
		if (rl + len + 2 > cap) {
			char *n;

			cap = (rl + len + 2) * 2;
			n = realloc(res, cap);
			if (!n)
				goto done;
			res = n;
		}
		if (rl)
			res[rl++] = '/';
		memcpy(res + rl, q, len);
		res[rl + len] = 0;
		s = layer_find(l, res);
		if (s && s->type == ET_SYMLINK) {
			size_t tl = strlen(s->link), ql = strlen(pending + pos);
			char *np;

			met = 1;
			*via = s->path;
			if (++hops > 40 || s->link[0] == '/') {
				r = -EINVAL;
				goto done;
			}
			res[rl ? rl - 1 : 0] = 0; /* the link's own name goes */
			np = malloc(tl + ql + 2);
			if (!np)
				goto done;
			memcpy(np, s->link, tl);
			np[tl] = '/';
			memcpy(np + tl + 1, pending + pos, ql + 1);
			free(pending);
			pending = np;
			pos = 0;
		}
	}
	*out = res[0] ? path_join(res, last) : strdup(last);
	r = *out ? met : -ENOMEM;
done:
	free(pending);
	free(last);
	free(res);
	return r;
}

static int set_path(struct entry *e, char *p)
{
	free(e->path);
	e->path = p;
	return 0;
}

/* ".wh.NAME" -> whiteout of NAME, ".wh..wh..opq" -> opaque parent. Returns
 * 1 when E was turned into a deletion, 0 when it is an ordinary entry, 2
 * when it is other whiteout metadata to drop. */
int whiteout_from_oci(struct entry *e, const char **why);

int layer_add(struct layer *l, const char *input, struct entry *e, int flags)
{
	const char *why = NULL, *via = NULL;
	char *clean = NULL, *res = NULL;
	struct entry *old;
	int r;

	r = path_clean(e->path, flags & LA_ABS_OK ? PATH_ALLOW_ABS : 0, &clean, &why);
	if (r == -EINVAL)
		r = fail(EINVAL, "%s: entry %s %s", input, e->path, why);
	if (r)
		goto out;
	if (clean[0] == 0) { /* the layer root: nothing to record but opacity */
		if (e->type == ET_OPAQUE) {
			set_path(e, clean);
			goto keep_root_opaque;
		}
		free(clean);
		if (e->type != ET_DIR)
			r = fail(EINVAL, "%s: entry %s is not a directory", input, e->path);
		entry_free(e);
		return r;
	}
	set_path(e, clean);
	if (flags & LA_OCI_WHITEOUTS) {
		r = whiteout_from_oci(e, &why);
		if (r < 0) {
			r = fail(EINVAL, "%s: entry %s %s", input, e->path, why);
			goto out;
		}
		if (r == 2) {
			entry_free(e);
			return 0;
		}
	}
keep_root_opaque:
	if (e->path[0]) {
		r = resolve_dirs(l, e->path, &res, &via);
		if (r == -EINVAL) {
			r = fail(EINVAL, "%s: entry %s escapes the layer through symlink %s", input,
				 e->path, via);
			goto out;
		}
		if (r < 0)
			goto out;
		set_path(e, res);
	}
	if (e->type == ET_HARDLINK) {
		struct entry *t;

		r = path_clean(e->link, flags & LA_ABS_OK ? PATH_ALLOW_ABS : 0, &clean, &why);
		if (r == -EINVAL)
			r = fail(EINVAL, "%s: hardlink %s -> %s points outside the layer", input,
				 e->path, e->link);
		if (r)
			goto out;
		r = resolve_dirs(l, clean, &res, &via);
		free(clean);
		if (r == -EINVAL)
			r = fail(EINVAL, "%s: hardlink %s -> %s points outside the layer", input,
				 e->path, e->link);
		if (r < 0)
			goto out;
		t = layer_find(l, res);
		while (t && t->type == ET_HARDLINK)
			t = layer_find(l, t->link);
		free(res);
		if (!t || t->type == ET_DIR) {
			r = fail(EINVAL, "%s: hardlink %s -> %s: target is not %s", input, e->path,
				 e->link, t ? "a file" : "in the layer");
			goto out;
		}
		free(e->link);
		e->link = strdup(t->path);
		if (!e->link) {
			r = -ENOMEM;
			goto out;
		}
		t->linked++;
	}
	old = e->type == ET_WHITEOUT || e->type == ET_OPAQUE ? layer_find_del(l, e->path)
							     : layer_find(l, e->path);
	if (old) {
		if (old->type == ET_DIR && e->type == ET_DIR && (flags & LA_MERGE_DIRS)) {
			old->mode = e->mode;
			old->uid = e->uid;
			old->gid = e->gid;
			old->mtime = e->mtime;
			entry_free(e);
			return 0;
		}
		if (old->type == ET_OPAQUE && e->type == ET_OPAQUE) {
			entry_free(e);
			return 0;
		}
		if ((flags & LA_LAST_WINS) && !old->linked && old->type != ET_DIR &&
		    e->type != ET_DIR && old->type != ET_WHITEOUT && old->type != ET_OPAQUE) {
			replace(l, old, e);
			return 0;
		}
		r = fail(EEXIST, "%s: duplicate entry %s%s", input, e->path,
			 !(flags & LA_LAST_WINS) ? ""
			 : old->linked		 ? " (a hardlink points at the first)"
			 : old->type == ET_DIR || e->type == ET_DIR
			     ? " (a directory and a non-directory)"
			     : "");
		goto out;
	}
	r = push(l, e);
	if (r)
		goto out;
	return 0;
out:
	entry_free(e);
	return r == -ENOMEM ? fail(ENOMEM, "%s: out of memory", input) : r;
}

int layer_add_mem(struct layer *l, const char *input, const char *path, unsigned char *buf,
		  size_t len)
{
	struct entry *e = entry_new(path, ET_FILE);

	if (!e) {
		free(buf);
		return fail(ENOMEM, "%s: out of memory", input);
	}
	e->src = SRC_MEM;
	e->mem = buf;
	e->size = len;
	return layer_add(l, input, e, LA_ABS_OK);
}

int layer_add_parents(struct layer *l, const char *path)
{
	const char *via = NULL;
	char *p = NULL, *s;
	int r = resolve_dirs(l, path, &p, &via);

	/* the parents go where an extractor would put them: through the
	 * layer's symlinks, never beneath one */
	if (r == -EINVAL)
		return fail(EINVAL, "%s: %s escapes the layer through symlink %s", l->name, path,
			    via ? via : "..");
	if (r < 0)
		return r;
	for (s = strchr(p, '/'), r = 0; s && !r; s = strchr(s + 1, '/')) {
		struct entry *e;

		*s = 0;
		if (!layer_find(l, p)) {
			e = entry_new(p, ET_DIR);
			r = e ? push(l, e) : -ENOMEM;
			if (r)
				entry_free(e);
		}
		*s = '/';
	}
	free(p);
	return r;
}

int layer_copy_under(struct layer *dst, const struct layer *src, const char *prefix)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct entry *s = src->v[i];
		struct entry *e;
		int r;

		if (s->type == ET_WHITEOUT || s->type == ET_OPAQUE)
			continue;
		e = calloc(1, sizeof *e);
		if (!e)
			return -ENOMEM;
		*e = *s;
		e->linked = 0;
		e->path = path_join(prefix, s->path);
		e->link = s->link ? (s->type == ET_HARDLINK ? path_join(prefix, s->link)
							    : strdup(s->link))
				  : NULL;
		e->disk = s->disk ? strdup(s->disk) : NULL;
		e->mem = NULL;
		if (s->mem) {
			e->mem = malloc(s->size ? s->size : 1);
			if (e->mem)
				memcpy(e->mem, s->mem, s->size);
		}
		e->xattrs = NULL;
		e->nxattrs = 0;
		for (size_t k = 0; k < s->nxattrs; k++)
			if (entry_add_xattr(e, s->xattrs[k].name, s->xattrs[k].value,
					    s->xattrs[k].len))
				e->path = NULL; /* reported below */
		if (!e->path || (s->link && !e->link) || (s->disk && !e->disk) ||
		    (s->mem && !e->mem)) {
			entry_free(e);
			return -ENOMEM;
		}
		if (e->type == ET_HARDLINK) {
			struct entry *t = layer_find(dst, e->link);
			if (t)
				t->linked++;
		}
		r = push(dst, e);
		if (r) {
			entry_free(e);
			return r;
		}
	}
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp((*(struct entry *const *)a)->path, (*(struct entry *const *)b)->path);
}

struct entry **layer_sorted(const struct layer *l)
{
	struct entry **v = malloc((l->n ? l->n : 1) * sizeof *v);

	if (!v)
		return NULL;
	if (l->n) /* an empty layer has no array at all */
		memcpy(v, l->v, l->n * sizeof *v);
	qsort(v, l->n, sizeof *v, cmp_path);
	return v;
}

/* --- data ------------------------------------------------------------------ */

static int spill = -1;
static off_t spill_end;
static uint64_t spill_max; /* before a reset */

int spill_fd(void)
{
	return spill;
}

uint64_t spill_peak(void)
{
	return spill_max > (uint64_t)spill_end ? spill_max : (uint64_t)spill_end;
}

void spill_reset(void)
{
	if (spill >= 0 && ftruncate(spill, 0) == 0) {
		if ((uint64_t)spill_end > spill_max)
			spill_max = (uint64_t)spill_end;
		spill_end = 0;
	}
}

static int spill_open(void)
{
	const char *dir = getenv("TMPDIR");

	if (spill >= 0)
		return 0;
	if (!dir || !*dir)
		dir = "/var/tmp";
	spill = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (spill < 0) {
		char tmpl[4096];

		snprintf(tmpl, sizeof tmpl, "%s/mkrootfs-spill.XXXXXX", dir);
		spill = mkostemp(tmpl, O_CLOEXEC);
		if (spill < 0)
			return fail(errno, "cannot create a temporary file in %s: %s", dir,
				    strerror(errno));
		unlink(tmpl);
	}
	return 0;
}

int spill_append_begin(off_t *off)
{
	int r = spill_open();

	*off = spill_end;
	return r;
}

int spill_append(const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = pwrite(spill, p, len, spill_end);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return fail(errno, "cannot write the temporary file: %s", strerror(errno));
		}
		p += w;
		len -= (size_t)w;
		spill_end += w;
	}
	return 0;
}

int spill_write(const void *buf, size_t len, off_t *off)
{
	int r = spill_append_begin(off);

	return r ? r : spill_append(buf, len);
}

int entry_open_disk(const struct entry *e)
{
	struct open_how how = {.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
			       .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	struct stat st;
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, e->disk, &how, sizeof how);

	if (fd < 0 && errno == ENOSYS) /* kernels before 5.6: the last component only */
		fd = open(e->disk, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP)
		return fail(ELOOP,
			    "%s: a symbolic link is on its path now (the tree changed "
			    "after it was read); not followed",
			    e->disk);
	if (fd < 0)
		return fail(errno, "%s: %s", e->disk, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (e->dino && (st.st_dev != e->ddev || st.st_ino != e->dino))) {
		close(fd);
		return fail(EIO,
			    "%s: not the file it was when the tree was read (the tree changed)",
			    e->disk);
	}
	if ((uint64_t)st.st_size != e->size) {
		close(fd);
		return fail(EIO, "%s: changed size while being read", e->disk);
	}
	return fd;
}

int entry_read(const struct entry *e, int diskfd, void *buf, size_t n, uint64_t off)
{
	int fd = e->src == SRC_DISK ? diskfd : e->src == SRC_FILE ? e->datafd : spill;
	off_t base = e->src == SRC_SPILL || e->src == SRC_FILE ? e->spill_off : 0;
	char *p = buf;

	if (e->src == SRC_NONE && n)
		return fail(EIO, "%s: its data was not kept", e->path);

	if (e->src == SRC_MEM) {
		memcpy(buf, e->mem + off, n);
		return 0;
	}
	while (n) {
		ssize_t r = pread(fd, p, n, base + (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail(errno, "%s: %s", e->src == SRC_DISK ? e->disk : e->path,
				    strerror(errno));
		if (r == 0)
			return fail(EIO, "%s: file shrank while being read",
				    e->src == SRC_DISK ? e->disk : e->path);
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}
