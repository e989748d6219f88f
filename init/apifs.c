/* /proc, /sys, their masks, /tmp and /run in the new root. Each mount's
 * flags are the ones a container runtime uses. */
#include "apifs.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fmt.h"
#include "steps.h"

#define KERNFS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

int apifs_proc(void)
{
	int rc = st_mkdir("proc", 0555);
	return rc ? rc : st_mount("proc", "proc", "proc", KERNFS, NULL);
}

int apifs_sys(void)
{
	int rc = st_mkdir("sys", 0555);

	if (rc)
		return rc;
	if (st_mount("sysfs", "sys", "sysfs", KERNFS | MS_RDONLY, NULL) == 0)
		return 0;
	/* Not allowed here (e.g. a user namespace without its own network
	 * namespace): the caller's /sys, read-only, is the next best. */
	if (st_mount("/sys", "sys", NULL, MS_BIND | MS_REC, NULL) == 0 &&
	    st_mount(NULL, "sys", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | KERNFS, NULL) == 0)
		return 0;
	say("warning: no /sys in the new root (%s)", errmsg);
	return 0;
}

/* Paths hidden from the payload (as runc hides them): files get dev/null
 * bound over them, directories an empty read-only tmpfs. Each is mounted
 * relative to the new root (the name without its '/'); whether it exists
 * and is a directory is the same in the current /proc and /sys (same
 * kernel), which --dry-run looks at. */
static const char masked[] = "/proc/acpi\0/proc/asound\0/proc/interrupts\0/proc/kcore\0/proc/keys\0"
			     "/proc/latency_stats\0/proc/timer_list\0/proc/timer_stats\0"
			     "/proc/sched_debug\0/proc/scsi\0/sys/firmware\0"
			     "/sys/devices/virtual/powercap\0";
/* Paths the payload may read but not write. */
static const char readonly[] = "/proc/bus\0/proc/fs\0/proc/irq\0/proc/sys\0/proc/sysrq-trigger\0";

/* Hides p (absolute; mounted relative to the new root) where it exists. */
static int mask(const char *p)
{
	struct stat st;

	if (xstat(0, dry_run ? p : p + 1, &st, 1) < 0)
		return 0;
	if (S_ISDIR(st.st_mode))
		return st_mount("tmpfs", p + 1, "tmpfs", MS_RDONLY | KERNFS, "size=0");
	return st_mount("dev/null", p + 1, NULL, MS_BIND, NULL);
}

/* Each CPU's thermal_throttle directory: a side channel (GHSA-6fw5-f8r9-fgfm)
 * that Docker, Kubernetes and Podman mask since 2025; cpu0, cpu1, ... up to
 * the first number sysfs does not have. */
static int mask_thermal(void)
{
	char path[64];
	struct stat st;
	int rc = 0;

	for (int i = 0; !rc; i++) {
		size_t n = fmt_buf(path, sizeof path, "/sys/devices/system/cpu/cpu%d", i);
		if (xstat(0, dry_run ? path : path + 1, &st, 1) < 0)
			break;
		fmt_buf(path + n, sizeof path - n, "/thermal_throttle");
		rc = mask(path);
	}
	return rc;
}

int apifs_mask(void)
{
	struct stat st;
	int rc = mask_thermal();

	for (const char *p = masked; *p && !rc; p += strlen(p) + 1)
		rc = mask(p);
	for (const char *p = readonly; *p && !rc; p += strlen(p) + 1) {
		if (xstat(0, dry_run ? p : p + 1, &st, 1) < 0)
			continue;
		rc = st_mount(p + 1, p + 1, NULL, MS_BIND | MS_REC, NULL);
		if (!rc)
			rc = st_mount(NULL, p + 1, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | KERNFS,
				      NULL);
	}
	return rc;
}

static int is_dir(const char *path)
{
	struct stat st;
	return dry_run || (xstat(0, path, &st, 1) == 0 && S_ISDIR(st.st_mode));
}

int apifs_tmp(void)
{
	int rc = 0;

	if (is_dir("tmp"))
		rc = st_mount("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	if (!rc && is_dir("run"))
		rc = st_mount("tmpfs", "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	return rc;
}

int apifs_cgroup(void)
{
	if (st_mount("cgroup2", "sys/fs/cgroup", "cgroup2", MS_RDONLY | KERNFS, NULL))
		say("warning: no /sys/fs/cgroup in the new root (%s)", errmsg);
	return 0;
}
