/* Starting the payload with vfork semantics: the parent stays blocked
 * until the child has exec'd, so no page tables are copied and the exec
 * error is seen directly in shared memory. */
#include "supervise.h"

#include "fmt.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

extern char **environ;

static volatile int child_errno;

/* execvp() without the /bin/sh fallback (a scratch image has no shell):
 * EACCES wins over ENOENT when any candidate existed. */
static void exec_path(char **argv)
{
	const char *file = argv[0], *path = env_get("PATH");
	char buf[4096];
	int eacces = 0;

	if (*chrnul(file, '/') || !*file) {
		execve(file, argv, environ);
		return;
	}
	if (!path)
		path = DEFAULT_PATH;
	size_t fl = strlen(file);
	for (const char *p = path;; p++) {
		const char *z = chrnul(p, ':');
		size_t dl = (size_t)(z - p);
		if (dl + fl + 2 <= sizeof buf) {
			memcpy(buf, p, dl);
			buf[dl] = '/';
			memcpy(buf + dl + (dl > 0), file, fl + 1);
			execve(buf, argv, environ);
			if (errno == EACCES)
				eacces = 1;
			else if (errno != ENOENT && errno != ENOTDIR)
				return;
		}
		if (!*(p = z))
			break;
	}
	if (eacces)
		errno = EACCES;
}

int sigchld_set(int ignore)
{
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		unsigned long mask;
	} sa = {ignore ? SIG_IGN : SIG_DFL, 0, 0, 0}, old;

	syscall(SYS_rt_sigaction, SIGCHLD, &sa, &old, sizeof sa.mask);
	return old.handler == SIG_IGN;
}

static __attribute__((noreturn, noinline)) void child(char **argv, const struct inherit *in,
						      int take_tty)
{
	setpgid(0, 0);
	if (take_tty)
		tcsetpgrp(0, getpid()); /* SIGTTOU is still blocked here */
	if (in->chld_ignored)
		sigchld_set(1);
	sigprocmask(SIG_SETMASK, &in->mask, NULL);
	exec_path(argv);
	child_errno = errno;
	_exit(errno == ENOENT || errno == ENOTDIR ? 127 : 126);
}

pid_t spawn(const struct config *c, const struct inherit *in, int *exec_err)
{
	int take_tty = tcgetpgrp(0) == getpgrp();

	child_errno = 0;
	pid_t pid = vfork();
	if (pid == 0)
		child(c->argv, in, take_tty);
	if (pid < 0)
		return -errno;
	*exec_err = child_errno;
	return pid;
}
