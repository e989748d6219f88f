/* tinyinit's reader for the archive it may carry (include/embedded.h):
 * the trailer, the CRC and a newc cpio walker. Pure (no system call), so
 * that tests/fuzz/fuzz_embedded.c can feed it any bytes. */
#include "embedded.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../include/embedded.h"
#include "fmt.h"

/* newc: "070701" (spelled in two parts, so that tinyinit's own bytes never
 * hold a cpio magic a scanner of an initramfs could take for a header) */
#define CPIO_HDR 110

static unsigned long long le(const unsigned char *p, int n)
{
	unsigned long long v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* Sixteen bytes a step (sixteen tables, filled on first use): about six
 * times the speed of a byte a step (bench/embed.sh), for 16 KiB of bss and
 * no file bytes. f[j * 256 + i] is the CRC of byte i followed by j zeros. */
static unsigned crc32(unsigned c, const unsigned char *p, size_t n)
{
	static unsigned f[16 * 256];

	if (!f[1])
		for (unsigned i = 0; i < 16 * 256; i++) {
			unsigned t = i;
			if (i < 256)
				for (int k = 0; k < 8; k++)
					t = t >> 1 ^ (0xEDB88320u & -(t & 1));
			else
				t = f[i - 256] >> 8 ^ f[f[i - 256] & 0xff];
			f[i] = t;
		}
	for (; n >= 16; n -= 16, p += 16) {
		unsigned w[4], x = 0;
		memcpy(w, p, 16); /* little-endian: tinyinit's machines are */
		w[0] ^= c;
		for (int j = 0; j < 4; j++) {
			const unsigned *t = f + (12 - 4 * j) * 256;
			x ^= t[768 + (w[j] & 0xff)] ^ t[512 + (w[j] >> 8 & 0xff)] ^
			     t[256 + (w[j] >> 16 & 0xff)] ^ t[w[j] >> 24];
		}
		c = x;
	}
	while (n--)
		c = f[(c ^ *p++) & 0xff] ^ c >> 8;
	return c;
}

static int bad(const char *name, const char *what, const char *why)
{
	return failure(0, "%s: embedded archive: %s%s%s", name, what, *what ? ": " : "", why);
}

int emb_verify(const char *name, int fd, const unsigned char *file, size_t size,
	       const unsigned char **arch, size_t *len)
{
	if (size < EMB_TRAILER_SIZE)
		return 1;
	const unsigned char *t = file + size - EMB_TRAILER_SIZE;
	if (memcmp(t, EMB_MAGIC, EMB_MAGIC_LEN))
		return 1;
	unsigned long long off = le(t + 16, 8), n = le(t + 24, 8);
	if (le(t + 8, 4) != EMB_VERSION || off > size - EMB_TRAILER_SIZE ||
	    n != size - EMB_TRAILER_SIZE - off)
		return bad(name, "", "bad trailer (cut or rewritten)");
	/* With FD, the archive is read through a buffer that stays in the
	 * cache, not through the mapping: the first touch of each mapped page
	 * costs more than the copy (bench/embed.sh) */
	static unsigned char buf[1 << 16];
	unsigned c = ~0u;
	unsigned long long o = off, k, end = off + n;
	for (; o < end; o += k) {
		const unsigned char *p = file + o;
		k = end - o < sizeof buf ? end - o : sizeof buf;
		if (fd >= 0 && syscall(SYS_pread64, fd, buf, k, (off_t)o) != (long)(p = buf, k))
			break; /* unread: a mismatch */
		c = crc32(c, p, k);
	}
	if (o < end || ~c != le(t + 12, 4))
		return bad(name, "", "CRC mismatch");
	*arch = file + off;
	*len = n;
	return 0;
}

/* 8 hex digits, or -1. */
static long hex8(const unsigned char *p)
{
	long v = 0;

	for (int i = 0; i < 8; i++) {
		int c = p[i] | 0x20, d = c >= '0' && c <= '9'	? c - '0'
					 : c >= 'a' && c <= 'f' ? c - 87
								: -1;
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* Whether an archive name may be used: relative, no ".." component. */
static int name_ok(const char *s)
{
	if (*s == '/' || !*s)
		return 0;
	for (const char *p = s; *p; p++)
		if ((p == s || p[-1] == '/') && p[0] == '.' && p[1] == '.' &&
		    (!p[2] || p[2] == '/'))
			return 0;
	return 1;
}

int emb_next(const char *name, const unsigned char *a, size_t len, size_t *pos, struct emb_ent *e)
{
	const unsigned char *h = a + *pos;
	const char *en = (const char *)h + CPIO_HDR;
	long *f = e->f, err = len - *pos < CPIO_HDR || memcmp(h, "07070", 5) || h[5] != '1';

	for (int i = 0; !err && i < EMB_FIELDS; i++)
		err = (f[i] = hex8(h + 6 + 8 * i)) < 0;
	long nsz = err ? 0 : f[EMB_NAMESIZE];
	if (nsz < 1 || (size_t)nsz > len - *pos - CPIO_HDR || en[nsz - 1] ||
	    strlen(en) != (size_t)nsz - 1)
		return bad(name, "", "bad entry header");
	size_t data = (*pos + CPIO_HDR + (size_t)nsz + 3) & ~(size_t)3, fsz = (size_t)f[EMB_SIZE];
	if (!strcmp(en, "TRAILER!!!"))
		return 0;
	if (!name_ok(en))
		return bad(name, en, "absolute or with ..");
	if (data > len || fsz > len - data)
		return bad(name, en, "size past the end");
	e->name = en;
	e->off = data;
	*pos = (data + fsz + 3) & ~(size_t)3;
	if (*pos > len)
		*pos = len;
	return 1;
}

int emb_find(const char *name, const unsigned char *a, size_t len, const char *entry, size_t *off,
	     size_t *size)
{
	struct emb_ent e;
	size_t pos = 0;
	int found = -ENOENT, rc;

	while ((rc = emb_next(name, a, len, &pos, &e)) > 0)
		if (entry && (e.f[EMB_MODE] & 0170000) == 0100000 && !strcmp(e.name, entry)) {
			*off = e.off;
			*size = (size_t)e.f[EMB_SIZE];
			found = 0;
		}
	return rc ? rc : found;
}
