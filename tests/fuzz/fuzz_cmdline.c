/* libFuzzer target: the kernel command-line reader of tinyinit's VM mode
 * (words, quotes, "--", tinyinit.KEY=VALUE) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../init/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct config c;
	char err[256];

	memcpy(buf, data, size);
	buf[size] = 0;
	config_init(&c);
	cmdline_apply(&c, buf, err, sizeof err);
	free(buf);
	return 0;
}
