/* orphans MODE: payloads for the supervisor tests.
 *   ignore-term   ignores SIGTERM, starts a grandchild in its process group
 *                 that writes "grandchild got N" to stdout on any signal,
 *                 then waits for it
 *   leftover      starts a child that ignores nothing and sleeps 60 s, then
 *                 exits 0 at once (the sleeper must be ended by --grace)
 *   stubborn      like leftover, but the sleeper ignores SIGTERM
 *   wait-signal   prints "ready", waits for a signal, dies of it */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(int sig)
{
	char buf[40];
	int n = snprintf(buf, sizeof buf, "grandchild got %d\n", sig);
	if (write(1, buf, (size_t)n) < 0)
		_exit(3);
	_exit(0);
}

static void sleeper_term(int sig)
{
	(void)sig;
	if (write(1, "sleeper got TERM\n", 17) < 0)
		_exit(3);
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "ignore-term")) {
		signal(SIGTERM, SIG_IGN);
		pid_t pid = fork();
		if (pid == 0) {
			signal(SIGTERM, report);
			signal(SIGUSR1, report);
			if (write(1, "ready\n", 6) < 0)
				_exit(3);
			for (;;)
				pause();
		}
		int st;
		waitpid(pid, &st, 0);
		return 0;
	}
	if (!strcmp(mode, "leftover") || !strcmp(mode, "stubborn")) {
		/* Exit only once the sleeper has its handler in place. */
		int fds[2];
		if (pipe(fds) < 0)
			return 3;
		pid_t pid = fork();
		if (pid == 0) {
			close(fds[0]);
			signal(SIGTERM, !strcmp(mode, "stubborn") ? SIG_IGN : sleeper_term);
			if (write(fds[1], "r", 1) < 0)
				_exit(3);
			close(fds[1]);
			sleep(60);
			_exit(0);
		}
		close(fds[1]);
		char r;
		if (read(fds[0], &r, 1) != 1)
			return 3;
		printf("left a sleeper\n");
		return 0;
	}
	if (!strcmp(mode, "wait-signal")) {
		sigset_t set;
		sigemptyset(&set);
		sigprocmask(SIG_SETMASK, &set, NULL);
		for (int s = 1; s < 32; s++)
			signal(s, SIG_DFL);
		if (write(1, "ready\n", 6) < 0)
			return 3;
		for (;;)
			pause();
	}
	fprintf(stderr, "orphans: unknown mode '%s'\n", mode);
	return 2;
}
