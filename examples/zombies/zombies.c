/* zombies: leaves orphans behind for the init to reap.
 * zombies [N] [SECONDS]: forks N children (default 100) that each sleep
 * SECONDS (default 0) and exit, then exits at once without waiting: the
 * children are re-parented to the init, which must reap them. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100;
	int secs = argc > 2 ? atoi(argv[2]) : 0;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("zombies: fork");
			return 1;
		}
		if (pid == 0) {
			struct timespec ts = {secs, 0};
			nanosleep(&ts, NULL);
			_exit(0);
		}
	}
	printf("zombies: left %d orphans behind\n", n);
	return 0;
}
