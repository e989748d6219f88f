/* Unit tests for mkrootfs/essentials.c: --user names resolved against the
 * essentials' users, the files and owners --essentials adds, and that
 * files already in the layer win. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
/* the project's headers first: cmocka defines a fail() macro */
#include "err.h"
#include "essentials.h"
#include "layer.h"
#include <cmocka.h>

static void user_is(const char *in, const char *want)
{
	char *out = NULL;

	assert_int_equal(essentials_user(in, &out), 0);
	assert_string_equal(out, want);
	free(out);
}

static void test_user(void **st)
{
	char *out = (char *)"x";

	(void)st;
	user_is("nonroot", "65532:65532");
	user_is("root", "0:0");
	user_is("nonroot:root", "65532:0");
	user_is("1000", "1000");
	user_is("1000:nonroot", "1000:65532");
	user_is("0:0", "0:0");
	assert_int_equal(essentials_user("daemon", &out), -EINVAL);
	assert_null(out);
	assert_non_null(strstr(err_text(), "daemon is not a user"));
	err_clear();
	assert_int_equal(essentials_user("nonroot:wheel", &out), -EINVAL);
	err_clear();
	assert_int_equal(essentials_user("nonrootx", &out), -EINVAL);
	err_clear();
	assert_int_equal(essentials_user("12x", &out), -EINVAL);
	err_clear();
}

static char *mem_of(const struct entry *e)
{
	char *s = malloc(e->size + 1);

	assert_non_null(s);
	memcpy(s, e->mem, e->size);
	s[e->size] = 0;
	return s;
}

static void test_add(void **st)
{
	char tmpl[] = "/tmp/ess-unit-XXXXXX";
	int fd = mkstemp(tmpl);
	static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
	struct essentials e = {.on = 1, .ca = tmpl};
	struct layer *l = layer_new("t");
	unsigned char *mine = (unsigned char *)strdup("me:x:1:1::/:/x\n");
	struct entry *x;
	char *s;

	(void)st;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, pem, sizeof pem - 1), (ssize_t)(sizeof pem - 1));
	close(fd);
	assert_non_null(l);
	/* a file already there (an --add) wins */
	assert_int_equal(layer_add_parents(l, "etc/group"), 0);
	assert_int_equal(layer_add_mem(l, "t", "etc/group", mine, 15), 0);
	assert_int_equal(essentials_add(&e, l), 0);
	x = layer_find(l, "etc/passwd");
	assert_non_null(x);
	s = mem_of(x);
	assert_non_null(strstr(s, "\nnonroot:x:65532:65532:nonroot:/home/nonroot:"));
	assert_int_equal(strncmp(s, "root:x:0:0:", 11), 0);
	free(s);
	s = mem_of(layer_find(l, "etc/group"));
	assert_string_equal(s, "me:x:1:1::/:/x\n");
	free(s);
	assert_non_null(layer_find(l, "etc/nsswitch.conf"));
	x = layer_find(l, ESS_CA_PATH);
	assert_non_null(x);
	assert_int_equal(x->size, sizeof pem - 1);
	assert_int_equal(x->uid, 0);
	assert_int_equal(x->mode, 0644);
	x = layer_find(l, "tmp");
	assert_int_equal(x->type, ET_DIR);
	assert_int_equal(x->mode, 01777);
	x = layer_find(l, "home/nonroot");
	assert_int_equal(x->uid, NONROOT_ID);
	assert_int_equal(x->gid, NONROOT_ID);
	assert_int_equal(x->mode, 0700);
	assert_null(layer_find(l, "usr/share/zoneinfo"));
	layer_free(l);

	/* a bundle with no certificate in it */
	fd = open(tmpl, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello\n", 6), 6);
	close(fd);
	l = layer_new("t");
	assert_int_equal(essentials_add(&e, l), -EINVAL);
	assert_non_null(strstr(err_text(), "not a CA bundle"));
	err_clear();
	layer_free(l);
	unlink(tmpl);
}

static void test_tzdata(void **st)
{
	char dir[] = "/tmp/ess-tz-XXXXXX";
	struct essentials e = {.tzdata = 1, .tzdir = dir};
	struct layer *l = layer_new("t");
	char path[64];
	FILE *f;

	(void)st;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/UTC", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("TZif", f);
	fclose(f);
	assert_int_equal(essentials_add(&e, l), 0);
	assert_non_null(layer_find(l, "usr/share/zoneinfo/UTC"));
	assert_int_equal(layer_find(l, "usr/share/zoneinfo/UTC")->uid, 0);
	assert_null(layer_find(l, "etc/passwd")); /* --tzdata alone */
	layer_free(l);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_user),
	    cmocka_unit_test(test_add),
	    cmocka_unit_test(test_tzdata),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
