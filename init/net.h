/* A microVM's network, before the payload starts: loopback always, then
 * ip= (kernel syntax, see ipconf.h) through rtnetlink, the host name, and
 * /etc/hosts and /etc/resolv.conf in the root the payload sees. */
#ifndef TINYINIT_NET_H
#define TINYINIT_NET_H

#include "ipconf.h"

/* Brings lo up, then configures the interface ip= names (the environment
 * variable "ip", as the kernel passes it to init). Each netlink call is
 * traced at -vv and printed, not done, at --dry-run. A failure is one
 * console line; the payload runs anyway (with what did work). */
void net_setup(void);

#ifdef TINYINIT_NET
/* Seconds until the DHCP lease is to be renewed (0: now), or -1 when there
 * is none to renew: the supervision loop waits no longer than that. */
long net_renew_in(void);
/* Renews the lease when it is due: one REQUEST to the server, 4 s for the
 * ACK (the loop waits meanwhile). A failure is one line and a retry at half
 * the time left; when the lease runs out, the address is kept. */
void net_renew(void);
#endif

#endif
