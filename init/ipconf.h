/* The kernel's ip= parameter, which Debian's cloud kernel (no
 * CONFIG_IP_PNP) hands to init as the environment variable "ip":
 *   ip=CLIENT:SERVER:GATEWAY:NETMASK:HOSTNAME:DEVICE:AUTOCONF:DNS0:DNS1[:...]
 *   ip=dhcp (also on, any, both, bootp)   ip=off (also none)
 * Addresses are dotted quads, kept in network byte order. */
#ifndef TINYINIT_IPCONF_H
#define TINYINIT_IPCONF_H

enum { IPC_OFF, IPC_STATIC, IPC_DHCP };

struct ipconf {
	int mode;		 /* IPC_OFF, IPC_STATIC or IPC_DHCP */
	unsigned addr, gw, mask; /* 0 = not given */
	unsigned dns[2];	 /* 0 = not given */
	unsigned lease;		 /* DHCP: seconds */
	unsigned server;	 /* DHCP: the server that leased it (option 54) */
	char host[65];		 /* "" = not given */
	char dev[16];		 /* "" = the first interface that is not lo */
};

/* Parses the value of ip= (s is cut into fields in place). A missing
 * AUTOCONF is dhcp without a CLIENT address and static with one. Returns 0, or -EINVAL with errmsg
 * naming the field ("ip=: gateway 10.0.2: not an IPv4 address"). */
int ipconf_parse(char *s, struct ipconf *ic);

/* A dotted quad "a.b.c.d" (each 0-255, decimal) in network byte order;
 * returns 0, or -1 when s is not one. */
int ip4_parse(const char *s, unsigned *out);

/* The mask of addr's class (A /8, B /16, C and above /24), which the
 * kernel assumes when ip= (or DHCP) gives none. */
unsigned ip4_classmask(unsigned addr);

#endif
