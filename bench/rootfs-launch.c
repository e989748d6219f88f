/* rootfs-launch [-r ROOT] [-n] N REPEATS PROGRAM [ARG...]: launches PROGRAM N times
 * (each waited for), REPEATS times over, and prints the median time per
 * launch in microseconds. With -n each launch is PID 1 of new mount and
 * pid namespaces (clone(CLONE_NEWNS|CLONE_NEWPID)), as a container
 * runtime would start an init; without, a plain fork+exec. With -r the
 * launcher first pivots into ROOT, a mount point (a stand-in container root
 * with the runtime's mounts in it), and detaches the old root, as runc
 * does: the namespace each launch copies holds ROOT's mounts only, and
 * PROGRAM is a path in ROOT. A launch that
 * exits non-zero stops the run with its status. */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char **child_argv;

static int run(void *arg)
{
	(void)arg;
	execv(child_argv[0], child_argv);
	_exit(127);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static char stack[1 << 16];

	if (argc > 2 && !strcmp(argv[1], "-r")) {
		if (chdir(argv[2]) || syscall(SYS_pivot_root, ".", ".") ||
		    umount2(".", MNT_DETACH) || chdir("/")) {
			perror("rootfs-launch: pivot_root into ROOT");
			return 1;
		}
		argc -= 2, argv += 2;
	}
	int ns = argc > 1 && !strcmp(argv[1], "-n");

	if (argc < 4 + ns) {
		fprintf(stderr, "usage: rootfs-launch [-r ROOT] [-n] N REPEATS PROGRAM [ARG...]\n");
		return 2;
	}
	int n = atoi(argv[1 + ns]), reps = atoi(argv[2 + ns]);
	child_argv = argv + 3 + ns;
	double *t = calloc((size_t)reps, sizeof *t);
	for (int r = 0; r < reps; r++) {
		double start = now();
		for (int i = 0; i < n; i++) {
			int flags = SIGCHLD | (ns ? CLONE_NEWNS | CLONE_NEWPID : 0);
			pid_t pid = clone(run, stack + sizeof stack, flags, NULL);
			int st;
			if (pid < 0 || waitpid(pid, &st, 0) < 0) {
				perror("rootfs-launch");
				return 1;
			}
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				fprintf(stderr, "rootfs-launch: %s failed (status 0x%x)\n",
					child_argv[0], st);
				return 1;
			}
		}
		t[r] = (now() - start) / n;
	}
	qsort(t, (size_t)reps, sizeof *t, cmp);
	printf("%.1f\n", t[reps / 2]);
	return 0;
}
