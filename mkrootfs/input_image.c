/* Image tarballs as input: docker-archive (manifest.json) and OCI archive
 * (oci-layout, index.json). All layers, in order, and the config. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "err.h"
#include "oci.h"
#include "input.h"
#include "pathsafe.h"
#include "platform.h"

struct image_ctx {
	const char *display;
	struct entry **m;
	size_t n;
	int flags;
	const struct platform *want; /* NULL: the only (or first) manifest */
};

/* The directory of NAME joined with the relative symlink TARGET, "." and
 * ".." resolved; NULL when it is absolute or climbs out of the archive. */
static char *link_join(const char *name, const char *target)
{
	char *dir = path_dirname(name), *j = dir ? path_join(dir, target) : NULL;
	char *r = j && target[0] != '/' ? path_lexical(j, PATH_NO_CLIMB) : NULL;

	free(dir);
	free(j);
	if (r) /* relative, as the members are named */
		memmove(r, r + 1, strlen(r));
	return r;
}

/* The member NAME: a file, or a symlink to one inside the archive (older
 * docker save archives link a layer stored once: ../ID/layer.tar). */
static const struct entry *member_at(const struct image_ctx *c, const char *name, int hops)
{
	char *want = NULL;
	const char *why;
	const struct entry *found = NULL;

	if (path_clean(name, 0, &want, &why))
		return NULL;
	/* the last of several members with one name, as extraction would leave it */
	for (size_t i = 0; i < c->n; i++) {
		char *have = NULL;

		if ((c->m[i]->type == ET_FILE || c->m[i]->type == ET_SYMLINK) &&
		    path_clean(c->m[i]->path, 0, &have, &why) == 0 && strcmp(have, want) == 0)
			found = c->m[i];
		free(have);
	}
	if (found && found->type == ET_SYMLINK) {
		char *to = hops < 8 ? link_join(want, found->link) : NULL;

		found = to ? member_at(c, to, hops + 1) : NULL;
		free(to);
	}
	free(want);
	return found;
}

static const struct entry *member(const struct image_ctx *c, const char *name)
{
	return member_at(c, name, 0);
}

/* Where member E's bytes lie, as a tar source. */
static void member_src(const struct entry *e, struct tar_src *src)
{
	src->path = NULL;
	src->fd = e->src == SRC_FILE ? e->datafd : spill_fd();
	src->off = e->spill_off;
	src->len = e->size;
}

static int member_load(const struct image_ctx *c, const char *name, char **buf, size_t *len)
{
	const struct entry *e = member(c, name);
	char *b;
	int r;

	if (!e)
		return fail(ENOENT, "%s: not an image: %s is missing", c->display, name);
	if (e->size > (64u << 20))
		return fail(EFBIG, "%s: %s is too large for a JSON document", c->display, name);
	b = malloc(e->size + 1);
	if (!b)
		return -ENOMEM;
	r = entry_read(e, -1, b, e->size, 0);
	if (r) {
		free(b);
		return r;
	}
	b[e->size] = 0;
	*buf = b;
	*len = e->size;
	return 0;
}

static int json_load_member(const struct image_ctx *c, const char *name, json_t **out)
{
	json_error_t je;
	char *buf = NULL;
	size_t len = 0;
	int r = member_load(c, name, &buf, &len);

	if (r)
		return r;
	*out = json_loadb(buf, len, 0, &je);
	free(buf);
	if (!*out)
		return fail(EINVAL, "%s: not an image: %s: %s", c->display, name, je.text);
	return 0;
}

/* "sha256:HEX" -> "blobs/sha256/HEX", checking the digest's form. */
static int blob_name(const struct image_ctx *c, const char *digest, char *name, size_t size)
{
	if (!digest || strncmp(digest, "sha256:", 7) != 0 || !digest_hex_valid(digest + 7))
		return fail(EINVAL, "%s: not an image: bad digest %s", c->display,
			    digest ? digest : "(none)");
	snprintf(name, size, "blobs/sha256/%s", digest + 7);
	return 0;
}

/* Checks that a member named blobs/sha256/HEX holds what HEX says. */
static int verify_member(const struct image_ctx *c, const char *name, char out[DIGEST_STR_LEN + 1])
{
	const struct entry *e = member(c, name);
	const char *hex = strrchr(name, '/');
	struct digest d;
	char buf[1 << 16], got[DIGEST_HEX_LEN + 1];
	uint64_t off = 0;
	int r;

	if (!e)
		return fail(ENOENT, "%s: not an image: %s is missing", c->display, name);
	r = digest_init(&d);
	while (!r && off < e->size) {
		size_t n = e->size - off < sizeof buf ? (size_t)(e->size - off) : sizeof buf;

		r = entry_read(e, -1, buf, n, off);
		if (!r)
			digest_update(&d, buf, n);
		off += n;
	}
	if (r) {
		digest_free(&d);
		return r;
	}
	digest_final(&d, got);
	hex = hex ? hex + 1 : name;
	if (strncmp(name, "blobs/sha256/", 13) == 0 && strcmp(hex, got) != 0)
		return fail(EINVAL, "%s: %s does not match its digest (sha256:%s)", c->display,
			    name, got);
	snprintf(out, DIGEST_STR_LEN + 1, "sha256:%s", got);
	return 0;
}

/* The blob of layer IDX as it is (E, read as SRC, its sums from the same
 * pass), its diff_id checked against the config's rootfs.diff_ids: an
 * image input's layers go out byte for byte. */
static int keep_blob(const struct image_ctx *c, const struct entry *e, size_t idx, struct input *in,
		     const struct tar_src *src, const struct tar_sums *sums, const char *disp)
{
	json_t *ids = json_object_get(json_object_get(in->config, "rootfs"), "diff_ids");
	const char *want = json_string_value(json_array_get(ids, idx));
	struct layer_blob *b = calloc(1, sizeof *b);
	unsigned char m[4] = {0};

	(void)e;
	if (!b)
		return -ENOMEM;
	in->layers[idx]->blob = b;
	if (json_array_size(ids) != in->nlayers)
		return fail(EINVAL, "%s: not an image: %zu layers but %zu diff_ids in the config",
			    c->display, in->nlayers, json_array_size(ids));
	snprintf(b->diff_id, sizeof b->diff_id, "sha256:%s", sums->diff_id);
	if (!want || strcmp(want, b->diff_id) != 0)
		return fail(EINVAL, "%s: its diff_id is %s but the config says %s", disp,
			    b->diff_id, want ? want : "nothing");
	b->fd = src->fd;
	b->spill_off = src->off;
	b->size = src->len;
	snprintf(b->digest, sizeof b->digest, "%s", in->info[idx].digest);
	if (pread(src->fd, m, sizeof m, src->off) < 0)
		return fail(errno, "%s: %s", disp, strerror(errno));
	b->media_type =
	    strdup(m[0] == 0x1f && m[1] == 0x8b					  ? MT_LAYER_GZIP
		   : m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd ? MT_LAYER_ZSTD
										  : MT_LAYER_TAR);
	return b->media_type ? 0 : -ENOMEM;
}

/* Layer IDX from member NAME, in one pass: the blob's digest (against its
 * name, blobs/sha256/HEX), its diff_id, its entries (their data kept only
 * when the entries will be written: not for IN_BLOBS or IN_NODATA). */
static int read_layer(const struct image_ctx *c, const char *name, size_t idx, struct input *in)
{
	const struct entry *e = member(c, name);
	const char *hex = strrchr(name, '/');
	struct tar_src src;
	struct tar_sums sums;
	struct entry **v = NULL;
	size_t n = 0;
	char disp[512];
	struct layer *l;
	int r;

	if (!e)
		return fail(ENOENT, "%s: not an image: layer %s is missing", c->display, name);
	snprintf(disp, sizeof disp, "%s layer %zu", c->display, idx + 1);
	l = layer_new(disp);
	if (!l)
		return -ENOMEM;
	in->layers[idx] = l;
	in->info[idx].csize = e->size;
	member_src(e, &src);
	if (e->size == 0)
		return fail(EINVAL, "%s: empty layer blob", disp);
	r = tar_read(disp, &src, c->flags & (IN_NODATA | IN_BLOBS) ? IN_NODATA : 0, &v, &n, &sums);
	if (!r && strncmp(name, "blobs/sha256/", 13) == 0 && strcmp(hex + 1, sums.digest) != 0)
		r = fail(EINVAL, "%s: %s does not match its digest (sha256:%s)", c->display, name,
			 sums.digest);
	if (!r) {
		snprintf(in->info[idx].digest, sizeof in->info[idx].digest, "sha256:%s",
			 sums.digest);
		in->info[idx].usize = sums.usize;
	}
	for (size_t i = 0; i < n && !r; i++) {
		r = layer_add(l, disp, v[i], LA_OCI_WHITEOUTS | LA_MERGE_DIRS | LA_LAST_WINS);
		v[i] = NULL;
	}
	entries_free(v, n);
	if (!r && !(c->flags & IN_NODATA))
		r = keep_blob(c, e, idx, in, &src, &sums, disp);
	return r;
}

static int alloc_layers(struct input *in, size_t n)
{
	in->nlayers = n;
	in->layers = calloc(n ? n : 1, sizeof *in->layers);
	in->info = calloc(n ? n : 1, sizeof *in->info);
	return in->layers && in->info ? 0 : -ENOMEM;
}

/* created_by of each layer, and each kept blob's own history entries: the
 * empty_layer ones before it and its own (those after the last layer go
 * with the last). */
static void history(struct input *in)
{
	json_t *h = json_object_get(in->config, "history"), *x, *own = json_array();
	size_t i, k = 0;

	json_array_foreach(h, i, x)
	{
		const char *by = json_string_value(json_object_get(x, "created_by"));
		int empty = json_is_true(json_object_get(x, "empty_layer"));

		json_array_append(own, x);
		if (empty && !(i + 1 == json_array_size(h) && k > 0))
			continue;
		if (!empty && k < in->nlayers && by)
			in->layers[k]->created_by = strdup(by);
		if (empty) /* trailing: the last layer's */
			k--;
		if (k < in->nlayers && in->layers[k]->blob) {
			json_t *prev = NULL;

			if (in->layers[k]->blob->history)
				prev = json_loads(in->layers[k]->blob->history, 0, NULL);
			if (prev) {
				json_array_extend(prev, own);
				json_decref(own);
				own = prev;
			}
			free(in->layers[k]->blob->history);
			in->layers[k]->blob->history = json_dumps(own, JSON_COMPACT);
		}
		json_decref(own);
		own = json_array();
		k++;
	}
	json_decref(own);
}

static int read_docker(struct image_ctx *c, struct input *in)
{
	json_t *man, *m, *layers, *tags;
	const char *cfg;
	char dg[DIGEST_STR_LEN + 1];
	size_t i;
	int r = json_load_member(c, "manifest.json", &man);

	if (r)
		return r;
	m = json_array_get(man, 0);
	cfg = json_string_value(json_object_get(m, "Config"));
	layers = json_object_get(m, "Layers");
	if (!json_is_array(man) || !cfg || !json_is_array(layers)) {
		json_decref(man);
		return fail(EINVAL, "%s: not an image: manifest.json lacks Config or Layers",
			    c->display);
	}
	tags = json_object_get(m, "RepoTags");
	if (json_string_value(json_array_get(tags, 0)))
		in->name = strdup(json_string_value(json_array_get(tags, 0)));
	r = verify_member(c, cfg, dg);
	if (!r)
		r = json_load_member(c, cfg, &in->config);
	if (!r)
		in->config_digest = strdup(dg);
	if (!r)
		r = alloc_layers(in, json_array_size(layers));
	for (i = 0; !r && i < in->nlayers; i++) {
		const char *ln = json_string_value(json_array_get(layers, i));

		if (!ln)
			r = fail(EINVAL, "%s: not an image: manifest.json: bad layer %zu",
				 c->display, i);
		else
			r = read_layer(c, ln, i, in);
	}
	json_decref(man);
	return r;
}

static int is_index(const char *mt)
{
	return mt && (strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
		      strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

/* The descriptor of MANIFESTS for C->want: the only one; else the one
 * whose platform matches (attestations, "unknown/unknown", never do); an
 * index without platforms: the first. */
static int pick_manifest(const struct image_ctx *c, json_t *manifests, json_t **out)
{
	size_t n = json_array_size(manifests), with_platform = 0;
	char want[64];

	*out = NULL;
	if (n <= 1 || !c->want) {
		*out = json_array_get(manifests, 0);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_array_get(manifests, i), *pl = json_object_get(d, "platform");

		if (pl)
			with_platform++;
		if (pl && platform_matches(c->want, pl)) {
			*out = d;
			return 0;
		}
	}
	if (!with_platform) {
		*out = json_array_get(manifests, 0);
		return 0;
	}
	return fail(ENOENT, "%s: the index has no manifest for %s (give --platform)", c->display,
		    platform_str(c->want, want, sizeof want));
}

/* The platforms an index lists (for mkrootfs inspect), attestations
 * ("unknown") left out. */
static int index_platforms(json_t *manifests, struct input *in)
{
	size_t i;
	json_t *d;

	if (!(in->platforms = json_array()))
		return -ENOMEM;
	json_array_foreach(manifests, i, d)
	{
		json_t *pl = json_object_get(d, "platform");
		const char *os = json_string_value(json_object_get(pl, "os"));

		if (os && strcmp(os, "unknown") != 0 && json_array_append(in->platforms, pl))
			return -ENOMEM;
	}
	return 0;
}

static int read_oci(struct image_ctx *c, struct input *in)
{
	json_t *doc, *desc, *layers;
	char name[128], dg[DIGEST_STR_LEN + 1];
	int r = json_load_member(c, "index.json", &doc), depth = 0;

	/* index -> (index ->) manifest: the one for the wanted platform */
	while (!r) {
		const char *mt, *ref;
		json_t *next;
		int nested;

		r = pick_manifest(c, json_object_get(doc, "manifests"), &desc);
		if (r)
			break;
		mt = json_string_value(json_object_get(desc, "mediaType"));
		ref = json_string_value(json_object_get(json_object_get(desc, "annotations"),
							"io.containerd.image.name"));
		if (!desc) {
			r = fail(EINVAL, "%s: not an image: index.json lists no manifest",
				 c->display);
			break;
		}
		if (ref && !in->name)
			in->name = strdup(ref);
		if (!in->platforms && json_array_size(json_object_get(doc, "manifests")) > 1)
			r = index_platforms(json_object_get(doc, "manifests"), in);
		nested = is_index(mt); /* MT dies with DOC */
		if (!r)
			r = blob_name(c, json_string_value(json_object_get(desc, "digest")), name,
				      sizeof name);
		if (!r)
			r = verify_member(c, name, dg);
		if (!r)
			r = json_load_member(c, name, &next);
		json_decref(doc);
		doc = r ? NULL : next;
		if (r || !nested)
			break;
		if (++depth > 4)
			r = fail(EINVAL, "%s: not an image: indexes nest too deep", c->display);
	}
	if (!r && !(in->manifest_digest = strdup(dg)))
		r = -ENOMEM; /* the manifest's digest: org.opencontainers.image.base.digest */
	if (r) {
		json_decref(doc);
		return r;
	}
	desc = json_object_get(doc, "config");
	layers = json_object_get(doc, "layers");
	if (!json_is_object(desc) || !json_is_array(layers)) {
		json_decref(doc);
		return fail(EINVAL, "%s: not an image: the manifest lacks config or layers",
			    c->display);
	}
	r = blob_name(c, json_string_value(json_object_get(desc, "digest")), name, sizeof name);
	if (!r)
		r = verify_member(c, name, dg);
	if (!r)
		r = json_load_member(c, name, &in->config);
	if (!r)
		in->config_digest = strdup(dg);
	if (!r)
		r = alloc_layers(in, json_array_size(layers));
	for (size_t i = 0; !r && i < in->nlayers; i++) {
		json_t *ld = json_array_get(layers, i);
		const char *mt = json_string_value(json_object_get(ld, "mediaType"));

		r = blob_name(c, json_string_value(json_object_get(ld, "digest")), name,
			      sizeof name);
		if (!r)
			r = read_layer(c, name, i, in);
		if (!r && mt)
			in->info[i].media_type = strdup(mt);
	}
	json_decref(doc);
	return r;
}

int image_read(const char *display, struct entry **members, size_t n, int flags,
	       const struct platform *want, struct input *in)
{
	struct image_ctx c = {display, members, n, flags, want};
	int r;

	in->is_image = 1;
	/* both: the OCI layout wins, as containerd's importer decides */
	if (member(&c, "oci-layout") && member(&c, "index.json")) {
		in->format = strdup(member(&c, "manifest.json") ? "oci-archive+manifest.json"
								: "oci-archive");
		r = read_oci(&c, in);
	} else {
		in->format = strdup("docker-archive");
		r = read_docker(&c, in);
	}
	if (!r && !json_is_object(in->config))
		r = fail(EINVAL, "%s: not an image: the config is not a JSON object", display);
	if (!r)
		history(in);
	if (!r && want && !platform_matches(want, in->config)) {
		const char *os = json_string_value(json_object_get(in->config, "os"));
		const char *arch = json_string_value(json_object_get(in->config, "architecture"));
		const char *v = json_string_value(json_object_get(in->config, "variant"));
		char w[64];

		r = fail(EINVAL, "%s: the image is for %s/%s%s%s but the payload is for %s",
			 display, os ? os : "?", arch ? arch : "?", v ? "/" : "", v ? v : "",
			 platform_str(want, w, sizeof w));
	}
	return r;
}
