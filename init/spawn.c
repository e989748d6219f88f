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

int tty_given;
static volatile int child_errno;
static const char *volatile child_step;

/* The payload's environment: tinyinit's own without TINYINIT_*, with
 * --env entries replacing variables of the same name (the last --env of a
 * name wins, as with docker). env has room for environ and ENV_MAX more. */
static __attribute__((noinline)) char **payload_env(const struct config *c, const char **env)
{
	int n = 0;

	for (char **e = environ; *e; e++) {
		size_t k = (size_t)(chrnul(*e, '=') - *e);
		int replaced = starts(*e, "TINYINIT_") > 0;
		for (int i = 0; i < c->nenv && !replaced; i++)
			replaced = !strncmp(c->env[i], *e, k + 1);
		if (!replaced)
			env[n++] = *e;
	}
	for (int i = 0; i < c->nenv; i++) {
		size_t k = (size_t)(chrnul(c->env[i], '=') - c->env[i]);
		int later = 0;
		for (int j = i + 1; j < c->nenv && !later; j++)
			later = !strncmp(c->env[j], c->env[i], k + 1);
		if (!later)
			env[n++] = c->env[i];
	}
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

/* The payload loses CAP_SYS_ADMIN from its effective, permitted and
 * inheritable sets (the ambient set follows the last two); the bounding
 * set was done by main. */
static int drop_admin(const struct config *c)
{
	struct {
		unsigned version;
		int pid;
	} h = {0x20080522, 0}; /* _LINUX_CAPABILITY_VERSION_3 */
	unsigned d[6];	       /* {effective, permitted, inheritable} x 2 */

	if (!c->drop_admin)
		return 0;
	if (syscall(SYS_capget, &h, d) < 0)
		return child_step = "capget", -1;
	for (int i = 0; i < 3; i++)
		d[i] &= ~(1u << CAP_SYS_ADMIN_BIT);
	if (syscall(SYS_capset, &h, d) < 0)
		return child_step = "capset", -1;
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
	if (drop_admin(c) == 0 && drop_user(c) == 0) {
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
	size_t n = 0;
	while (environ[n])
		n++;
	const char *env[n + ENV_MAX + 1];
	char **envp = payload_env(c, env);

	child_errno = 0;
	child_step = NULL;
	pid_t pid = vfork();
	if (pid == 0)
		child(c, envp, in, take_tty);
	if (pid < 0)
		return -errno;
	tty_given = take_tty;
	*exec_err = child_errno;
	*step = child_step;
	return pid;
}
