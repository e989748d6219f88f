/* A minimal DHCP client (RFC 2131): DISCOVER, OFFER, REQUEST, ACK over a
 * UDP socket bound to the interface (broadcasts from 0.0.0.0:68, with the
 * broadcast flag set so that servers broadcast their replies to a client
 * that has no address yet). Renewal (net_renew, from the supervision loop
 * at half the lease): a REQUEST from the address, unicast to the server. */
#include "dhcp.h"

#include <errno.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"

struct bootp {
	unsigned char op, htype, hlen, hops;
	unsigned xid;
	unsigned short secs, flags;
	unsigned ciaddr, yiaddr, siaddr, giaddr;
	unsigned char chaddr[16], sname[64], file[128];
	unsigned magic;
	unsigned char opt[64];
};
#define OPTS offsetof(struct bootp, opt)

int dhcp_parse(const unsigned char *p, unsigned long n, unsigned xid, struct ipconf *ic,
	       unsigned *server)
{
	unsigned long off = OPTS;
	unsigned lease = 0;
	int type = 0;

	/* by offset: p need not be aligned */
	if (n < OPTS || p[0] != 2 || memcmp(p + 4, &xid, 4) || memcmp(p + OPTS - 4, "c\x82Sc", 4))
		return -1;
	memcpy(&ic->addr, p + offsetof(struct bootp, yiaddr), 4);
	while (off + 1 < n && p[off] != 255) {
		unsigned code = p[off], len = code ? p[off + 1] : 0;
		const unsigned char *v = p + off + 2;
		if (!code) { /* pad */
			off++;
			continue;
		}
		off += 2 + len;
		if (off > n)
			return -1;
		if (code == 53 && len == 1)
			type = v[0];
		if (code == 12 && len) { /* host name */
			len = len < sizeof ic->host ? len : sizeof ic->host - 1;
			memcpy(ic->host, v, len);
			ic->host[len] = 0;
		}
		unsigned *to = code == 1    ? &ic->mask
			       : code == 3  ? &ic->gw
			       : code == 6  ? ic->dns
			       : code == 51 ? &lease
			       : code == 54 ? server
					    : NULL;
		if (to && len >= 4)
			memcpy(to, v, code == 6 && len >= 8 ? 8 : 4);
	}
	ic->lease = ntohl(lease);
	return type;
}

long dhcp_now(void)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static struct bootp q;

int dhcp_run(int fd, struct ifreq *r, struct ipconf *ic)
{
	const unsigned char *mac = (unsigned char *)r->ifr_hwaddr.sa_data;
	static unsigned char in[576];
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(68)};
	unsigned server = ic->server, one = 1, addr = ic->addr;
	/* the message awaited: an OFFER, then an ACK; renewing (an address
	 * held), one REQUEST from it (ciaddr) to the server and its ACK, 4 s */
	int want = addr ? 5 : 2, wait = addr ? 4 : 1;
	char host[sizeof ic->host];

	memcpy(host, ic->host, sizeof host); /* ip='s host name wins over the server's */
	q.ciaddr = addr;
	if (!addr && (ioctl(fd, SIOCGIFHWADDR, r) < 0 ||
		      setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ic->dev, sizeof ic->dev) < 0 ||
		      setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0 ||
		      bind(fd, (struct sockaddr *)&a, sizeof a) < 0))
		return failure(errno, "dhcp on %s", ic->dev);
	a.sin_port = htons(67);
	a.sin_addr.s_addr = addr && server ? server : ~0u;
	q.op = 1, q.htype = 1, q.hlen = 6, q.flags = htons(0x8000);
	if (!addr) {
		memcpy(q.chaddr, mac, 6);
		memcpy(&q.xid, mac + 2, 4);
	}
	q.xid ^= (unsigned)dhcp_now() ^ (unsigned)getpid();
	/* DISCOVER waits 1, 2, 3, 4 s for an OFFER (10 s in all), the REQUEST
	 * as long for its ACK; a NAK starts again. */
	while (wait <= 4) {
		unsigned char *o = q.opt;
		memcpy(&q.magic, "c\x82Sc", 4);
		memset(o, 0, sizeof q.opt);
		*o++ = 53, *o++ = 1, *o++ = want == 2 ? 1 : 3;
		if (want == 5 && !addr) {
			*o++ = 50, *o++ = 4, memcpy(o, &ic->addr, 4), o += 4;
			*o++ = 54, *o++ = 4, memcpy(o, &server, 4), o += 4;
		}
		memcpy(o, "\x37\x05\x01\x03\x06\x0c\x33\xff", 8); /* mask router dns host lease */
		LOG(2, "dhcp: %s on %s", want == 2 ? "DISCOVER" : "REQUEST", ic->dev);
		struct timeval tv = {wait, 0};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		if (sendto(fd, &q, sizeof q, 0, (struct sockaddr *)&a, sizeof a) < 0)
			return failure(errno, "dhcp on %s", ic->dev);
		int type = -1;
		for (long end = dhcp_now() + wait;
		     type != want && type != 6 && dhcp_now() <= end;) {
			long n = recv(fd, in, sizeof in, 0);
			type = n < 0 ? -1 : dhcp_parse(in, (unsigned long)n, q.xid, ic, &server);
		}
		if (type == 5 && (!addr || ic->addr == addr)) {
			if (host[0])
				memcpy(ic->host, host, sizeof host);
			ic->server = server;
			return 0;
		}
		want = type == 2 ? 5 : 2;
		wait += type != 2;
	}
	ic->addr = addr;
	return failure(ETIMEDOUT, "dhcp on %s: no %s", ic->dev, addr ? "renewal" : "lease");
}
