/* The JSON documents of an image: config, manifest, index.json and
 * docker's manifest.json. All are written with sorted keys, compact, so
 * the same image gives the same bytes. */
#ifndef MKROOTFS_OCI_H
#define MKROOTFS_OCI_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define MT_MANIFEST   "application/vnd.oci.image.manifest.v1+json"
#define MT_INDEX      "application/vnd.oci.image.index.v1+json"
#define MT_CONFIG     "application/vnd.oci.image.config.v1+json"
#define MT_LAYER_TAR  "application/vnd.oci.image.layer.v1.tar"
#define MT_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define OCI_LAYOUT    "{\"imageLayoutVersion\":\"1.0.0\"}"

struct strlist {
	char **v;
	size_t n;
};
int strlist_add(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

/* What the image config says, beyond what the base image said. */
struct image_spec {
	const char *arch, *variant, *os;
	json_t *base; /* the base image's config document, or NULL */
	struct strlist entrypoint;
	struct strlist cmd; /* replaces the base's Cmd when cmd_set */
	int cmd_set;
	struct strlist env;    /* K=V, replacing the base's K */
	struct strlist labels; /* K=V */
	const char *workdir, *user, *stop_signal;
	int clear_workdir_user; /* boot-layer images: tinyinit applies them */
	int64_t epoch;
	size_t nlayers;
	const char *const *diff_ids; /* "sha256:..." */
	const char *const *created_by;
	const char *const *history; /* per layer: a kept base layer's own entries
				       (JSON array), else NULL: one made here */
	json_t *annotations;	    /* of the manifest and the index, or NULL */
};

struct descriptor {
	const char *media_type;
	char digest[72]; /* "sha256:..." */
	uint64_t size;
};

/* 0, or -EILSEQ with a message naming WHAT and S when S (NULL: fine) is not
 * valid UTF-8: every string an image's JSON holds must be. */
int utf8_arg(const char *what, const char *s);
/* utf8_arg of every string of S that goes into the config as given. */
int oci_check_spec(const struct image_spec *s);
json_t *oci_config(const struct image_spec *s);
/* {"mediaType","digest","size"} of D. */
json_t *oci_desc(const struct descriptor *d);
json_t *oci_manifest(const struct descriptor *config, const struct descriptor *layers, size_t n);
json_t *oci_index(const struct descriptor *manifest, const char *full_name, const char *tag);
/* REPO_TAG NULL: an untagged entry (RepoTags []). */
json_t *docker_manifest(const char *config_hex, const char *repo_tag, char *const *layer_hexes,
			size_t n);
/* Canonical bytes: sorted keys, compact. Returns a malloc'd string. */
char *json_canon(const json_t *j, size_t *len);

/* "name[:tag]" -> the full reference ("docker.io/library/name:tag"), the
 * familiar one ("name:tag") and the tag. Returns -EINVAL (with a message)
 * when it is not a valid reference. */
int ref_parse(const char *in, char **full, char **familiar, char **tag);
/* A default repository name made of a file name ("My_App" -> "my_app"). */
char *ref_from_basename(const char *base);
/* RFC 3339 UTC time of EPOCH. */
void rfc3339(int64_t epoch, char out[32]);

#endif
