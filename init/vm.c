/* VM mode: the kernel starts tinyinit as /init on its initial rootfs,
 * with /dev/console as fds 0-2 and nothing mounted. */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../include/initramfs.h"
#include "cmdline.h"
#include "fmt.h"
#include "shutdown.h"
#include "steps.h"

#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994
#define KERNFS	    (MS_NOSUID | MS_NODEV | MS_NOEXEC)

int vm_detect(void)
{
	struct statfs s;

	return getpid() == 1 && statfs("/", &s) == 0 &&
	       (s.f_type == RAMFS_MAGIC || s.f_type == TMPFS_MAGIC) && access("/proc/1", F_OK) < 0;
}

/* Reads a whole (small) file into buf; returns its length or -errno. */
static long slurp(const char *path, char *buf, size_t cap)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	long n = 0, got;

	if (fd < 0)
		return -errno;
	/* A short read is the end (small files, and /proc/cmdline in one go). */
	while (n < (long)cap - 1 && (got = read(fd, buf + n, cap - 1 - (size_t)n)) > 0) {
		n += got;
		if (got < (long)cap - 1 - (n - got))
			break;
	}
	close(fd);
	buf[n] = 0;
	return n;
}

/* Loads the modules of MODULES_ORDER, in order. A module that fails is
 * reported and skipped: what needs it fails later with its own message. */
static void load_modules(void)
{
	static char list[MODULES_ORDER_MAX + 1];
	char path[512];

	if (slurp(MODULES_ORDER, list, sizeof list) <= 0)
		return;
	for (char *p = list, *next; *p; p = next) {
		char *nl = (char *)chrnul(p, '\n');
		next = nl + (*nl == '\n');
		*nl = 0;
		if (!*p)
			continue;
		fmt_buf(path, sizeof path, MODULES_DIR "/%s", p);
		int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
		long rc = fd < 0 ? -1 : syscall(SYS_finit_module, fd, "", 0);
		if (rc < 0 && errno != EEXIST)
			say("module %s: %s", p, errstr(errno));
		else
			LOG(1, "loaded module %s", p);
		if (fd >= 0)
			close(fd);
		/* loaded or not, its file in the initramfs (RAM) goes (review P2-25) */
		unlink(path);
	}
}

char recorded_args[INIT_ARGS_MAX + 1];

int config_recorded(struct config *c, long n, int argc, char **argv, char *err)
{
	static char *words[INIT_ARGS_WORDS + 2], *args[INIT_ARGS_WORDS + 2];
	char *buf = recorded_args;
	int nw = 1;

	words[0] = "tinyinit";
	for (long i = 0; i < n && nw <= INIT_ARGS_WORDS; i += (long)strlen(buf + i) + 1)
		words[nw++] = buf + i;
	words[nw] = NULL;
	int rc = config_args(c, nw, words, err, 256);
	if (rc || argc < 2 || !c->argv)
		return rc;
	args[0] = c->argv[0];
	int i = 1;
	for (; i < argc && i <= INIT_ARGS_WORDS; i++)
		args[i] = argv[i];
	args[i] = NULL;
	c->argv = args;
	return 0;
}

/* argv for the payload: the image's (INIT_ARGS_FILE), with the arguments
 * the kernel passed to init replacing its default arguments. */
static int read_args(struct config *c, int argc, char **argv, char *err)
{
	long n = slurp(INIT_ARGS_FILE, recorded_args, sizeof recorded_args);

	if (n < 0) /* no file: the kernel's arguments are the whole command line */
		return config_args(c, argc, argv, err, 256);
	return config_recorded(c, n, argc, argv, err);
}

int vm_boot(struct config *c, int argc, char **argv)
{
	static char cmdline[4096];
	char err[256];
	int rc = 0;

	/* The kernel's own filesystems, in the initramfs; they move into the
	 * assembled root later. A devtmpfs is right here: the VM is the
	 * boundary. cgroup2 gives the payload its controllers (a runtime
	 * sizes itself by them). Only /proc is needed to go on. Rows of
	 * "TYPE\0PATH\0DATA\0", their flags beside. */
	static const char api[] = "devtmpfs\0/dev\0mode=0755\0"
				  "proc\0/proc\0\0"
				  "sysfs\0/sys\0\0"
				  "devpts\0/dev/pts\0ptmxmode=0666,mode=0620,gid=5\0"
				  "tmpfs\0/dev/shm\0mode=1777\0"
				  "cgroup2\0/sys/fs/cgroup\0\0";
	static const unsigned char flags[] = {MS_NOSUID, KERNFS, KERNFS, MS_NOSUID | MS_NOEXEC,
					      KERNFS,	 KERNFS};
	const char *t = api;
	for (unsigned i = 0; i < sizeof flags; i++) {
		const char *path = t + strlen(t) + 1, *data = path + strlen(path) + 1;
		/* mkrootfs ships the mount points: mkdir only when one is missing
		 * (the mount covers its mode) */
		int r = st_mount(t, path, t, flags[i], data);
		if (r == -ENOENT && st_mkdir(path, 0755) == 0)
			r = st_mount(t, path, t, flags[i], data);
		if (i == 1)
			rc = r;
		t = data + strlen(data) + 1;
	}
	if (rc)
		return rc;

	/* Ctrl-Alt-Del arrives as SIGINT, a stop request (shutdown.c); the
	 * leftovers of a VM get 10 s of grace unless the image says otherwise. */
	reboot(RB_DISABLE_CAD);
	if (!c->grace)
		c->grace = 10;
	rc = read_args(c, argc, argv, err);
	if (rc == 0 && slurp("/proc/cmdline", cmdline, sizeof cmdline) > 0)
		rc = cmdline_apply(c, cmdline, err, sizeof err);
	if (rc < 0)
		return failure(0, "%s", err);
	if (rc > 0) /* --help or --version in the image's arguments */
		return failure(0, "the image's arguments ask for --help or --version");
	verbosity = c->verbose;
	load_modules();
	return 0;
}

int vm_move_api(void)
{
	static const char api[] = "/proc\0/sys\0/dev\0";
	int rc = 0;

	for (const char *p = api; *p && !rc; p += strlen(p) + 1) {
		rc = st_mkdir(p + 1, 0755);
		if (!rc)
			rc = st_mount(p, p + 1, NULL, MS_MOVE, NULL);
	}
	return rc;
}

void vm_end(const struct config *c, int status)
{
	const char *how = c->on_exit ? c->on_exit : "poweroff";
	int cmd = RB_POWER_OFF;

	if (!strcmp(how, "reboot"))
		cmd = RB_AUTOBOOT;
	else if (!strcmp(how, "halt"))
		cmd = RB_HALT_SYSTEM;
	else if (strcmp(how, "poweroff"))
		say("--on-exit %s: not poweroff, reboot or halt; powering off", how);
	char line[sizeof EXIT_LINE + 8];
	fmt_buf(line, sizeof line, EXIT_LINE "%d\n", status);
	vm_settle(c);
	put(2, line);
	reboot(cmd);
	/* Refused (no CAP_SYS_BOOT: not the kernel's init after all) or
	 * returned: say so, try the other ways down, then exit, so that the
	 * kernel panics with a message rather than PID 1 hanging silently. */
	say("reboot: %s; trying poweroff, halt, exit", errstr(errno));
	reboot(RB_POWER_OFF);
	reboot(RB_HALT_SYSTEM);
	_exit(status);
}
