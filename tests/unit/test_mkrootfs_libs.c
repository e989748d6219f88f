/* Unit tests for --copy-libs placement (mkrootfs/libs.c view_place): a
 * path lands through the symlinks of the layers beneath, never over them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
/* the project's headers first: cmocka defines a fail() macro */
#include "err.h"
#include "layer.h"
#include "libs.h"
#include <cmocka.h>

static void put(struct layer *l, const char *path, enum etype t, const char *link)
{
	struct entry *e = entry_new(path, t);

	assert_non_null(e);
	e->mode = t == ET_DIR ? 0755 : 0644;
	if (link)
		e->link = strdup(link);
	assert_int_equal(layer_add(l, "test", e, LA_OCI_WHITEOUTS), 0);
}

static char *placed(struct layer *const *lower, size_t n, const struct layer *top, const char *p)
{
	char *out = NULL;

	return view_place(lower, n, top, p, &out) == 0 ? out : strdup("(error)");
}

#define PLACED(want, lower, n, top, p)                                                             \
	do {                                                                                       \
		char *got_ = placed(lower, n, top, p);                                             \
		assert_string_equal(got_, want);                                                   \
		free(got_);                                                                        \
	} while (0)

static void test_merged_usr(void **state)
{
	struct layer *base = layer_new("base"), *mid = layer_new("mid"), *top = layer_new("app");
	struct layer *lower[2] = {base, mid};

	(void)state;
	put(base, "usr", ET_DIR, NULL);
	put(base, "usr/lib", ET_DIR, NULL);
	put(base, "lib", ET_SYMLINK, "usr/lib");
	put(base, "lib64", ET_SYMLINK, "/usr/lib64"); /* absolute: from the root */
	put(base, "usr/bin", ET_DIR, NULL);
	put(base, "bin", ET_SYMLINK, "usr/bin");
	put(base, "opt", ET_SYMLINK, "srv");
	put(base, "sbin", ET_SYMLINK, "usr/sbin");
	/* no symlink at all: unchanged */
	PLACED("etc/x", lower, 1, top, "/etc/x");
	PLACED("usr/lib/x86_64-linux-gnu/libc.so.6", lower, 1, top,
	       "/lib/x86_64-linux-gnu/libc.so.6");
	PLACED("usr/lib64/ld-linux-x86-64.so.2", lower, 1, top, "/lib64/ld-linux-x86-64.so.2");
	/* ".." is physical: /bin/../lib is /usr/lib */
	PLACED("usr/lib/libfoo.so", lower, 1, top, "/bin/../lib/libfoo.so");
	/* the last component is what is placed, even when it is a symlink */
	PLACED("lib", lower, 1, top, "/lib");
	/* a later layer deletes the symlink: a directory may go there */
	put(mid, ".wh.opt", ET_FILE, NULL);
	PLACED("opt/app", lower, 2, top, "/opt/app");
	PLACED("srv/app", lower, 1, top, "/opt/app");
	/* the top layer's own symlinks count too, and win */
	put(top, "sbin", ET_SYMLINK, "bin");
	PLACED("usr/bin/tool", lower, 2, top, "/sbin/tool");
	layer_free(base);
	layer_free(mid);
	layer_free(top);
}

static void test_refusals(void **state)
{
	struct layer *base = layer_new("base");
	char *out = NULL;

	(void)state;
	put(base, "a", ET_SYMLINK, "b");
	put(base, "b", ET_SYMLINK, "a");
	put(base, "f", ET_FILE, NULL);
	assert_int_equal(view_place(&base, 1, NULL, "/a/x", &out), -ELOOP);
	assert_null(out);
	assert_non_null(strstr(err_text(), "too many symlinks"));
	assert_int_equal(view_place(&base, 1, NULL, "/f/x", &out), -ENOTDIR);
	assert_non_null(strstr(err_text(), "/f is not a directory"));
	assert_int_equal(view_place(&base, 1, NULL, "/", &out), -EINVAL);
	layer_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merged_usr),
	    cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
