/* The image tarball writer: one uncompressed tar that is at once an OCI
 * image layout and a docker archive. Order: oci-layout, blobs/, the layer
 * blobs in layer order, the config, the manifest, index.json,
 * manifest.json. Layer tars inside are sorted and normalized. */
#ifndef MKROOTFS_IMAGEWRITE_H
#define MKROOTFS_IMAGEWRITE_H
#include "compress.h"
#include "layer.h"
#include "oci.h"

struct image_out {
	const char *path;
	enum compression comp;
	const char *full_name, *familiar, *tag;
};

/* Writes LAYERS (bottom first) with SPEC's config (its diff_ids and
 * created_by are filled in here). */
int image_write(const struct image_out *o, struct layer *const *layers, size_t n,
		struct image_spec *spec);

/* One platform's image: its layers (bottom first), its config (SPEC) and
 * its platform (for the index). */
struct platform;
struct image_part {
	struct layer *const *layers;
	size_t n;
	struct image_spec *spec;
	const struct platform *platform;
};

/* N platforms in one tarball. N == 1: as image_write. N > 1: index.json
 * names an image index (the tag's) that lists one manifest a platform,
 * each with its platform; a layer the platforms share is one blob; docker's
 * manifest.json lists every platform's image, the host's first and only it
 * tagged. */
int image_write_multi(const struct image_out *o, const struct image_part *parts, size_t n);

#endif
