/* libFuzzer target: tinyinit's DHCP reply parser (dhcp.c) on arbitrary
 * bytes, as they would arrive from the network. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../init/dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipconf ic;
	unsigned server = 0, xid = 0;
	/* an exact-size copy, so that ASan sees any read past the end */
	unsigned char *p = malloc(size ? size : 1);

	memcpy(p, data, size);
	if (size >= 8)
		memcpy(&xid, p + 4, 4);
	memset(&ic, 0, sizeof ic);
	int type = dhcp_parse(p, size, xid, &ic, &server);
	if (type > 255 || strlen(ic.host) >= sizeof ic.host)
		abort();
	free(p);
	return 0;
}
