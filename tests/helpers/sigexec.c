/* sigexec BLOCK IGNORE PROGRAM [ARG...]: runs PROGRAM with the signals in
 * BLOCK (comma-separated numbers, or "-") blocked and those in IGNORE
 * ignored, to check what tinyinit hands on to its child. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void each(char *list, void (*fn)(int, void *), void *arg)
{
	if (!strcmp(list, "-"))
		return;
	for (char *t = strtok(list, ","); t; t = strtok(NULL, ","))
		fn(atoi(t), arg);
}

static void add(int sig, void *set)
{
	sigaddset(set, sig);
}

static void ign(int sig, void *unused)
{
	(void)unused;
	signal(sig, SIG_IGN);
}

int main(int argc, char **argv)
{
	sigset_t set;

	if (argc < 4) {
		fprintf(stderr, "usage: sigexec BLOCK IGNORE PROGRAM [ARG...]\n");
		return 2;
	}
	sigemptyset(&set);
	each(argv[1], add, &set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	each(argv[2], ign, NULL);
	execvp(argv[3], argv + 3);
	perror(argv[3]);
	return 127;
}
