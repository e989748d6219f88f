/* The supervision loop: every signal is blocked and taken synchronously
 * with sigtimedwait, so there are no handlers and no races. */
#include "supervise.h"

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fmt.h"

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

/* As PID 1 with --grace: SIGTERM everyone left, give them the grace
 * period, SIGKILL the rest and reap them all. */
static void grace(const struct config *c)
{
	sigset_t set;
	int st;
	pid_t p;

	if (getpid() != 1 || !c->grace || kill(-1, SIGTERM) < 0)
		return;
	LOG(1, "sent SIGTERM to remaining processes; waiting up to %d s", c->grace);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGALRM);
	alarm((unsigned)c->grace); /* the deadline arrives as a (blocked) SIGALRM */
	for (;;) {
		while ((p = waitpid(-1, &st, WNOHANG)) > 0)
			LOG(2, "reaped pid %d", p);
		if (p < 0) {
			alarm(0);
			return; /* ECHILD: all gone */
		}
		if (sigwaitinfo(&set, NULL) == SIGALRM)
			break;
	}
	if (kill(-1, SIGKILL) == 0)
		LOG(1, "grace period over: sent SIGKILL to remaining processes");
	while (waitpid(-1, &st, 0) > 0 || errno == EINTR)
		;
}

int supervise(const struct config *c, pid_t child)
{
	sigset_t all;
	siginfo_t si;
	int status = 0;
	char name[12];

	sigfillset(&all);
	for (;;) {
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue;
		if (sig == SIGCHLD) {
			if (reap(child, &status))
				break;
		} else if (!child) {
			LOG(2, "got %s", sig_name(sig, name));
			if (sig == SIGTERM || sig == SIGINT)
				return 0;
		} else {
			forward(c, child, sig);
		}
	}
	if (WIFSIGNALED(status))
		LOG(1, "child %d killed by %s", child, sig_name(WTERMSIG(status), name));
	else
		LOG(1, "child %d exited with %d", child, WEXITSTATUS(status));
	grace(c);
	return exit_status(c, status);
}
