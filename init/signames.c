/* Signal names <-> numbers. Numbers come from <signal.h>, so the table is
 * right on every architecture musl supports. */
#include "signames.h"

#include <signal.h>
#include <string.h>

static const struct {
	unsigned char num;
	char name[7];
} names[] = {
    {SIGHUP, "HUP"},   {SIGINT, "INT"},	      {SIGQUIT, "QUIT"}, {SIGILL, "ILL"},
    {SIGTRAP, "TRAP"}, {SIGABRT, "ABRT"},     {SIGBUS, "BUS"},	 {SIGFPE, "FPE"},
    {SIGKILL, "KILL"}, {SIGUSR1, "USR1"},     {SIGSEGV, "SEGV"}, {SIGUSR2, "USR2"},
    {SIGPIPE, "PIPE"}, {SIGALRM, "ALRM"},     {SIGTERM, "TERM"}, {SIGSTKFLT, "STKFLT"},
    {SIGCHLD, "CHLD"}, {SIGCONT, "CONT"},     {SIGSTOP, "STOP"}, {SIGTSTP, "TSTP"},
    {SIGTTIN, "TTIN"}, {SIGTTOU, "TTOU"},     {SIGURG, "URG"},	 {SIGXCPU, "XCPU"},
    {SIGXFSZ, "XFSZ"}, {SIGVTALRM, "VTALRM"}, {SIGPROF, "PROF"}, {SIGWINCH, "WINCH"},
    {SIGIO, "IO"},     {SIGPWR, "PWR"},	      {SIGSYS, "SYS"},	 {SIGIO, "POLL"},
    {SIGABRT, "IOT"},  {SIGCHLD, "CLD"},
};

/* Parses a decimal number of at most 3 digits; -1 if s is not one. */
static int small_num(const char *s)
{
	int v = 0, n = 0;

	for (; *s >= '0' && *s <= '9' && n < 3; s++, n++)
		v = v * 10 + (*s - '0');
	return (n && !*s) ? v : -1;
}

static int upper(int c)
{
	return (c >= 'a' && c <= 'z') ? c - 32 : c;
}

/* Case-insensitive compare of s against an upper-case name. */
static int same(const char *s, const char *name)
{
	while (*s && upper(*s) == *name)
		s++, name++;
	return !*s && !*name;
}

int sig_parse(const char *s, int allow_zero)
{
	int v = small_num(s);

	if (v >= 0)
		return (v <= SIG_LAST && (v || allow_zero)) ? v : -1;
	if (upper(s[0]) == 'S' && upper(s[1]) == 'I' && upper(s[2]) == 'G')
		s += 3;
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (same(s, names[i].name))
			return names[i].num;
	/* RTMIN, RTMIN+n, RTMAX, RTMAX-n */
	if (upper(s[0]) == 'R' && upper(s[1]) == 'T' && upper(s[2]) == 'M') {
		int base, sign;
		if (upper(s[3]) == 'I' && upper(s[4]) == 'N')
			base = SIGRTMIN, sign = 1;
		else if (upper(s[3]) == 'A' && upper(s[4]) == 'X')
			base = SIGRTMAX, sign = -1;
		else
			return -1;
		if (!s[5])
			return base;
		if (s[5] != (sign > 0 ? '+' : '-') || (v = small_num(s + 6)) < 0)
			return -1;
		v = base + sign * v;
		return (v >= SIGRTMIN && v <= SIGRTMAX) ? v : -1;
	}
	return -1;
}

const char *sig_name(int sig, char buf[12])
{
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i].num == sig) {
			memcpy(buf, "SIG", 3);
			memcpy(buf + 3, names[i].name, sizeof names[i].name);
			return buf;
		}
	}
	/* SIGnn for the unnamed (real-time) signals. */
	buf[0] = 'S', buf[1] = 'I', buf[2] = 'G';
	int n = 3;
	if (sig >= 10)
		buf[n++] = (char)('0' + sig / 10 % 10);
	buf[n++] = (char)('0' + sig % 10);
	buf[n] = 0;
	return buf;
}
