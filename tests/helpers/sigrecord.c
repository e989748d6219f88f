/* sigrecord COUNT: blocks every signal 1-64 with the raw system call (libc
 * keeps 32-34 for itself and will not let a program catch them), prints
 * "ready", then prints the number of each signal it receives, one a line,
 * and exits 0 after COUNT of them. Built static (musl) for images too. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long all = ~0UL;
	int n = argc > 1 ? atoi(argv[1]) : 1;
	siginfo_t si;

	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof all);
	printf("ready\n");
	fflush(stdout);
	while (n > 0) {
		long s = syscall(SYS_rt_sigtimedwait, &all, &si, NULL, sizeof all);
		if (s > 0) {
			printf("%ld\n", s);
			fflush(stdout);
			n--;
		}
	}
	return 0;
}
