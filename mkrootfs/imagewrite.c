/* Serializes layers and documents into the image tarball. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "err.h"
#include "imagewrite.h"
#include "outtar.h"
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

int image_write(const struct image_out *o, struct layer *const *layers, size_t n,
		struct image_spec *spec)
{
	struct outtar ot;
	struct descriptor *ld = calloc(n ? n : 1, sizeof *ld), cd, md;
	char(*ids)[72] = calloc(n ? n : 1, sizeof *ids);
	const char **idp = calloc(n ? n : 1, sizeof *idp), **by = calloc(n ? n : 1, sizeof *by);
	const char **hist = calloc(n ? n : 1, sizeof *hist);
	char **lhex = calloc(n ? n : 1, sizeof *lhex);
	char chex[DIGEST_HEX_LEN + 1], mhex[DIGEST_HEX_LEN + 1];
	uint64_t total = 0;
	int r;

	if (!ld || !ids || !idp || !by || !lhex || !hist) {
		r = -ENOMEM;
		goto out;
	}
	r = outtar_open(&ot, o->path, spec->epoch);
	if (r)
		goto out;
	for (size_t i = 0; i < n; i++)
		total += layers[i]->data_bytes;
	progress_start("writing", total);
	r = outtar_file(&ot, "oci-layout", OCI_LAYOUT, strlen(OCI_LAYOUT));
	if (!r)
		r = outtar_dir(&ot, "blobs/");
	if (!r)
		r = outtar_dir(&ot, "blobs/sha256/");
	for (size_t i = 0; i < n && !r; i++) {
		r = write_layer(&ot, o, layers[i], spec->epoch, &ld[i], ids[i]);
		idp[i] = ids[i];
		by[i] = layers[i]->created_by ? layers[i]->created_by : layers[i]->name;
		hist[i] = layers[i]->blob ? layers[i]->blob->history : NULL;
		lhex[i] = ld[i].digest + 7;
	}
	progress_end();
	spec->nlayers = n;
	spec->diff_ids = idp;
	spec->created_by = by;
	spec->history = hist;
	if (!r)
		r = blob_json(&ot, oci_config(spec), MT_CONFIG, &cd, chex);
	if (!r)
		r = blob_json(&ot, annotate(oci_manifest(&cd, ld, n), spec->annotations),
			      MT_MANIFEST, &md, mhex);
	if (!r)
		r = file_json(&ot, "index.json",
			      annotate(oci_index(&md, o->full_name, o->tag), spec->annotations));
	if (!r)
		r = file_json(&ot, "manifest.json", docker_manifest(chex, o->familiar, lhex, n));
	if (!r)
		r = outtar_commit(&ot, 1);
	else
		outtar_abort(&ot);
out:
	free(ld);
	free(ids);
	free(idp);
	free(by);
	free(hist);
	free(lhex);
	return r == -ENOMEM ? fail(ENOMEM, "%s: out of memory", o->path) : r;
}
