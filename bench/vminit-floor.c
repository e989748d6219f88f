/* vminit-floor: the floor of bench/vmboot.sh. As a VM's /init it does only
 * what any init must before the payload can write to /dev/kmsg: mount
 * devtmpfs, vfork+exec /payload, wait; then it prints the status line
 * qemu/run reads and powers off.
 * The time from the kernel's "Run /init" to the payload's marker under it
 * is the cost of starting the first two processes, which no init avoids. */
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int status;

	mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
	pid_t pid = vfork();
	if (pid == 0) {
		execl("/payload", "payload", (char *)0);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	static const char end[] = "tinyinit: payload exited with status 0\n";
	if (write(1, end, sizeof end - 1) < 0)
		status = 1;
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
