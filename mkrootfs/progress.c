/* "mkrootfs: writing 12.5 of 64.0 MiB (19%)" on stderr, when it is a
 * terminal and the work has taken more than half a second. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "progress.h"

static struct {
	const char *what;
	uint64_t total, done;
	double start, last;
	int on, shown;
} p;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void progress_start(const char *what, uint64_t total)
{
	p.what = what;
	p.total = total;
	p.done = 0;
	p.start = p.last = now();
	p.shown = 0;
	p.on = isatty(2) && total > 0;
}

void progress_add(uint64_t bytes)
{
	double t;

	p.done += bytes;
	if (!p.on)
		return;
	t = now();
	if (t - p.start < 0.5 || t - p.last < 0.1)
		return;
	p.last = t;
	p.shown = 1;
	fprintf(stderr, "\rmkrootfs: %s %.1f of %.1f MiB (%d%%)\033[K", p.what, p.done / 1048576.0,
		p.total / 1048576.0, (int)(p.total ? p.done * 100 / p.total : 100));
}

void progress_end(void)
{
	if (p.shown)
		fprintf(stderr, "\r\033[K");
	p.on = p.shown = 0;
}
