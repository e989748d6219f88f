/* A microVM's graceful stop (see shutdown.c). */
#ifndef TINYINIT_SHUTDOWN_H
#define TINYINIT_SHUTDOWN_H

#include "config.h"

/* For the supervisor in VM mode: the signal to forward for sig (code is
 * its si_code), 0 for none. A stop request (SIGINT, SIGTERM, SIGPWR, 38)
 * becomes SIGTERM and arms the grace period; the kernel's SIGALRM at its
 * end kills every process. */
int vm_signal(const struct config *c, int sig, int code);

/* Before the status line: sync, and a persistent upper (--upper on a
 * block device) remounted read-only. */
void vm_settle(const struct config *c);

#endif
