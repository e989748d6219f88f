/* rootfs-baseline [-u] [-c] [-M] LAYERS PROGRAM: the floor for tinyinit's
 * root assembly. The same system calls tinyinit makes for two layers (see
 * its -vv trace), hard-coded, with no parsing, tracing, error messages or
 * supervision: stage tmpfs, bind, overlay, /proc, /sys, /dev, masks, pivot,
 * then vfork+exec PROGRAM and wait. Each step added since can be priced on
 * its own: -u unshares a mount namespace first (tinyinit always does), -c
 * drops CAP_SYS_ADMIN (bounding set, then effective, permitted and
 * inheritable in the child), -M leaves the masks out. For the rootfs
 * benchmark only. */
#include <fcntl.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static const char *const masked[] = {
    "proc/acpi",
    "proc/asound",
    "proc/interrupts",
    "proc/kcore",
    "proc/keys",
    "proc/latency_stats",
    "proc/timer_list",
    "proc/timer_stats",
    "proc/sched_debug",
    "proc/scsi",
    "sys/firmware",
    "sys/devices/virtual/powercap",
};
static const char *const readonly[] = {"proc/bus", "proc/fs", "proc/irq", "proc/sys",
				       "proc/sysrq-trigger"};

static char **args; /* LAYERS PROGRAM [ARG...]; static: vfork below */

int main(int argc, char **argv)
{
	char l[4096];
	struct stat st;
	int ok = 1, unshare_ns = 0, drop = 0, masks = 1;

	int a = 1;
	for (; a < argc && argv[a][0] == '-'; a++) {
		unshare_ns |= argv[a][1] == 'u';
		drop |= argv[a][1] == 'c';
		masks &= argv[a][1] != 'M';
	}
	if (argc - a < 2)
		return 2;
	args = argv + a;
	if (strlen(args[0]) > sizeof l - 3)
		return 2;
	strcpy(l, args[0]);
	strcat(l, "/l");
	umask(0);
	if (unshare_ns)
		ok &= !unshare(CLONE_NEWNS);
	ok &= !mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	ok &= !chdir(args[0]);
	ok &= !mount("tinyinit", args[0], "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	ok &= !mkdir(l, 0755);
	ok &= !mount(".", l, NULL, MS_BIND, NULL);
	ok &= !chdir(args[0]);
	ok &= !mkdir("u", 0755) & !mkdir("w", 0700) & !mkdir("root", 0755);
	ok &= !mount("overlay", "root", "overlay", 0,
		     "lowerdir=l/01-app:l/00-base,upperdir=u,workdir=w");
	ok &= !chdir("root");
	mkdir("proc", 0555);
	ok &= !mount("proc", "proc", "proc", NS, NULL);
	mkdir("sys", 0555);
	ok &= !mount("sysfs", "sys", "sysfs", NS | MS_RDONLY, NULL);
	mkdir("dev", 0755);
	ok &= !mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=0755,size=65536k");
	ok &= !mknod("dev/null", S_IFCHR | 0666, makedev(1, 3));
	ok &= !mknod("dev/zero", S_IFCHR | 0666, makedev(1, 5));
	ok &= !mknod("dev/full", S_IFCHR | 0666, makedev(1, 7));
	ok &= !mknod("dev/random", S_IFCHR | 0666, makedev(1, 8));
	ok &= !mknod("dev/urandom", S_IFCHR | 0666, makedev(1, 9));
	ok &= !mknod("dev/tty", S_IFCHR | 0666, makedev(5, 0));
	ok &= !mkdir("dev/pts", 0755);
	ok &= !mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620,gid=5");
	ok &= !mkdir("dev/shm", 01777);
	ok &= !mount("shm", "dev/shm", "tmpfs", NS, "mode=1777,size=65536k");
	ok &= !symlink("/proc/self/fd", "dev/fd") & !symlink("/proc/self/fd/0", "dev/stdin") &
	      !symlink("/proc/self/fd/1", "dev/stdout") &
	      !symlink("/proc/self/fd/2", "dev/stderr") & !symlink("pts/ptmx", "dev/ptmx");
	for (unsigned i = 0; masks && i < sizeof masked / sizeof masked[0]; i++) {
		if (syscall(SYS_newfstatat, AT_FDCWD, masked[i], &st, AT_SYMLINK_NOFOLLOW))
			continue;
		ok &= S_ISDIR(st.st_mode)
			  ? !mount("tmpfs", masked[i], "tmpfs", MS_RDONLY | NS, "size=0")
			  : !mount("dev/null", masked[i], NULL, MS_BIND, NULL);
	}
	for (unsigned i = 0; masks && i < sizeof readonly / sizeof readonly[0]; i++) {
		if (syscall(SYS_newfstatat, AT_FDCWD, readonly[i], &st, AT_SYMLINK_NOFOLLOW))
			continue;
		ok &= !mount(readonly[i], readonly[i], NULL, MS_BIND | MS_REC, NULL);
		ok &= !mount(NULL, readonly[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | NS, NULL);
	}
	ok &= !syscall(SYS_pivot_root, ".", ".");
	ok &= !umount2(".", MNT_DETACH);
	ok &= !chdir("/");
	if (drop) { /* here rather than in the child: the same calls */
		struct {
			unsigned version;
			int pid;
		} h = {0x20080522, 0}; /* _LINUX_CAPABILITY_VERSION_3 */
		unsigned d[6];
		ok &= !prctl(PR_CAPBSET_DROP, 21) && !syscall(SYS_capget, &h, d);
		for (int i = 0; i < 3; i++)
			d[i] &= ~(1u << 21); /* CAP_SYS_ADMIN */
		ok &= !syscall(SYS_capset, &h, d);
	}
	if (!ok)
		return 3;
	int status;
	pid_t pid = vfork();
	if (pid == 0) {
		execv(args[1], args + 1);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
