/* bare-init: the floor for an init's added start-up cost. It only starts
 * its payload with vfork semantics, waits for it and returns its status:
 * no signal handling, no reaping of orphans, no subreaper. */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	int st;

	if (argc < 2)
		return 1;
	pid_t pid = vfork();
	if (pid == 0) {
		execve(argv[1], argv + 1, environ);
		_exit(127);
	}
	if (pid < 0)
		return 1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
