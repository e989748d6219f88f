/* --sbom FILE: an SPDX 2.3 JSON document for an image: every regular file
 * of the image's root (the layers stacked, deletions applied) with its
 * SHA-256 (and the SHA-1 SPDX asks for), the payload, tinyinit and the
 * payload's libraries as packages, the base image's layers by digest.
 * Reproducible: the same image gives the same bytes. */
#ifndef MKROOTFS_SBOM_H
#define MKROOTFS_SBOM_H
#include <jansson.h>
#include <stdint.h>
#include "layer.h"

struct sbom_pkg {
	const char *name, *path; /* path: its file in the image ("/hello") */
	const char *purpose;	 /* SPDX primaryPackagePurpose */
	int depends;		 /* a library the payload depends on */
};

struct sbom_in {
	const char *name;	     /* the image, "hello:latest" */
	int64_t epoch;		     /* creationInfo.created */
	struct layer *const *layers; /* bottom first, as written */
	size_t nlayers;
	const struct sbom_pkg *pkgs; /* the payload first */
	size_t npkgs;
	const char *base_name;	  /* the base image, or NULL */
	char *const *base_layers; /* its layers' digests, "sha256:..." */
	size_t nbase;
};

/* The document (new reference), or NULL with the error set. */
int sbom_doc(const struct sbom_in *in, json_t **out);
/* Writes it to PATH (a temporary file renamed into place). */
int sbom_write(const char *path, const struct sbom_in *in);

#endif
