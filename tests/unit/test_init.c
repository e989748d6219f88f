/* Unit tests of tinyinit's pure parts: options and environment, signal
 * names, rewrite tables, exit-status mapping and the message formatter. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

/* The formatter tests feed it malformed formats on purpose. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"

#include <sys/mount.h>

#include "../../init/cmdline.h"
#include "../../init/config.h"
#include "../../init/fmt.h"
#include "../../init/layers.h"
#include "../../init/steps.h"

static int parse(struct config *c, char *err, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	config_init(c);
	return config_args(c, argc, argv, err, 256);
}

#define ARGV(...) ((char *[]){"tinyinit", __VA_ARGS__, NULL})

static void test_args_basic(void **state)
{
	struct config c;
	char err[256];
	(void)state;

	assert_int_equal(parse(&c, err, ARGV("-s", "-g", "prog", "-v", "x")), CFG_RUN);
	assert_true(c.subreaper && c.kill_group);
	assert_int_equal(c.verbose, 0); /* -v after the program belongs to it */
	assert_string_equal(c.argv[0], "prog");
	assert_string_equal(c.argv[1], "-v");
	assert_string_equal(c.argv[2], "x");
	assert_null(c.argv[3]);

	assert_int_equal(parse(&c, err, ARGV("-vvv", "--", "-prog")), CFG_RUN);
	assert_int_equal(c.verbose, 3);
	assert_string_equal(c.argv[0], "-prog");
}

static void test_args_values(void **state)
{
	struct config c;
	char err[256];
	(void)state;

	assert_int_equal(
	    parse(&c, err,
		  ARGV("-e3", "-e", "4", "--expect=5,6", "--grace", "7", "-p", "SIGKILL", "p")),
	    CFG_RUN);
	for (int code = 0; code < 256; code++) {
		int listed = code >= 3 && code <= 6;
		assert_int_equal(exit_status(&c, W_EXITCODE(code, 0)), listed ? 0 : code);
	}
	assert_int_equal(c.grace, 7);
	assert_int_equal(c.pdeath_signal, SIGKILL);

	assert_int_equal(parse(&c, err, ARGV("--grace=2", "-gvp", "HUP", "p")), CFG_RUN);
	assert_int_equal(c.grace, 2);
	assert_int_equal(c.pdeath_signal, SIGHUP);
	assert_true(c.kill_group);
	assert_int_equal(c.verbose, 1);
}

static void test_args_errors(void **state)
{
	struct config c;
	char err[256];
	(void)state;

	assert_int_equal(parse(&c, err, ARGV("--nope", "p")), -EINVAL);
	assert_string_equal(err, "unknown option --nope");
	assert_int_equal(parse(&c, err, ARGV("-x", "p")), -EINVAL);
	assert_string_equal(err, "unknown option -x");
	assert_int_equal(parse(&c, err, ARGV("--grace", "soon", "p")), -EINVAL);
	assert_string_equal(err, "--grace: 'soon' is not a number of seconds");
	assert_int_equal(parse(&c, err, ARGV("-e", "256", "p")), -EINVAL);
	assert_int_equal(parse(&c, err, ARGV("-e", "1,,2", "p")), -EINVAL);
	assert_int_equal(parse(&c, err, ARGV("-p", "SIGNOPE", "p")), -EINVAL);
	assert_string_equal(err, "--pdeath-signal: 'SIGNOPE' is not a signal name or number");
	assert_int_equal(parse(&c, err, ARGV("--grace")), -EINVAL);
	assert_string_equal(err, "--grace needs a value");
	assert_int_equal(parse(&c, err, ARGV("-v")), -EINVAL);
	assert_string_equal(err, "no program given");
	assert_int_equal(parse(&c, err, ARGV("-P", "p")), -EINVAL);
	assert_int_equal(parse(&c, err, ARGV("--rewrite", "TERM", "p")), -EINVAL);
	assert_int_equal(parse(&c, err, ARGV("--rewrite", "TERM:NOPE", "p")), -EINVAL);
	assert_int_equal(parse(&c, err, ARGV("--rewrite", "0:TERM", "p")), -EINVAL);
}

static void test_args_help_version(void **state)
{
	struct config c;
	char err[256];
	(void)state;

	assert_int_equal(parse(&c, err, ARGV("--help")), CFG_HELP);
	assert_int_equal(parse(&c, err, ARGV("-h", "p")), CFG_HELP);
	assert_int_equal(parse(&c, err, ARGV("--version")), CFG_VERSION);
	assert_int_equal(parse(&c, err, ARGV("-P")), CFG_RUN);
	assert_true(c.pause);
	assert_null(c.argv);
	/* Every option is in the help, and the variables' rule with examples. */
	static const char *const want[] = {
	    "--subreaper",	"--kill-group",	  "--pdeath-signal",
	    "--expect",		"--rewrite",	  "--grace",
	    "--pause",		"--verbose",	  "--layers",
	    "--no-rootfs",	"--upper ",	  "--upper-size",
	    "--dry-run",	"--workdir",	  "--env",
	    "--user",		"--no-new-privs", "--on-exit",
	    "--help",		"--version",	  "TINYINIT_KILL_GROUP",
	    "TINYINIT_VERBOSE", "TINYINIT_GRACE", "TINYINIT_REWRITE",
	    "TINYINIT_EXPECT"};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_non_null(strstr(help_text, want[i]));
}

static void test_env(void **state)
{
	struct config c;
	char err[256];
	char *env[] = {"PATH=/bin",
		       "TINYINIT_KILL_GROUP=1",
		       "TINYINIT_VERBOSE=2",
		       "TINYINIT_EXPECT=9,10",
		       "TINYINIT_REWRITE=TERM:INT,USR1:0",
		       "TINYINIT_GRACE=3",
		       "TINYINIT_PDEATH_SIGNAL=9",
		       "TINYINIT_UNKNOWN_THING=1",
		       "TINYINIT_PAUSE=no",
		       NULL};
	(void)state;

	config_init(&c);
	assert_int_equal(config_env(&c, env, err, sizeof err), 0);
	assert_true(c.kill_group);
	assert_int_equal(c.verbose, 2);
	assert_int_equal(exit_status(&c, W_EXITCODE(10, 0)), 0);
	assert_int_equal(c.rewrite[SIGTERM], SIGINT);
	assert_int_equal(c.rewrite[SIGUSR1], 0);
	assert_int_equal(c.rewrite[SIGHUP], SIGHUP);
	assert_int_equal(c.grace, 3);
	assert_int_equal(c.pdeath_signal, 9);
	assert_false(c.pause);

	/* The command line adds to and overrides the environment. */
	char *argv[] = {"tinyinit", "-v", "--grace", "1", "p", NULL};
	assert_int_equal(config_args(&c, 5, argv, err, sizeof err), CFG_RUN);
	assert_int_equal(c.verbose, 3);
	assert_int_equal(c.grace, 1);

	char *bad[] = {"TINYINIT_KILL_GROUP=maybe", NULL};
	config_init(&c);
	assert_int_equal(config_env(&c, bad, err, sizeof err), -EINVAL);
	assert_string_equal(err, "TINYINIT_KILL_GROUP: 'maybe' is not 0 or 1");

	/* The kernel command line form uses the same names. */
	config_init(&c);
	assert_int_equal(config_set(&c, "tinyinit.kill_group", "kill_group", 10, "yes", err, 256),
			 0);
	assert_true(c.kill_group);
	assert_int_equal(config_set(&c, "tinyinit.nothing", "nothing", 7, "1", err, 256), -ENOENT);
	assert_int_equal(config_set(&c, "tinyinit.help", "help", 4, "1", err, 256), -ENOENT);
}

static void test_signames(void **state)
{
	char buf[12];
	(void)state;

	assert_int_equal(sig_parse("TERM", 0), SIGTERM);
	assert_int_equal(sig_parse("SIGTERM", 0), SIGTERM);
	assert_int_equal(sig_parse("sigterm", 0), SIGTERM);
	assert_int_equal(sig_parse("15", 0), 15);
	assert_int_equal(sig_parse("0", 0), -1);
	assert_int_equal(sig_parse("0", 1), 0);
	assert_int_equal(sig_parse("65", 0), -1);
	assert_int_equal(sig_parse("1000", 0), -1);
	assert_int_equal(sig_parse("", 0), -1);
	assert_int_equal(sig_parse("SIG", 0), -1);
	assert_int_equal(sig_parse("CLD", 0), SIGCHLD);
	assert_int_equal(sig_parse("IOT", 0), SIGABRT);
	assert_int_equal(sig_parse("RTMIN", 0), SIGRTMIN);
	assert_int_equal(sig_parse("RTMIN+2", 0), SIGRTMIN + 2);
	assert_int_equal(sig_parse("RTMAX-1", 0), SIGRTMAX - 1);
	assert_int_equal(sig_parse("RTMIN-1", 0), -1);
	assert_int_equal(sig_parse("RTMAX+1", 0), -1);
	assert_int_equal(sig_parse("RTMIN+99", 0), -1);
	assert_int_equal(sig_parse("TERMX", 0), -1);
	for (int s = 1; s < 32; s++)
		assert_int_equal(sig_parse(sig_name(s, buf), 0), s);
	assert_string_equal(sig_name(SIGUSR1, buf), "SIGUSR1");
	assert_string_equal(sig_name(SIGWINCH, buf), "SIGWINCH");
	assert_string_equal(sig_name(40, buf), "SIG40");
	assert_string_equal(sig_name(64, buf), "SIG64");
}

static void test_rewrite(void **state)
{
	struct config c;
	char err[256];
	(void)state;

	assert_int_equal(parse(&c, err,
			       ARGV("--rewrite", "TERM:QUIT", "--rewrite=2:0", "--rewrite",
				    "USR1:USR2,HUP:RTMIN", "p")),
			 CFG_RUN);
	for (int s = 0; s <= SIG_LAST; s++) {
		int want = s == SIGTERM	  ? SIGQUIT
			   : s == SIGINT  ? 0
			   : s == SIGUSR1 ? SIGUSR2
			   : s == SIGHUP  ? SIGRTMIN
					  : s;
		assert_int_equal(c.rewrite[s], want);
	}
}

static void test_exit_status(void **state)
{
	struct config c;
	(void)state;

	config_init(&c);
	assert_int_equal(exit_status(&c, W_EXITCODE(0, 0)), 0);
	assert_int_equal(exit_status(&c, W_EXITCODE(255, 0)), 255);
	assert_int_equal(exit_status(&c, W_EXITCODE(0, SIGTERM)), 128 + SIGTERM);
	assert_int_equal(exit_status(&c, W_EXITCODE(0, SIGKILL)), 137);
	c.expect[143 / 32] |= 1u << (143 % 32);
	assert_int_equal(exit_status(&c, W_EXITCODE(0, SIGTERM)), 0);
}

static void test_fmt(void **state)
{
	char buf[64];
	(void)state;

	assert_int_equal(fmt_buf(buf, sizeof buf, "a%sb%dc%u%%%x", "XY", -42, 7u, 255u), 12);
	assert_string_equal(buf, "aXYb-42c7%ff");
	fmt_buf(buf, sizeof buf, "%o %o", 0755u, 020666u);
	assert_string_equal(buf, "755 20666");
	fmt_buf(buf, sizeof buf, "%ld %lu %zu %c %s", -9000000000L, 18446744073709551615UL,
		(size_t)12, 'q', (char *)NULL);
	assert_string_equal(buf, "-9000000000 18446744073709551615 12 q (null)");
	fmt_buf(buf, sizeof buf, "%d", -2147483647 - 1);
	assert_string_equal(buf, "-2147483648");
	/* Truncation: never overruns, always terminates. */
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(fmt_buf(buf, 5, "%s", "abcdefgh"), 4);
	assert_string_equal(buf, "abcd");
	assert_int_equal(buf[5], 'Z');
	assert_int_equal(fmt_buf(buf, 1, "x"), 0);
	assert_string_equal(buf, "");
	fmt_buf(buf, sizeof buf, "trailing %");
	assert_string_equal(buf, "trailing ");
	fmt_buf(buf, sizeof buf, "%q");
	assert_string_equal(buf, "%q");
	assert_string_equal(errstr(ENOENT), "not found");
	assert_string_equal(errstr(EACCES), "permission denied");
	assert_string_equal(errstr(EAGAIN), "resource unavailable");
	assert_string_equal(errstr(200), "errno 200");
	assert_string_equal(chrnul("a:b", ':'), ":b");
	assert_string_equal(chrnul("ab", ':'), "");
	assert_int_equal(starts("TINYINIT_X=1", "TINYINIT_"), 9);
	assert_int_equal(starts("TINY", "TINYINIT_"), 0);
	assert_int_equal(starts("", "P"), 0);
	assert_int_equal(starts("PATH=/bin", "PATH="), 5);
}

static void test_rootfs_options(void **state)
{
	struct config c;
	char err[256];
	(void)state;

	assert_int_equal(parse(&c, err,
			       ARGV("--layers", "/l", "--upper=/v", "--upper-size", "64m",
				    "--dry-run", "-w", "/app", "--env", "A=1", "--env=B=x=y", "-u",
				    "1000:100", "--no-new-privs", "--no-rootfs", "p")),
			 CFG_RUN);
	assert_string_equal(c.layers, "/l");
	assert_string_equal(c.upper, "/v");
	assert_string_equal(c.upper_size, "64m");
	assert_string_equal(c.workdir, "/app");
	assert_true(c.dry_run && c.no_new_privs && c.no_rootfs);
	assert_int_equal(c.nenv, 2);
	assert_string_equal(c.env[1], "B=x=y");
	assert_int_equal(c.uid, 1000);
	assert_int_equal(c.gid, 100);

	assert_int_equal(parse(&c, err, ARGV("-u", "7", "p")), CFG_RUN);
	assert_int_equal(c.uid, 7);
	assert_int_equal(c.gid, -1);
	assert_int_equal(parse(&c, err, ARGV("p")), CFG_RUN);
	assert_int_equal(c.uid, -1);
	assert_null(c.layers);

	static const char *const bad_user[] = {"", ":1", "a", "1:", "1:b", "99999999999", "-1"};
	for (size_t i = 0; i < sizeof bad_user / sizeof bad_user[0]; i++) {
		char *argv[] = {"tinyinit", "--user", (char *)bad_user[i], "p", NULL};
		config_init(&c);
		assert_int_equal(config_args(&c, 4, argv, err, sizeof err), -EINVAL);
	}
	assert_string_equal(err, "--user: '-1' is not UID[:GID]");
	static const char *const bad_size[] = {"", "m", "1x", "1m,uid=0", "12%%", "-5"};
	for (size_t i = 0; i < sizeof bad_size / sizeof bad_size[0]; i++) {
		char *argv[] = {"tinyinit", "--upper-size", (char *)bad_size[i], "p", NULL};
		config_init(&c);
		assert_int_equal(config_args(&c, 4, argv, err, sizeof err), -EINVAL);
	}
	assert_int_equal(parse(&c, err, ARGV("--upper-size", "50%", "p")), CFG_RUN);
	assert_int_equal(parse(&c, err, ARGV("--env", "NOEQUALS", "p")), -EINVAL);
	assert_int_equal(parse(&c, err, ARGV("--env", "=v", "p")), -EINVAL);
	assert_int_equal(parse(&c, err, ARGV("--layers", "", "p")), -EINVAL);
	config_init(&c);
	for (int i = 0; i < ENV_MAX; i++)
		assert_int_equal(config_set(&c, "x", "env", 3, "K=V", err, sizeof err), 0);
	assert_int_equal(config_set(&c, "x", "env", 3, "K=V", err, sizeof err), -EINVAL);
}

static void test_mount_flags(void **state)
{
	char buf[200];
	(void)state;

	assert_string_equal(mount_flags(0, buf, sizeof buf), "0");
	assert_string_equal(mount_flags(MS_REC | MS_PRIVATE, buf, sizeof buf), "MS_REC|MS_PRIVATE");
	assert_string_equal(mount_flags(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_REMOUNT |
					    MS_BIND | MS_MOVE | MS_SLAVE | MS_STRICTATIME,
					buf, sizeof buf),
			    "MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND|MS_MOVE|"
			    "MS_SLAVE|MS_STRICTATIME");
}

#define LIST(recs) DELETIONS_MAGIC recs

static void test_deletions_check(void **state)
{
	(void)state;
	static const char good[] = LIST("wetc/passwd\0oetc/conf.d\0wa\0");
	assert_int_equal(deletions_check("x.del", good, sizeof good - 1), 3);
	assert_int_equal(deletions_check("x.del", DELETIONS_MAGIC, sizeof DELETIONS_MAGIC - 1), 0);

	static const struct {
		const char *buf;
		size_t len;
		const char *msg;
	} bad[] = {
	    {"", 0, "deletion list x.del: bad header"},
	    {"tinyinit-deletions 2\n", 21, "deletion list x.del: bad header"},
	    {LIST("wetc"), 25, "deletion list x.del: bad record at byte 21"},
	    {LIST("xetc\0"), 26, "deletion list x.del: bad record at byte 21"},
	    {LIST("w\0"), 23, "deletion list x.del: bad record at byte 21"},
	    {LIST("w/etc\0"), 27, "deletion list x.del: bad record at byte 21"},
	    {LIST("wa\0w../b\0"), 30, "deletion list x.del: bad record at byte 24"},
	    {LIST("wa/../b\0"), 29, "deletion list x.del: bad record at byte 21"},
	    {LIST("wa/./b\0"), 28, "deletion list x.del: bad record at byte 21"},
	    {LIST("wa//b\0"), 27, "deletion list x.del: bad record at byte 21"},
	    {LIST("wa/\0"), 25, "deletion list x.del: bad record at byte 21"},
	    {LIST("w.\0"), 24, "deletion list x.del: bad record at byte 21"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(deletions_check("x.del", bad[i].buf, bad[i].len), -EINVAL);
		assert_string_equal(errmsg, bad[i].msg);
	}
	/* A path of DEL_PATH_MAX bytes is fine, one more is not. */
	static char big[sizeof DELETIONS_MAGIC + DEL_PATH_MAX + 8];
	size_t m = sizeof DELETIONS_MAGIC - 1;
	memcpy(big, DELETIONS_MAGIC, m);
	big[m] = 'w';
	memset(big + m + 1, 'a', DEL_PATH_MAX);
	for (size_t k = 200; k < DEL_PATH_MAX; k += 201) /* components of 200 */
		big[m + 1 + k] = '/';
	big[m + 1 + DEL_PATH_MAX] = 0;
	assert_int_equal(deletions_check("x", big, m + DEL_PATH_MAX + 2), 1);
	big[m + 1 + DEL_PATH_MAX] = 'a';
	big[m + 2 + DEL_PATH_MAX] = 0;
	assert_int_equal(deletions_check("x", big, m + DEL_PATH_MAX + 3), -EINVAL);
	/* A component of 255 bytes is fine, 256 (longer than any file name) is not. */
	memset(big + m + 1, 'b', 256);
	big[m + 1 + 255] = 0;
	assert_int_equal(deletions_check("x", big, m + 257), 1);
	big[m + 1 + 255] = 'b';
	big[m + 1 + 256] = 0;
	assert_int_equal(deletions_check("x", big, m + 258), -EINVAL);
}

static void test_cmdline(void **state)
{
	struct config c;
	char err[256];
	(void)state;

	char line[] = "BOOT_IMAGE=/vmlinuz console=ttyS0 tinyinit.verbose=2 quiet "
		      "tinyinit.kill_group tinyinit.env=\"GREETING=hello world\" "
		      "\"tinyinit.workdir=/srv/my app\" tinyinit.on_exit=reboot "
		      "tinyinit.no-new-privs=yes -- tinyinit.grace=9 payload-arg\n";
	config_init(&c);
	assert_int_equal(cmdline_apply(&c, line, err, sizeof err), 0);
	assert_int_equal(c.verbose, 2);
	assert_true(c.kill_group);
	assert_true(c.no_new_privs);
	assert_int_equal(c.nenv, 1);
	assert_string_equal(c.env[0], "GREETING=hello world");
	assert_string_equal(c.workdir, "/srv/my app");
	assert_string_equal(c.on_exit, "reboot");
	assert_int_equal(c.grace, 0); /* after "--": the payload's, not ours */

	char bad[] = "tinyinit.grace=soon";
	config_init(&c);
	assert_int_equal(cmdline_apply(&c, bad, err, sizeof err), -EINVAL);
	assert_string_equal(err, "tinyinit.grace: 'soon' is not a number of seconds");

	char unknown[] = "tinyinit.bogus=1 tinyinit.grace=3";
	config_init(&c);
	assert_int_equal(cmdline_apply(&c, unknown, err, sizeof err), 0);
	assert_int_equal(c.grace, 3);

	char empty[] = "   \n";
	assert_int_equal(cmdline_apply(&c, empty, err, sizeof err), 0);
	char unterminated[] = "tinyinit.workdir=\"/a b";
	config_init(&c);
	assert_int_equal(cmdline_apply(&c, unterminated, err, sizeof err), 0);
	assert_string_equal(c.workdir, "/a b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_args_basic),	cmocka_unit_test(test_args_values),
	    cmocka_unit_test(test_args_errors), cmocka_unit_test(test_args_help_version),
	    cmocka_unit_test(test_env),		cmocka_unit_test(test_signames),
	    cmocka_unit_test(test_rewrite),	cmocka_unit_test(test_exit_status),
	    cmocka_unit_test(test_fmt),		cmocka_unit_test(test_rootfs_options),
	    cmocka_unit_test(test_mount_flags), cmocka_unit_test(test_deletions_check),
	    cmocka_unit_test(test_cmdline),
	};
	return cmocka_run_group_tests_name("tinyinit", tests, NULL, NULL);
}
