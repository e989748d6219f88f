/* httpd: a small static HTTP/1.0 server for appliance microVMs. It serves
 * the files under one directory (GET and HEAD), one connection at a time,
 * and exits 0 on SIGTERM or SIGINT. Files are read to their end, so that
 * /proc files (size 0 in stat) are served too.
 *
 *   httpd [--port N] [--write-on-stop FILE] [DIR]   (default: port 80, DIR .)
 *
 * --write-on-stop FILE: on SIGTERM, write "stopped cleanly\n" to FILE before
 * exiting (no fsync: keeping it is the init's sync at shutdown). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static const char *content_type(const char *path)
{
	static const char *const types[][2] = {
	    {".html", "text/html"},	{".htm", "text/html"},	       {".css", "text/css"},
	    {".js", "text/javascript"}, {".json", "application/json"}, {".png", "image/png"},
	    {".jpg", "image/jpeg"},	{".svg", "image/svg+xml"},     {".txt", "text/plain"},
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(dot, types[i][0]) == 0)
			return types[i][1];
	return "text/plain";
}

static void send_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

static void reply_status(int fd, int code, const char *text)
{
	char buf[256];
	int n = snprintf(buf, sizeof buf,
			 "HTTP/1.0 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%s\n",
			 code, text, strlen(text) + 1, text);
	send_all(fd, buf, (size_t)n);
}

/* A request path is served when it is absolute and has no ".." segment. */
static int safe_path(const char *p)
{
	if (p[0] != '/')
		return 0;
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == 0))
			return 0;
	return 1;
}

static void serve(int c)
{
	char req[2048], path[1100], *sp, *end;
	size_t n = 0;
	ssize_t r;

	/* the request line and headers, up to the blank line */
	while (n < sizeof req - 1 && (r = read(c, req + n, sizeof req - 1 - n)) > 0) {
		n += (size_t)r;
		req[n] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[n] = 0;
	int head = strncmp(req, "HEAD ", 5) == 0;
	if (!head && strncmp(req, "GET ", 4) != 0) {
		reply_status(c, 501, "only GET and HEAD");
		return;
	}
	sp = req + (head ? 5 : 4);
	end = sp + strcspn(sp, " ?\r\n");
	*end = 0;
	if (!safe_path(sp) || strlen(sp) > 1000) {
		reply_status(c, 400, "bad path");
		return;
	}
	snprintf(path, sizeof path, ".%s%s", sp, sp[strlen(sp) - 1] == '/' ? "index.html" : "");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		reply_status(c, 404, "not found");
		if (fd >= 0)
			close(fd);
		return;
	}
	/* read it whole first: /proc files have no size until read */
	size_t cap = 65536, len = 0;
	char *body = malloc(cap);
	while (body && (r = read(fd, body + len, cap - len)) > 0)
		if ((len += (size_t)r) == cap)
			body = realloc(body, cap *= 2);
	close(fd);
	if (!body) {
		reply_status(c, 500, "out of memory");
		return;
	}
	char hdr[256];
	int h = snprintf(hdr, sizeof hdr,
			 "HTTP/1.0 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 content_type(path), len);
	send_all(c, hdr, (size_t)h);
	if (!head)
		send_all(c, body, len);
	free(body);
}

int main(int argc, char **argv)
{
	const char *dir = ".", *stopfile = NULL;
	int port = 80, one = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			port = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--write-on-stop") == 0 && i + 1 < argc) {
			stopfile = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			puts("usage: httpd [--port N] [--write-on-stop FILE] [DIR]");
			return 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "httpd: unknown option %s\n", argv[i]);
			return 2;
		} else {
			dir = argv[i];
		}
	}
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "httpd: --port: not a port number\n");
		return 2;
	}
	if (chdir(dir) < 0) {
		fprintf(stderr, "httpd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: accept returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), v6 = s >= 0;
	if (!v6)
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6,
				  .sin6_port = htons((unsigned short)port)};
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	if (s < 0 ||
	    (v6 ? bind(s, (struct sockaddr *)&a6, sizeof a6)
		: bind(s, (struct sockaddr *)&a4, sizeof a4)) < 0 ||
	    listen(s, 16) < 0) {
		fprintf(stderr, "httpd: port %d: %s\n", port, strerror(errno));
		return 1;
	}
	printf("httpd: serving %s on port %d\n", dir, port);
	fflush(stdout);
	while (!stop) {
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue; /* EINTR: look at stop */
		struct timeval tv = {5, 0};
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		serve(c);
		close(c);
	}
	if (stopfile) {
		int fd = open(stopfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "stopped cleanly\n", 16) != 16)
			fprintf(stderr, "httpd: %s: %s\n", stopfile, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	printf("httpd: got signal %d, exiting\n", (int)stop);
	return 0;
}
