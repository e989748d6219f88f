/* graceful: a long-running service that shuts down cleanly on SIGTERM
 * (or SIGINT) and exits 0, as a payload under an init should. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("graceful: running as pid %d; send SIGTERM to stop\n", (int)getpid());
	fflush(stdout);
	while (!stop)
		pause();
	printf("graceful: got signal %d, shutting down cleanly\n", (int)stop);
	return 0;
}
