/* Errors travel up as a negative errno; the words that explain them are
 * kept here until main prints them. */
#ifndef MKROOTFS_ERR_H
#define MKROOTFS_ERR_H

/* Records the message and returns -|err| (err may be given either sign). */
int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Puts "context: " in front of the recorded message; returns -|err|. */
int failctx(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *err_text(void);
/* A warning does not stop the command: printed at once, one line,
 * "mkrootfs: warning: ...". */
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void err_clear(void);

#endif
