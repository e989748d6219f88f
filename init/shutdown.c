/* VM mode: stopping gracefully. The kernel turns Ctrl-Alt-Del (QEMU's
 * sendkey, Firecracker's SendCtrlAltDel) into SIGINT for init once
 * reboot(RB_DISABLE_CAD) is set; a VMM or an operator may also send
 * SIGTERM, SIGPWR or signal 38 (SIGRTMIN+4 as glibc and systemd count it:
 * "power off"). Each means: stop the payload with SIGTERM (or what
 * --rewrite makes of SIGTERM), give it the grace period, then SIGKILL.
 * The rest (leftovers, sync, the persistent upper, the status line, power
 * off) is supervise's grace and vm_end's. */
#include "shutdown.h"

#include <errno.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include "fmt.h"

int vm_signal(const struct config *c, int sig, int code)
{
	static int stopping;

	if (sig == SIGALRM && code == SI_KERNEL && stopping) {
		kill(-1, SIGKILL);
		LOG(1, "grace period over: sent SIGKILL to remaining processes");
		return 0;
	}
	if (sig != SIGINT && sig != SIGTERM && sig != SIGPWR && sig != 38)
		return sig;
	if (!stopping++) {
		LOG(1, "stop requested by signal %d; grace %d s", sig, c->grace);
		alarm((unsigned)c->grace); /* arrives as a blocked SIGALRM, with SI_KERNEL */
	}
	return SIGTERM;
}

void vm_settle(const struct config *c)
{
	sync();
	if (!c->upper)
		return;
	/* A persistent upper: the overlay read-only, then its ext4 file system,
	 * reached again through the device (the mount of the assembly was
	 * detached with the initramfs). Mounting it once more gives the same
	 * superblock; remounting that read-only leaves it clean. */
	mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL);
	if (mount(c->upper, "/dev", "ext4", 0, NULL) == 0 &&
	    mount(NULL, "/dev", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
		say("cannot remount %s read-only: %s", c->upper, errstr(errno));
}
