/* Tarballs (plain, gzip, zstd, xz, bzip2), decompressed once: one pass
 * reads the compressed bytes (hashing them: an image blob's digest),
 * decompresses them (gzip through zlib, which checks every member's CRC-32
 * and length; the others through libarchive's filters), hashes the
 * uncompressed stream (the diff_id) and hands it to libarchive's tar
 * reader, format only. After the tar's end the stream is read to its own
 * end, so trailing damage is found in the same pass.
 *
 * File data: an uncompressed tar's files stay where they are (SRC_FILE:
 * a region of the input, read when the layer is written); a compressed
 * tar's files are copied once into the spill file; IN_NODATA keeps none. */
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

enum zkind { ZK_NONE, ZK_GZIP, ZK_OTHER };

/* The decompressing stream under the tar reader. */
struct ustream {
	const char *display;
	const struct tar_src *src;
	uint64_t cpos; /* compressed bytes read */
	uint64_t upos; /* uncompressed bytes handed out */
	int hash;      /* compute the digests */
	struct digest cdig, udig;
	enum zkind kind;
	z_stream z;
	int zinit, zend;     /* inflate set up; the last member ended */
	struct archive *raw; /* ZK_OTHER: libarchive's decompressor */
	int err;	     /* an error was recorded (fail) */
	unsigned char in[1 << 16], out[1 << 16];
};

/* Up to N compressed bytes into BUF: 0 at the region's end. */
static ssize_t cread(struct ustream *u, void *buf, size_t n)
{
	uint64_t left = u->src->len - u->cpos;
	ssize_t got;

	if (n > left)
		n = (size_t)left;
	if (!n)
		return 0;
	do
		got = pread(u->src->fd, buf, n, u->src->off + (off_t)u->cpos);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		u->err = 1;
		return fail(errno, "%s: %s", u->display, strerror(errno));
	}
	if (got == 0) {
		u->err = 1;
		return fail(EIO, "%s: the file shrank while being read", u->display);
	}
	u->cpos += (uint64_t)got;
	if (u->hash)
		digest_update(&u->cdig, buf, (size_t)got);
	return got;
}

static la_ssize_t raw_read(struct archive *a, void *data, const void **buf)
{
	struct ustream *u = data;
	ssize_t n = cread(u, u->in, sizeof u->in);

	if (n < 0) {
		archive_set_error(a, EIO, "%s", err_text());
		return -1;
	}
	*buf = u->in;
	return n;
}

/* The next uncompressed bytes: their count (0 at the end) and *P, or a
 * negative errno (recorded). */
static ssize_t uread(struct ustream *u, const void **p)
{
	ssize_t n = 0;

	*p = u->out;
	switch (u->kind) {
	case ZK_NONE: n = cread(u, u->out, sizeof u->out); break;
	case ZK_OTHER:
		n = archive_read_data(u->raw, u->out, sizeof u->out);
		if (n < 0 && !u->err) {
			const char *why = archive_error_string(u->raw);

			u->err = 1;
			n = fail(EIO, "%s: corrupt or truncated compressed data: %s", u->display,
				 why ? why : "read error");
		} else if (n < 0) {
			n = -EIO;
		}
		break;
	case ZK_GZIP:
		while (n == 0) {
			int zr;

			if (u->z.avail_in == 0) {
				ssize_t got = cread(u, u->in, sizeof u->in);

				if (got < 0)
					return got;
				if (got == 0) {
					if (!u->zend) {
						u->err = 1;
						return fail(EIO, "%s: truncated gzip data",
							    u->display);
					}
					return 0;
				}
				u->z.next_in = u->in;
				u->z.avail_in = (unsigned)got;
			}
			if (u->zend) { /* another member follows */
				if (inflateReset(&u->z) != Z_OK)
					return -ENOMEM;
				u->zend = 0;
			}
			u->z.next_out = u->out;
			u->z.avail_out = sizeof u->out;
			zr = inflate(&u->z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
				u->err = 1;
				return fail(EIO, "%s: corrupt or truncated compressed data: %s",
					    u->display, u->z.msg ? u->z.msg : "inflate failed");
			}
			u->zend = zr == Z_STREAM_END;
			n = (ssize_t)(sizeof u->out - u->z.avail_out);
		}
		break;
	}
	if (n > 0) {
		u->upos += (uint64_t)n;
		if (u->hash)
			digest_update(&u->udig, u->out, (size_t)n);
	}
	return n;
}

static la_ssize_t tar_cb(struct archive *a, void *data, const void **buf)
{
	struct ustream *u = data;
	ssize_t n = uread(u, buf);

	if (n < 0) {
		archive_set_error(a, EIO, "%s", err_text());
		return -1;
	}
	return n;
}

/* Plain tars whose digests nobody wants: data is skipped, not read. */
static la_int64_t tar_skip(struct archive *a, void *data, la_int64_t n)
{
	struct ustream *u = data;
	uint64_t left = u->src->len - u->cpos;

	(void)a;
	if ((uint64_t)n > left)
		n = (la_int64_t)left;
	u->cpos += (uint64_t)n;
	u->upos += (uint64_t)n;
	return n;
}

static enum zkind sniff(const unsigned char *m, size_t n)
{
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return ZK_GZIP;
	if ((n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) ||
	    (n >= 6 && memcmp(m,
			      "\xfd"
			      "7zXZ\0",
			      6) == 0) ||
	    (n >= 3 && memcmp(m, "BZh", 3) == 0) ||
	    (n >= 3 && m[0] == 0x5d && m[1] == 0 && m[2] == 0))
		return ZK_OTHER;
	return ZK_NONE;
}

static int us_open(struct ustream *u, const char *display, const struct tar_src *src, int hash)
{
	unsigned char m[8] = {0};
	ssize_t n;

	memset(u, 0, offsetof(struct ustream, in));
	u->display = display;
	u->src = src;
	u->hash = hash;
	if (hash && (digest_init(&u->cdig) || digest_init(&u->udig)))
		return -ENOMEM;
	do
		n = pread(src->fd, m, src->len < sizeof m ? (size_t)src->len : sizeof m, src->off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail(errno, "%s: %s", display, strerror(errno));
	u->kind = sniff(m, (size_t)n);
	if (u->kind == ZK_GZIP) {
		if (inflateInit2(&u->z, 15 + 16) != Z_OK)
			return -ENOMEM;
		u->zinit = 1;
	} else if (u->kind == ZK_OTHER) {
		struct archive_entry *ae;

		u->raw = archive_read_new();
		if (!u->raw)
			return -ENOMEM;
		archive_read_support_filter_zstd(u->raw);
		archive_read_support_filter_xz(u->raw);
		archive_read_support_filter_lzma(u->raw);
		archive_read_support_filter_bzip2(u->raw);
		archive_read_support_format_raw(u->raw);
		if (archive_read_open(u->raw, u, NULL, raw_read, NULL) != ARCHIVE_OK ||
		    archive_read_next_header(u->raw, &ae) != ARCHIVE_OK) {
			const char *why = archive_error_string(u->raw);

			return u->err ? -EIO
				      : fail(EIO, "%s: corrupt or truncated compressed data: %s",
					     display, why ? why : "read error");
		}
	}
	return 0;
}

static void us_close(struct ustream *u)
{
	if (u->zinit)
		inflateEnd(&u->z);
	if (u->raw)
		archive_read_free(u->raw);
	if (u->hash) {
		digest_free(&u->cdig);
		digest_free(&u->udig);
	}
	u->zinit = 0;
	u->raw = NULL;
	u->hash = 0;
}

/* After the tar's end: the rest of the stream, to its own end. */
static int us_drain(struct ustream *u)
{
	const void *p;
	ssize_t n;

	while ((n = uread(u, &p)) > 0)
		;
	if (n == 0 && u->kind == ZK_OTHER && u->cpos < u->src->len) {
		/* bytes after the compressed stream: hashed all the same */
		unsigned char buf[1 << 16];

		while ((n = cread(u, buf, sizeof buf)) > 0)
			;
	}
	return n < 0 ? (int)n : 0;
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
	while (archive_entry_xattr_next(ae, &xn, &xv, &xl) == ARCHIVE_OK) {
		int r = entry_add_xattr(e, xn, xv, xl);

		if (r) {
			entry_free(e);
			return r == -ENOMEM ? r : failctx(r, "%s", display);
		}
	}
	entry_sort_xattrs(e);
	*out = e;
	return 0;
}

/* E's data into the spill file. */
static int spill_data(struct archive *a, struct entry *e, const char *display,
		      const struct ustream *u)
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

		if (n < 0 && u->err) /* the stream said why */
			return -EIO;
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

/* E's data where it is: DATA_OFF bytes into the (uncompressed) input. The
 * first bytes are compared with what the tar reader gives, so a wrong
 * offset is an error, not a wrong layer. */
static int keep_data(struct archive *a, struct entry *e, const struct ustream *u, uint64_t data_off,
		     const char *display)
{
	const struct tar_src *src = u->src;
	unsigned char x[512], y[512];
	size_t n = e->size < sizeof x ? (size_t)e->size : sizeof x;
	la_ssize_t got = archive_read_data(a, x, n);

	if (got < 0 && u->err)
		return -EIO;
	if (got != (la_ssize_t)n || data_off + e->size > src->len)
		return fail(EIO, "%s: entry %s: truncated", display, e->path);
	if (pread(src->fd, y, n, src->off + (off_t)data_off) != (ssize_t)n || memcmp(x, y, n))
		return fail(EIO, "%s: entry %s: its data is not where the tar says", display,
			    e->path);
	e->src = SRC_FILE;
	e->datafd = src->fd;
	e->spill_off = src->off + (off_t)data_off;
	return 0;
}

static const char *why_of(struct archive *a, const char *dflt)
{
	const char *why = archive_error_string(a);

	return why ? why : dflt;
}

int tar_read(const char *display, const struct tar_src *src, int flags, struct entry ***out,
	     size_t *n, struct tar_sums *sums)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	struct ustream *u = malloc(sizeof *u);
	struct entry **v = NULL;
	size_t cnt = 0, cap = 0;
	int r, ar;

	if (!a || !u) {
		archive_read_free(a);
		free(u);
		return fail(ENOMEM, "%s: out of memory", display);
	}
	r = us_open(u, display, src, sums != NULL);
	if (r)
		goto out;
	archive_read_support_format_tar(a);
	archive_read_set_callback_data(a, u);
	archive_read_set_read_callback(a, tar_cb);
	if (u->kind == ZK_NONE && !sums)
		archive_read_set_skip_callback(a, tar_skip);
	ar = archive_read_open1(a);
	if (ar != ARCHIVE_OK) {
		r = u->err ? -EIO
		    : strstr(why_of(a, ""), "Unrecognized archive format")
			? fail(EINVAL, "%s: not a tar archive", display)
			: fail(EIO, "%s: %s", display, why_of(a, "cannot be read"));
		goto out;
	}
	for (;;) {
		struct entry *e = NULL;

		ar = archive_read_next_header(a, &ae);
		if (ar == ARCHIVE_EOF)
			break;
		if (u->err) {
			r = -EIO;
			goto out;
		}
		if (ar < ARCHIVE_WARN || (ar == ARCHIVE_WARN && !archive_entry_pathname(ae))) {
			const char *why = why_of(a, "corrupt archive");

			if (cnt == 0 && strstr(why, "Unrecognized archive format"))
				r = fail(EINVAL, "%s: not a tar archive", display);
			else if (cnt)
				r = fail(EIO, "%s: after entry %s: %s", display, v[cnt - 1]->path,
					 why);
			else
				r = fail(EIO, "%s: %s", display, why);
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
			if (u->kind == ZK_NONE && archive_entry_sparse_count(ae) == 0)
				r = keep_data(a, e, u, (uint64_t)archive_filter_bytes(a, 0),
					      display);
			else
				r = spill_data(a, e, display, u);
			if (r)
				goto out;
		}
		if (archive_read_data_skip(a) != ARCHIVE_OK) {
			r = u->err ? -EIO
				   : fail(EIO, "%s: entry %s: %s", display, e->path,
					  why_of(a, "read error"));
			goto out;
		}
	}
	if (u->err) {
		r = -EIO;
		goto out;
	}
	if (sums || u->kind != ZK_NONE)
		r = us_drain(u);
	if (!r && sums) {
		sums->csize = u->cpos;
		sums->usize = u->upos;
		digest_final(&u->cdig, sums->digest);
		digest_final(&u->udig, sums->diff_id);
		u->hash = 0;
	}
out:
	archive_read_free(a);
	us_close(u);
	free(u);
	if (r) {
		entries_free(v, cnt);
		return r == -ENOMEM ? fail(ENOMEM, "%s: out of memory", display) : r;
	}
	*out = v;
	*n = cnt;
	return 0;
}
