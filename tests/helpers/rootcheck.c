/* rootcheck MODE: probes run inside an assembled root.
 *   escape      the classic chroot escape (mkdir, chroot into it, chdir("..")
 *               many times, chroot(".")), then lists "/" of where it got to
 *   pty         opens /dev/ptmx and its peer, writes through, prints "pty ok"
 *   devices     reads /dev/zero and /dev/urandom, writes /dev/null, prints
 *               "devices ok" */
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int escape(void)
{
	mkdir("/escape-dir", 0755);
	if (chdir("/") || chroot("/escape-dir")) {
		perror("rootcheck: chroot escape-dir");
		return 1;
	}
	/* cwd is now outside the (new) root: walk up as far as it goes. */
	for (int i = 0; i < 64; i++)
		if (chdir("..")) {
			perror("rootcheck: chdir ..");
			return 1;
		}
	if (chroot(".")) {
		perror("rootcheck: chroot .");
		return 1;
	}
	DIR *d = opendir("/");
	if (!d) {
		perror("rootcheck: opendir /");
		return 1;
	}
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.')
			printf("%s\n", e->d_name);
	closedir(d);
	return 0;
}

static int pty(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m)) {
		perror("rootcheck: /dev/ptmx");
		return 1;
	}
	const char *name = ptsname(m);
	int s = name ? open(name, O_RDWR | O_NOCTTY) : -1;
	if (s < 0) {
		perror("rootcheck: pty peer");
		return 1;
	}
	char buf[8] = {0};
	if (write(m, "x\n", 2) != 2 || read(s, buf, sizeof buf) < 1 || buf[0] != 'x') {
		fprintf(stderr, "rootcheck: pty does not carry data\n");
		return 1;
	}
	printf("pty ok (%s)\n", name);
	return 0;
}

static int devices(void)
{
	unsigned char z[64], r[64];
	int fz = open("/dev/zero", O_RDONLY), fr = open("/dev/urandom", O_RDONLY);
	int fn = open("/dev/null", O_WRONLY);
	if (fz < 0 || fr < 0 || fn < 0) {
		perror("rootcheck: open device");
		return 1;
	}
	if (read(fz, z, sizeof z) != sizeof z || read(fr, r, sizeof r) != sizeof r ||
	    write(fn, r, sizeof r) != sizeof r) {
		perror("rootcheck: read/write device");
		return 1;
	}
	for (size_t i = 0; i < sizeof z; i++)
		if (z[i]) {
			fprintf(stderr, "rootcheck: /dev/zero gave a non-zero byte\n");
			return 1;
		}
	int same = 1;
	for (size_t i = 1; i < sizeof r; i++)
		same &= r[i] == r[0];
	if (same) {
		fprintf(stderr, "rootcheck: /dev/urandom gave constant bytes\n");
		return 1;
	}
	printf("devices ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "escape"))
		return escape();
	if (!strcmp(mode, "pty"))
		return pty();
	if (!strcmp(mode, "devices"))
		return devices();
	fprintf(stderr, "usage: rootcheck escape|pty|devices\n");
	return 2;
}
