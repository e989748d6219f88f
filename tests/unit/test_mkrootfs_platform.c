/* Unit tests for mkrootfs/platform.c: ELF -> OCI platform, the
 * OS/ARCH/VARIANT spelling, matching descriptors and configs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* the project's headers first: cmocka defines a fail() macro */
#include "err.h"
#include "platform.h"
#include <cmocka.h>

static void test_of_elf(void **st)
{
	struct elf_info e = {.arch = "arm64", .variant = "v8"};
	struct platform p;
	char buf[64];

	(void)st;
	platform_of_elf(&e, &p);
	assert_string_equal(platform_str(&p, buf, sizeof buf), "linux/arm64/v8");
	e.arch = "amd64";
	e.variant = NULL;
	platform_of_elf(&e, &p);
	assert_string_equal(platform_str(&p, buf, sizeof buf), "linux/amd64");
	/* this very program */
	assert_int_equal(platform_of_file("/proc/self/exe", &p), 0);
#if defined(__x86_64__)
	assert_string_equal(platform_str(&p, buf, sizeof buf), "linux/amd64");
#elif defined(__aarch64__)
	assert_string_equal(platform_str(&p, buf, sizeof buf), "linux/arm64/v8");
#endif
	assert_int_equal(platform_of_file("/etc/passwd", &p), -ENOEXEC);
	assert_string_equal(err_text(), "/etc/passwd is not an ELF executable");
}

static void test_parse(void **st)
{
	struct platform p;
	char buf[64];

	(void)st;
	assert_int_equal(platform_parse("linux/arm/v7", &p), 0);
	assert_string_equal(p.os, "linux");
	assert_string_equal(p.architecture, "arm");
	assert_string_equal(p.variant, "v7");
	assert_int_equal(platform_parse("linux/amd64", &p), 0);
	assert_string_equal(platform_str(&p, buf, sizeof buf), "linux/amd64");
	assert_string_equal(p.variant, "");
	assert_int_equal(platform_parse("amd64", &p), -EINVAL);
	assert_string_equal(err_text(), "--platform amd64: use OS/ARCH[/VARIANT] (linux/arm64/v8)");
	assert_int_equal(platform_parse("linux//v7", &p), -EINVAL);
	assert_int_equal(platform_parse("linux/arm/v7/x", &p), -EINVAL);
	assert_int_equal(platform_parse("linux/arm/", &p), -EINVAL);
	assert_int_equal(platform_parse("Linux/amd64", &p), -EINVAL);
	assert_int_equal(platform_parse("linux/averyveryverylongarchitecture", &p), -EINVAL);
}

static void test_matches(void **st)
{
	struct platform p;
	json_t *o;

	(void)st;
	assert_int_equal(platform_parse("linux/arm64", &p), 0);
	o = json_pack("{s:s,s:s,s:s}", "os", "linux", "architecture", "arm64", "variant", "v8");
	assert_true(platform_matches(&p, o));
	json_decref(o);
	o = json_pack("{s:s,s:s}", "os", "linux", "architecture", "arm64");
	assert_true(platform_matches(&p, o));
	json_decref(o);
	o = json_pack("{s:s,s:s}", "os", "linux", "architecture", "amd64");
	assert_false(platform_matches(&p, o));
	json_decref(o);
	o = json_pack("{s:s,s:s}", "os", "unknown", "architecture", "unknown"); /* attestations */
	assert_false(platform_matches(&p, o));
	json_decref(o);
	assert_int_equal(platform_parse("linux/arm/v7", &p), 0);
	o = json_pack("{s:s,s:s,s:s}", "os", "linux", "architecture", "arm", "variant", "v6");
	assert_false(platform_matches(&p, o));
	json_decref(o);
	o = platform_json(&p);
	assert_string_equal(json_string_value(json_object_get(o, "variant")), "v7");
	assert_true(platform_matches(&p, o));
	json_decref(o);
	assert_false(platform_matches(&p, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_of_elf),
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
