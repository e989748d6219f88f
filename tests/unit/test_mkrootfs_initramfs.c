/* Unit tests for mkrootfs initramfs: the tinyinit argument file, the
 * module load order, the cpio writer's order and numbering, the one-stream
 * compressors and the kernel command line. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
/* the project's headers first: cmocka defines a fail() macro */
#include "compress.h"
#include "cpiowrite.h"
#include "owners.h"
#include "err.h"
#include "initramfs.h"
#include "initrd.h"
#include "layer.h"
#include "modules.h"
#include "oci.h"
#include <cmocka.h>

struct memsink {
	struct sink s;
	unsigned char *buf;
	size_t len, cap;
};

static int mem_write(struct sink *s, const void *b, size_t n)
{
	struct memsink *m = (struct memsink *)s;

	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2;
		m->buf = realloc(m->buf, m->cap);
		assert_non_null(m->buf);
	}
	memcpy(m->buf + m->len, b, n);
	m->len += n;
	return 0;
}

static void words(struct strlist *l, const char *const *w)
{
	for (; *w; w++)
		assert_int_equal(strlist_add(l, *w), 0);
}

/* --- /tinyinit.args ---------------------------------------------------------- */

static void test_init_args(void **st)
{
	static const char *const w[] = {"--workdir", "/app", "--", "/hello", "", "a b", NULL};
	static const char want[] = "--workdir\0/app\0--\0/hello\0\0a b";
	struct strlist l = {0};
	unsigned char *buf;
	size_t len;

	(void)st;
	words(&l, w);
	assert_int_equal(initrd_args(&l, &buf, &len), 0);
	assert_int_equal(len, sizeof want); /* every word NUL-terminated, the empty one too */
	assert_memory_equal(buf, want, sizeof want);
	free(buf);
	strlist_free(&l);

	/* INIT_ARGS_WORDS words fit, one more does not */
	for (int i = 0; i < INIT_ARGS_WORDS; i++)
		assert_int_equal(strlist_add(&l, "x"), 0);
	assert_int_equal(initrd_args(&l, &buf, &len), 0);
	assert_int_equal(len, 2 * INIT_ARGS_WORDS);
	free(buf);
	assert_int_equal(strlist_add(&l, "x"), 0);
	assert_int_equal(initrd_args(&l, &buf, &len), -E2BIG);
	assert_non_null(strstr(err_text(), "at most 256"));
	strlist_free(&l);

	/* INIT_ARGS_MAX bytes fit, one more does not */
	{
		char *big = malloc(INIT_ARGS_MAX);

		memset(big, 'y', INIT_ARGS_MAX - 1);
		big[INIT_ARGS_MAX - 1] = 0;
		assert_int_equal(strlist_add(&l, big), 0);
		assert_int_equal(initrd_args(&l, &buf, &len), 0);
		assert_int_equal(len, INIT_ARGS_MAX);
		free(buf);
		assert_int_equal(strlist_add(&l, ""), 0);
		assert_int_equal(initrd_args(&l, &buf, &len), -E2BIG);
		assert_null(buf);
		free(big);
		strlist_free(&l);
	}
}

/* --- module order --------------------------------------------------------------- */

/* A fake modules tree: NAME [ALIAS] PATH|- DEPS... ("-": built in). */
static const char *const graph[][6] = {
    {"a", "kernel/a.ko", "b", "c", NULL},
    {"b", "kernel/b.ko.xz", "c", NULL},
    {"c", "kernel/c.ko", NULL},
    {"d", "-", NULL},
    {"e", "kernel/e.ko", "d", "c", NULL},
    {"f", "kernel/f.ko", "gone", NULL},
    {"x", "kernel/x.ko", "y", NULL},
    {"y", "kernel/y.ko", "x", NULL},
    {"virtio_blk", "kernel/virtio_blk.ko", NULL},
};

static int fake_lookup(void *ctx, const char *name, char **canon, char **path, struct strlist *deps)
{
	char norm[64];

	(void)ctx;
	/* like kmod: '-' and '_' are the same in module names */
	snprintf(norm, sizeof norm, "%s", name);
	for (char *p = norm; *p; p++)
		if (*p == '-')
			*p = '_';
	for (size_t i = 0; i < sizeof graph / sizeof *graph; i++) {
		if (strcmp(graph[i][0], norm) != 0)
			continue;
		*canon = strdup(graph[i][0]);
		*path = strcmp(graph[i][1], "-") ? strdup(graph[i][1]) : NULL;
		for (int k = 2; graph[i][k]; k++)
			assert_int_equal(strlist_add(deps, graph[i][k]), 0);
		return 0;
	}
	return -ENOENT;
}

static void order_is(const char *const *want, const char *const *names)
{
	struct modsrc src = {fake_lookup, NULL, "/fake/modules"};
	struct strlist paths = {0};
	size_t n = 0, k = 0;

	while (names[n])
		n++;
	assert_int_equal(modules_order(&src, names, n, &paths), 0);
	for (; want[k]; k++) {
		assert_true(k < paths.n);
		assert_string_equal(paths.v[k], want[k]);
	}
	assert_int_equal(paths.n, k);
	strlist_free(&paths);
}

static void test_module_order(void **st)
{
	struct modsrc src = {fake_lookup, NULL, "/fake/modules"};
	struct strlist paths = {0};

	(void)st;
	/* dependencies first, each once, however often they are asked for */
	order_is((const char *[]){"kernel/c.ko", "kernel/b.ko.xz", "kernel/a.ko", NULL},
		 (const char *[]){"a", NULL});
	order_is((const char *[]){"kernel/c.ko", "kernel/b.ko.xz", "kernel/a.ko", NULL},
		 (const char *[]){"c", "a", "b", "a", "c", NULL});
	/* built-in modules are left out, their dependants are not */
	order_is((const char *[]){"kernel/c.ko", "kernel/e.ko", NULL},
		 (const char *[]){"d", "e", NULL});
	order_is((const char *[]){NULL}, (const char *[]){"d", NULL});
	/* a cycle (depmod refuses them) ends; each module still once */
	order_is((const char *[]){"kernel/y.ko", "kernel/x.ko", NULL}, (const char *[]){"x", NULL});
	/* names as modprobe takes them */
	order_is((const char *[]){"kernel/virtio_blk.ko", NULL},
		 (const char *[]){"virtio-blk", "virtio_blk", NULL});

	/* a clear error, naming the tree */
	assert_int_equal(modules_order(&src, (const char *[]){"a", "nosuch"}, 2, &paths), -ENOENT);
	assert_string_equal(err_text(), "module nosuch: not found in /fake/modules");
	strlist_free(&paths);
	assert_int_equal(modules_order(&src, (const char *[]){"f"}, 1, &paths), -ENOENT);
	assert_string_equal(err_text(), "module gone (needed by f): not found in /fake/modules");
	strlist_free(&paths);
}

static void test_module_split(void **st)
{
	struct strlist l = {0};

	(void)st;
	assert_int_equal(modules_split("overlay,virtio_blk", &l), 0);
	assert_int_equal(modules_split(",,ext4,", &l), 0);
	assert_int_equal(modules_split("", &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0], "overlay");
	assert_string_equal(l.v[1], "virtio_blk");
	assert_string_equal(l.v[2], "ext4");
	strlist_free(&l);
}

/* --- cpio ------------------------------------------------------------------------ */

struct newc {
	char name[256];
	unsigned long ino, mode, uid, gid, nlink, mtime, size, rmaj, rmin;
	const unsigned char *data;
};

static unsigned long hex8(const unsigned char *p)
{
	char b[9];

	memcpy(b, p, 8);
	b[8] = 0;
	return strtoul(b, NULL, 16);
}

/* Parses the newc archive in BUF into V; returns the number of entries
 * before the trailer, -1 when it is malformed. */
static int parse_newc(const unsigned char *buf, size_t len, struct newc *v, int max)
{
	size_t off = 0;
	int n = 0;

	while (off + 110 <= len && n < max) {
		struct newc *e = &v[n];
		unsigned long namesize;

		if (memcmp(buf + off, "070701", 6) != 0)
			return -1;
		e->ino = hex8(buf + off + 6);
		e->mode = hex8(buf + off + 14);
		e->uid = hex8(buf + off + 22);
		e->gid = hex8(buf + off + 30);
		e->nlink = hex8(buf + off + 38);
		e->mtime = hex8(buf + off + 46);
		e->size = hex8(buf + off + 54);
		e->rmaj = hex8(buf + off + 78);
		e->rmin = hex8(buf + off + 86);
		namesize = hex8(buf + off + 94);
		if (namesize == 0 || namesize > sizeof e->name)
			return -1;
		memcpy(e->name, buf + off + 110, namesize);
		off = (off + 110 + namesize + 3) & ~(size_t)3;
		e->data = buf + off;
		off = (off + e->size + 3) & ~(size_t)3;
		if (strcmp(e->name, "TRAILER!!!") == 0)
			return off == len ? n : -1; /* nothing after the trailer */
		n++;
	}
	return -1;
}

static void add(struct layer *l, const char *path, enum etype t, const char *data)
{
	struct entry *e = entry_new(path, t);

	assert_non_null(e);
	if (t == ET_FILE && data) {
		e->src = SRC_MEM;
		e->size = strlen(data);
		e->mem = (unsigned char *)strdup(data);
	} else if (data) {
		e->link = strdup(data);
	}
	e->uid = 1000;
	e->gid = 100;
	assert_int_equal(layer_add(l, "test", e, LA_ABS_OK), 0);
}

static void test_cpio(void **st)
{
	struct layer *l = layer_new("t");
	struct memsink m = {{mem_write}, NULL, 0, 0};
	struct cpio_write_opts o = {.epoch = 1700000000};
	struct newc v[32];
	int n;

	(void)st;
	/* added in an order unlike path order; names that sort around '/' */
	add(l, "z", ET_DIR, NULL);
	add(l, "z/data", ET_FILE, "hello");
	add(l, "a-b", ET_FILE, "1");
	add(l, "a", ET_DIR, NULL);
	add(l, "a/link", ET_HARDLINK, "z/data");
	add(l, "a.del", ET_FILE, "w x");
	add(l, "a/sym", ET_SYMLINK, "../z/data");
	add(l, "a/b", ET_DIR, NULL);
	add(l, "a/b/c", ET_FILE, "");
	add(l, "dev", ET_DIR, NULL);
	{
		struct entry *c = entry_new("dev/console", ET_CHAR);

		c->mode = 0600;
		c->rmajor = 5;
		c->rminor = 1;
		assert_int_equal(layer_add(l, "test", c, 0), 0);
	}
	add(l, "a/.hidden", ET_FILE, NULL);
	{
		struct entry *w = entry_new("z/deleted", ET_WHITEOUT);

		assert_int_equal(layer_add(l, "test", w, 0), 0);
	}

	assert_int_equal(layer_write_cpio(l, &o, &m.s), 0);
	assert_int_equal(m.len % 4, 0);
	n = parse_newc(m.buf, m.len, v, 32);
	assert_int_equal(n, 12); /* the whiteout is not an entry */
	/* bytewise path order: every directory before what it holds */
	for (int i = 1; i < n; i++)
		assert_true(strcmp(v[i - 1].name, v[i].name) < 0);
	for (int i = 0; i < n; i++) {
		char *slash = strrchr(v[i].name, '/');

		if (slash) {
			int found = 0;

			*slash = 0;
			for (int k = 0; k < i; k++)
				found |= strcmp(v[k].name, v[i].name) == 0;
			assert_true(found);
			*slash = '/';
		}
		assert_int_equal(v[i].mtime, 1700000000);
		/* the writer writes the owners the layer holds (owners.c decides them) */
		assert_int_equal(v[i].uid, strcmp(v[i].name, "dev/console") ? 1000 : 0);
		assert_int_equal(v[i].gid, strcmp(v[i].name, "dev/console") ? 100 : 0);
	}
	assert_string_equal(v[0].name, "a");
	assert_string_equal(v[1].name, "a-b"); /* '-' and '.' sort before '/' */
	assert_string_equal(v[2].name, "a.del");
	assert_string_equal(v[3].name, "a/.hidden");
	/* inode numbers count up in path order */
	assert_int_equal(v[0].ino, 1);
	assert_int_equal(v[0].mode, 040755);
	assert_int_equal(v[0].nlink, 2);
	/* the hardlink: a/link comes first, so it carries the data ... */
	assert_string_equal(v[6].name, "a/link");
	assert_int_equal(v[6].mode, 0100644);
	assert_int_equal(v[6].nlink, 2);
	assert_int_equal(v[6].size, 5);
	assert_memory_equal(v[6].data, "hello", 5);
	/* ... and z/data shares its inode with no data */
	assert_string_equal(v[11].name, "z/data");
	assert_int_equal(v[11].ino, v[6].ino);
	assert_int_equal(v[11].nlink, 2);
	assert_int_equal(v[11].size, 0);
	/* a symlink's body is its target */
	assert_string_equal(v[7].name, "a/sym");
	assert_int_equal(v[7].mode & 0170000, 0120000);
	assert_memory_equal(v[7].data, "../z/data", 9);
	/* dev/console is 5:1, 0600 */
	assert_string_equal(v[9].name, "dev/console");
	assert_int_equal(v[9].mode, 020600);
	assert_int_equal(v[9].rmaj, 5);
	assert_int_equal(v[9].rmin, 1);
	/* unique inode numbers but for the hardlink */
	for (int i = 0; i < n; i++)
		for (int k = i + 1; k < n; k++)
			if (!(i == 6 && k == 11))
				assert_true(v[i].ino != v[k].ino);

	/* host files become 0:0 */
	m.len = 0;
	assert_int_equal(owners_apply(l, NULL, 1, &(struct owner_policy){0}), 0);
	assert_int_equal(layer_write_cpio(l, &o, &m.s), 0);
	n = parse_newc(m.buf, m.len, v, 32);
	assert_int_equal(v[1].uid, 0);
	assert_int_equal(v[1].gid, 0);
	free(m.buf);
	layer_free(l);
}

/* --- one-stream compression ------------------------------------------------------ */

static void test_stream_compress(void **st)
{
	static const char text[] = "070701 the same words again and again and again";
	char hex[DIGEST_HEX_LEN + 1];
	struct memsink m = {{mem_write}, NULL, 0, 0};
	unsigned char out[256];
	struct zsink *z;
	uint64_t usize;
	z_stream zs = {0};

	(void)st;
	/* gzip: one zlib member, mtime 0, no name */
	assert_int_equal(zsink_open_stream(&z, COMP_GZIP, &m.s), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(sink_write(zsink_sink(z), text, sizeof text), 0);
	assert_int_equal(zsink_close(z, hex, &usize), 0);
	assert_int_equal(usize, 3 * sizeof text);
	assert_memory_equal(m.buf, "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8);
	assert_int_equal(inflateInit2(&zs, 31), Z_OK);
	zs.next_in = m.buf;
	zs.avail_in = (uInt)m.len;
	zs.next_out = out;
	zs.avail_out = sizeof out;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	assert_int_equal(zs.avail_in, 0); /* nothing after the one member */
	assert_int_equal(zs.total_out, 3 * sizeof text);
	inflateEnd(&zs);

	/* xz: the check is CRC32 (stream flags 00 01), what the kernel reads */
	m.len = 0;
	assert_int_equal(zsink_open_stream(&z, COMP_XZ, &m.s), 0);
	assert_int_equal(sink_write(zsink_sink(z), text, sizeof text), 0);
	assert_int_equal(zsink_close(z, hex, &usize), 0);
	assert_memory_equal(m.buf,
			    "\xfd"
			    "7zXZ\0\0\x01",
			    8);

	/* zstd and none go through as for layers; xz is not a layer format */
	m.len = 0;
	assert_int_equal(zsink_open_stream(&z, COMP_ZSTD, &m.s), 0);
	assert_int_equal(sink_write(zsink_sink(z), text, sizeof text), 0);
	assert_int_equal(zsink_close(z, hex, &usize), 0);
	assert_memory_equal(m.buf, "\x28\xb5\x2f\xfd", 4);
	assert_int_equal(zsink_open(&z, COMP_XZ, &m.s), -EINVAL);
	free(m.buf);
}

static void test_compression_names(void **st)
{
	enum compression c;

	(void)st;
	assert_int_equal(compression_parse("xz", 1, &c), 0);
	assert_int_equal(c, COMP_XZ);
	assert_int_equal(compression_parse("xz", 0, &c), -EINVAL);
	assert_string_equal(err_text(), "--compress xz: use gzip, zstd or none");
	assert_int_equal(compression_parse("bzip2", 1, &c), -EINVAL);
	assert_string_equal(err_text(), "--compress bzip2: use gzip, zstd, xz or none");
}

/* --- the rest -------------------------------------------------------------------- */

static void test_reserved_and_cmdline(void **st)
{
	char *s;

	(void)st;
	assert_true(initrd_reserved("init"));
	assert_true(initrd_reserved("tinyinit.args"));
	assert_true(initrd_reserved("dev/console"));
	assert_true(initrd_reserved("modules"));
	assert_true(initrd_reserved("modules/order"));
	assert_true(initrd_reserved("layers/00-x/y"));
	assert_false(initrd_reserved("dev"));
	assert_false(initrd_reserved("initrd"));
	assert_false(initrd_reserved("layers2"));
	assert_false(initrd_reserved("bin/init"));

	s = initrd_cmdline(EM_X86_64);
	assert_string_equal(s, "console=ttyS0 panic=-1 quiet tinyinit.on_exit=poweroff");
	free(s);
	s = initrd_cmdline(EM_AARCH64);
	assert_string_equal(s, "console=ttyAMA0 panic=-1 quiet tinyinit.on_exit=poweroff");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_args),
	    cmocka_unit_test(test_module_order),
	    cmocka_unit_test(test_module_split),
	    cmocka_unit_test(test_cpio),
	    cmocka_unit_test(test_stream_compress),
	    cmocka_unit_test(test_compression_names),
	    cmocka_unit_test(test_reserved_and_cmdline),
	};

	return cmocka_run_group_tests_name("mkrootfs-initramfs", tests, NULL, NULL);
}
