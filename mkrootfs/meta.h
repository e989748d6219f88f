/* An image's metadata beyond its config: the annotations of its manifest
 * and index (--annotation, the standard org.opencontainers.image.* keys,
 * also given as labels) and its SBOM (--sbom, sbom.h). */
#ifndef MKROOTFS_META_H
#define MKROOTFS_META_H
#include <jansson.h>
#include <stdint.h>
#include "oci.h"

#define OCI_ANN "org.opencontainers.image."

struct image_meta {
	struct strlist annotations;		 /* --annotation K=V */
	const char *source, *revision, *version; /* --source, --revision, --version */
	const char *sbom;			 /* --sbom FILE */
};

/* Takes --annotation ARG (K=V) into M. */
int meta_add_annotation(struct image_meta *m, const char *arg);

/* The annotations: the standard keys known here (created only when
 * SOURCE_DATE_EPOCH is set, source, revision, version, base.name and
 * base.digest when BASE_NAME/BASE_DIGEST are not NULL), then the
 * --annotation ones (which win). NULL on no memory. */
json_t *meta_annotations(const struct image_meta *m, const char *base_name,
			 const char *base_digest);

/* The standard keys of ANN (not the --annotation ones) as K=V labels in
 * OUT, followed by USER's (which win, being later). */
int meta_labels(const json_t *ann, const struct image_meta *m, const struct strlist *user,
		struct strlist *out);

void meta_free(struct image_meta *m);

#endif
