/* Starting the payload with vfork semantics: the parent stays blocked
 * until the child has exec'd, so no page tables are copied and the exec
 * error is seen directly in shared memory. */
#include "supervise.h"

#include "fmt.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

extern char **environ;

static volatile int child_errno;
static const char *volatile child_step;

/* The payload's environment: tinyinit's own, with --env entries replacing
 * variables of the same name or added at the end. */
static __attribute__((noinline)) char **payload_env(const struct config *c)
{
	static const char *env[1024];
	int n = 0;

	if (!c->nenv)
		return environ;
	for (char **e = environ; *e && n < 1024 - ENV_MAX - 1; e++) {
		size_t k = (size_t)(chrnul(*e, '=') - *e);
		int replaced = 0;
		for (int i = 0; i < c->nenv && !replaced; i++)
			replaced = !strncmp(c->env[i], *e, k + 1);
		if (!replaced)
			env[n++] = *e;
	}
	for (int i = 0; i < c->nenv; i++)
		env[n++] = c->env[i];
	env[n] = NULL;
	return (char **)env;
}

/* PATH as the payload will see it. */
static const char *path_of(char **envp)
{
	for (; *envp; envp++)
		if (starts(*envp, "PATH="))
			return *envp + 5;
	return NULL;
}

/* execvp() without the /bin/sh fallback (a scratch image has no shell):
 * EACCES wins over ENOENT when any candidate existed. */
static void exec_path(char **argv, char **envp)
{
	const char *file = argv[0], *path = path_of(envp);
	char buf[4096];
	int eacces = 0;

	if (*chrnul(file, '/') || !*file) {
		execve(file, argv, envp);
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
			execve(buf, argv, envp);
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

/* Drops to --user: supplementary groups first, then the group, then the
 * user (after which the other two would no longer be allowed). Raw system
 * calls: this runs in the vfork child. */
static int drop_user(const struct config *c)
{
	if (c->uid < 0)
		return 0;
	gid_t g = c->gid >= 0 ? (gid_t)c->gid : getgid();
	if (syscall(SYS_setgroups, 0, NULL) < 0)
		return child_step = "setgroups", -1;
	if (syscall(SYS_setresgid, g, g, g) < 0)
		return child_step = "setgid", -1;
	if (syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0)
		return child_step = "setuid", -1;
	return 0;
}

static __attribute__((noreturn, noinline)) void child(const struct config *c, char **envp,
						      const struct inherit *in, int take_tty)
{
	setpgid(0, 0);
	if (take_tty)
		tcsetpgrp(0, getpid()); /* SIGTTOU is still blocked here */
	if (in->chld_ignored)
		sigchld_set(1);
	if (drop_user(c) == 0) {
		sigprocmask(SIG_SETMASK, &in->mask, NULL);
		if (c->exec_fd >= 0)
			syscall(SYS_execveat, c->exec_fd, "", c->argv, envp, AT_EMPTY_PATH);
		else
			exec_path(c->argv, envp);
	}
	child_errno = errno;
	_exit(errno == ENOENT || errno == ENOTDIR ? 127 : 126);
}

pid_t spawn(const struct config *c, const struct inherit *in, int *exec_err, const char **step)
{
	/* A VM's init has no controlling terminal to hand over. */
	int take_tty = !c->vm && tcgetpgrp(0) == getpgrp();
	char **envp = payload_env(c);

	child_errno = 0;
	child_step = NULL;
	pid_t pid = vfork();
	if (pid == 0)
		child(c, envp, in, take_tty);
	if (pid < 0)
		return -errno;
	*exec_err = child_errno;
	*step = child_step;
	return pid;
}
