/* Errors travel up as a negative errno; the words that explain them are
 * kept here until main prints them. */
#ifndef MKROOTFS_ERR_H
#define MKROOTFS_ERR_H

/* Records the message and returns -|err| (err may be given either sign). */
int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Puts "context: " in front of the recorded message; returns -|err|. */
int failctx(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *err_text(void);
/* What main prints for R: the recorded message when it was recorded with
 * R's errno, else strerror(-R) (a bare return -ENOMEM does not print an
 * older message that something else recorded and then ignored). */
const char *err_text_for(int r);
/* A warning does not stop the command: printed at once, one line,
 * "mkrootfs: warning: ...". */
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void err_clear(void);

#endif
