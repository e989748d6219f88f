/* netcheck: a VM test payload. Sends a line through a TCP connection to
 * itself on 127.0.0.1 and prints "netcheck: loopback ok" (exit 0) or why
 * not (exit 1), then the host name. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	char buf[16] = "", host[80] = "";
	int s = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), ok = 0;

	if (s >= 0 && c >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
	    listen(s, 1) == 0 && getsockname(s, (struct sockaddr *)&a, &len) == 0 &&
	    connect(c, (struct sockaddr *)&a, sizeof a) == 0) {
		int d = accept(s, NULL, NULL);
		ok = d >= 0 && write(c, "ping", 4) == 4 && read(d, buf, sizeof buf - 1) == 4 &&
		     strcmp(buf, "ping") == 0;
	}
	if (ok)
		printf("netcheck: loopback ok\n");
	else
		printf("netcheck: loopback: %s\n", strerror(errno));
	gethostname(host, sizeof host);
	printf("netcheck: hostname '%s'\n", host);
	return !ok;
}
