/* ip= in the kernel's syntax (see ipconf.h), parsed in place. */
#include "ipconf.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "fmt.h"

int ip4_parse(const char *s, unsigned *out)
{
	unsigned char b[4];

	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;
		for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
			v = v * 10 + (unsigned)(*s - '0');
		if (!digits || v > 255 || *s != (i < 3 ? '.' : 0))
			return -1;
		b[i] = (unsigned char)v;
		s++;
	}
	memcpy(out, b, 4);
	return 0;
}

unsigned ip4_classmask(unsigned addr)
{
	unsigned char a = *(unsigned char *)&addr,
		      m[4] = {255, a < 128 ? 0 : 255, a < 192 ? 0 : 255};
	unsigned mask;

	memcpy(&mask, m, 4);
	return mask;
}

/* AUTOCONF values: the first two turn it off, the others mean DHCP. */
static const char autoconfs[] = "off\0none\0dhcp\0on\0any\0both\0bootp\0";

/* The index of s in autoconfs; 7 when it is none of them. */
static int autoconf(const char *s)
{
	int k = 0;

	for (const char *a = autoconfs; *a && strcmp(a, s); a += strlen(a) + 1)
		k++;
	return k;
}

/* Where each field goes: an address (offset + 1), the host name or the
 * device (0x80 | size), or nowhere (0). */
static const unsigned char where[9] = {offsetof(struct ipconf, addr) + 1,
				       0,
				       offsetof(struct ipconf, gw) + 1,
				       offsetof(struct ipconf, mask) + 1,
				       0x80 | 65,
				       0x80 | 16,
				       0,
				       offsetof(struct ipconf, dns) + 1,
				       offsetof(struct ipconf, dns) + 5};

int ipconf_parse(char *s, struct ipconf *ic)
{
	static const char fields[] = "client\0server\0gateway\0netmask\0host name\0device\0"
				     "autoconf\0dns0\0dns1";
	int mode = -1, i = autoconf(s) < 7 ? 6 : 0; /* ip=dhcp, ip=off: AUTOCONF alone */

	memset(ic, 0, sizeof *ic);
	for (char *f = s, *end; f && i < 9; f = end, i++) {
		end = (char *)chrnul(f, ':');
		end = *end ? (*end = 0, end + 1) : NULL;
		size_t len = strlen(f), w = where[i];
		const char *bad = "not an IPv4 address";
		if (!len)
			continue;
		if (w & 0x80) {
			bad = "too long";
			if (len < (w & 0x7f)) {
				memcpy(i == 4 ? ic->host : ic->dev, f, len + 1);
				continue;
			}
		} else if (w) {
			if (ip4_parse(f, (unsigned *)((char *)ic + w - 1)) == 0)
				continue;
		} else if (i == 6) {
			int k = autoconf(f);
			mode = k < 2 ? IPC_OFF : IPC_DHCP;
			bad = "not off, none, dhcp, on, any, both or bootp";
			if (k < 7)
				continue;
		} else {
			continue; /* SERVER, NTP */
		}
		const char *name = fields;
		while (i--)
			name += strlen(name) + 1;
		return failure(0, "ip=: %s %s: %s", name, f, bad);
	}
	/* no AUTOCONF: static with a CLIENT address, DHCP without */
	if (mode < 0 || (mode == IPC_OFF && ic->addr))
		mode = ic->addr ? IPC_STATIC : IPC_DHCP;
	ic->mode = mode;
	return 0;
}
