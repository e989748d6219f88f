/* libFuzzer target: mkrootfs's base-image reader (docker-archive
 * manifest.json, OCI index.json and nested indexes, manifests, configs,
 * platform selection, digest and diff_id checks, history), through
 * input_read_for as `mkrootfs image --layer IMAGE.tar` calls it.
 *
 * Blobs are addressed by digest, which a fuzzer cannot compute, so the
 * input describes the archive and the target packs it:
 *   KIND JSON [SEP PART]...      SEP = "\n--\n"
 * KIND 'D': JSON is manifest.json (docker-archive); 'O': index.json with
 * oci-layout; 'B': both; any other: index.json alone. Each PART k (1-9) is
 * a member blobs/sha256/<its digest>. In the JSON and in later-numbered
 * parts' text, "@k" becomes "sha256:<digest of part k>", "#k"
 * "blobs/sha256/<digest of part k>" and "%k" "sha256:<digest of part k
 * gunzipped>" (a diff_id; parts are resolved from the last).
 * The low bit of KIND picks the platform wanted: none or linux/amd64. */
#include "fuzz_mk.h"
#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>
#include "digest.h"
#include "err.h"
#include "input.h"
#include "oci.h"
#include "platform.h"

#define SEP    "\n--\n"
#define NPARTS 10

struct part {
	unsigned char *p;
	size_t n;
	char hex[DIGEST_HEX_LEN + 1];
	char uhex[DIGEST_HEX_LEN + 1]; /* of the bytes gunzipped (or as they are) */
};

/* The digest of P gunzipped, or of P when it is not gzip. */
static void diff_id(const struct part *pt, char hex[DIGEST_HEX_LEN + 1])
{
	struct digest d;
	unsigned char out[65536];
	z_stream z = {0};
	int zr = Z_OK;

	if (digest_init(&d))
		abort();
	if (pt->n < 2 || pt->p[0] != 0x1f || pt->p[1] != 0x8b ||
	    inflateInit2(&z, 15 + 16) != Z_OK) {
		digest_update(&d, pt->p, pt->n);
		digest_final(&d, hex);
		return;
	}
	z.next_in = pt->p;
	z.avail_in = (unsigned)pt->n;
	while (zr == Z_OK) {
		z.next_out = out;
		z.avail_out = sizeof out;
		zr = inflate(&z, Z_NO_FLUSH);
		digest_update(&d, out, sizeof out - z.avail_out);
	}
	inflateEnd(&z);
	digest_final(&d, hex);
}

/* PART with "@k"/"#k" for k > SELF replaced. */
static void substitute(struct part *v, size_t nparts, size_t self)
{
	struct part *pt = &v[self];
	size_t cap = pt->n + 1, len = 0;
	unsigned char *out = malloc(cap);

	for (size_t i = 0; i < pt->n; i++) {
		unsigned char c = pt->p[i];
		size_t k = i + 1 < pt->n ? (size_t)(pt->p[i + 1] - '0') : 0;
		char rep[96];
		size_t rl;

		if ((c == '@' || c == '#' || c == '%') && k > self && k < nparts) {
			rl = (size_t)snprintf(rep, sizeof rep, "%s%s",
					      c == '#' ? "blobs/sha256/" : "sha256:",
					      c == '%' ? v[k].uhex : v[k].hex);
			i++;
		} else {
			rep[0] = (char)c;
			rl = 1;
		}
		if (len + rl > cap) {
			cap = (len + rl) * 2;
			out = realloc(out, cap);
		}
		memcpy(out + len, rep, rl);
		len += rl;
	}
	free(pt->p);
	pt->p = out;
	pt->n = len;
}

static void add_member(struct archive *a, const char *name, const void *p, size_t n)
{
	struct archive_entry *ae = archive_entry_new();

	archive_entry_set_pathname(ae, name);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, (la_int64_t)n);
	if (archive_write_header(a, ae) != ARCHIVE_OK ||
	    (n && archive_write_data(a, p, n) != (la_ssize_t)n))
		abort();
	archive_entry_free(ae);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_mk_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct part v[NPARTS] = {{0}};
	size_t np = 0, pos = 1, outlen = 0, outcap = (size + 4096) * 2 + 65536;
	unsigned char *out;
	struct archive *a;
	struct platform amd64;
	struct input in;
	char path[64];
	int kind, fd, r;

	if (size < 1 || size > (1 << 20))
		return 0;
	kind = data[0];
	while (np < NPARTS) { /* split at SEP */
		const unsigned char *s = memmem(data + pos, size - pos, SEP, 4);
		size_t end = s ? (size_t)(s - data) : size;

		v[np].n = end - pos;
		v[np].p = malloc(v[np].n + 1);
		memcpy(v[np].p, data + pos, v[np].n);
		np++;
		if (!s)
			break;
		pos = end + 4;
	}
	for (size_t k = np; k-- > 0;) {
		struct digest d;

		substitute(v, np, k);
		if (digest_init(&d))
			abort();
		digest_update(&d, v[k].p, v[k].n);
		digest_final(&d, v[k].hex);
		diff_id(&v[k], v[k].uhex);
	}
	out = malloc(outcap);
	a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_memory(a, out, outcap, &outlen) != ARCHIVE_OK)
		abort();
	if (kind == 'O' || kind == 'B' || kind == 'o' || kind == 'b')
		add_member(a, "oci-layout", OCI_LAYOUT, sizeof OCI_LAYOUT - 1);
	if (kind == 'D' || kind == 'd' || kind == 'B' || kind == 'b')
		add_member(a, "manifest.json", v[0].p, v[0].n);
	if (kind != 'D' && kind != 'd')
		add_member(a, "index.json", v[0].p, v[0].n);
	for (size_t k = 1; k < np; k++) {
		char name[96];

		snprintf(name, sizeof name, "blobs/sha256/%s", v[k].hex);
		add_member(a, name, v[k].p, v[k].n);
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		abort();
	archive_write_free(a);

	fd = fuzz_mk_memfile(0, out, outlen);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	platform_parse("linux/amd64", &amd64);
	r = input_read_for(path, 0, (kind & 1) ? &amd64 : NULL, &in);
	if (getenv("FUZZ_MK_DEBUG")) /* what became of a seed */
		fprintf(stderr, "%s: %zu layers%s%s\n", in.format ? in.format : "?", in.nlayers,
			r ? ": " : "", r ? err_text() : "");
	if (r == 0) {
		if (!in.is_image && in.nlayers != 1)
			abort();
		for (size_t i = 0; i < in.nlayers; i++)
			fuzz_mk_check_layer(in.layers[i]);
	}
	input_free(&in);
	spill_reset();
	free(out);
	for (size_t k = 0; k < np; k++)
		free(v[k].p);
	return 0;
}
