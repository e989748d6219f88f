/* Message formatting without stdio: a handful of conversions is all the
 * init ever needs, and each costs bytes. */
#include "fmt.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int verbosity;

struct out {
	char *buf;
	size_t cap, len;
};

static void emit(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len++] = c;
}

static void emit_num(struct out *o, unsigned long v, unsigned base, int neg)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		emit(o, '-');
	while (n)
		emit(o, tmp[--n]);
}

size_t fmt_vbuf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct out o = {buf, cap, 0};

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			emit(&o, *fmt);
			continue;
		}
		int lng = 0;
		fmt++;
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			for (s = s ? s : "(null)"; *s; s++)
				emit(&o, *s);
			break;
		}
		case 'c': emit(&o, (char)va_arg(ap, int)); break;
		case 'd': {
			long v = lng ? va_arg(ap, long) : va_arg(ap, int);
			emit_num(&o, v < 0 ? 0UL - (unsigned long)v : (unsigned long)v, 10, v < 0);
			break;
		}
		case 'u':
		case 'o':
		case 'x': {
			unsigned long v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			emit_num(&o, v, *fmt == 'x' ? 16 : *fmt == 'o' ? 8 : 10, 0);
			break;
		}
		case '%': emit(&o, '%'); break;
		case '\0': fmt--; break;
		default: emit(&o, '%'); emit(&o, *fmt);
		}
	}
	if (cap)
		buf[o.len] = '\0';
	return o.len;
}

size_t fmt_buf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = fmt_vbuf(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

static void put_n(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

const char *chrnul(const char *s, int c)
{
	while (*s && *s != c)
		s++;
	return s;
}

int xstat(int fd, const char *path, struct stat *st, int nofollow)
{
	int flags = (nofollow ? AT_SYMLINK_NOFOLLOW : 0) | (*path ? 0 : AT_EMPTY_PATH);
	return (int)syscall(SYS_newfstatat, *path ? AT_FDCWD : fd, path, st, flags);
}

size_t starts(const char *s, const char *prefix)
{
	size_t n = 0;

	while (prefix[n] && s[n] == prefix[n])
		n++;
	return prefix[n] ? 0 : n;
}

void put(int fd, const char *s)
{
	put_n(fd, s, strlen(s));
}

char errmsg[512];

int failure(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	size_t n = fmt_vbuf(errmsg, sizeof errmsg, fmt, ap);
	va_end(ap);
	if (err)
		fmt_buf(errmsg + n, sizeof errmsg - n, ": %s", errstr(err));
	return -(err ? err : EINVAL);
}

void say(const char *fmt, ...)
{
	static char line[5120]; /* a trace line may carry a whole mount option page */
	int saved = errno;
	size_t n = fmt_buf(line, sizeof line, "tinyinit: ");
	va_list ap;

	va_start(ap, fmt);
	n += fmt_vbuf(line + n, sizeof line - n - 1, fmt, ap);
	va_end(ap);
	line[n++] = '\n';
	put_n(2, line, n);
	errno = saved;
}

/* The errno values of the table below (asm-generic, shared by x86_64,
 * aarch64 and riscv64). */
_Static_assert(ENOENT == 2 && EACCES == 13 && EPERM == 1 && ENOEXEC == 8 && ENOTDIR == 20 &&
		   EISDIR == 21 && EINVAL == 22 && ENOMEM == 12 && E2BIG == 7 && ELOOP == 40 &&
		   ENAMETOOLONG == 36 && ETXTBSY == 26 && EBUSY == 16 && EEXIST == 17 &&
		   ENODEV == 19 && ENOSPC == 28 && EROFS == 30 && ENOSYS == 38 && EAGAIN == 11,
	       "errno values");

const char *errstr(int err)
{
	/* Only the errors an init reports, packed as <errno byte><text>NUL;
	 * the rest print as a number. */
	static const char tab[] = "\x02"
				  "not found\0\x0d"
				  "permission denied\0\x01"
				  "operation not permitted\0"
				  "\x08"
				  "not an executable\0\x14"
				  "not a directory\0\x15"
				  "is a directory\0"
				  "\x16"
				  "invalid argument\0\x0c"
				  "out of memory\0\x07"
				  "argument list too long\0"
				  "\x28"
				  "too many symlinks\0\x24"
				  "name too long\0\x1a"
				  "text file busy\0"
				  "\x10"
				  "device or resource busy\0\x11"
				  "already exists\0\x13"
				  "no such device\0"
				  "\x1c"
				  "no space left\0\x1e"
				  "read-only file system\0\x26"
				  "not supported by kernel\0"
				  "\x0b"
				  "resource unavailable\0";
	static char other[16];

	for (const char *p = tab; *p; p += strlen(p) + 1)
		if ((unsigned char)*p == err)
			return p + 1;
	fmt_buf(other, sizeof other, "errno %d", err);
	return other;
}
