/* launch: the benchmark's launcher.
 *
 *   launch [-n N] [-w W] -- PROGRAM [ARG...]
 *	Starts PROGRAM W times (warm-up, default N/10), then N times (default
 *	1000), one after another: vfork + execve, waitpid. Prints the mean
 *	wall time of one launch in nanoseconds. Every launch must exit 0.
 *
 *   launch -m MS -- PROGRAM [ARG...]
 *	Starts PROGRAM once with the write end of a pipe on fd 3. When a byte
 *	arrives (the payload below PROGRAM is running), waits MS milliseconds
 *	more, prints PROGRAM's peak resident set (VmHWM in /proc/PID/status,
 *	KiB) and waits for it to exit 0.
 *
 * PROGRAM is a path (no PATH search). Its stdout and stderr are /dev/null;
 * launch's own results and errors go to launch's stdout and stderr.
 * Exits 0, 1 when a launch failed, 2 on a usage error. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int out_fd = 1, err_fd = 2;

static __attribute__((noreturn, format(printf, 2, 3))) void die(int rc, const char *fmt, ...)
{
	va_list ap;

	dprintf(err_fd, "launch: ");
	va_start(ap, fmt);
	vdprintf(err_fd, fmt, ap);
	va_end(ap);
	dprintf(err_fd, "\n");
	exit(rc);
}

static long number(const char *s, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		die(2, "%s: '%s' is not a number", what, s);
	return v;
}

/* Starts argv with fd 3 = ready_fd when ready_fd >= 0. */
static pid_t start(char **argv, int ready_fd)
{
	pid_t pid = vfork();
	if (pid == 0) {
		if (ready_fd == 3)
			fcntl(3, F_SETFD, 0);
		else if (ready_fd >= 0)
			dup2(ready_fd, 3);
		execve(argv[0], argv, environ);
		_exit(127);
	}
	if (pid < 0)
		die(1, "vfork: %s", strerror(errno));
	return pid;
}

static void finish(pid_t pid, char **argv)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die(1, "waitpid: %s", strerror(errno));
	if (WIFSIGNALED(st))
		die(1, "%s: killed by signal %d", argv[0], WTERMSIG(st));
	if (WEXITSTATUS(st))
		die(1, "%s: exited with status %d%s", argv[0], WEXITSTATUS(st),
		    WEXITSTATUS(st) == 127 ? " (could not be executed?)" : "");
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void time_launches(char **argv, long n, long warm)
{
	for (long i = 0; i < warm; i++)
		finish(start(argv, -1), argv);
	long long t0 = now_ns();
	for (long i = 0; i < n; i++)
		finish(start(argv, -1), argv);
	long long t1 = now_ns();
	dprintf(out_fd, "%lld\n", (t1 - t0) / n);
}

static long vmhwm_kib(pid_t pid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(1, "%s: %s", path, strerror(errno));
	ssize_t len = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (len < 0)
		die(1, "%s: %s", path, strerror(errno));
	buf[len] = 0;
	char *p = strstr(buf, "\nVmHWM:");
	if (!p)
		die(1, "%s: no VmHWM line", path);
	return strtol(p + 7, NULL, 10);
}

static void peak_rss(char **argv, long settle_ms)
{
	int p[2];
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		die(1, "pipe: %s", strerror(errno));
	pid_t pid = start(argv, p[1]);
	close(p[1]);
	struct pollfd pfd = {p[0], POLLIN, 0};
	int r = poll(&pfd, 1, 10000);
	if (r <= 0 || read(p[0], &c, 1) != 1) {
		finish(pid, argv);
		die(1, "%s: the payload never reported that it runs", argv[0]);
	}
	struct timespec ts = {settle_ms / 1000, settle_ms % 1000 * 1000000L};
	while (nanosleep(&ts, &ts) < 0)
		;
	long kib = vmhwm_kib(pid);
	finish(pid, argv);
	dprintf(out_fd, "%ld\n", kib);
}

int main(int argc, char **argv)
{
	long n = 1000, warm = -1, settle = -1;
	int opt;

	while ((opt = getopt(argc, argv, "+n:w:m:h")) != -1) {
		switch (opt) {
		case 'n': n = number(optarg, "-n"); break;
		case 'w': warm = number(optarg, "-w"); break;
		case 'm': settle = number(optarg, "-m"); break;
		case 'h':
			dprintf(1, "usage: launch [-n N] [-w W] -- PROGRAM [ARG...]\n"
				   "       launch -m MS -- PROGRAM [ARG...]\n");
			return 0;
		default: return 2;
		}
	}
	if (optind >= argc || n < 1)
		die(2,
		    "usage: launch [-n N] [-w W] -- PROGRAM [ARG...] | -m MS -- PROGRAM [ARG...]");
	if (warm < 0)
		warm = n / 10 + 1;

	/* The program's output goes to /dev/null; keep ours on private fds. */
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	out_fd = fcntl(1, F_DUPFD_CLOEXEC, 10);
	err_fd = fcntl(2, F_DUPFD_CLOEXEC, 10);
	if (null < 0 || out_fd < 0 || err_fd < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		die(1, "setting up /dev/null: %s", strerror(errno));
	close(null);

	if (settle >= 0)
		peak_rss(argv + optind, settle);
	else
		time_launches(argv + optind, n, warm);
	return 0;
}
