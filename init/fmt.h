/* A tiny printf subset for tinyinit's messages (no stdio in the init). */
#ifndef TINYINIT_FMT_H
#define TINYINIT_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Formats into buf (always NUL-terminated when cap > 0) and returns the
 * length written. Conversions: %s %c %d %u %o %x, l/z sizes, %%.
 * A NULL %s prints "(null)". Output is truncated, never overrun. */
size_t fmt_vbuf(char *buf, size_t cap, const char *fmt, va_list ap);
size_t fmt_buf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes "tinyinit: <message>\n" to stderr in one write(2). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes a string to a file descriptor, retrying short writes. */
void put(int fd, const char *s);

/* strchrnul() without musl's word-at-a-time version. */
const char *chrnul(const char *s, int c);

/* The length of prefix when s starts with it, else 0 (never reads past
 * the end of s). */
size_t starts(const char *s, const char *prefix);

/* stat(2) of a path (following symlinks unless nofollow) or, with path
 * "", of the file descriptor fd: the raw newfstatat system call, as
 * libc's stat family brings a statx fallback tinyinit never needs. */
struct stat;
int xstat(int fd, const char *path, struct stat *st, int nofollow);

/* A short description of an errno value ("not found", "permission denied"). */
const char *errstr(int err);

/* The message of the last failure, for main to print: failure() formats it,
 * appends ": <errstr(err)>" and returns -err, so callers can write
 * "return failure(errno, "layer %s", name);". */
extern char errmsg[];
int failure(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

extern int verbosity;
#define LOG(level, ...)                                                                            \
	do {                                                                                       \
		if (verbosity >= (level))                                                          \
			say(__VA_ARGS__);                                                          \
	} while (0)

#endif
