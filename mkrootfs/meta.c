/* --annotation, --source, --revision, --version: the manifest's and the
 * index's annotations, and the matching labels (meta.h). */
#include "meta.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"

int meta_add_annotation(struct image_meta *m, const char *arg)
{
	if (!strchr(arg, '=') || arg[0] == '=')
		return fail(EINVAL, "--annotation %s: use K=V", arg);
	if (utf8_arg("--annotation", arg))
		return -EILSEQ;
	return strlist_add(&m->annotations, arg);
}

static int set_kv(json_t *o, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char *k = strndup(kv, (size_t)(eq - kv));
	int r = k ? json_object_set_new(o, k, json_string(eq + 1)) : -1;

	free(k);
	return r ? -ENOMEM : 0;
}

json_t *meta_annotations(const struct image_meta *m, const char *base_name, const char *base_digest)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	json_t *a = json_object();
	int r = a ? 0 : -ENOMEM;

	if (!r && sde && *sde) {
		char when[32];

		rfc3339(strtoll(sde, NULL, 10), when);
		r = json_object_set_new(a, OCI_ANN "created", json_string(when));
	}
	if (!r && m->source)
		r = json_object_set_new(a, OCI_ANN "source", json_string(m->source));
	if (!r && m->revision)
		r = json_object_set_new(a, OCI_ANN "revision", json_string(m->revision));
	if (!r && m->version)
		r = json_object_set_new(a, OCI_ANN "version", json_string(m->version));
	if (!r && base_name)
		r = json_object_set_new(a, OCI_ANN "base.name", json_string(base_name));
	if (!r && base_digest)
		r = json_object_set_new(a, OCI_ANN "base.digest", json_string(base_digest));
	for (size_t i = 0; !r && i < m->annotations.n; i++)
		r = set_kv(a, m->annotations.v[i]);
	if (r) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static int is_user_key(const struct image_meta *m, const char *k)
{
	size_t n = strlen(k);

	for (size_t i = 0; i < m->annotations.n; i++)
		if (strncmp(m->annotations.v[i], k, n) == 0 && m->annotations.v[i][n] == '=')
			return 1;
	return 0;
}

int meta_labels(const json_t *ann, const struct image_meta *m, const struct strlist *user,
		struct strlist *out)
{
	const char *k;
	json_t *v;
	int r = 0;

	json_object_foreach((json_t *)ann, k, v)
	{
		char *kv;

		/* labels only for what the options said: a base's labels stay as they were */
		if (r || strncmp(k, OCI_ANN, sizeof OCI_ANN - 1) != 0 || is_user_key(m, k) ||
		    strcmp(k, OCI_ANN "created") == 0 ||
		    strncmp(k, OCI_ANN "base.", sizeof OCI_ANN + 4) == 0)
			continue;
		kv = malloc(strlen(k) + strlen(json_string_value(v)) + 2);
		if (!kv)
			return -ENOMEM;
		strcpy(kv, k);
		strcat(kv, "=");
		strcat(kv, json_string_value(v));
		r = strlist_add(out, kv);
		free(kv);
	}
	for (size_t i = 0; !r && i < user->n; i++)
		r = strlist_add(out, user->v[i]);
	return r;
}

void meta_free(struct image_meta *m)
{
	strlist_free(&m->annotations);
}
