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

#endif
