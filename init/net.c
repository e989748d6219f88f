/* Loopback, ip= and the resolver files (see net.h). One rtnetlink request
 * builder serves link, address and route. */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dhcp.h"
#include "fmt.h"
#include "steps.h"

extern char **environ;

#ifdef TINYINIT_NET
/* The rtnetlink requests, as bytes (little-endian, like every target of
 * tinyinit): struct nlmsghdr (length, type, NLM_F_REQUEST | NLM_F_ACK and
 * for the new ones NLM_F_CREATE | NLM_F_EXCL), the body, 4-byte attributes.
 * nl() fills in the interface index, the address and the prefix length. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "rtnetlink requests as bytes");
#define RTM_NEWLINK  0
#define RTM_NEWADDR  1
#define RTM_NEWROUTE 2
static const unsigned char request[3][44] = {
    /* RTM_NEWLINK, struct ifinfomsg: index (20), flags and change IFF_UP */
    {32, 0, 0, 0, 16, 0, 5, 0, [24] = 1, [28] = 1},
    /* RTM_NEWADDR, struct ifaddrmsg: AF_INET, prefix length (17), index (20);
     * IFA_LOCAL and IFA_ADDRESS (28, 36) */
    {40, 0, 0, 0, 20, 0, 5, 6, [16] = 2, [24] = 8, 0, 2, 0, [32] = 8, 0, 1},
    /* RTM_NEWROUTE, struct rtmsg: AF_INET, main table, boot, unicast;
     * RTA_GATEWAY (32), RTA_OIF (40) */
    {44, 0, 0, 0, 24, 0, 5, 6, [16] = 2, 0, 0, 0, 254, 3, 0, 1, [28] = 8, 0, 5, 0, [36] = 8, 0, 4},
};
static const unsigned char idx_at[3] = {20, 20, 40}, addr_at[3][2] = {{0}, {28, 36}, {32, 32}};

/* "10.0.2.15" from network byte order. */
static const char *ip4(unsigned a, char buf[16])
{
	const unsigned char *b = (const unsigned char *)&a;
	fmt_buf(buf, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}

/* RTM_NEWLINK: ifindex up. RTM_NEWADDR: addr/plen on ifindex.
 * RTM_NEWROUTE: the default route via addr on ifindex. Then the ack. */
static int nl(int type, int idx, unsigned addr, int plen)
{
	static int fd = -1;
	unsigned char q[44];
	int ack[5], rc = 0; /* struct nlmsghdr, then struct nlmsgerr's error */
	char x[16];

	memcpy(q, request[type], 44);
	memcpy(q + idx_at[type], &idx, 4);
	q[17] = (unsigned char)plen;
	for (int i = 0; i < 2 && type; i++)
		memcpy(q + addr_at[type][i], &addr, 4);
	if (!dry_run) {
		if (fd < 0)
			fd = (int)syscall(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (fd < 0 || send(fd, q, q[0], 0) < 0 || recv(fd, ack, sizeof ack, 0) < 0)
			rc = -errno;
		else if ((short)ack[1] == 2 /* NLMSG_ERROR */ && ack[4] != -EEXIST)
			rc = ack[4]; /* EEXIST: the kernel (or an earlier stage) did it */
	}
	/* "netlink RTM_NEWADDR ifindex 2 10.0.2.15/24 = 0", "... via 10.0.2.2" */
	if (dry_run || verbosity > 1 || rc)
		say("netlink %s ifindex %d %s%s/%d = %s",
		    "RTM_NEWLINK\0RTM_NEWADDR\0RTM_NEWROUTE" + type * 12, idx,
		    type == RTM_NEWROUTE ? "via " : "", ip4(addr, x), plen, rc ? errstr(-rc) : "0");
	return rc;
}

/* Replaces path in the current root: in an overlay, in its upper, never
 * in a lower layer (what was there, a file or a symlink, is unlinked). */
static void write_file(const char *path, const char *text)
{
	LOG(2, "writing %s", path);
	if (dry_run)
		return;
	unlink(path);
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path,
			      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		say("cannot write %s: %s", path, errstr(errno));
	put(fd, text);
	close(fd);
}

static struct ipconf ic;
static struct ifreq r;
/* A DHCP lease: its socket, when to renew it and when it ends (monotonic
 * seconds; t_renew 0: nothing to renew) */
static int dfd = -1;
static long t_renew, t_end;

/* From an ACK just now: renew at half the lease (an infinite one never). */
static void lease_start(void)
{
	long t = dhcp_now();

	t_renew = ic.lease && ic.lease != ~0u ? t + ic.lease / 2 : 0;
	t_end = t + ic.lease;
}

long net_renew_in(void)
{
	long w = t_renew - dhcp_now();

	return !t_renew ? -1 : w < 0 ? 0 : w;
}

void net_renew(void)
{
	long t = dhcp_now();
	char x[16];

	if (!t_renew || t < t_renew)
		return;
	if (dhcp_run(dfd, &r, &ic) == 0) {
		say("dhcp: %s on %s renewed, lease %u s", ip4(ic.addr, x), ic.dev, ic.lease);
		lease_start();
	} else if (t_end - t < 8) {
		/* the address stays: the payload's connections live on it */
		say("%s; the lease has run out, %s kept", errmsg, ip4(ic.addr, x));
		t_renew = 0;
	} else { /* half of what is left, as RFC 2131 suggests */
		t_renew = t + (t_end - t) / 2;
		say("%s; again in %ld s", errmsg, t_renew - t);
	}
}

void net_setup(void)
{
	static char text[160];
	char *env = NULL, x[16], y[16];
	int rc, fd, idx;
	unsigned n = 0;

	nl(RTM_NEWLINK, 1, 0, 0); /* lo: the kernel gives it 127.0.0.1/8 when it goes up */
	for (char **e = environ; *e; e++)
		if (starts(*e, "ip="))
			env = *e + 3;
	if (!env)
		return;
	rc = ipconf_parse(env, &ic);
	fd = (int)syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* no device given: the first that is not lo (index 1) */
	for (idx = 2; !ic.dev[0] && idx < 64; idx++) {
		r.ifr_ifindex = idx;
		if (ioctl(fd, SIOCGIFNAME, &r) == 0)
			memcpy(ic.dev, r.ifr_name, sizeof ic.dev - 1);
	}
	memcpy(r.ifr_name, ic.dev, sizeof ic.dev);
	if (!rc && ic.mode && ioctl(fd, SIOCGIFINDEX, &r) < 0)
		rc = failure(errno, "ip=: interface %s", ic.dev[0] ? ic.dev : "other than lo");
	idx = r.ifr_ifindex;
	/* An address already there: configured before /init (the kernel's own
	 * ip=, whose CONFIG_IP_PNP then keeps ip= from init's environment, or
	 * anything else): left as it is, never configured twice. */
	if (!rc && ic.mode && ioctl(fd, SIOCGIFADDR, &r) == 0) {
		say("ip=: %s already has an address: left as it is", ic.dev);
		rc = 1;
	}
	if (!rc && ic.mode && nl(RTM_NEWLINK, idx, 0, 0))
		rc = 1; /* reported */
	if (!rc && ic.mode == IPC_DHCP && (rc = dhcp_run(fd, &r, &ic)) == 0) {
		say("dhcp: %s/%s via %s on %s, lease %u s", ip4(ic.addr, x), ip4(ic.mask, y),
		    ip4(ic.gw, text), ic.dev, ic.lease);
		dfd = fd; /* kept (close-on-exec) for the renewals */
		lease_start();
	} else {
		close(fd);
	}
	if (rc < 0)
		say("%s", errmsg);
	if (!ic.mask)
		ic.mask = ip4_classmask(ic.addr);
	for (unsigned m = ic.mask; m; m &= m - 1)
		n++;
	if (!rc && ic.addr && !nl(RTM_NEWADDR, idx, ic.addr, (int)n) && ic.gw)
		nl(RTM_NEWROUTE, idx, ic.gw, 0);
	if (ic.host[0] && !dry_run)
		sethostname(ic.host, strlen(ic.host)); /* ipconf and dhcp checked the length */
	/* the resolver's files; a host name goes with the address (or 127.0.1.1) */
	st_mkdir("/etc", 0755);
	fmt_buf(text, sizeof text, "127.0.0.1\tlocalhost\n::1\tlocalhost\n%s\t%s\n",
		ic.addr ? ip4(ic.addr, x) : "127.0.1.1", ic.host);
	if (!ic.host[0])
		text[34] = 0; /* just localhost */
	write_file("/etc/hosts", text);
	fmt_buf(text, sizeof text, "nameserver %s\nnameserver %s\n", ip4(ic.dns[0], x),
		ip4(ic.dns[1], y));
	if (!ic.dns[1])
		*(char *)(chrnul(text, '\n') + 1) = 0;
	if (ic.dns[0])
		write_file("/etc/resolv.conf", text);
}
#else
/* The default build: loopback only, with one ioctl; ip= needs the
 * network build, tinyinit-net (make builds both). */
void net_setup(void)
{
	struct ifreq r = {.ifr_name = "lo", .ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING};
	int fd = (int)syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	LOG(2, "ioctl SIOCSIFFLAGS lo up");
	if (!dry_run && ioctl(fd, SIOCSIFFLAGS, &r) < 0)
		say("loopback: %s", errstr(errno));
	close(fd);
	for (char **e = environ; *e; e++)
		if (starts(*e, "ip="))
			say("ip= ignored: use tinyinit-net");
}
#endif
