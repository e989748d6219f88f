/* Unit tests for sizes a ustar header cannot hold in octal: blob headers
 * of 8 GiB and more are written in base-256 and read back by libarchive;
 * layer entries that big carry a pax size too. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
/* the project's headers first: cmocka defines a fail() macro */
#include "tarwrite.h"
#include <cmocka.h>

/* The size libarchive reads from the header(s) in BUF. */
static int64_t size_read_back(const void *buf, size_t len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	int64_t size = -1;

	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, buf, len) == ARCHIVE_OK &&
	    archive_read_next_header(a, &ae) == ARCHIVE_OK)
		size = archive_entry_size(ae);
	archive_read_free(a);
	return size;
}

static void test_blob_header_base256(void **st)
{
	static const uint64_t sizes[] = {077777777777ull, 077777777777ull + 1, 9ull << 30,
					 (1ull << 40) + 12345};
	unsigned char b[2 * TAR_BLOCK];

	(void)st;
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		struct tar_meta m = {
		    .name = "blobs/sha256/x", .type = '0', .mode = 0644, .size = sizes[i]};

		memset(b, 0, sizeof b);
		tar_ustar_block(b, &m);
		assert_int_equal(size_read_back(b, sizeof b), (int64_t)sizes[i]);
		if (sizes[i] > 077777777777ull)
			assert_int_equal(b[124], 0x80);
	}
}

struct memsink {
	struct sink s;
	unsigned char *buf;
	size_t len;
};

static int mem_write(struct sink *s, const void *p, size_t n)
{
	struct memsink *m = (struct memsink *)s;
	unsigned char *nb = realloc(m->buf, m->len + n);

	if (!nb)
		return -ENOMEM;
	memcpy(nb + m->len, p, n);
	m->buf = nb;
	m->len += n;
	return 0;
}

static void test_entry_header_pax_and_base256(void **st)
{
	struct memsink m = {{mem_write}, NULL, 0};
	struct tar_meta t = {.name = "big", .type = '0', .mode = 0644, .size = 10ull << 30};

	(void)st;
	assert_int_equal(tar_header(&m.s, &t), 0);
	assert_non_null(memmem(m.buf, m.len, "size=10737418240\n", 17));
	assert_int_equal(size_read_back(m.buf, m.len), (int64_t)(10ull << 30));
	/* the ustar block after the pax header is base-256 too */
	assert_int_equal(m.buf[m.len - TAR_BLOCK + 124], 0x80);
	free(m.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blob_header_base256),
	    cmocka_unit_test(test_entry_header_pax_and_base256),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
