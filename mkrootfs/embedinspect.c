/* mkrootfs inspect OUT, for an executable made by mkrootfs embed: the
 * trailer (include/embedded.h), checked as tinyinit checks it, and what
 * the archive carries: payload, arguments, options, layers, sizes. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "cmds.h"
#include "embedded.h"
#include "err.h"

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* The archive's bytes, checked: 1 when PATH has no trailer. */
static int load(const char *path, unsigned char **arch, uint64_t *off, uint64_t *len, uint32_t *crc)
{
	unsigned char t[EMB_TRAILER_SIZE];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	*arch = NULL;
	if (fd < 0)
		return fail(errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < EMB_TRAILER_SIZE ||
	    pread(fd, t, sizeof t, st.st_size - EMB_TRAILER_SIZE) != sizeof t ||
	    memcmp(t, EMB_MAGIC, EMB_MAGIC_LEN)) {
		close(fd);
		return 1;
	}
	*off = le(t + 16, 8);
	*len = le(t + 24, 8);
	*crc = (uint32_t)le(t + 12, 4);
	uint64_t size = (uint64_t)st.st_size - EMB_TRAILER_SIZE;
	if (le(t + 8, 4) != EMB_VERSION)
		r = fail(EINVAL, "%s: embedded archive: format version %llu, not %d", path,
			 (unsigned long long)le(t + 8, 4), EMB_VERSION);
	else if (*off > size || *len != size - *off)
		r = fail(EINVAL,
			 "%s: embedded archive: offset %llu and length %llu do not match "
			 "the file (%llu bytes before the trailer): cut or rewritten",
			 path, (unsigned long long)*off, (unsigned long long)*len,
			 (unsigned long long)size);
	else if (!(*arch = malloc(*len ? *len : 1)))
		r = -ENOMEM;
	else if (pread(fd, *arch, *len, (off_t)*off) != (ssize_t)*len)
		r = fail(EIO, "%s: cannot read the embedded archive", path);
	if (!r) {
		uLong c = crc32(0, NULL, 0);

		for (uint64_t o = 0; o < *len;) {
			uInt n = *len - o > 1u << 30 ? 1u << 30 : (uInt)(*len - o);
			c = crc32(c, *arch + o, n);
			o += n;
		}
		if (c != *crc)
			r = fail(EINVAL, "%s: embedded archive: CRC mismatch (damaged)", path);
	}
	close(fd);
	if (r) {
		free(*arch);
		*arch = NULL;
	}
	return r;
}

/* Splits the recorded command line: options before "--", the payload,
 * its default arguments. */
static void args_json(json_t *o, const char *buf, size_t n)
{
	json_t *opts = json_array(), *args = json_array();
	int seen = 0;

	for (size_t i = 0; i < n; i += strnlen(buf + i, n - i) + 1) {
		json_t *w = json_stringn(buf + i, strnlen(buf + i, n - i));

		if (seen == 0 && strcmp(buf + i, "--") == 0) {
			json_decref(w);
			seen = 1;
		} else if (seen == 1) {
			json_object_set_new(o, "payload", w);
			seen = 2;
		} else {
			json_array_append_new(seen ? args : opts, w);
		}
	}
	json_object_set_new(o, "options", opts);
	json_object_set_new(o, "args", args);
}

static int describe(const char *path, const unsigned char *a, uint64_t len, json_t *o)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *e;
	json_t *files = json_array(), *layers = json_array();
	int r = 0, rc;

	archive_read_support_format_cpio(ar);
	if (archive_read_open_memory(ar, a, len) != ARCHIVE_OK) {
		r = fail(EINVAL, "%s: embedded archive: %s", path, archive_error_string(ar));
		goto out;
	}
	while ((rc = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		int64_t size = archive_entry_size(e);
		json_t *f = json_object();

		json_object_set_new(f, "name", json_string(name));
		json_object_set_new(f, "size", json_integer(size));
		json_object_set_new(f, "mode", json_integer(archive_entry_mode(e) & 07777));
		json_array_append(files, f);
		if (strcmp(name, EMB_ARGS) == 0 && size >= 0 && size <= 65536) {
			char *buf = malloc((size_t)size + 1);

			if (buf && archive_read_data(ar, buf, (size_t)size) == size)
				args_json(o, buf, (size_t)size);
			free(buf);
		}
		/* layers/NN-name: a boot layer; its size is what its files hold */
		if (strncmp(name, "layers/", 7) == 0 && !strchr(name + 7, '/') &&
		    archive_entry_filetype(e) == AE_IFDIR)
			json_array_append(layers, f);
		json_decref(f);
	}
	if (rc != ARCHIVE_EOF)
		r = fail(EINVAL, "%s: embedded archive: %s", path, archive_error_string(ar));
	json_object_set_new(o, "files", files);
	json_object_set_new(o, "layers", layers);
	files = layers = NULL;
out:
	json_decref(files);
	json_decref(layers);
	archive_read_free(ar);
	return r;
}

static const char *human(uint64_t n, char *buf)
{
	if (n < 1024)
		sprintf(buf, "%llu B", (unsigned long long)n);
	else if (n < 1024 * 1024)
		sprintf(buf, "%.1f KiB", n / 1024.0);
	else
		sprintf(buf, "%.1f MiB", n / 1048576.0);
	return buf;
}

static void print_words(const char *label, json_t *a)
{
	size_t i;
	json_t *x;

	printf("  %-12s", label);
	json_array_foreach(a, i, x) printf("%s%s", i ? " " : "", json_string_value(x));
	printf("%s\n", json_array_size(a) ? "" : "(none)");
}

static void text(const char *path, json_t *o)
{
	char b1[32], b2[32];
	const char *payload = json_string_value(json_object_get(o, "payload"));
	json_t *files = json_object_get(o, "files"), *f;
	size_t i;

	printf("%s: tinyinit carrying an embedded archive (mkrootfs embed)\n", path);
	printf("  %-12s%s, then the archive: %s at offset %lld, CRC-32 %08llx (matches)\n",
	       "tinyinit",
	       human((uint64_t)json_integer_value(json_object_get(o, "archive_offset")), b1),
	       human((uint64_t)json_integer_value(json_object_get(o, "archive_size")), b2),
	       json_integer_value(json_object_get(o, "archive_offset")),
	       json_integer_value(json_object_get(o, "crc32")));
	printf("  %-12s%s\n", "payload", payload ? payload : "(none)");
	print_words("args", json_object_get(o, "args"));
	print_words("options", json_object_get(o, "options"));
	if (json_array_size(json_object_get(o, "layers")))
		printf("  %-12s%zu (tinyinit stacks them)\n", "layers",
		       json_array_size(json_object_get(o, "layers")));
	printf("\n  %4s %10s  %s\n", "mode", "size", "name");
	json_array_foreach(files, i, f)
	{
		printf("  %04llo %10s  %s\n",
		       (unsigned long long)json_integer_value(json_object_get(f, "mode")),
		       human((uint64_t)json_integer_value(json_object_get(f, "size")), b1),
		       json_string_value(json_object_get(f, "name")));
	}
}

int embed_inspect(const char *path, int json)
{
	unsigned char *a;
	uint64_t off = 0, len = 0;
	uint32_t crc = 0;
	json_t *o;
	int r = load(path, &a, &off, &len, &crc);

	if (r)
		return r;
	o = json_object();
	json_object_set_new(o, "file", json_string(path));
	json_object_set_new(o, "format", json_string("embedded"));
	json_object_set_new(o, "archive_offset", json_integer((json_int_t)off));
	json_object_set_new(o, "archive_size", json_integer((json_int_t)len));
	json_object_set_new(o, "crc32", json_integer(crc));
	r = describe(path, a, len, o);
	if (!r && json) {
		char *s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);

		if (s)
			puts(s);
		else
			r = -ENOMEM;
		free(s);
	} else if (!r) {
		text(path, o);
	}
	json_decref(o);
	free(a);
	return r;
}
