/* Unit tests for the safety gate (mkrootfs/gate.c): every hostile shape in
 * both entry orders, through symlinks and hardlinks, for the tar and cpio
 * writers; whiteout names; the order of whiteout markers in a layer tar. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
/* the project's headers first: cmocka defines a fail() macro */
#include "cpiowrite.h"
#include "compress.h"
#include "err.h"
#include "gate.h"
#include "layer.h"
#include "tarwrite.h"
#include <cmocka.h>

struct memsink {
	struct sink s;
	unsigned char *buf;
	size_t len;
};

static int mem_write(struct sink *s, const void *b, size_t n)
{
	struct memsink *m = (struct memsink *)s;
	unsigned char *nb = realloc(m->buf, m->len + n + 1);

	if (!nb)
		return -ENOMEM;
	memcpy(nb + m->len, b, n);
	m->buf = nb;
	m->len += n;
	return 0;
}

/* Adds PATH (a file when LINK is NULL, else a symlink, or a hardlink when
 * LINK starts with '='), as a tar input would. */
static int put(struct layer *l, const char *path, const char *link)
{
	enum etype t = !link ? ET_FILE : link[0] == '=' ? ET_HARDLINK : ET_SYMLINK;
	struct entry *e = entry_new(path, t);

	if (link)
		e->link = strdup(link[0] == '=' ? link + 1 : link);
	return layer_add(l, "t.tar", e, LA_OCI_WHITEOUTS);
}

/* Builds a layer from the NULL-terminated pairs in SPEC (path, link) and
 * returns what the gate says, then what both writers say. */
static int gate_of(const char *const *spec, int *tar_r, int *cpio_r)
{
	struct layer *l = layer_new("t.tar");
	struct memsink m = {{mem_write}, NULL, 0};
	struct layer_write_opts wo = {0};
	struct cpio_write_opts co = {0};
	int r = 0;

	for (size_t i = 0; spec[i] && !r; i += 2)
		r = put(l, spec[i], spec[i + 1]);
	assert_int_equal(r, 0);
	r = layer_gate(l, NULL);
	*tar_r = layer_write_tar(l, &wo, &m.s);
	free(m.buf);
	m.buf = NULL;
	m.len = 0;
	*cpio_r = layer_write_cpio(l, &co, &m.s);
	free(m.buf);
	layer_free(l);
	return r;
}

static void refused(const char *const *spec, const char *msg)
{
	int t, c;

	assert_int_equal(gate_of(spec, &t, &c), -EINVAL);
	assert_string_equal(err_text(), msg);
	assert_int_equal(t, -EINVAL);
	assert_int_equal(c, -EINVAL);
}

static void test_symlink_after(void **st)
{
	/* the review's case: the file first, then the symlink above it */
	static const char *const evil[] = {"evil/init", NULL, "evil", "/", NULL};
	static const char *const rel[] = {"a/x", NULL, "a", "b", NULL};
	static const char *const chain[] = {"p/q/r", NULL, "p", "s", "s", "/", NULL};
	static const char *const deep[] = {"d/e/f/g", NULL, "d/e", "../../..", NULL};

	(void)st;
	refused(evil, "t.tar: entry evil/init escapes the layer through symlink evil -> /");
	refused(rel, "t.tar: entry a/x escapes the layer through symlink a -> b");
	refused(chain, "t.tar: entry p/q/r escapes the layer through symlink p -> s");
	refused(deep, "t.tar: entry d/e/f/g escapes the layer through symlink d/e -> ../../..");
}

static void test_file_under_file(void **st)
{
	static const char *const ff[] = {"a", NULL, "a/b", NULL, NULL};
	static const char *const rev[] = {"a/b", NULL, "a", NULL, NULL};

	(void)st;
	refused(ff, "t.tar: entry a/b lies beneath file a, which is not a directory");
	refused(rev, "t.tar: entry a/b lies beneath file a, which is not a directory");
}

static void test_hardlinks(void **st)
{
	/* a hardlink to a file that a later symlink puts outside */
	static const char *const h[] = {"evil/x", NULL, "h", "=evil/x", "evil", "/etc", NULL};
	/* a hardlink beneath a hardlink */
	static const char *const hh[] = {"f", NULL, "h", "=f", "h/x", NULL, NULL};
	int t, c;

	(void)st;
	refused(h, "t.tar: entry evil/x escapes the layer through symlink evil -> /etc");
	refused(hh, "t.tar: entry h/x lies beneath hardlink h, which is not a directory");
	/* symlink first: resolved where it points, inside the layer; allowed */
	{
		static const char *const ok[] = {"usr/lib/x", NULL, "lib",    "usr/lib", "lib/y",
						 NULL,	      "h",  "=lib/y", NULL};

		assert_int_equal(gate_of(ok, &t, &c), 0);
		assert_int_equal(t, 0);
		assert_int_equal(c, 0);
	}
}

static void test_parents_follow_symlinks(void **st)
{
	struct layer *l = layer_new("app");
	struct entry *e;

	(void)st;
	assert_int_equal(put(l, "usr/lib/z", NULL), 0);
	assert_int_equal(put(l, "lib", "usr/lib"), 0);
	/* generated parents go where the symlink leads, never beneath it */
	assert_int_equal(layer_add_parents(l, "lib/a/b"), 0);
	assert_null(layer_find(l, "lib/a"));
	e = layer_find(l, "usr/lib/a");
	assert_non_null(e);
	assert_int_equal(e->type, ET_DIR);
	assert_int_equal(layer_gate(l, NULL), 0);
	assert_int_equal(put(l, "abs", "/"), 0);
	assert_int_equal(layer_add_parents(l, "abs/x/y"), -EINVAL);
	assert_string_equal(err_text(), "app: abs/x/y escapes the layer through symlink abs");
	layer_free(l);
}

static void test_copy_under(void **st)
{
	/* layer_copy_under to the root of a layer that has a symlink there */
	struct layer *a = layer_new("app"), *root = layer_new("initramfs");
	int t, c;

	(void)st;
	(void)t;
	(void)c;
	assert_int_equal(put(a, "evil/init", NULL), 0);
	assert_int_equal(put(root, "evil", "/"), 0);
	assert_int_equal(layer_copy_under(root, a, ""), 0);
	assert_int_equal(layer_gate(root, NULL), -EINVAL);
	assert_string_equal(
	    err_text(), "initramfs: entry evil/init escapes the layer through symlink evil -> /");
	layer_free(a);
	layer_free(root);
}

static void test_whiteout_names(void **st)
{
	struct layer *l = layer_new("t.tar");
	struct entry *e;

	(void)st;
	assert_int_equal(put(l, "a/.wh..", NULL), -EINVAL);
	assert_string_equal(err_text(), "t.tar: entry a/.wh.. is a whiteout of . or ..");
	assert_int_equal(put(l, ".wh...", NULL), -EINVAL);
	assert_string_equal(err_text(), "t.tar: entry .wh... is a whiteout of . or ..");
	assert_int_equal(put(l, "a/.wh.", NULL), -EINVAL);
	/* a host file named .wh.* (no LA_OCI_WHITEOUTS: --add, directories) */
	e = entry_new("x/.wh.foo", ET_FILE);
	assert_int_equal(layer_add(l, "--add", e, 0), 0);
	assert_int_equal(layer_gate(l, "--add"), -EINVAL);
	assert_string_equal(err_text(), "--add: entry x/.wh.foo: names starting with .wh. are "
					"reserved for whiteouts (OCI) and cannot be carried");
	layer_free(l);
	/* a deletion spelled with a dot component, made by hand */
	l = layer_new("t");
	e = entry_new("x", ET_WHITEOUT);
	assert_int_equal(layer_add(l, "t", e, 0), 0);
	free(l->v[0]->path);
	l->v[0]->path = strdup("x/..");
	assert_int_equal(layer_gate(l, NULL), -EINVAL);
	assert_string_equal(err_text(), "t: deletion x/.. names . or .. or an empty name");
	free(l->v[0]->path);
	l->v[0]->path = strdup("x"); /* for the hash table's sake when freed */
	layer_free(l);
}

/* The names of the members of tar BUF, in order, up to MAX. */
static int tar_names(const unsigned char *buf, size_t len, char names[][100], int max)
{
	size_t off = 0;
	int n = 0;

	while (off + 512 <= len && buf[off] && n < max) {
		char sz[13];
		uint64_t size;

		memcpy(names[n], buf + off, 100);
		names[n++][99] = 0;
		memcpy(sz, buf + off + 124, 12);
		sz[12] = 0;
		size = strtoull(sz, NULL, 8);
		off += 512 + (size + 511) / 512 * 512;
	}
	return n;
}

static void test_marker_order(void **st)
{
	static const char *const spec[] = {
	    "d/!first",	      NULL, "d/ sp",   NULL, "d/.wh.gone", NULL,
	    "d/.wh..wh..opq", NULL, "d/sub/x", NULL, "c",	   NULL,
	    ".wh.top",	      NULL, "!root",   NULL, NULL};
	static const char *const want[] = {".wh.top",	     "!root",	   "c",	    "d/",
					   "d/.wh..wh..opq", "d/.wh.gone", "d/ sp", "d/!first",
					   "d/sub/",	     "d/sub/x"};
	struct layer *l = layer_new("t.tar");
	struct memsink m = {{mem_write}, NULL, 0};
	struct layer_write_opts wo = {0};
	char names[16][100];
	int n;

	(void)st;
	for (size_t i = 0; spec[i]; i += 2)
		assert_int_equal(put(l, spec[i], spec[i + 1]), 0);
	assert_int_equal(layer_add_parents(l, "d/sub/x"), 0);
	assert_int_equal(layer_write_tar(l, &wo, &m.s), 0);
	n = tar_names(m.buf, m.len, names, 16);
	assert_int_equal(n, (int)(sizeof want / sizeof *want));
	for (int i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
	free(m.buf);
	layer_free(l);
}

/* main prints the message recorded with the errno it got, else strerror:
 * a bare return -ENOMEM after an ignored failure is not explained by it. */
/* cgroup v2 cpu.max: a quota in CPUs, rounded up; none for "max" */
static void test_cpu_max(void **st)
{
	(void)st;
	assert_int_equal(cpu_max_cpus("max 100000\n"), 0);
	assert_int_equal(cpu_max_cpus("200000 100000\n"), 2);
	assert_int_equal(cpu_max_cpus("150000 100000"), 2);
	assert_int_equal(cpu_max_cpus("50000 100000"), 1);
	assert_int_equal(cpu_max_cpus("0 100000"), 0);
	assert_int_equal(cpu_max_cpus(""), 0);
}

static void test_err_text_for(void **st)
{
	(void)st;
	err_clear();
	assert_string_equal(err_text_for(-ENOMEM), strerror(ENOMEM));
	assert_int_equal((fail)(EINVAL, "x: bad"), -EINVAL);
	assert_string_equal(err_text_for(-EINVAL), "x: bad");
	assert_string_equal(err_text_for(-ENOMEM), strerror(ENOMEM));
	assert_int_equal(failctx(-ENOENT, "ctx"), -ENOENT);
	assert_string_equal(err_text_for(-ENOENT), "ctx: x: bad");
	err_clear();
	assert_string_equal(err_text_for(-ENOENT), strerror(ENOENT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_symlink_after), cmocka_unit_test(test_file_under_file),
	    cmocka_unit_test(test_hardlinks),	  cmocka_unit_test(test_parents_follow_symlinks),
	    cmocka_unit_test(test_copy_under),	  cmocka_unit_test(test_whiteout_names),
	    cmocka_unit_test(test_marker_order),  cmocka_unit_test(test_err_text_for),
	    cmocka_unit_test(test_cpu_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
