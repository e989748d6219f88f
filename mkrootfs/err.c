/* The message that goes with the negative errno a function returns. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "err.h"

static _Thread_local char msg[2048];
static _Thread_local int msg_err; /* the errno msg was recorded with */

int fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	msg_err = err < 0 ? -err : err;
	return err < 0 ? err : -err;
}

int failctx(int err, const char *fmt, ...)
{
	char old[sizeof msg], ctx[512];
	va_list ap;

	memcpy(old, msg, sizeof old);
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof ctx, fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof msg, "%.500s: %.1500s", ctx, old);
	msg_err = err < 0 ? -err : err;
	return err < 0 ? err : -err;
}

const char *err_text(void)
{
	return msg[0] ? msg : "unknown error";
}

const char *err_text_for(int r)
{
	int e = r < 0 ? -r : r;

	return msg[0] && msg_err == e ? msg : strerror(e);
}

void warnmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("mkrootfs: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void err_clear(void)
{
	msg[0] = 0;
	msg_err = 0;
}
