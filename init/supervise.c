/* The supervision loop: every signal is blocked and taken synchronously
 * with sigwaitinfo, so there are no handlers and no races. */
#include "supervise.h"

#include <errno.h>
#include <string.h>
#include <termios.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fmt.h"
#include "net.h"
#include "shutdown.h"

#define GRACE_KILL_WAIT 5 /* seconds for SIGKILLed processes to go */

/* Reaps every zombie that is ready (SIGCHLD coalesces). Returns 1 and sets
 * *status when one of them was the child. */
static int reap(pid_t child, int *status)
{
	int st, found = 0;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == child) {
			*status = st;
			found = 1;
		} else {
			LOG(2, "reaped pid %d", p);
		}
	}
	return found;
}

static void forward(const struct config *c, pid_t child, int sig)
{
	char a[12], b[12];
	int to = c->rewrite[sig];

	if (!to) {
		LOG(1, "dropping %s", sig_name(sig, a));
		return;
	}
	pid_t target = c->kill_group ? -child : child;
	LOG(1, "forwarding %s to %s %d", sig_name(to, b), c->kill_group ? "group" : "pid", child);
	if (kill(target, to) < 0 && errno != ESRCH)
		say("kill(%d, %s): %s", target, sig_name(to, a), errstr(errno));
}

/* Reaps every child until none is left (returns 0) or SECONDS pass
 * (returns 1). Only the alarm's own SIGALRM (SI_KERNEL) is the deadline:
 * one sent by someone else does not cut the wait short. */
static int drain(unsigned seconds)
{
	sigset_t set;
	siginfo_t si;
	int st;
	pid_t p;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGALRM);
	alarm(seconds);
	for (;;) {
		while ((p = waitpid(-1, &st, WNOHANG)) > 0)
			LOG(2, "reaped pid %d", p);
		if (p < 0) {
			alarm(0);
			return 0; /* ECHILD: all gone */
		}
		if (sigwaitinfo(&set, &si) == SIGALRM && si.si_code == SI_KERNEL)
			return 1;
	}
}

/* As PID 1 with --grace: SIGTERM (and SIGCONT, so that stopped processes
 * can act on it) to everyone left, the grace period, then SIGKILL and a
 * bounded wait (a process stuck in D state must not hang PID 1). */
static void grace(const struct config *c)
{
	if (getpid() != 1 || !c->grace || kill(-1, SIGTERM) < 0)
		return;
	kill(-1, SIGCONT);
	LOG(1, "sent SIGTERM to remaining processes; waiting up to %d s", c->grace);
	if (drain((unsigned)c->grace) && kill(-1, SIGKILL) == 0) {
		LOG(1, "grace period over: sent SIGKILL to remaining processes");
		drain(GRACE_KILL_WAIT);
	}
}

int supervise(const struct config *c, pid_t child)
{
	sigset_t all;
	siginfo_t si;
	int status = 0;
	char name[12];

	pid_t self = getpid();

	memset(&all, 0xff, sizeof all); /* 1-64: see main */
	for (;;) {
#ifdef TINYINIT_NET /* a DHCP lease to renew: wait no longer than that */
		long w = net_renew_in();
		struct timespec ts = {w, 0};
		int sig = sigtimedwait(&all, &si, w < 0 ? NULL : &ts);
		if (sig < 0 && errno == EAGAIN)
			net_renew();
#else
		int sig = sigwaitinfo(&all, &si);
#endif
		if (sig < 0)
			continue;
		/* SIGPIPE or SIGXFSZ from tinyinit's own write: not the payload's. */
		if (si.si_code == SI_USER && si.si_pid == self)
			continue;
		if (sig == SIGCHLD) {
			if (reap(child, &status))
				break;
		} else if (!child) {
			LOG(2, "got %s", sig_name(sig, name));
			if (sig == SIGTERM || sig == SIGINT)
				return 0;
		} else if (!c->vm || (sig = vm_signal(c, sig, si.si_code))) {
			forward(c, child, sig); /* a VM's stop request as SIGTERM */
		}
	}
	if (tty_given)
		tcsetpgrp(0, getpgrp()); /* SIGTTOU is blocked */
	if (WIFSIGNALED(status))
		LOG(1, "child %d killed by %s", child, sig_name(WTERMSIG(status), name));
	else
		LOG(1, "child %d exited with %d", child, WEXITSTATUS(status));
	grace(c);
	return exit_status(c, status);
}
