/* tinyinit: a static PID 1 that runs one payload and supervises it. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../include/version.h"
#include "config.h"
#include "embedded.h"
#include "fmt.h"
#include "net.h"
#include "rootfs.h"
#include "steps.h"
#include "supervise.h"
#include "vm.h"

#ifdef TINYINIT_NET
/* The network build, tinyinit-net, is a microVM's /init only (README
 * "Appliances"): no embedded archive, --help is the usage line. */
#define embedded_config(c, argc, argv) 0
#define help_text		       usage_text
#endif

extern char **environ;

/* Prints msg (when given) and ends: exits with status, or in a VM prints
 * the final line and powers off. */
static int finish(const struct config *c, int status, const char *msg)
{
	if (msg)
		say("%s", msg);
	if (c->vm)
		vm_end(c, status);
	return status;
}

int main(int argc, char **argv)
{
	static struct config c;
	struct inherit in;
	sigset_t all;
	char err[256];
	int rc, exec_err = 0, assembled;
	const char *step;

	/* Every signal is taken synchronously by the supervisor; blocked
	 * signals are queued even for a namespace's PID 1. All 64 of them:
	 * musl's sigfillset and sigprocmask leave out 32-34 (glibc's and
	 * docker's SIGRTMIN is 34), so the raw call with every bit set. */
	memset(&all, 0xff, sizeof all);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &in.mask, 8);

	config_init(&c);
	rc = config_env(&c, environ, err, sizeof err);
	c.vm = vm_detect();
#ifdef TINYINIT_NET
	if (!c.vm) {
		say("this is tinyinit-net, the /init of a microVM's initramfs: use tinyinit");
		return 2;
	}
#endif
	if (c.vm) {
		/* PID 1 of a VM never exits: every failure ends in vm_end(). */
		if (rc < 0)
			failure(0, "%s", err);
		else
			rc = vm_boot(&c, argc, argv);
		if (rc < 0)
			return finish(&c, 1, errmsg);
	} else {
		/* An archive in tinyinit's own file: OUT's argv is the payload's */
		int emb = rc ? 0 : embedded_config(&c, argc, argv);
		if (emb < 0)
			return finish(&c, 1, errmsg);
		if (rc == 0 && !emb)
			rc = config_args(&c, argc, argv, err, sizeof err);
		if (rc == CFG_HELP) {
			put(1, help_text);
			return 0;
		}
		if (rc == CFG_VERSION) {
			put(1, "tinyinit " PROJECT_VERSION "\n");
			return 0;
		}
		if (rc < 0) {
			say("%s", err);
			put(2, usage_text);
			return 1;
		}
	}
	verbosity = c.verbose;

	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		failure(errno, "cannot become a child subreaper (PR_SET_CHILD_SUBREAPER)");
		return finish(&c, 1, errmsg);
	}
	if (c.pdeath_signal && prctl(PR_SET_PDEATHSIG, c.pdeath_signal) < 0) {
		failure(errno, "cannot set the parent-death signal");
		return finish(&c, 1, errmsg);
	}
	/* An inherited SIG_IGN (or SA_NOCLDWAIT) on SIGCHLD would make the
	 * kernel reap our children before we see their status. */
	in.chld_ignored = sigchld_set(0);

	if (c.pause)
		return finish(&c, supervise(&c, 0), NULL);

	dry_run = c.dry_run;
	if (!c.no_rootfs && (rc = rootfs_assemble(&c)) < 0)
		return finish(&c, 1, errmsg);
	assembled = rc > 0;
	if (c.vm)
		net_setup(); /* in the root the payload sees: its /etc gets the resolver files */
	if (c.workdir && st_chdir(c.workdir) < 0) {
		say("--workdir %s: %s", c.workdir, errmsg);
		return finish(&c, 1, NULL);
	}
	if (c.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		failure(errno, "cannot set no_new_privs");
		return finish(&c, 1, errmsg);
	}
	/* CAP_SYS_ADMIN was for the assembly, not for the payload: out of the
	 * bounding set here, out of the other sets in the child. A VM's
	 * payload owns its machine and keeps it. */
	c.drop_admin = assembled && !c.keep_caps && !c.vm;
	if (dry_run) {
		say("dry run: would run %s%s%s", c.argv[0],
		    assembled ? " in the assembled root" : "",
		    c.drop_admin ? " without CAP_SYS_ADMIN" : "");
		return finish(&c, 0, NULL);
	}
	if (c.drop_admin && prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN_BIT) < 0) {
		failure(errno, "cannot drop CAP_SYS_ADMIN from the bounding set");
		return finish(&c, 1, errmsg);
	}
	pid_t pid = spawn(&c, &in, &exec_err, &step);
	if (c.exec_fd >= 0)
		close(c.exec_fd); /* the payload holds its own reference */
	if (pid < 0) {
		failure(-pid, "cannot start %s", c.argv[0]);
		return finish(&c, 1, errmsg);
	}
	if (exec_err)
		say("cannot run %s%s: %s%s%s", c.argv[0],
		    assembled ? " (in the assembled root)" : "", step ? step : "", step ? ": " : "",
		    errstr(exec_err));
	else
		LOG(1, "started %s as pid %d", c.argv[0], pid);
	return finish(&c, supervise(&c, pid), NULL);
}
