/* Tar headers and the layer serializer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "err.h"
#include "tarwrite.h"
#include "gate.h"
#include "keymap.h"
#include "pathsafe.h"
#include "whiteout.h"

static const unsigned char zeros[2 * TAR_BLOCK];

/* Writes V in octal into a field of W bytes (W-1 digits and a NUL).
 * Returns 0 when it does not fit. */
static int put_octal(char *f, size_t w, uint64_t v)
{
	f[w - 1] = 0;
	for (size_t i = w - 1; i-- > 0; v >>= 3)
		f[i] = (char)('0' + (v & 7));
	return v == 0;
}

/* Writes V big-endian into a field of W bytes, the first byte 0x80: the
 * base-256 numbers GNU tar, star, libarchive and Go read (for sizes of
 * 8 GiB and more, which 11 octal digits cannot hold). */
static void put_base256(char *f, size_t w, uint64_t v)
{
	memset(f, 0, w);
	for (size_t i = w; i-- > 1; v >>= 8)
		f[i] = (char)(v & 0xff);
	f[0] = (char)0x80;
}

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

static int is_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80	      ? 0
			: (*p & 0xe0) == 0xc0 ? 1
			: (*p & 0xf0) == 0xe0 ? 2
			: (*p & 0xf8) == 0xf0 ? 3
					      : -1;

		if (n < 0)
			return 0;
		p++;
		while (n--)
			if ((*p++ & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

/* Splits NAME into ustar's prefix and name fields; returns the length of
 * the prefix (0: all in name) or -1 when it cannot. */
static int ustar_split(const char *name)
{
	size_t n = strlen(name);

	if (n <= 100)
		return 0;
	if (n > 256)
		return -1;
	/* the last '/' that leaves at most 100 bytes in name and 155 in prefix */
	for (size_t i = n - 1; i > 0; i--) {
		if (name[i] != '/')
			continue;
		if (n - i - 1 > 100 || n - i - 1 == 0)
			return -1;
		if (i <= 155)
			return (int)i;
	}
	return -1;
}

void tar_ustar_block(unsigned char b[TAR_BLOCK], const struct tar_meta *m)
{
	char *h = (char *)b;
	int split = ustar_split(m->name);
	unsigned sum = 0;

	memset(b, 0, TAR_BLOCK);
	if (split > 0) {
		memcpy(h + 345, m->name, (size_t)split);
		strncpy(h, m->name + split + 1, 100);
	} else {
		strncpy(h, m->name, 100);
	}
	put_octal(h + 100, 8, m->mode & 07777);
	put_octal(h + 108, 8, m->uid > 07777777 ? 0 : m->uid);
	put_octal(h + 116, 8, m->gid > 07777777 ? 0 : m->gid);
	if (m->size > 077777777777ull)
		put_base256(h + 124, 12, m->size); /* >= 8 GiB: GNU/star base-256 */
	else
		put_octal(h + 124, 12, m->size);
	put_octal(h + 136, 12, m->mtime < 0 || m->mtime > 077777777777ll ? 0 : (uint64_t)m->mtime);
	h[156] = m->type;
	if (m->link)
		strncpy(h + 157, m->link, 100);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	if (m->type == '3' || m->type == '4') {
		put_octal(h + 329, 8, m->rmajor);
		put_octal(h + 337, 8, m->rminor);
	}
	memset(h + 148, ' ', 8);
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += b[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

struct pax {
	char *buf;
	size_t len, cap;
};

static int pax_add(struct pax *p, const char *key, const void *val, size_t vlen)
{
	size_t kl = strlen(key), base = kl + vlen + 3, n = base + 1;
	char num[24];

	/* the record's length counts its own digits */
	while ((size_t)snprintf(num, sizeof num, "%zu", n) + base != n)
		n = (size_t)snprintf(num, sizeof num, "%zu", n) + base;
	if (p->len + n > p->cap) {
		size_t nc = (p->len + n) * 2;
		char *nb = realloc(p->buf, nc);

		if (!nb)
			return -ENOMEM;
		p->buf = nb;
		p->cap = nc;
	}
	p->len += (size_t)sprintf(p->buf + p->len, "%s %s=", num, key);
	memcpy(p->buf + p->len, val, vlen);
	p->len += vlen;
	p->buf[p->len++] = '\n';
	return 0;
}

int tar_header(struct sink *s, const struct tar_meta *m)
{
	unsigned char b[TAR_BLOCK];
	struct pax p = {0};
	int r = 0, binary = 0;
	int name_pax = ustar_split(m->name) < 0 || !is_ascii(m->name);
	int link_pax = m->link && (strlen(m->link) > 100 || !is_ascii(m->link));

	if ((name_pax && !is_utf8(m->name)) || (link_pax && !is_utf8(m->link)))
		binary = 1;
	if (binary)
		r = pax_add(&p, "hdrcharset", "BINARY", 6);
	for (size_t i = 0; !r && i < m->nxattrs; i++) {
		char key[300];

		snprintf(key, sizeof key, "SCHILY.xattr.%s", m->xattrs[i].name);
		r = pax_add(&p, key, m->xattrs[i].value, m->xattrs[i].len);
	}
	if (!r && m->gid > 07777777) {
		char v[24];
		r = pax_add(&p, "gid", v, (size_t)sprintf(v, "%u", m->gid));
	}
	if (!r && link_pax)
		r = pax_add(&p, "linkpath", m->link, strlen(m->link));
	if (!r && name_pax)
		r = pax_add(&p, "path", m->name, strlen(m->name));
	if (!r && m->size > 077777777777ull) {
		char v[24];
		r = pax_add(&p, "size", v, (size_t)sprintf(v, "%llu", (unsigned long long)m->size));
	}
	if (!r && m->uid > 07777777) {
		char v[24];
		r = pax_add(&p, "uid", v, (size_t)sprintf(v, "%u", m->uid));
	}
	if (!r && p.len) {
		/* "PaxHeaders/" + the entry's base name, cut to fit ustar's name field */
		const char *base = strrchr(m->name, '/');
		char pname[101];
		struct tar_meta x = {
		    .name = pname, .type = 'x', .mode = 0644, .mtime = m->mtime, .size = p.len};

		base = base && base[1] ? base + 1 : m->name;
		snprintf(pname, sizeof pname, "PaxHeaders/%.80s", base);
		for (char *c = pname; *c; c++)
			if ((unsigned char)*c >= 0x80 || (*c == '/' && c > pname + 10))
				*c = '_';
		tar_ustar_block(b, &x);
		r = sink_write(s, b, TAR_BLOCK);
		if (!r)
			r = sink_write(s, p.buf, p.len);
		if (!r)
			r = tar_pad(s, p.len);
	}
	free(p.buf);
	if (r)
		return r;
	tar_ustar_block(b, m);
	return sink_write(s, b, TAR_BLOCK);
}

int tar_pad(struct sink *s, uint64_t size)
{
	size_t rem = (size_t)(size % TAR_BLOCK);

	return rem ? sink_write(s, zeros, TAR_BLOCK - rem) : 0;
}

int tar_end(struct sink *s)
{
	return sink_write(s, zeros, sizeof zeros);
}

/* --- layers ---------------------------------------------------------------- */

struct named {
	char *name, *key;
	const struct entry *e;
};

/* Bytewise path order, except that the whiteout and opaque markers of a
 * directory sort before everything else in it, the opaque marker first
 * (OCI layer spec: whiteouts before their siblings): their key puts
 * "\001" in place of the ".wh." prefix. Ties (a name that spells the same
 * key) fall back to the name. */
static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->key ? x->key : x->name, y->key ? y->key : y->name);

	return c ? c : strcmp(x->name, y->name);
}

static char *marker_key(const struct entry *e)
{
	const char *base = e->type == ET_OPAQUE ? "" : path_basename(e->path);
	size_t dl = e->type == ET_OPAQUE ? strlen(e->path) : (size_t)(base - e->path);
	char *k = malloc(dl + strlen(base) + 4);

	if (!k)
		return NULL;
	memcpy(k, e->path, dl);
	if (e->type == ET_OPAQUE && dl)
		k[dl++] = '/';
	k[dl++] = '\001';
	k[dl++] = e->type == ET_OPAQUE ? '0' : '1';
	strcpy(k + dl, base);
	return k;
}

static char type_char(enum etype t)
{
	switch (t) {
	case ET_HARDLINK: return '1';
	case ET_SYMLINK: return '2';
	case ET_CHAR: return '3';
	case ET_BLOCK: return '4';
	case ET_DIR: return '5';
	case ET_FIFO: return '6';
	default: return '0';
	}
}

int entry_write_data(const struct entry *e, struct sink *s, void (*progress)(uint64_t))
{
	static _Thread_local char *buf;
	const size_t bsz = 1 << 18;
	uint64_t off = 0;
	int fd = -1, r = 0;

	if (!buf && !(buf = malloc(bsz)))
		return -ENOMEM;
	if (e->src == SRC_DISK && (fd = entry_open_disk(e)) < 0)
		return fd;
	while (off < e->size && !r) {
		size_t n = e->size - off < bsz ? (size_t)(e->size - off) : bsz;

		r = entry_read(e, fd, buf, n, off);
		if (!r)
			r = sink_write(s, buf, n);
		off += n;
		if (!r && progress)
			progress(n);
	}
	if (fd >= 0)
		close(fd);
	return r;
}

int layer_write_tar(const struct layer *l, const struct layer_write_opts *o, struct sink *s)
{
	struct named *v = calloc(l->n ? l->n : 1, sizeof *v);
	struct keymap lead = {0}; /* a set's target entry -> the name written with its data */
	size_t i;
	int r = 0;

	if (!v)
		return -ENOMEM;
	r = layer_gate(l, NULL);
	for (i = 0; i < l->n && !r; i++) {
		const struct entry *e = l->v[i];

		v[i].e = e;
		if (e->type == ET_WHITEOUT || e->type == ET_OPAQUE) {
			v[i].name = whiteout_oci_name(e);
			if (!(v[i].key = marker_key(e)))
				r = -ENOMEM;
		} else {
			v[i].name = strdup(e->path);
		}
		if (!v[i].name)
			r = -ENOMEM;
	}
	if (!r)
		qsort(v, l->n, sizeof *v, cmp_named);
	for (i = 0; i < l->n && !r; i++) {
		const struct entry *e = v[i].e, *data = e;
		const char *target = e->type == ET_HARDLINK ? e->link : e->linked ? e->path : NULL;
		struct tar_meta m = {0};
		char *dname = NULL;

		m.name = v[i].name;
		m.link = e->type == ET_SYMLINK ? e->link : NULL;
		if (target) {
			/* The first of a set of hardlinks in sorted order carries the
			 * data; the rest link to it. */
			const struct entry *t = layer_find(l, target);
			uint64_t first;

			if (!t) {
				r = fail(EINVAL, "%s: hardlink to %s, which is not there", e->path,
					 target);
				break;
			}
			if (keymap_get(&lead, (uintptr_t)t, 0, &first)) {
				e = t;
				m.link = v[first].name;
				data = NULL;
			} else {
				if ((r = keymap_put(&lead, (uintptr_t)t, 0, i)))
					break;
				data = e = t;
				m.link = e->type == ET_SYMLINK ? e->link : NULL;
			}
		}
		m.type = data ? type_char(e->type) : '1';
		m.mode = e->type == ET_WHITEOUT || e->type == ET_OPAQUE ? 0 : e->mode;
		m.uid = e->uid;
		m.gid = e->gid;
		m.mtime = o->epoch;
		m.size = data && e->type == ET_FILE ? e->size : 0;
		m.rmajor = e->rmajor;
		m.rminor = e->rminor;
		m.xattrs = e->xattrs;
		m.nxattrs = e->nxattrs;
		if (e->type == ET_DIR && data) {
			dname = malloc(strlen(m.name) + 2);
			if (!dname) {
				r = -ENOMEM;
				break;
			}
			strcpy(dname, m.name);
			strcat(dname, "/");
			m.name = dname;
		}
		r = tar_header(s, &m);
		free(dname);
		if (!r && m.size)
			r = entry_write_data(e, s, o->progress);
		if (!r && m.size)
			r = tar_pad(s, m.size);
	}
	if (!r)
		r = tar_end(s);
	for (i = 0; i < l->n; i++) {
		free(v[i].name);
		free(v[i].key);
	}
	free(v);
	keymap_free(&lead);
	return r;
}
