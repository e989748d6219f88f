/* libFuzzer target: mkrootfs's layer tarball reader and its safety gate.
 * The input is a tar (plain or compressed, any dialect libarchive reads);
 * every entry goes through layer_add (OCI whiteouts decoded) and the
 * finished layer through layer_gate, as `mkrootfs image --layer X.tar`
 * does. A layer the gate accepts must hold the gate's invariants
 * (fuzz_mk.h), serialize as a layer tar, a cpio and a deletion list, and
 * its tar must read back into a layer that passes the gate again with the
 * same paths. */
#include "fuzz_mk.h"
#include "cpiowrite.h"
#include "err.h"
#include "input.h"
#include "tarwrite.h"
#include "whiteout.h"

struct memsink {
	struct sink s;
	unsigned char *buf;
	size_t len, cap;
};

static int mem_write(struct sink *s, const void *buf, size_t len)
{
	struct memsink *m = (struct memsink *)s;

	if (m->len + len > m->cap) {
		size_t cap = (m->len + len) * 2;
		unsigned char *n = realloc(m->buf, cap);

		if (!n)
			return -ENOMEM;
		m->buf = n;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return 0;
}

static int count_write(struct sink *s, const void *buf, size_t len)
{
	(void)s;
	(void)buf;
	(void)len;
	return 0;
}

/* Reads the tar in FD (LEN bytes) into a new layer, with the flags input.c
 * gives a tarball (a later duplicate wins); NULL when refused. */
static struct layer *read_layer(int fd, size_t len)
{
	struct tar_src src = {.path = "fuzz.tar", .fd = fd, .off = 0, .len = len};
	struct entry **v = NULL;
	size_t n = 0;
	struct tar_sums sums;
	struct layer *l;
	int r = tar_read("fuzz.tar", &src, 0, &v, &n, &sums);

	if (r)
		return NULL;
	l = layer_new("fuzz.tar");
	if (!l)
		abort();
	for (size_t i = 0; i < n && !r; i++) {
		r = layer_add(l, "fuzz.tar", v[i], LA_OCI_WHITEOUTS | LA_MERGE_DIRS | LA_LAST_WINS);
		v[i] = NULL;
	}
	entries_free(v, n);
	if (!r)
		r = layer_gate(l, NULL);
	if (r) {
		layer_free(l);
		return NULL;
	}
	return l;
}

/* A file and the hardlinks to it are one kind: the writer may choose
 * another of them to carry the data. */
static int kind_of(const struct entry *e)
{
	return e->type == ET_HARDLINK ? ET_FILE : (int)e->type;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;
	int c = strcmp(x->path, y->path);

	return c ? c : kind_of(x) - kind_of(y);
}

/* The same entries (paths and kinds) in A and B. */
static int same_paths(const struct layer *a, const struct layer *b)
{
	struct entry **x = layer_sorted(a), **y = layer_sorted(b);
	int same = a->n == b->n;

	qsort(x, a->n, sizeof *x, cmp_entry);
	qsort(y, b->n, sizeof *y, cmp_entry);
	for (size_t i = 0; same && i < a->n; i++)
		same = strcmp(x[i]->path, y[i]->path) == 0 && kind_of(x[i]) == kind_of(y[i]);
	if (!same) { /* say how */
		for (size_t i = 0; i < a->n; i++)
			fprintf(stderr, "read:    %d %s\n", x[i]->type, x[i]->path);
		for (size_t i = 0; i < b->n; i++)
			fprintf(stderr, "written: %d %s\n", y[i]->type, y[i]->path);
	}
	free(x);
	free(y);
	return same;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_mk_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct layer_write_opts wo = {0};
	struct cpio_write_opts co = {0};
	struct memsink tar = {{mem_write}, NULL, 0, 0};
	struct sink none = {count_write};
	struct layer *l, *back;
	unsigned char *del = NULL;
	size_t dlen = 0;
	int fd;

	if (!size)
		return 0;
	fd = fuzz_mk_memfile(0, data, size);
	l = read_layer(fd, size);
	if (l) {
		fuzz_mk_check_layer(l);
		if (layer_write_tar(l, &wo, &tar.s) == 0) {
			int fd2 = fuzz_mk_memfile(1, tar.buf, tar.len);

			back = read_layer(fd2, tar.len);
			if (!back) {
				fprintf(stderr, "the layer tar written does not read back: %s\n",
					err_text());
				abort();
			}
			fuzz_mk_check_layer(back);
			if (!same_paths(l, back))
				abort();
			layer_free(back);
		}
		layer_write_cpio(l, &co, &none);
		if (dellist_build(l, &del, &dlen) == 0 && dlen) {
			struct layer *d = layer_new("deletions");

			if (dellist_parse(del, dlen, d) != 0)
				abort();
			layer_free(d);
		}
		free(del);
		layer_free(l);
	}
	free(tar.buf);
	spill_reset();
	return 0;
}
