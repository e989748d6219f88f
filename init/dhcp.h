/* A minimal DHCP client for a microVM's ip=dhcp (see dhcp.c). */
#ifndef TINYINIT_DHCP_H
#define TINYINIT_DHCP_H

#include <net/if.h>

#include "ipconf.h"

/* Parses one reply of N bytes at P (any alignment): a BOOTREPLY with
 * transaction id XID and the DHCP magic cookie. Fills IC's address (yiaddr),
 * mask, router, DNS servers, host name and lease, and *SERVER (option 54).
 * Returns the DHCP message type (option 53; 2 OFFER, 5 ACK, 6 NAK), 0 when
 * it has none, or -1 when P is not such a reply or an option runs past the
 * end. Pure: fuzzed by tests/fuzz/fuzz_dhcp.c. */
int dhcp_parse(const unsigned char *p, unsigned long n, unsigned xid, struct ipconf *ic,
	       unsigned *server);

/* DISCOVER, OFFER, REQUEST, ACK on IC->dev (up, no address yet) over the
 * UDP socket FD; R holds the interface's name. Bounded: four rounds that
 * wait 1, 2, 3 and 4 s for each answer (a NAK or a lost REQUEST starts the
 * next round; 20 s at most). Returns 0 with IC filled (a host name already
 * in IC wins over the server's; IC->server the server), or a failure in
 * errmsg. With IC->addr set (a lease held; FD as the first run left it): a
 * renewal, one REQUEST from that address unicast to IC->server, 4 s for an
 * ACK of the same address (anything else fails, IC->addr kept). */
int dhcp_run(int fd, struct ifreq *r, struct ipconf *ic);

/* CLOCK_MONOTONIC, in seconds. */
long dhcp_now(void);

#endif
