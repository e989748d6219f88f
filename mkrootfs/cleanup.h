/* Temporary files that an interrupt must not leave behind. SIGINT, SIGTERM
 * and SIGHUP unlink every registered path, then end the process by the
 * same signal (so the caller sees how it ended). */
#ifndef MKROOTFS_CLEANUP_H
#define MKROOTFS_CLEANUP_H

/* Installs the handlers (once, from main). */
void cleanup_signals(void);
/* Registers PATH (copied): returns a slot for cleanup_forget, or -1 when
 * the table is full (the file is then only removed on ordinary errors). */
int cleanup_remember(const char *path);
void cleanup_forget(int slot);

#endif
