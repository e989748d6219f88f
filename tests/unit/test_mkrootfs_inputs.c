/* Unit tests for what mkrootfs's fuzz targets (tests/fuzz/fuzz_mk_*) found
 * in its readers, one case each, and for the --add SPEC parser they fuzz:
 * - an ELF with two PT_INTERP headers leaked the first (now refused);
 * - DT_NEEDED entries beyond 256 were dropped silently (now refused), and
 *   so was a DT_NEEDED name outside the file (now refused);
 * - a failed parse leaves nothing allocated;
 * - an empty layer was sorted with memcpy from NULL (UBSan). */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
/* the project's headers first: cmocka defines a fail() macro */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfinfo.h"
#include "input.h"
#include "err.h"
#include "layer.h"
#include "plan.h"
#include <cmocka.h>

/* A little-endian ELF64 executable: a PT_LOAD over the whole file at
 * address 0 (so addresses are offsets), NINTERP PT_INTERP headers naming
 * "/lib/ld.so", and, when NDYN > 0, a PT_DYNAMIC with DYN (tag, value)
 * pairs followed by a string table at STRTAB_OFF (its value in DT_STRTAB
 * is filled in). */
struct img {
	unsigned char b[16384];
	size_t len;
};

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static size_t build(struct img *m, int ninterp, const uint64_t (*dyn)[2], size_t ndyn,
		    const char *strtab, size_t strtab_len)
{
	Elf64_Ehdr eh = {0};
	size_t nph = 1 + (size_t)ninterp + (ndyn ? 1 : 0),
	       off = sizeof eh + nph * sizeof(Elf64_Phdr);
	size_t interp_off = off, dyn_off, str_off;
	Elf64_Phdr ph[8] = {{0}};
	size_t k = 0;

	memset(m, 0, sizeof *m);
	memcpy(m->b + interp_off, "/lib/ld.so", 11);
	dyn_off = interp_off + 16;
	str_off = dyn_off + (ndyn + 2) * 16;
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_X86_64;
	eh.e_phoff = sizeof eh;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)nph;
	m->len = str_off + strtab_len;
	ph[k].p_type = PT_LOAD;
	ph[k].p_filesz = ph[k].p_memsz = m->len;
	k++;
	for (int i = 0; i < ninterp; i++, k++) {
		ph[k].p_type = PT_INTERP;
		ph[k].p_offset = interp_off;
		ph[k].p_filesz = 11;
	}
	if (ndyn) {
		size_t d = dyn_off;

		ph[k].p_type = PT_DYNAMIC;
		ph[k].p_offset = dyn_off;
		ph[k].p_filesz = (ndyn + 2) * 16;
		k++;
		for (size_t i = 0; i < ndyn; i++, d += 16) {
			put64(m->b + d, dyn[i][0]);
			put64(m->b + d + 8, dyn[i][1]);
		}
		put64(m->b + d, DT_STRTAB);
		put64(m->b + d + 8, str_off);
		/* then DT_NULL (zeros) */
		memcpy(m->b + str_off, strtab, strtab_len);
	}
	memcpy(m->b, &eh, sizeof eh);
	memcpy(m->b + sizeof eh, ph, k * sizeof *ph);
	return m->len;
}

static void test_elf_good(void **st)
{
	static const char strtab[] = "\0libc.so.6\0$ORIGIN/../lib\0";
	const uint64_t dyn[][2] = {{DT_NEEDED, 1}, {DT_RUNPATH, 11}};
	struct img *m = malloc(sizeof *m);
	struct elf_info e;
	const char *why = NULL;

	(void)st;
	build(m, 1, dyn, 2, strtab, sizeof strtab);
	assert_int_equal(elf_parse(m->b, m->len, &e, &why), 0);
	assert_string_equal(e.interp, "/lib/ld.so");
	assert_int_equal(e.nneeded, 1);
	assert_string_equal(e.needed[0], "libc.so.6");
	assert_string_equal(e.runpath, "$ORIGIN/../lib");
	assert_null(e.rpath);
	elf_free(&e);
	free(m);
}

/* found by fuzz_mk_elf: the first PT_INTERP's string leaked */
static void test_elf_two_interps(void **st)
{
	struct img *m = malloc(sizeof *m);
	struct elf_info e;
	const char *why = NULL;

	(void)st;
	build(m, 2, NULL, 0, NULL, 0);
	assert_int_equal(elf_parse(m->b, m->len, &e, &why), -ENOEXEC);
	assert_non_null(strstr(why, "two PT_INTERP"));
	assert_null(e.interp); /* and nothing left to free */
	free(m);
}

static void test_elf_needed_limits(void **st)
{
	static const char strtab[] = "\0libc.so.6\0";
	uint64_t(*dyn)[2] = calloc(300, sizeof *dyn);
	struct img *m = malloc(sizeof *m);
	struct elf_info e;
	const char *why = NULL;

	(void)st;
	for (int i = 0; i < 300; i++) {
		dyn[i][0] = DT_NEEDED;
		dyn[i][1] = 1;
	}
	/* 256 is the most it keeps; 257 was cut to 256 without a word */
	build(m, 1, (const uint64_t(*)[2])dyn, 256, strtab, sizeof strtab);
	assert_int_equal(elf_parse(m->b, m->len, &e, &why), 0);
	assert_int_equal(e.nneeded, 256);
	elf_free(&e);
	build(m, 1, (const uint64_t(*)[2])dyn, 257, strtab, sizeof strtab);
	assert_int_equal(elf_parse(m->b, m->len, &e, &why), -ENOEXEC);
	assert_non_null(strstr(why, "more than 256"));
	assert_null(e.needed);
	/* a name beyond the end of the file was dropped without a word */
	dyn[1][1] = 100000;
	build(m, 1, (const uint64_t(*)[2])dyn, 2, strtab, sizeof strtab);
	assert_int_equal(elf_parse(m->b, m->len, &e, &why), -ENOEXEC);
	assert_non_null(strstr(why, "DT_NEEDED"));
	assert_null(e.interp);
	/* and so was a DT_RUNPATH outside it */
	dyn[1][0] = DT_RUNPATH;
	build(m, 1, (const uint64_t(*)[2])dyn, 2, strtab, sizeof strtab);
	assert_int_equal(elf_parse(m->b, m->len, &e, &why), -ENOEXEC);
	assert_non_null(strstr(why, "DT_RUNPATH"));
	free(dyn);
	free(m);
}

static void add_ok(const char *spec, const char *src, const char *dst, long mode)
{
	char *s, *d;
	long m;

	assert_int_equal(add_spec_parse(spec, &s, &d, &m), 0);
	assert_string_equal(s, src);
	assert_string_equal(d, dst);
	assert_int_equal(m, mode);
	free(s);
	free(d);
}

static void add_bad(const char *spec, const char *msg)
{
	char *s, *d;
	long m;

	assert_int_equal(add_spec_parse(spec, &s, &d, &m), -EINVAL);
	assert_null(s);
	assert_null(d);
	assert_non_null(strstr(err_text(), msg));
}

static void test_add_spec(void **st)
{
	(void)st;
	add_ok("conf:/etc/app", "conf", "etc/app", -1);
	add_ok("conf:/etc/app:0600", "conf", "etc/app", 0600);
	add_ok("conf:/etc/app:4755", "conf", "etc/app", 04755);
	add_ok("dir:/", "dir", "", -1);
	add_ok("a:b:c", "a:b", "c", -1);	   /* not a mode: the last ':' splits */
	add_ok("a:b:0644x", "a:b", "0644x", -1);   /* not octal either */
	add_ok("x:/y:+644", "x:/y", "+644", -1);   /* a sign is no mode */
	add_ok("x:/y:17777", "x:/y", "17777", -1); /* beyond 07777 */
	add_ok("c:d:/e//f/./g:0", "c:d", "e/f/g", 0);
	add_bad("conf", "use SRC:DST[:MODE]");
	add_bad(":/etc/x", "use SRC:DST[:MODE]");
	add_bad("a:../x", "destination");
}

/* found by fuzz_mk_tar: an empty layer (a tar with no entries) was sorted
 * with memcpy from a NULL array */
static void test_empty_layer(void **st)
{
	struct layer *l = layer_new("empty");
	struct entry **v;

	(void)st;
	v = layer_sorted(l);
	assert_non_null(v);
	free(v);
	layer_free(l);
}

/* The directory walk and entry_open_disk on a tree changed after it was read
 * (review P1-9): a directory swapped for a link out of the tree, a file
 * replaced by another of the same size. */
static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_live_tree(void **st)
{
	(void)st;
	char root[] = "/tmp/mkrootfs-unit-XXXXXX", p[256], q[256];
	assert_non_null(mkdtemp(root));
	snprintf(p, sizeof p, "%s/tree", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/tree/d", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/tree/d/f", root);
	put_file(p, "inside\n");
	snprintf(p, sizeof p, "%s/out", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/out/f", root);
	put_file(p, "SECRET\n");

	struct layer *l = layer_new("tree");
	snprintf(p, sizeof p, "%s/tree", root);
	assert_int_equal(input_dir("tree", p, "", l, DIR_OVERLAY), 0);
	const struct entry *e = layer_find(l, "d/f");
	assert_non_null(e);
	assert_int_equal(e->src, SRC_DISK);
	int fd = entry_open_disk(e);
	assert_true(fd >= 0);
	close(fd);

	/* d becomes a link to out/ (same name, same size inside): refused */
	snprintf(p, sizeof p, "%s/tree/d", root);
	snprintf(q, sizeof q, "%s/tree/d.real", root);
	assert_int_equal(rename(p, q), 0);
	snprintf(q, sizeof q, "%s/out", root);
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(entry_open_disk(e), -ELOOP);
	assert_non_null(strstr(err_text(), "a symbolic link is on its path now"));
	/* ...and a walk of the tree as it is now does not go out of it */
	struct layer *l2 = layer_new("tree");
	snprintf(p, sizeof p, "%s/tree", root);
	assert_int_equal(input_dir("tree", p, "", l2, DIR_OVERLAY), 0);
	assert_null(layer_find(l2, "d/f"));
	layer_free(l2);

	/* d back, f replaced by another file of the same size: refused */
	snprintf(p, sizeof p, "%s/tree/d", root);
	assert_int_equal(unlink(p), 0);
	snprintf(q, sizeof q, "%s/tree/d.real", root);
	assert_int_equal(rename(q, p), 0);
	snprintf(p, sizeof p, "%s/tree/d/f.new", root);
	put_file(p, "change\n");
	snprintf(q, sizeof q, "%s/tree/d/f", root);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(entry_open_disk(e), -EIO);
	assert_non_null(strstr(err_text(), "not the file it was"));
	layer_free(l);

	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_layer),	    cmocka_unit_test(test_elf_good),
	    cmocka_unit_test(test_elf_two_interps), cmocka_unit_test(test_elf_needed_limits),
	    cmocka_unit_test(test_add_spec),	    cmocka_unit_test(test_live_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
