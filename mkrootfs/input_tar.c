/* Tarballs (plain, gzip, zstd, xz, bzip2) through libarchive. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "err.h"
#include "input.h"

struct region {
	const struct tar_src *src;
	uint64_t pos;
	char buf[1 << 16];
};

static ssize_t region_read(struct archive *a, void *data, const void **buf)
{
	struct region *r = data;
	uint64_t left = r->src->len - r->pos;
	size_t n = left < sizeof r->buf ? (size_t)left : sizeof r->buf;
	ssize_t got;

	do
		got = pread(r->src->fd, r->buf, n, r->src->off + (off_t)r->pos);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	r->pos += (uint64_t)got;
	*buf = r->buf;
	return got;
}

void entries_free(struct entry **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		entry_free(v[i]);
	free(v);
}

static int convert(struct archive_entry *ae, struct entry **out, const char *display)
{
	const char *name = archive_entry_pathname(ae), *xn;
	const void *xv;
	size_t xl;
	struct entry *e;
	enum etype t;

	if (!name)
		return fail(EINVAL, "%s: an entry has a name that cannot be read", display);
	if (archive_entry_hardlink(ae)) {
		t = ET_HARDLINK;
	} else {
		switch (archive_entry_filetype(ae)) {
		case AE_IFREG: t = ET_FILE; break;
		case AE_IFDIR: t = ET_DIR; break;
		case AE_IFLNK: t = ET_SYMLINK; break;
		case AE_IFCHR: t = ET_CHAR; break;
		case AE_IFBLK: t = ET_BLOCK; break;
		case AE_IFIFO: t = ET_FIFO; break;
		default: return fail(EINVAL, "%s: entry %s has an unsupported type", display, name);
		}
	}
	e = entry_new(name, t);
	if (!e)
		return -ENOMEM;
	e->mode = archive_entry_perm(ae) & 07777;
	e->uid = (unsigned)archive_entry_uid(ae);
	e->gid = (unsigned)archive_entry_gid(ae);
	e->mtime = archive_entry_mtime(ae);
	if (t == ET_FILE)
		e->size = (uint64_t)archive_entry_size(ae);
	if (t == ET_HARDLINK || t == ET_SYMLINK) {
		const char *l =
		    t == ET_HARDLINK ? archive_entry_hardlink(ae) : archive_entry_symlink(ae);

		e->link = strdup(l ? l : "");
		if (!e->link) {
			entry_free(e);
			return -ENOMEM;
		}
	}
	if (t == ET_CHAR || t == ET_BLOCK) {
		e->rmajor = (unsigned)archive_entry_rdevmajor(ae);
		e->rminor = (unsigned)archive_entry_rdevminor(ae);
	}
	archive_entry_xattr_reset(ae);
	while (archive_entry_xattr_next(ae, &xn, &xv, &xl) == ARCHIVE_OK)
		if (entry_add_xattr(e, xn, xv, xl)) {
			entry_free(e);
			return -ENOMEM;
		}
	entry_sort_xattrs(e);
	*out = e;
	return 0;
}

static int read_data(struct archive *a, struct entry *e, const char *display)
{
	char buf[1 << 16];
	uint64_t got = 0;
	off_t off;
	int r = spill_append_begin(&off);

	if (r)
		return r;
	e->src = SRC_SPILL;
	e->spill_off = off;
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof buf);

		if (n < 0)
			return fail(EIO, "%s: entry %s: %s", display, e->path,
				    archive_error_string(a) ? archive_error_string(a)
							    : "read error");
		if (n == 0)
			break;
		got += (uint64_t)n;
		r = spill_append(buf, (size_t)n);
		if (r)
			return r;
	}
	if (got != e->size)
		return fail(EIO, "%s: entry %s: truncated (%llu of %llu bytes)", display, e->path,
			    (unsigned long long)got, (unsigned long long)e->size);
	return 0;
}

int tar_read(const char *display, const struct tar_src *src, int flags, struct entry ***out,
	     size_t *n, uint64_t *usize)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	struct region *reg = NULL;
	struct entry **v = NULL;
	size_t cnt = 0, cap = 0;
	int r = 0, ar;

	if (!a)
		return -ENOMEM;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	if (src->len) {
		reg = malloc(sizeof *reg);
		if (!reg) {
			archive_read_free(a);
			return -ENOMEM;
		}
		reg->src = src;
		reg->pos = 0;
		ar = archive_read_open(a, reg, NULL, region_read, NULL);
	} else {
		ar = archive_read_open_filename(a, src->path, 1 << 16);
	}
	if (ar != ARCHIVE_OK) {
		r = fail(EINVAL, "%s: %s", display, archive_error_string(a));
		goto out;
	}
	for (;;) {
		struct entry *e = NULL;

		ar = archive_read_next_header(a, &ae);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar < ARCHIVE_WARN) {
			const char *why = archive_error_string(a);

			if (cnt == 0 && why && strstr(why, "Unrecognized archive format"))
				r = fail(EINVAL, "%s: not a tar archive", display);
			else if (cnt)
				r = fail(EIO, "%s: after entry %s: %s", display, v[cnt - 1]->path,
					 why ? why : "corrupt archive");
			else
				r = fail(EIO, "%s: %s", display, why ? why : "corrupt archive");
			goto out;
		}
		r = convert(ae, &e, display);
		if (r)
			goto out;
		if (cnt == cap) {
			struct entry **nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *nv);

			if (!nv) {
				entry_free(e);
				r = -ENOMEM;
				goto out;
			}
			v = nv;
		}
		v[cnt++] = e;
		if (e->type == ET_FILE && e->size && !(flags & IN_NODATA)) {
			r = read_data(a, e, display);
			if (r)
				goto out;
		} else if (archive_read_data_skip(a) != ARCHIVE_OK) {
			r = fail(EIO, "%s: entry %s: %s", display, e->path,
				 archive_error_string(a));
			goto out;
		}
	}
	if (usize)
		*usize = (uint64_t)archive_filter_bytes(a, 0);
out:
	archive_read_free(a);
	free(reg);
	if (r) {
		entries_free(v, cnt);
		return r == -ENOMEM ? fail(ENOMEM, "%s: out of memory", display) : r;
	}
	*out = v;
	*n = cnt;
	return 0;
}
