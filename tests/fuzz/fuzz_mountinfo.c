/* libFuzzer target: tinyinit's /proc/self/mountinfo reader must accept or
 * refuse any bytes without touching memory outside them, and what it
 * accepts is an absolute path inside the line it came from. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../init/mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so a read or write past the end is caught. */
	char *buf = malloc(size ? size : 1), *pos = buf, *path;
	memcpy(buf, data, size);
	int rc;
	while ((rc = mountinfo_next(&pos, buf + size, &path)) > 0) {
		if (path < buf || path >= pos || path[0] != '/' || path + strlen(path) >= pos)
			abort();
	}
	if (pos > buf + size)
		abort();
	free(buf);
	return 0;
}
