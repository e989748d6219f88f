/* noop: the benchmark's payload. With no argument it exits 0 at once (the
 * launch-cost runs); "noop ready MS" first writes one byte to fd 3 (the
 * launcher's readiness pipe: the init has started its payload), then sleeps
 * MS milliseconds so the init can be looked at while it supervises. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 0;
	long ms = atol(argv[2]);
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};

	if (write(3, "r", 1) != 1)
		return 3;
	close(3);
	while (nanosleep(&ts, &ts) < 0)
		;
	return 0;
}
