/* libFuzzer target: tinyinit's reader for an embedded archive (the
 * trailer, the CRC, the newc walker) must accept or refuse any bytes
 * without reading outside them. The input is the whole file; when its CRC
 * does not match, the archive is walked anyway, so that the walker sees
 * every input and not only those with a right CRC. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/embedded.h"
#include "../../init/embedded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so a read past the end is caught. */
	unsigned char *buf = malloc(size ? size : 1);
	const unsigned char *a;
	size_t len, off, n;

	memcpy(buf, data, size);
	if (emb_verify("fuzz", buf, size, &a, &len) == 0 ||
	    (size >= EMB_TRAILER_SIZE && (a = buf, len = size - EMB_TRAILER_SIZE, 1))) {
		if (emb_find("fuzz", a, len, EMB_ARGS, &off, &n) == 0 &&
		    (off > len || n > len - off))
			abort();
		if (emb_find("fuzz", a, len, "hello", &off, &n) == 0 &&
		    (off > len || n > len - off))
			abort();
	}
	free(buf);
	return 0;
}
