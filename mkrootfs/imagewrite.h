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

#endif
