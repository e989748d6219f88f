/* Serializes layers and documents into the image tarball. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "err.h"
#include "imagewrite.h"
#include "outtar.h"
#include "platform.h"
#include "progress.h"

/* A kept blob, byte for byte from where it lies (the input or the spill). */
static int copy_blob(struct outtar *ot, const struct layer *l, struct descriptor *d,
		     char diff_id[72])
{
	const struct layer_blob *b = l->blob;
	struct sink *bs = outtar_blob_begin(ot);
	char buf[1 << 16], hex[DIGEST_HEX_LEN + 1];
	uint64_t off = 0;
	int r = bs ? 0 : -ENOMEM;

	while (!r && off < b->size) {
		size_t n = b->size - off < sizeof buf ? (size_t)(b->size - off) : sizeof buf;
		ssize_t got = pread(b->fd, buf, n, b->spill_off + (off_t)off);

		if (got != (ssize_t)n)
			r = fail(EIO, "%s: cannot read the kept blob back", l->name);
		else
			r = sink_write(bs, buf, n);
		off += n;
	}
	if (!r)
		r = outtar_blob_end(ot, hex, &d->size);
	if (!r && strcmp(hex, b->digest + 7) != 0)
		r = fail(EIO, "%s: the kept blob changed (sha256:%s)", l->name, hex);
	if (r)
		return r;
	d->media_type = b->media_type;
	snprintf(d->digest, sizeof d->digest, "%s", b->digest);
	snprintf(diff_id, 72, "%s", b->diff_id);
	progress_add(l->data_bytes);
	return 0;
}

static int write_layer(struct outtar *ot, const struct image_out *o, const struct layer *l,
		       int64_t epoch, struct descriptor *d, char diff_id[72])
{
	struct layer_write_opts wo = {.epoch = epoch, .progress = progress_add};
	struct sink *bs;
	struct zsink *z;
	char hex[DIGEST_HEX_LEN + 1], uhex[DIGEST_HEX_LEN + 1];
	uint64_t usize;
	int r;

	if (l->blob)
		return copy_blob(ot, l, d, diff_id);
	bs = outtar_blob_begin(ot);
	if (!bs)
		return -ENOMEM;
	r = zsink_open(&z, o->comp, bs);
	if (r)
		return r;
	r = layer_write_tar(l, &wo, zsink_sink(z));
	if (r) {
		zsink_abort(z);
		return failctx(r, "%s", l->name);
	}
	r = zsink_close(z, uhex, &usize);
	if (!r)
		r = outtar_blob_end(ot, hex, &d->size);
	if (r)
		return r;
	d->media_type = compression_media_type(o->comp);
	snprintf(d->digest, sizeof d->digest, "sha256:%s", hex);
	snprintf(diff_id, 72, "sha256:%s", uhex);
	return 0;
}

/* The canonical bytes of J, which it consumes. */
static char *canon(json_t *j, size_t *len)
{
	char *s = j ? json_canon(j, len) : NULL;

	json_decref(j);
	return s;
}

static int blob_json(struct outtar *ot, json_t *j, const char *mt, struct descriptor *d,
		     char hex[65])
{
	size_t len;
	char *s = canon(j, &len);
	int r;

	if (!s)
		return -ENOMEM;
	r = outtar_blob(ot, s, len, hex);
	free(s);
	if (r)
		return r;
	d->media_type = mt;
	d->size = len;
	snprintf(d->digest, sizeof d->digest, "sha256:%s", hex);
	return 0;
}

static int file_json(struct outtar *ot, const char *name, json_t *j)
{
	size_t len;
	char *s = canon(j, &len);
	int r;

	if (!s)
		return -ENOMEM;
	r = outtar_file(ot, name, s, len);
	free(s);
	return r;
}

/* DOC with ANN (when it has any) as its annotations. */
static json_t *annotate(json_t *doc, json_t *ann)
{
	if (doc && json_object_size(ann))
		json_object_set(doc, "annotations", ann);
	return doc;
}

/* One platform's layers, config and manifest (*MD); CHEX the config's
 * digest and LHEX the layers' (pointing into LD) for manifest.json. */
struct plat_out {
	struct descriptor *ld, md;
	char (*ids)[72];
	const char **idp, **by, **hist;
	char **lhex;
	char chex[DIGEST_HEX_LEN + 1];
};

static void plat_free(struct plat_out *w)
{
	free(w->ld);
	free(w->ids);
	free(w->idp);
	free(w->by);
	free(w->hist);
	free(w->lhex);
}

static int write_platform(struct outtar *ot, const struct image_out *o,
			  const struct image_part *part, struct plat_out *w)
{
	size_t n = part->n, k = n ? n : 1;
	struct image_spec *spec = part->spec;
	struct descriptor cd;
	char mhex[DIGEST_HEX_LEN + 1];
	int r = 0;

	w->ld = calloc(k, sizeof *w->ld);
	w->ids = calloc(k, sizeof *w->ids);
	w->idp = calloc(k, sizeof *w->idp);
	w->by = calloc(k, sizeof *w->by);
	w->hist = calloc(k, sizeof *w->hist);
	w->lhex = calloc(k, sizeof *w->lhex);
	if (!w->ld || !w->ids || !w->idp || !w->by || !w->hist || !w->lhex)
		return -ENOMEM;
	for (size_t i = 0; i < n && !r; i++) {
		struct layer *l = part->layers[i];

		r = write_layer(ot, o, l, spec->epoch, &w->ld[i], w->ids[i]);
		w->idp[i] = w->ids[i];
		w->by[i] = l->created_by ? l->created_by : l->name;
		w->hist[i] = l->blob ? l->blob->history : NULL;
		w->lhex[i] = w->ld[i].digest + 7;
	}
	spec->nlayers = n;
	spec->diff_ids = w->idp;
	spec->created_by = w->by;
	spec->history = w->hist;
	if (!r)
		r = oci_check_spec(spec);
	if (!r)
		r = blob_json(ot, oci_config(spec), MT_CONFIG, &cd, w->chex);
	if (!r)
		r = blob_json(ot, annotate(oci_manifest(&cd, w->ld, n), spec->annotations),
			      MT_MANIFEST, &w->md, mhex);
	return r;
}

/* The platform this machine runs: its image goes first in manifest.json. */
static size_t host_first(const struct image_part *parts, size_t n)
{
	struct utsname u;
	const char *arch = NULL;

	if (uname(&u) == 0)
		arch = strcmp(u.machine, "x86_64") == 0	   ? "amd64"
		       : strcmp(u.machine, "aarch64") == 0 ? "arm64"
							   : u.machine;
	for (size_t i = 0; arch && i < n; i++)
		if (strcmp(parts[i].spec->arch, arch) == 0)
			return i;
	return 0;
}

int image_write_multi(const struct image_out *o, const struct image_part *parts, size_t n)
{
	struct outtar ot;
	struct plat_out *w = calloc(n, sizeof *w);
	const struct image_spec *main = parts[0].spec;
	uint64_t total = 0;
	int r;

	if (!w)
		return fail(ENOMEM, "%s: out of memory", o->path);
	r = outtar_open(&ot, o->path, main->epoch);
	if (r) {
		free(w);
		return r;
	}
	for (size_t p = 0; p < n; p++)
		for (size_t i = 0; i < parts[p].n; i++)
			total += parts[p].layers[i]->data_bytes;
	progress_start("writing", total);
	r = outtar_file(&ot, "oci-layout", OCI_LAYOUT, strlen(OCI_LAYOUT));
	if (!r)
		r = outtar_dir(&ot, "blobs/");
	if (!r)
		r = outtar_dir(&ot, "blobs/sha256/");
	/* identical layers (same digest) are written once (outtar) */
	for (size_t p = 0; p < n && !r; p++)
		r = write_platform(&ot, o, &parts[p], &w[p]);
	progress_end();
	if (!r && n == 1) {
		json_t *ix = oci_index(&w[0].md, o->full_name, o->tag);

		/* the descriptor says its platform, for consumers that select by it */
		if (ix && parts[0].platform)
			json_object_set_new(json_array_get(json_object_get(ix, "manifests"), 0),
					    "platform", platform_json(parts[0].platform));
		r = file_json(&ot, "index.json", annotate(ix, main->annotations));
		if (!r)
			r = file_json(
			    &ot, "manifest.json",
			    docker_manifest(w[0].chex, o->familiar, w[0].lhex, parts[0].n));
	} else if (!r) {
		/* index.json names one image, an index of one manifest a platform
		 * (what a registry serves for the tag) */
		json_t *ix = json_object(), *ms = json_array(), *dm = json_array();
		struct descriptor id;
		char ihex[DIGEST_HEX_LEN + 1];
		size_t h = host_first(parts, n);

		for (size_t p = 0; p < n && ix && ms; p++) {
			json_t *d = oci_desc(&w[p].md);

			if (d)
				json_object_set_new(d, "platform",
						    platform_json(parts[p].platform));
			json_array_append_new(ms, d);
		}
		json_object_set_new(ix, "schemaVersion", json_integer(2));
		json_object_set_new(ix, "mediaType", json_string(MT_INDEX));
		json_object_set_new(ix, "manifests", ms);
		r = blob_json(&ot, annotate(ix, main->annotations), MT_INDEX, &id, ihex);
		if (!r)
			r = file_json(
			    &ot, "index.json",
			    annotate(oci_index(&id, o->full_name, o->tag), main->annotations));
		/* docker's manifest.json: every platform's image, the host's first
		 * and the only one tagged (a tag names one image there) */
		for (size_t k = 0; !r && k < n; k++) {
			size_t p = k == 0 ? h : (k <= h ? k - 1 : k);
			json_t *e = docker_manifest(w[p].chex, k == 0 ? o->familiar : NULL,
						    w[p].lhex, parts[p].n);

			if (!e)
				r = -ENOMEM;
			else
				json_array_extend(dm, e);
			json_decref(e);
		}
		if (!r)
			r = file_json(&ot, "manifest.json", dm);
		else
			json_decref(dm);
	}
	if (!r)
		r = outtar_commit(&ot, 1);
	else
		outtar_abort(&ot);
	for (size_t p = 0; p < n; p++)
		plat_free(&w[p]);
	free(w);
	return r == -ENOMEM ? fail(ENOMEM, "%s: out of memory", o->path) : r;
}

int image_write(const struct image_out *o, struct layer *const *layers, size_t n,
		struct image_spec *spec)
{
	struct image_part part = {.layers = layers, .n = n, .spec = spec};

	return image_write_multi(o, &part, 1);
}
