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
 * bound over them, directories an empty read-only tmpfs. */
static const char masked[] = "proc/acpi\0proc/asound\0proc/kcore\0proc/keys\0"
			     "proc/latency_stats\0proc/timer_list\0proc/timer_stats\0"
			     "proc/sched_debug\0proc/scsi\0sys/firmware\0"
			     "sys/devices/virtual/powercap\0";
/* Paths the payload may read but not write. */
static const char readonly[] = "proc/bus\0proc/fs\0proc/irq\0proc/sys\0proc/sysrq-trigger\0";

static int exists(const char *path, int want_dir)
{
	struct stat st;
	return dry_run || (lstat(path, &st) == 0 && (!want_dir || S_ISDIR(st.st_mode)));
}

int apifs_mask(void)
{
	int rc = 0;

	for (const char *p = masked; *p && !rc; p += strlen(p) + 1) {
		struct stat st;
		if (dry_run ? 0 : lstat(p, &st) < 0)
			continue;
		if (!dry_run && S_ISDIR(st.st_mode))
			rc = st_mount("tmpfs", p, "tmpfs", MS_RDONLY | KERNFS, "size=0");
		else
			rc = st_mount("dev/null", p, NULL, MS_BIND, NULL);
	}
	for (const char *p = readonly; *p && !rc; p += strlen(p) + 1) {
		if (!exists(p, 0))
			continue;
		rc = st_mount(p, p, NULL, MS_BIND | MS_REC, NULL);
		if (!rc)
			rc = st_mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | KERNFS, NULL);
	}
	return rc;
}

int apifs_tmp(void)
{
	int rc = 0;

	if (exists("tmp", 1))
		rc = st_mount("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	if (!rc && exists("run", 1))
		rc = st_mount("tmpfs", "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	return rc;
}
