/* Removing temporary files on SIGINT, SIGTERM and SIGHUP (cleanup.h). The
 * handler only calls unlink, signal, raise: async-signal-safe. */
#include "cleanup.h"
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#define SLOTS 8

static char paths[SLOTS][PATH_MAX];
static atomic_int used[SLOTS];

static void on_signal(int sig)
{
	for (int i = 0; i < SLOTS; i++)
		if (atomic_load(&used[i]))
			unlink(paths[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void cleanup_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask); /* one cleanup at a time */
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		struct sigaction old;

		/* a signal ignored by whoever started us stays ignored */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

int cleanup_remember(const char *path)
{
	if (strlen(path) >= PATH_MAX)
		return -1;
	for (int i = 0; i < SLOTS; i++) {
		int expect = 0;

		if (atomic_load(&used[i]))
			continue;
		strcpy(paths[i], path);
		/* the slot counts only once its path is complete */
		if (atomic_compare_exchange_strong(&used[i], &expect, 1))
			return i;
	}
	return -1;
}

void cleanup_forget(int slot)
{
	if (slot >= 0 && slot < SLOTS)
		atomic_store(&used[slot], 0);
}
