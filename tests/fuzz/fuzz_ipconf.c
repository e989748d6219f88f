/* libFuzzer target: the ip= reader of tinyinit's VM mode (ipconf.c) on
 * arbitrary bytes, with the address formatter's inputs checked. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../init/ipconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct ipconf ic;

	memcpy(buf, data, size);
	buf[size] = 0;
	if (ipconf_parse(buf, &ic) == 0) {
		if (ic.mode < IPC_OFF || ic.mode > IPC_DHCP || strlen(ic.host) >= sizeof ic.host ||
		    strlen(ic.dev) >= sizeof ic.dev || (ic.mode == IPC_STATIC && !ic.addr))
			abort();
	}
	(void)ip4_classmask(ic.addr);
	free(buf);
	return 0;
}
