/* Unit tests of tinyinit's network reader: ip= in the kernel's syntax
 * (ipconf.c) and DHCP replies (dhcp.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../../init/dhcp.h"
#include "../../init/fmt.h"
#include "../../init/ipconf.h"

static unsigned A(const char *s)
{
	return inet_addr(s);
}

/* ipconf_parse on a copy of s. */
static int parse(const char *s, struct ipconf *ic)
{
	static char buf[512];
	strcpy(buf, s);
	return ipconf_parse(buf, ic);
}

static void test_ip4(void **state)
{
	unsigned a;
	(void)state;

	assert_int_equal(ip4_parse("10.0.2.15", &a), 0);
	assert_int_equal(a, A("10.0.2.15"));
	assert_int_equal(ip4_parse("255.255.255.255", &a), 0);
	assert_int_equal(a, 0xffffffffu);
	assert_int_equal(ip4_parse("0.0.0.0", &a), 0);
	const char *bad[] = {"",	  "1",		 "1.2.3",    "1.2.3.4.", "1.2.3.4.5",
			     "256.1.1.1", "1.2.3.-4",	 "1..2.3",   "a.b.c.d",	 "1.2.3.4 ",
			     " 1.2.3.4",  "01234.1.1.1", "1.2.3.0x1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(ip4_parse(bad[i], &a), -1);
	assert_int_equal(ip4_classmask(A("10.1.2.3")), A("255.0.0.0"));
	assert_int_equal(ip4_classmask(A("172.16.0.1")), A("255.255.0.0"));
	assert_int_equal(ip4_classmask(A("192.168.1.1")), A("255.255.255.0"));
	assert_int_equal(ip4_classmask(A("224.0.0.1")), A("255.255.255.0"));
}

static void test_ipconf_static(void **state)
{
	struct ipconf ic;
	(void)state;

	/* what qemu/run --net passes */
	assert_int_equal(parse("10.0.2.15::10.0.2.2:255.255.255.0::eth0:off:10.0.2.3", &ic), 0);
	assert_int_equal(ic.mode, IPC_STATIC);
	assert_int_equal(ic.addr, A("10.0.2.15"));
	assert_int_equal(ic.gw, A("10.0.2.2"));
	assert_int_equal(ic.mask, A("255.255.255.0"));
	assert_string_equal(ic.dev, "eth0");
	assert_string_equal(ic.host, "");
	assert_int_equal(ic.dns[0], A("10.0.2.3"));
	assert_int_equal(ic.dns[1], 0);

	/* every field, and the NTP field after them ignored */
	assert_int_equal(parse("192.168.7.2:192.168.7.1:192.168.7.1:255.255.0.0:web-1:ens3:none:1."
			       "1.1.1:8.8.8.8:9.9.9.9",
			       &ic),
			 0);
	assert_int_equal(ic.mode, IPC_STATIC);
	assert_string_equal(ic.host, "web-1");
	assert_string_equal(ic.dev, "ens3");
	assert_int_equal(ic.mask, A("255.255.0.0"));
	assert_int_equal(ic.dns[1], A("8.8.8.8"));

	/* only the address: static, no mask (the caller takes the class's) */
	assert_int_equal(parse("10.9.8.7", &ic), 0);
	assert_int_equal(ic.mode, IPC_STATIC);
	assert_int_equal(ic.mask, 0);
	assert_int_equal(ic.gw, 0);
	assert_string_equal(ic.dev, "");

	/* fewer fields */
	assert_int_equal(parse("10.0.0.5::10.0.0.1", &ic), 0);
	assert_int_equal(ic.gw, A("10.0.0.1"));
}

static void test_ipconf_modes(void **state)
{
	struct ipconf ic;
	(void)state;

	const char *dhcp[] = {
	    "dhcp",   "on", "any", "both", "bootp", "", ":::::eth1:dhcp", "10.0.0.5::::::dhcp",
	    "::::box"};
	for (size_t i = 0; i < sizeof dhcp / sizeof dhcp[0]; i++) {
		assert_int_equal(parse(dhcp[i], &ic), 0);
		assert_int_equal(ic.mode, IPC_DHCP);
	}
	assert_int_equal(parse(":::::eth1:dhcp", &ic), 0);
	assert_string_equal(ic.dev, "eth1");
	assert_int_equal(parse("::::box", &ic), 0);
	assert_string_equal(ic.host, "box"); /* kept over the server's */

	assert_int_equal(parse("off", &ic), 0);
	assert_int_equal(ic.mode, IPC_OFF);
	assert_int_equal(parse("none", &ic), 0);
	assert_int_equal(ic.mode, IPC_OFF);
	/* off with a host name: no network, the name is still set */
	assert_int_equal(parse("::::quiet-box::off", &ic), 0);
	assert_int_equal(ic.mode, IPC_OFF);
	assert_string_equal(ic.host, "quiet-box");
	/* a client address with autoconf off is static */
	assert_int_equal(parse("10.0.0.5::::::off", &ic), 0);
	assert_int_equal(ic.mode, IPC_STATIC);
}

static void test_ipconf_errors(void **state)
{
	struct ipconf ic;
	char host[80];
	(void)state;

	assert_int_equal(parse("10.0.2", &ic), -EINVAL);
	assert_string_equal(errmsg, "ip=: client 10.0.2: not an IPv4 address");
	assert_int_equal(parse("10.0.2.15::10.0.2:255.255.255.0", &ic), -EINVAL);
	assert_string_equal(errmsg, "ip=: gateway 10.0.2: not an IPv4 address");
	assert_int_equal(parse("10.0.2.15:::255.255.255.256", &ic), -EINVAL);
	assert_string_equal(errmsg, "ip=: netmask 255.255.255.256: not an IPv4 address");
	assert_int_equal(parse("x.0.2.15", &ic), -EINVAL);
	assert_int_equal(parse("10.0.2.15:::::eth0:static", &ic), -EINVAL);
	assert_string_equal(errmsg,
			    "ip=: autoconf static: not off, none, dhcp, on, any, both or bootp");
	assert_int_equal(parse("10.0.2.15:::::averylongdevicename0", &ic), -EINVAL);
	assert_string_equal(errmsg, "ip=: device averylongdevicename0: too long");
	assert_int_equal(parse("10.0.2.15::::::off:1.2.3", &ic), -EINVAL);
	assert_string_equal(errmsg, "ip=: dns0 1.2.3: not an IPv4 address");
	assert_int_equal(parse("10.0.2.15::::::off::8.8.8", &ic), -EINVAL);
	assert_string_equal(errmsg, "ip=: dns1 8.8.8: not an IPv4 address");

	/* 64 characters fit (the kernel's limit), 65 do not */
	char s[100] = "::::";
	memset(host, 'h', 64);
	host[64] = 0;
	strcat(s, host);
	assert_int_equal(parse(s, &ic), 0);
	assert_string_equal(ic.host, host);
	strcat(s, "h");
	assert_int_equal(parse(s, &ic), -EINVAL);
	/* 15 characters of device fit */
	assert_int_equal(parse(":::::abcdefghijklmno", &ic), 0);
	assert_string_equal(ic.dev, "abcdefghijklmno");
	assert_int_equal(parse(":::::abcdefghijklmnop", &ic), -EINVAL);
	/* the server field is ignored, whatever it holds */
	assert_int_equal(parse("10.0.0.5:whatever", &ic), 0);
}

/* A BOOTREPLY as QEMU's user-mode network sends it: yiaddr 10.0.2.15,
 * transaction id 0x11223344, then the options in OPTS (N bytes). */
static size_t reply(unsigned char *p, const unsigned char *opts, size_t n)
{
	memset(p, 0, 240);
	p[0] = 2, p[1] = 1, p[2] = 6;
	memcpy(p + 4, "\x44\x33\x22\x11", 4);
	memcpy(p + 16, "\x0a\x00\x02\x0f", 4);
	memcpy(p + 236, "\x63\x82\x53\x63", 4);
	memcpy(p + 240, opts, n);
	return 240 + n;
}

static void test_dhcp_parse(void **state)
{
	static const unsigned char ack[] = {53, 1, 5,			 /* ACK */
					    0,	0,			 /* pads */
					    54, 4, 10,	0,   2,	   2,	 /* server */
					    51, 4, 0,	1,   0x51, 0x80, /* lease 86400 */
					    1,	4, 255, 255, 255,  0,	 /* mask */
					    3,	4, 10,	0,   2,	   2,	 /* router */
					    6,	8, 10,	0,   2,	   3,	 1,   1,
					    1,	1, /* two DNS servers */
					    12, 6, 'w', 'e', 'b',  '-',	 'v', 'm', /* host name */
					    255};
	unsigned char p[600];
	unsigned xid = 0x11223344, server = 0;
	struct ipconf ic;
	(void)state;

	memset(&ic, 0, sizeof ic);
	size_t n = reply(p, ack, sizeof ack);
	assert_int_equal(dhcp_parse(p, n, xid, &ic, &server), 5);
	assert_int_equal(ic.addr, A("10.0.2.15"));
	assert_int_equal(ic.mask, A("255.255.255.0"));
	assert_int_equal(ic.gw, A("10.0.2.2"));
	assert_int_equal(ic.dns[0], A("10.0.2.3"));
	assert_int_equal(ic.dns[1], A("1.1.1.1"));
	assert_int_equal(server, A("10.0.2.2"));
	assert_int_equal(ic.lease, 86400);
	assert_string_equal(ic.host, "web-vm");

	/* an OFFER; another transaction's reply; a request; no magic */
	unsigned char offer[] = {53, 1, 2, 255};
	n = reply(p, offer, sizeof offer);
	assert_int_equal(dhcp_parse(p, n, xid, &ic, &server), 2);
	assert_int_equal(dhcp_parse(p, n, xid + 1, &ic, &server), -1);
	p[0] = 1;
	assert_int_equal(dhcp_parse(p, n, xid, &ic, &server), -1);
	p[0] = 2, p[239] = 0x64;
	assert_int_equal(dhcp_parse(p, n, xid, &ic, &server), -1);
	/* no message type: plain BOOTP */
	n = reply(p, (const unsigned char *)"\xff", 1);
	assert_int_equal(dhcp_parse(p, n, xid, &ic, &server), 0);
	/* shorter than the fixed part */
	assert_int_equal(dhcp_parse(p, 239, xid, &ic, &server), -1);
	/* an option running past the end */
	unsigned char cut[] = {53, 1, 5, 6, 8, 10, 0, 2};
	n = reply(p, cut, sizeof cut);
	assert_int_equal(dhcp_parse(p, n, xid, &ic, &server), -1);
	/* short values are ignored: a 2-byte router, a 3-byte mask */
	memset(&ic, 0, sizeof ic);
	unsigned char shortv[] = {53, 1, 5, 3, 2, 1, 2, 1, 3, 255, 255, 255, 255};
	n = reply(p, shortv, sizeof shortv);
	assert_int_equal(dhcp_parse(p, n, xid, &ic, &server), 5);
	assert_int_equal(ic.gw, 0);
	assert_int_equal(ic.mask, 0);
	/* a host name longer than 64 bytes is cut to 64 */
	unsigned char longname[2 + 100 + 1] = {12, 100};
	memset(longname + 2, 'x', 100);
	longname[102] = 255;
	n = reply(p, longname, sizeof longname);
	assert_int_equal(dhcp_parse(p, n, xid, &ic, &server), 0);
	assert_int_equal(strlen(ic.host), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ip4),		 cmocka_unit_test(test_ipconf_static),
	    cmocka_unit_test(test_ipconf_modes), cmocka_unit_test(test_ipconf_errors),
	    cmocka_unit_test(test_dhcp_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
