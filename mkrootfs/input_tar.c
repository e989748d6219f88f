/* Tarballs (plain, gzip, zstd, xz, bzip2) through libarchive. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
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

static void support_filters(struct archive *a)
{
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_bzip2(a);
}

static int open_src(struct archive *a, const struct tar_src *src, struct region **reg)
{
	if (!src->len)
		return archive_read_open_filename(a, src->path, 1 << 16);
	*reg = malloc(sizeof **reg);
	if (!*reg)
		return ARCHIVE_FATAL;
	(*reg)->src = src;
	(*reg)->pos = 0;
	return archive_read_open(a, *reg, NULL, region_read, NULL);
}

static int verify_raw(const char *display, const struct tar_src *src);

/* Does the stream start with gzip's magic? */
static int is_gzip(const char *display, const struct tar_src *src)
{
	unsigned char m[2];
	int fd = src->len ? src->fd : open(src->path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	(void)display;
	if (fd < 0)
		return 0;
	n = pread(fd, m, 2, src->len ? src->off : 0);
	if (!src->len)
		close(fd);
	return n == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

/* gzip through zlib, which checks each member's CRC-32 and length (the
 * tar reader does not). */
static int verify_gzip(const char *display, int fd, off_t off, uint64_t len)
{
	unsigned char in[1 << 16], out[1 << 16];
	z_stream z = {0};
	uint64_t pos = 0;
	int zr = Z_OK, r = 0;

	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -ENOMEM;
	while (!r) {
		ssize_t n;

		if (z.avail_in == 0) {
			size_t want =
			    len && len - pos < sizeof in ? (size_t)(len - pos) : sizeof in;

			n = want ? pread(fd, in, want, off + (off_t)pos) : 0;
			if (n < 0) {
				r = fail(errno, "%s: %s", display, strerror(errno));
				break;
			}
			if (n == 0) {
				if (zr != Z_STREAM_END)
					r = fail(EIO, "%s: truncated gzip data", display);
				break;
			}
			pos += (uint64_t)n;
			z.next_in = in;
			z.avail_in = (unsigned)n;
		}
		if (zr == Z_STREAM_END) { /* another member follows */
			if (inflateReset(&z) != Z_OK)
				r = -ENOMEM;
		}
		z.next_out = out;
		z.avail_out = sizeof out;
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
			r = fail(EIO, "%s: corrupt or truncated compressed data: %s", display,
				 z.msg ? z.msg : "inflate failed");
	}
	inflateEnd(&z);
	return r;
}

/* The tar reader stops at the end-of-archive blocks, before the
 * compressed stream's own end and checksum: decompress it to the end. */
static int verify_stream(const char *display, const struct tar_src *src)
{
	if (is_gzip(display, src)) {
		int fd = src->len ? src->fd : open(src->path, O_RDONLY | O_CLOEXEC), r;

		if (fd < 0)
			return fail(errno, "%s: %s", display, strerror(errno));
		r = verify_gzip(display, fd, src->len ? src->off : 0, src->len);
		if (!src->len)
			close(fd);
		return r;
	}
	return verify_raw(display, src);
}

static int verify_raw(const char *display, const struct tar_src *src)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	struct region *reg = NULL;
	char buf[1 << 16];
	int r = 0;

	if (!a)
		return -ENOMEM;
	support_filters(a);
	archive_read_support_format_raw(a);
	if (open_src(a, src, &reg) != ARCHIVE_OK || archive_read_next_header(a, &ae) != ARCHIVE_OK)
		r = -EIO;
	while (!r) {
		la_ssize_t n = archive_read_data(a, buf, sizeof buf);

		if (n == 0)
			break;
		if (n < 0)
			r = -EIO;
	}
	if (r)
		r = fail(EIO, "%s: corrupt or truncated compressed data: %s", display,
			 archive_error_string(a) ? archive_error_string(a) : "read error");
	archive_read_free(a);
	free(reg);
	return r;
}

int tar_diff_id(const char *display, const struct tar_src *src, char hex[DIGEST_HEX_LEN + 1])
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	struct region *reg = NULL;
	struct digest d;
	char buf[1 << 16];
	int r = 0;

	if (!a || digest_init(&d)) {
		archive_read_free(a);
		return -ENOMEM;
	}
	support_filters(a);
	archive_read_support_format_raw(a);
	if (open_src(a, src, &reg) != ARCHIVE_OK || archive_read_next_header(a, &ae) != ARCHIVE_OK)
		r = -EIO;
	while (!r) {
		la_ssize_t n = archive_read_data(a, buf, sizeof buf);

		if (n == 0)
			break;
		if (n < 0)
			r = -EIO;
		else
			digest_update(&d, buf, (size_t)n);
	}
	if (r)
		r = fail(EIO, "%s: corrupt or truncated compressed data: %s", display,
			 archive_error_string(a) ? archive_error_string(a) : "read error");
	if (r)
		digest_free(&d);
	else
		digest_final(&d, hex);
	archive_read_free(a);
	free(reg);
	return r;
}

int tar_read(const char *display, const struct tar_src *src, int flags, struct entry ***out,
	     size_t *n, uint64_t *usize)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	struct region *reg = NULL;
	struct entry **v = NULL;
	size_t cnt = 0, cap = 0;
	int r = 0, ar, verified = 0;

	if (!a)
		return -ENOMEM;
	support_filters(a);
	archive_read_support_format_tar(a);
	ar = open_src(a, src, &reg);
	if (ar != ARCHIVE_OK) {
		const char *why = archive_error_string(a);

		if (why && strstr(why, "Unrecognized archive format"))
			r = fail(EINVAL, "%s: not a tar archive", display);
		else
			r = fail(EIO, "%s: %s", display, why ? why : "cannot be read");
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
		if (ar == ARCHIVE_WARN && !archive_entry_pathname(ae)) {
			const char *why = archive_error_string(a);

			r = fail(EIO, "%s: corrupt archive%s%s: %s", display,
				 cnt ? " after entry " : "", cnt ? v[cnt - 1]->path : "",
				 why ? why : "unreadable header");
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
	if (archive_filter_count(a) > 1) {
		verified = 1;
		r = verify_stream(display, src);
	}
out:
	/* a damaged compressed stream can surface as any tar error: name the cause */
	if (r && r != -ENOMEM && !verified &&
	    (archive_filter_count(a) > 1 || is_gzip(display, src)) &&
	    verify_stream(display, src) < 0)
		r = -EIO;
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
