/* vmmark: the payload of bench/vmboot.sh's tinyinit row. First thing, it
 * writes "<2>vmboot: payload start" to /dev/kmsg (the kernel stamps it),
 * then exits 0 so tinyinit powers the VM off. */
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	static const char mark[] = "<2>vmboot: payload start\n";
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd < 0 || write(fd, mark, sizeof mark - 1) < 0)
		return 1;
	return 0;
}
