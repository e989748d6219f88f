/* Starting the payload and supervising it. */
#ifndef TINYINIT_SUPERVISE_H
#define TINYINIT_SUPERVISE_H

#include <signal.h>
#include <sys/types.h>

#include "config.h"

/* What the child gets back: the caller's signal mask and SIGCHLD action
 * (tinyinit blocks everything and needs SIGCHLD at its default). */
struct inherit {
	sigset_t mask;
	int chld_ignored;
};

/* Sets SIGCHLD to SIG_IGN or SIG_DFL with the raw system call (libc's
 * sigaction() brings handler bookkeeping tinyinit never needs) and
 * returns 1 when it was ignored before. */
int sigchld_set(int ignore);

/* Starts c->argv as a child in its own process group, handing it the
 * terminal when tinyinit has it in the foreground, with --env and --user
 * applied. Returns the pid or a negative errno when no process could be
 * created. When exec fails the child exits 127 (not found) or 126 and
 * *exec_err holds the errno; *step names what failed before exec (as
 * "setuid"), or is NULL when exec itself failed. */
pid_t spawn(const struct config *c, const struct inherit *in, int *exec_err, const char **step);

/* Set by spawn when the child got the terminal; supervise hands it back. */
extern int tty_given;

/* Reaps, forwards signals, and returns tinyinit's exit status once the
 * child has exited (after --grace handling). child == 0: --pause. */
int supervise(const struct config *c, pid_t child);

#endif
