/* Unit tests for mkrootfs: digests, JSON documents, the path sanitizer,
 * whiteout conversions, the layer checks and the ELF check. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
/* the project's headers first: cmocka defines a fail() macro */
#include "digest.h"
#include "keymap.h"
#include "elfinfo.h"
#include "err.h"
#include "layer.h"
#include "layers.h"
#include "oci.h"
#include "pathsafe.h"
#include "tarwrite.h"
#include "whiteout.h"
#include <cmocka.h>

static void test_digest(void **st)
{
	char hex[65];

	(void)st;
	assert_int_equal(digest_buf("abc", 3, hex), 0);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(digest_buf("", 0, hex), 0);
	assert_string_equal(hex,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_true(digest_hex_valid(hex));
	assert_false(digest_hex_valid("abc"));
	assert_false(
	    digest_hex_valid("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
}

static void clean_ok(const char *in, int flags, const char *want)
{
	const char *why = NULL;
	char *out = NULL;

	assert_int_equal(path_clean(in, flags, &out, &why), 0);
	assert_string_equal(out, want);
	free(out);
}

static void clean_bad(const char *in, int flags, const char *want_why)
{
	const char *why = NULL;
	char *out = NULL;

	assert_int_equal(path_clean(in, flags, &out, &why), -EINVAL);
	assert_string_equal(why, want_why);
}

static void lexical_is(const char *in, int flags, const char *want)
{
	char *out = path_lexical(in, flags);

	if (!want) {
		assert_null(out);
		return;
	}
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

/* by the letters: ".." clamps at the root, or fails with PATH_NO_CLIMB */
static void test_path_lexical(void **st)
{
	(void)st;
	lexical_is("/a/./b//../c", 0, "/a/c");
	lexical_is("a/b/", 0, "/a/b");
	lexical_is("", 0, "/");
	lexical_is("/../x", 0, "/x");
	lexical_is("id0/../real0/layer.tar", PATH_NO_CLIMB, "/real0/layer.tar");
	lexical_is("id0/../../real0/layer.tar", PATH_NO_CLIMB, NULL);
	lexical_is("a/..", PATH_NO_CLIMB, "/");
}

static void test_path_clean(void **st)
{
	(void)st;
	clean_ok("a/b", 0, "a/b");
	clean_ok("./a//b/", 0, "a/b");
	clean_ok("./", 0, "");
	clean_ok(".", 0, "");
	clean_ok("a/./b/.", 0, "a/b");
	clean_ok("/usr/bin/", PATH_ALLOW_ABS, "usr/bin");
	clean_ok("..a/b..", 0, "..a/b..");
	clean_bad("/etc/passwd", 0, "is an absolute path");
	clean_bad("../etc/passwd", 0, "escapes the layer");
	clean_bad("a/../../b", 0, "escapes the layer");
	clean_bad("a/..", 0, "escapes the layer");
	clean_bad("/../x", PATH_ALLOW_ABS, "escapes the layer");
	clean_bad("", 0, "has an empty name");
}

static void test_path_helpers(void **st)
{
	char *s;

	(void)st;
	s = path_dirname("a/b/c");
	assert_string_equal(s, "a/b");
	free(s);
	s = path_dirname("c");
	assert_string_equal(s, "");
	free(s);
	assert_string_equal(path_basename("a/b/c"), "c");
	s = path_join("", "b");
	assert_string_equal(s, "b");
	free(s);
	s = path_join("a", "b");
	assert_string_equal(s, "a/b");
	free(s);
}

static int add(struct layer *l, const char *path, enum etype t, const char *link)
{
	struct entry *e = entry_new(path, t);

	if (link)
		e->link = strdup(link);
	return layer_add(l, "t.tar", e, LA_OCI_WHITEOUTS);
}

static void test_layer_checks(void **st)
{
	struct layer *l = layer_new("t.tar");

	(void)st;
	assert_int_equal(add(l, "usr", ET_DIR, NULL), 0);
	assert_int_equal(add(l, "usr/lib", ET_DIR, NULL), 0);
	assert_int_equal(add(l, "lib", ET_SYMLINK, "usr/lib"), 0);
	/* through a symlink that stays inside: lands where it points */
	assert_int_equal(add(l, "lib/x", ET_FILE, NULL), 0);
	assert_non_null(layer_find(l, "usr/lib/x"));
	assert_int_equal(add(l, "abs", ET_SYMLINK, "/etc"), 0);
	assert_int_equal(add(l, "abs/passwd", ET_FILE, NULL), -EINVAL);
	assert_string_equal(err_text(),
			    "t.tar: entry abs/passwd escapes the layer through symlink abs");
	assert_int_equal(add(l, "up", ET_SYMLINK, "usr/../.."), 0);
	assert_int_equal(add(l, "up/x", ET_FILE, NULL), -EINVAL);
	assert_int_equal(add(l, "./usr/lib/x", ET_FILE, NULL), -EEXIST);
	assert_string_equal(err_text(), "t.tar: duplicate entry usr/lib/x");
	assert_int_equal(add(l, "h", ET_HARDLINK, "lib/x"), 0);
	assert_string_equal(layer_find(l, "h")->link, "usr/lib/x");
	assert_int_equal(layer_find(l, "usr/lib/x")->linked, 1);
	assert_int_equal(add(l, "h2", ET_HARDLINK, "/etc/shadow"), -EINVAL);
	assert_int_equal(add(l, "h3", ET_HARDLINK, "nothere"), -EINVAL);
	assert_int_equal(add(l, "h4", ET_HARDLINK, "usr"), -EINVAL);
	layer_free(l);
}

static void test_whiteout_oci(void **st)
{
	struct layer *l = layer_new("t.tar");
	struct entry *e;
	char *n;

	(void)st;
	assert_int_equal(add(l, "etc/.wh.passwd", ET_FILE, NULL), 0);
	assert_int_equal(add(l, "opq/.wh..wh..opq", ET_FILE, NULL), 0);
	assert_int_equal(add(l, ".wh..wh.plnk", ET_DIR, NULL), 0); /* dropped */
	assert_int_equal(add(l, "etc/.wh.", ET_FILE, NULL), -EINVAL);
	e = layer_find_del(l, "etc/passwd");
	assert_non_null(e);
	assert_int_equal(e->type, ET_WHITEOUT);
	e = layer_find_del(l, "opq");
	assert_non_null(e);
	assert_int_equal(e->type, ET_OPAQUE);
	assert_int_equal(l->n, 2);
	/* and back */
	n = whiteout_oci_name(layer_find_del(l, "etc/passwd"));
	assert_string_equal(n, "etc/.wh.passwd");
	free(n);
	n = whiteout_oci_name(layer_find_del(l, "opq"));
	assert_string_equal(n, "opq/.wh..wh..opq");
	free(n);
	layer_free(l);
}

static void test_whiteout_dellist(void **st)
{
	static const char want[] = DELETIONS_MAGIC "wetc/passwd\0oopq\0wz\0";
	struct layer *l = layer_new("t.tar"), *back = layer_new("back");
	unsigned char *buf;
	size_t len;

	(void)st;
	assert_int_equal(add(l, "z", ET_FILE, NULL), 0);
	assert_int_equal(add(l, ".wh.z", ET_FILE, NULL), 0);
	assert_int_equal(add(l, "opq/.wh..wh..opq", ET_FILE, NULL), 0);
	assert_int_equal(add(l, "etc/.wh.passwd", ET_FILE, NULL), 0);
	assert_int_equal(dellist_build(l, &buf, &len), 0);
	assert_int_equal(len, sizeof want - 1);
	assert_memory_equal(buf, want, len);
	assert_int_equal(dellist_parse(buf, len, back), 0);
	assert_int_equal(back->n, 3);
	assert_int_equal(layer_find_del(back, "opq")->type, ET_OPAQUE);
	assert_int_equal(layer_find_del(back, "etc/passwd")->type, ET_WHITEOUT);
	free(buf);
	assert_int_equal(dellist_parse((const unsigned char *)"nope\n", 5, back), -EINVAL);
	layer_free(l);
	layer_free(back);
	/* a layer without deletions has no list */
	l = layer_new("x");
	assert_int_equal(add(l, "a", ET_FILE, NULL), 0);
	assert_int_equal(dellist_build(l, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_null(buf);
	layer_free(l);
}

static void test_whiteout_overlay(void **st)
{
	struct stat s = {0};

	(void)st;
	s.st_mode = S_IFCHR;
	s.st_rdev = 0;
	assert_true(whiteout_is_overlay_dev(&s));
	s.st_rdev = makedev(1, 3);
	assert_false(whiteout_is_overlay_dev(&s));
	assert_true(whiteout_is_opaque_xattr("trusted.overlay.opaque", "y", 1));
	assert_true(whiteout_is_opaque_xattr("user.overlay.opaque", "y", 1));
	assert_false(whiteout_is_opaque_xattr("trusted.overlay.opaque", "n", 1));
	assert_false(whiteout_is_opaque_xattr("user.other", "y", 1));
	assert_true(whiteout_is_overlay_xattr("trusted.overlay.origin"));
	assert_false(whiteout_is_overlay_xattr("security.capability"));
}

static void test_json_docs(void **st)
{
	const char *ids[] = {"sha256:aa"}, *by[] = {"mkrootfs test"};
	struct image_spec s = {
	    .arch = "amd64", .os = "linux", .epoch = 0, .nlayers = 1, .cmd_set = 1};
	struct descriptor cfg = {MT_CONFIG, "sha256:cc", 10},
			  lay = {"application/vnd.oci.image.layer.v1.tar+gzip", "sha256:dd", 20},
			  man = {MT_MANIFEST, "sha256:ee", 30};
	char *hexes[] = {"dd"};
	json_t *j;
	char *txt;

	(void)st;
	s.diff_ids = ids;
	s.created_by = by;
	strlist_add(&s.entrypoint, "/tinyinit");
	strlist_add(&s.entrypoint, "--");
	strlist_add(&s.entrypoint, "/app");
	strlist_add(&s.env, "A=1");
	strlist_add(&s.labels, "k=v");
	j = oci_config(&s);
	txt = json_canon(j, NULL);
	assert_string_equal(
	    txt,
	    "{\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/tinyinit\",\"--\",\"/"
	    "app\"],"
	    "\"Env\":[\"A=1\"],\"Labels\":{\"k\":\"v\"}},\"created\":\"1970-01-01T00:00:00Z\","
	    "\"history\":[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"mkrootfs test\"}],"
	    "\"os\":\"linux\",\"rootfs\":{\"diff_ids\":[\"sha256:aa\"],\"type\":\"layers\"}}");
	free(txt);
	json_decref(j);
	/* a base config: Env merged by key, other fields kept */
	s.base = json_loads("{\"config\":{\"Env\":[\"A=0\",\"B=2\"],\"ExposedPorts\":{\"80/"
			    "tcp\":{}},\"Cmd\":[\"sh\"]}}",
			    0, NULL);
	j = oci_config(&s);
	txt = json_canon(json_object_get(j, "config"), NULL);
	assert_string_equal(
	    txt, "{\"Entrypoint\":[\"/tinyinit\",\"--\",\"/app\"],\"Env\":[\"A=1\",\"B=2\"],"
		 "\"ExposedPorts\":{\"80/tcp\":{}},\"Labels\":{\"k\":\"v\"}}");
	free(txt);
	json_decref(j);
	json_decref(s.base);
	j = oci_manifest(&cfg, &lay, 1);
	txt = json_canon(j, NULL);
	assert_string_equal(
	    txt,
	    "{\"config\":{\"digest\":\"sha256:cc\",\"mediaType\":\"application/"
	    "vnd.oci.image.config.v1+json\",\"size\":10},"
	    "\"layers\":[{\"digest\":\"sha256:dd\",\"mediaType\":\"application/"
	    "vnd.oci.image.layer.v1.tar+gzip\",\"size\":20}],"
	    "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"schemaVersion\":2}");
	free(txt);
	json_decref(j);
	j = oci_index(&man, "docker.io/library/app:latest", "latest");
	txt = json_canon(j, NULL);
	assert_non_null(strstr(
	    txt, "\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/app:latest\","
		 "\"org.opencontainers.image.ref.name\":\"latest\"}"));
	free(txt);
	json_decref(j);
	j = docker_manifest("cc", "app:latest", hexes, 1);
	txt = json_canon(j, NULL);
	assert_string_equal(txt, "[{\"Config\":\"blobs/sha256/cc\",\"Layers\":[\"blobs/sha256/"
				 "dd\"],\"RepoTags\":[\"app:latest\"]}]");
	free(txt);
	json_decref(j);
	/* text that is not UTF-8: refused by name, never a member left out */
	assert_int_equal(oci_check_spec(&s), 0);
	strlist_add(&s.cmd, "ok");
	strlist_add(&s.cmd, "x\xffy");
	assert_int_equal(oci_check_spec(&s), -EILSEQ);
	assert_non_null(strstr(err_text(), "argument x?y: not valid UTF-8"));
	strlist_free(&s.cmd);
	s.workdir = "/caf\xc3\xa9"; /* UTF-8 */
	assert_int_equal(oci_check_spec(&s), 0);
	s.user = "\xed\xa0\x80"; /* a surrogate */
	assert_int_equal(oci_check_spec(&s), -EILSEQ);
	s.user = NULL;
	by[0] = "mkrootfs --layer /l\xe9";
	j = oci_config(&s);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "history"), 0), "created_by")),
			    "mkrootfs --layer /l?");
	json_decref(j);
	strlist_free(&s.entrypoint);
	strlist_free(&s.env);
	strlist_free(&s.labels);
}

/* keymap: hardlink bookkeeping; keys that share one half stay apart, a
 * second put replaces, the table grows without losing anything. */
static void test_keymap(void **st)
{
	struct keymap m = {0};
	uint64_t v = 7;

	(void)st;
	assert_int_equal(keymap_get(&m, 1, 2, &v), 0);
	assert_int_equal(v, 7);
	for (uint64_t i = 0; i < 20000; i++) {
		assert_int_equal(keymap_put(&m, i % 100, i / 100, i), 0);
		assert_int_equal(keymap_put(&m, i, UINT64_MAX - i, i + 1), 0);
	}
	assert_int_equal(m.n, 40000);
	for (uint64_t i = 0; i < 20000; i++) {
		assert_int_equal(keymap_get(&m, i % 100, i / 100, &v), 1);
		assert_int_equal(v, i);
		assert_int_equal(keymap_get(&m, i, UINT64_MAX - i, &v), 1);
		assert_int_equal(v, i + 1);
	}
	assert_int_equal(keymap_get(&m, 100, 0, &v), 0);
	assert_int_equal(keymap_put(&m, 5, 0, 99), 0);
	assert_int_equal(m.n, 40000);
	assert_int_equal(keymap_get(&m, 5, 0, &v), 1);
	assert_int_equal(v, 99);
	keymap_free(&m);
	assert_int_equal(keymap_get(&m, 5, 0, &v), 0);
}

static void test_refs(void **st)
{
	char *full, *fam, *tag;

	(void)st;
	assert_int_equal(ref_parse("hello", &full, &fam, &tag), 0);
	assert_string_equal(full, "docker.io/library/hello:latest");
	assert_string_equal(fam, "hello:latest");
	assert_string_equal(tag, "latest");
	free(full), free(fam), free(tag);
	assert_int_equal(ref_parse("localhost:5000/a/b:v1.2", &full, &fam, &tag), 0);
	assert_string_equal(full, "localhost:5000/a/b:v1.2");
	assert_string_equal(tag, "v1.2");
	free(full), free(fam), free(tag);
	assert_int_equal(ref_parse("Hello:1", &full, &fam, &tag), -EINVAL);
	assert_int_equal(ref_parse("a:", &full, &fam, &tag), -EINVAL);
	assert_int_equal(ref_parse("a..b", &full, &fam, &tag), -EINVAL);
	full = ref_from_basename("My_App.v2");
	assert_string_equal(full, "my-app-v2");
	free(full);
}

/* A minimal ELF64 executable header with optional PT_INTERP. */
static size_t make_elf(unsigned char *b, unsigned machine, const char *interp)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	Elf64_Phdr *ph = (Elf64_Phdr *)(b + sizeof *eh);
	size_t off = sizeof *eh + sizeof *ph;

	memset(b, 0, 512);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = (Elf64_Half)machine;
	eh->e_phoff = sizeof *eh;
	eh->e_phentsize = sizeof *ph;
	eh->e_phnum = 1;
	ph->p_type = interp ? PT_INTERP : PT_NOTE;
	ph->p_offset = off;
	if (interp)
		strcpy((char *)b + off, interp);
	return off + 64;
}

static void test_elf(void **st)
{
	unsigned char b[512];
	struct elf_info e;
	const char *why = NULL;
	size_t n;

	(void)st;
	n = make_elf(b, EM_X86_64, NULL);
	assert_int_equal(elf_parse(b, n, &e, &why), 0);
	assert_string_equal(e.arch, "amd64");
	assert_null(e.interp);
	elf_free(&e);
	n = make_elf(b, EM_AARCH64, "/lib/ld-linux-aarch64.so.1");
	assert_int_equal(elf_parse(b, n, &e, &why), 0);
	assert_string_equal(e.arch, "arm64");
	assert_string_equal(e.variant, "v8");
	assert_string_equal(e.interp, "/lib/ld-linux-aarch64.so.1");
	elf_free(&e);
	assert_int_equal(
	    elf_parse((const unsigned char *)"#!/bin/sh\necho hi\n"
					     "0123456789012345678901234567890123456789",
		      58, &e, &why),
	    -ENOEXEC);
	assert_string_equal(why, "is not an ELF executable");
	n = make_elf(b, EM_X86_64, NULL);
	((Elf64_Ehdr *)b)->e_type = ET_REL;
	assert_int_equal(elf_parse(b, n, &e, &why), -ENOEXEC);
	assert_string_equal(why, "is an ELF file but not an executable");
	n = make_elf(b, EM_X86_64, NULL);
	assert_int_equal(elf_parse(b, 40, &e, &why), -ENOEXEC);
	n = make_elf(b, 0x1234, NULL);
	assert_int_equal(elf_parse(b, n, &e, &why), -ENOEXEC);
	assert_string_equal(why, "is an ELF executable for an unknown machine");
}

struct memsink {
	struct sink s;
	unsigned char buf[8192];
	size_t len;
};

static int mem_write(struct sink *s, const void *b, size_t n)
{
	struct memsink *m = (struct memsink *)s;

	memcpy(m->buf + m->len, b, n);
	m->len += n;
	return 0;
}

static void test_tar_header(void **st)
{
	struct memsink m = {{mem_write}, {0}, 0};
	char longname[300];
	struct tar_meta t = {.name = "a/b", .type = '0', .mode = 0644, .size = 3};

	(void)st;
	assert_int_equal(tar_header(&m.s, &t), 0);
	assert_int_equal(m.len, 512); /* no pax header for a short ASCII name */
	assert_string_equal((char *)m.buf, "a/b");
	assert_memory_equal(m.buf + 257,
			    "ustar\0"
			    "00",
			    8);
	/* 150 bytes with a '/': ustar's prefix field, still no pax */
	memset(longname, 'x', 150);
	longname[60] = '/';
	longname[150] = 0;
	m.len = 0;
	t.name = longname;
	assert_int_equal(tar_header(&m.s, &t), 0);
	assert_int_equal(m.len, 512);
	/* 280 bytes: a pax header */
	memset(longname, 'y', 280);
	longname[280] = 0;
	m.len = 0;
	assert_int_equal(tar_header(&m.s, &t), 0);
	assert_int_equal(m.len, 512 * 3);
	assert_int_equal(m.buf[156], 'x');
	assert_non_null(memmem(m.buf + 512, 512, " path=yyyy", 10));
	/* non-ASCII: pax with the UTF-8 name */
	m.len = 0;
	t.name = "caf\xc3\xa9";
	assert_int_equal(tar_header(&m.s, &t), 0);
	assert_int_equal(m.len, 512 * 3);
	assert_non_null(memmem(m.buf + 512, 512, "14 path=caf\xc3\xa9\n", 14));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digest),
	    cmocka_unit_test(test_path_lexical),
	    cmocka_unit_test(test_path_clean),
	    cmocka_unit_test(test_path_helpers),
	    cmocka_unit_test(test_layer_checks),
	    cmocka_unit_test(test_whiteout_oci),
	    cmocka_unit_test(test_whiteout_dellist),
	    cmocka_unit_test(test_whiteout_overlay),
	    cmocka_unit_test(test_json_docs),
	    cmocka_unit_test(test_keymap),
	    cmocka_unit_test(test_refs),
	    cmocka_unit_test(test_elf),
	    cmocka_unit_test(test_tar_header),
	};

	return cmocka_run_group_tests_name("mkrootfs", tests, NULL, NULL);
}
