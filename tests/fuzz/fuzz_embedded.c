/* libFuzzer target: tinyinit's reader for an embedded archive (the
 * trailer, the CRC, the newc walker) must accept or refuse any bytes
 * without reading outside them. The input is the whole file; when its CRC
 * does not match, the archive is walked anyway, so that the walker sees
 * every input and not only those with a right CRC. The entries are walked
 * as the layered form's unpacker walks them (emb_next). */
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
	if (emb_verify("fuzz", -1, buf, size, &a, &len) == 0 ||
	    (size >= EMB_TRAILER_SIZE && (a = buf, len = size - EMB_TRAILER_SIZE, 1))) {
		if (emb_find("fuzz", a, len, EMB_ARGS, &off, &n) == 0 &&
		    (off > len || n > len - off))
			abort();
		if (emb_find("fuzz", a, len, "hello", &off, &n) == 0 &&
		    (off > len || n > len - off))
			abort();
		/* The layered form's unpacker walks with emb_next: every entry
		 * it is given lies inside the archive, with a safe name. */
		struct emb_ent e;
		size_t pos = 0, last = 0;
		int rc;
		while ((rc = emb_next("fuzz", a, len, &pos, &e)) > 0) {
			size_t sz = (size_t)e.f[EMB_SIZE];
			if (pos <= last || pos > len || e.off > len || sz > len - e.off ||
			    e.name < (const char *)a ||
			    e.name + strlen(e.name) >= (const char *)a + len || e.name[0] == '/' ||
			    strstr(e.name, "../") == e.name)
				abort();
			last = pos;
		}
	}
	free(buf);
	return 0;
}
