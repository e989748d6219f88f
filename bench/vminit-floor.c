/* vminit-floor: the floor of bench/vmboot.sh. As a VM's /init it does only
 * what the issue asks of every VM init before its payload runs — mount
 * devtmpfs on /dev, proc on /proc, sysfs on /sys — then vfork+exec
 * /payload, wait, print the status line qemu/run reads, and power off.
 * The time from the kernel's "Run /init" to the payload's marker under it
 * is the kernel starting the first two processes plus those three mounts,
 * which no init avoids; what tinyinit takes beyond it is its own work. */
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../include/initramfs.h"

int main(void)
{
	static const char end[] = EXIT_LINE "0\n";
	int status;

	mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, 0);
	mkdir("/sys", 0555);
	mount("sysfs", "/sys", "sysfs", 0, 0);
	pid_t pid = vfork();
	if (pid == 0) {
		execl("/payload", "payload", (char *)0);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	if (write(1, end, sizeof end - 1) < 0)
		status = 1;
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
