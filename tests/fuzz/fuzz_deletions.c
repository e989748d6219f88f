/* libFuzzer target: tinyinit's deletion-list reader must accept or refuse
 * any bytes without reading outside them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../init/layers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so a read past the end is caught. */
	char *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	deletions_check("fuzz.del", buf, size);
	free(buf);
	return 0;
}
