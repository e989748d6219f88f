/* Signal names and numbers, as tinyinit accepts and prints them. */
#ifndef TINYINIT_SIGNAMES_H
#define TINYINIT_SIGNAMES_H

/* Highest signal number tinyinit handles (Linux: 64). */
#define SIG_LAST 64

/* Parses "TERM", "SIGTERM", "sigterm", "15", "RTMIN+2" or "RTMAX-1".
 * Returns the number, 0 for "0" when allow_zero, or -1 when invalid. */
int sig_parse(const char *s, int allow_zero);

/* Writes "SIGTERM" (or "SIG40" for unnamed signals) to buf[12]. */
const char *sig_name(int sig, char buf[12]);

#endif
