/* Layer -> newc cpio, through libarchive into a sink. */
#include "cpiowrite.h"
#include "gate.h"
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "err.h"
#include "keymap.h"

struct cpio {
	struct archive *a;
	struct sink *out;
	int err;	  /* the sink's error, when it was the sink that failed */
	struct sink data; /* entry data -> archive_write_data */
	const char *path; /* the entry being written, for messages */
};

static la_ssize_t out_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct cpio *c = ctx;
	int r = sink_write(c->out, buf, len);

	if (r) {
		c->err = r;
		archive_set_error(a, -r, "%s", err_text());
		return -1;
	}
	return (la_ssize_t)len;
}

/* libarchive's failure, or the sink's underneath it. */
static int la_fail(struct cpio *c, const char *what)
{
	if (c->err)
		return c->err;
	return fail(archive_errno(c->a) > 0 ? archive_errno(c->a) : EIO, "%s: %s", what,
		    archive_error_string(c->a) ? archive_error_string(c->a) : "cpio write failed");
}

static int data_write(struct sink *s, const void *buf, size_t len)
{
	struct cpio *c = (struct cpio *)((char *)s - offsetof(struct cpio, data));
	const char *p = buf;

	while (len) {
		la_ssize_t w = archive_write_data(c->a, p, len);

		if (w <= 0)
			return la_fail(c, c->path);
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static unsigned filetype(enum etype t)
{
	switch (t) {
	case ET_DIR: return AE_IFDIR;
	case ET_SYMLINK: return AE_IFLNK;
	case ET_CHAR: return AE_IFCHR;
	case ET_BLOCK: return AE_IFBLK;
	case ET_FIFO: return AE_IFIFO;
	default: return AE_IFREG;
	}
}

/* A regular file that other entries link to: the first of the set in
 * path order gets an inode number that the rest share (G: the set's target
 * entry -> that number). */
static int64_t group_ino(struct keymap *g, const struct entry *t, int64_t next, int *first)
{
	uint64_t ino;
	int r;

	*first = !keymap_get(g, (uintptr_t)t, 0, &ino);
	if (!*first)
		return (int64_t)ino;
	if ((r = keymap_put(g, (uintptr_t)t, 0, (uint64_t)next)))
		return r;
	return next;
}

/* The hardlink target of E, or NULL when E is not in a set of links. */
static const struct entry *link_target(const struct layer *l, const struct entry *e)
{
	if (e->type == ET_HARDLINK)
		return layer_find(l, e->link);
	return e->linked ? e : NULL;
}

static int write_entry(struct cpio *c, struct archive_entry *ae, const struct layer *l,
		       const struct entry *e, struct cpio_write_opts *o, struct keymap *g,
		       int64_t *next)
{
	const struct entry *t = link_target(l, e), *m = t ? t : e; /* m: the metadata */
	int64_t ino = *next;
	unsigned nlink = e->type == ET_DIR ? 2 : 1;
	int data = m->type == ET_FILE, r;

	if (e->type == ET_HARDLINK && !t)
		return fail(EINVAL, "%s: hardlink to %s, which is not there", e->path, e->link);
	if (strlen(e->path) > CPIO_NAME_MAX)
		return fail(ENAMETOOLONG, "%s: name longer than the kernel unpacks (%d bytes)",
			    e->path, CPIO_NAME_MAX);
	if (t && t->type == ET_FILE && !o->link_copies) {
		int first;

		ino = group_ino(g, t, *next, &first);
		if (ino < 0)
			return (int)ino;
		nlink = 1 + t->linked;
		data = first;
	}
	if (ino == *next)
		(*next)++;
	if (m->nxattrs)
		o->dropped_xattrs++;
	archive_entry_clear(ae);
	archive_entry_copy_pathname(ae, e->path);
	archive_entry_set_filetype(ae, filetype(m->type));
	archive_entry_set_perm(ae, m->mode & 07777);
	archive_entry_set_uid(ae, m->uid);
	archive_entry_set_gid(ae, m->gid);
	archive_entry_set_mtime(ae, o->epoch, 0);
	archive_entry_set_ino64(ae, ino);
	archive_entry_set_nlink(ae, nlink);
	archive_entry_set_size(ae, data ? (la_int64_t)m->size : 0);
	if (m->type == ET_SYMLINK)
		archive_entry_copy_symlink(ae, m->link);
	if (m->type == ET_CHAR || m->type == ET_BLOCK) {
		archive_entry_set_rdevmajor(ae, m->rmajor);
		archive_entry_set_rdevminor(ae, m->rminor);
	}
	c->path = e->path;
	if (archive_write_header(c->a, ae) != ARCHIVE_OK)
		return la_fail(c, e->path);
	r = data && m->size ? entry_write_data(m, &c->data, o->progress) : 0;
	if (!r && archive_write_finish_entry(c->a) != ARCHIVE_OK)
		r = la_fail(c, e->path);
	return r;
}

int layer_write_cpio(const struct layer *l, struct cpio_write_opts *o, struct sink *s)
{
	struct cpio c = {.out = s, .data = {data_write}};
	struct entry **v = layer_sorted(l);
	struct archive_entry *ae = archive_entry_new();
	struct keymap g = {0};
	int64_t next = 1;
	int r = 0;

	c.a = archive_write_new();
	if (!v || !ae || !c.a) {
		r = -ENOMEM;
		goto out;
	}
	r = layer_gate(l, NULL);
	if (r)
		goto out;
	/* no blocking: nothing after the trailer */
	if (archive_write_set_format_cpio_newc(c.a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(c.a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(c.a, 0) != ARCHIVE_OK ||
	    archive_write_open2(c.a, &c, NULL, out_write, NULL, NULL) != ARCHIVE_OK) {
		r = la_fail(&c, "cpio");
		goto out;
	}
	for (size_t i = 0; i < l->n && !r; i++)
		if (v[i]->type != ET_WHITEOUT && v[i]->type != ET_OPAQUE)
			r = write_entry(&c, ae, l, v[i], o, &g, &next);
	if (!r && archive_write_close(c.a) != ARCHIVE_OK)
		r = la_fail(&c, "cpio trailer");
out:
	if (c.a)
		archive_write_free(c.a);
	archive_entry_free(ae);
	free(v);
	keymap_free(&g);
	return r;
}
