/* Image config, manifest, index and docker manifest documents. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "err.h"
#include "oci.h"

int strlist_add(struct strlist *l, const char *s)
{
	char **n = realloc(l->v, (l->n + 1) * sizeof *n);

	if (!n)
		return -ENOMEM;
	l->v = n;
	if (!(l->v[l->n] = strdup(s)))
		return -ENOMEM;
	l->n++;
	return 0;
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void rfc3339(int64_t epoch, char out[32])
{
	time_t t = (time_t)epoch;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* jansson holds UTF-8 only: json_string() of anything else is NULL, and the
 * member it was meant for silently missing (a Cmd without an argument). */
static int utf8_ok(const char *s)
{
	json_t *t = json_string(s);

	json_decref(t);
	return t != NULL;
}

/* S with every byte that is not printable ASCII as '?': for messages and for
 * history text made from host paths. */
static char *ascii(const char *s)
{
	char *c = strdup(s);

	for (char *p = c; p && *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	return c;
}

int utf8_arg(const char *what, const char *s)
{
	char *shown;
	int r;

	if (!s || utf8_ok(s))
		return 0;
	shown = ascii(s);
	r = fail(EILSEQ, "%s %s: not valid UTF-8 (image JSON holds UTF-8 text only)", what,
		 shown ? shown : "");
	free(shown);
	return r;
}

int oci_check_spec(const struct image_spec *s)
{
	const struct strlist *l[] = {&s->entrypoint, &s->cmd, &s->env, &s->labels};
	const char *what[] = {"entrypoint word", "argument", "--env", "--label"};
	int r = 0;

	for (size_t i = 0; i < 4 && !r; i++)
		for (size_t j = 0; j < l[i]->n && !r; j++)
			r = utf8_arg(what[i], l[i]->v[j]);
	if (!r)
		r = utf8_arg("--workdir", s->workdir);
	if (!r)
		r = utf8_arg("--user", s->user);
	if (!r)
		r = utf8_arg("--stop-signal", s->stop_signal);
	return r;
}

static json_t *str_array(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

/* Env: the base's list, each K=V of ADD replacing the same K or appended. */
static json_t *merge_env(json_t *base, const struct strlist *add)
{
	json_t *env = json_is_array(base) ? json_deep_copy(base) : json_array();

	for (size_t i = 0; env && i < add->n; i++) {
		size_t klen = strcspn(add->v[i], "="), k;
		json_t *x;
		int replaced = 0;

		json_array_foreach(env, k, x)
		{
			const char *s = json_string_value(x);

			if (s && strncmp(s, add->v[i], klen) == 0 && (s[klen] == '=' || !s[klen])) {
				json_array_set_new(env, k, json_string(add->v[i]));
				replaced = 1;
				break;
			}
		}
		if (!replaced)
			json_array_append_new(env, json_string(add->v[i]));
	}
	return env;
}

json_t *oci_config(const struct image_spec *s)
{
	json_t *base = s->base ? json_object_get(s->base, "config") : NULL;
	json_t *cfg = json_is_object(base) ? json_deep_copy(base) : json_object();
	json_t *doc = json_object(), *rootfs, *ids, *hist, *labels;
	char when[32];

	if (!cfg || !doc) {
		json_decref(cfg);
		json_decref(doc);
		return NULL;
	}
	rfc3339(s->epoch, when);
	json_object_set_new(cfg, "Entrypoint", str_array(&s->entrypoint));
	if (s->cmd_set) {
		if (s->cmd.n)
			json_object_set_new(cfg, "Cmd", str_array(&s->cmd));
		else
			json_object_del(cfg, "Cmd");
	}
	if (s->env.n || json_object_get(cfg, "Env"))
		json_object_set_new(cfg, "Env", merge_env(json_object_get(cfg, "Env"), &s->env));
	if (s->workdir)
		json_object_set_new(cfg, "WorkingDir", json_string(s->workdir));
	if (s->user)
		json_object_set_new(cfg, "User", json_string(s->user));
	if (s->clear_workdir_user) {
		json_object_del(cfg, "WorkingDir");
		json_object_del(cfg, "User");
	}
	if (s->stop_signal)
		json_object_set_new(cfg, "StopSignal", json_string(s->stop_signal));
	labels = json_object_get(cfg, "Labels");
	if (s->labels.n && !json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(cfg, "Labels", labels);
	}
	for (size_t i = 0; i < s->labels.n; i++) {
		char *k = strdup(s->labels.v[i]), *eq = k ? strchr(k, '=') : NULL;

		if (eq) {
			*eq = 0;
			json_object_set_new(labels, k, json_string(eq + 1));
		}
		free(k);
	}
	/* keys a null would only clutter */
	{
		const char *k;
		json_t *v;
		void *tmp;

		json_object_foreach_safe(cfg, tmp, k, v)
		{
			if (json_is_null(v))
				json_object_del(cfg, k);
		}
	}
	json_object_set_new(doc, "architecture", json_string(s->arch));
	if (s->variant)
		json_object_set_new(doc, "variant", json_string(s->variant));
	json_object_set_new(doc, "os", json_string(s->os ? s->os : "linux"));
	json_object_set_new(doc, "created", json_string(when));
	json_object_set_new(doc, "config", cfg);
	rootfs = json_object();
	ids = json_array();
	hist = json_array();
	for (size_t i = 0; i < s->nlayers; i++) {
		json_t *kept =
		    s->history && s->history[i] ? json_loads(s->history[i], 0, NULL) : NULL;
		json_t *h;

		json_array_append_new(ids, json_string(s->diff_ids[i]));
		if (json_is_array(kept)) { /* a base layer's entries, as they were */
			json_array_extend(hist, kept);
			json_decref(kept);
			continue;
		}
		json_decref(kept);
		h = json_object();
		json_object_set_new(h, "created", json_string(when));
		if (utf8_ok(s->created_by[i])) {
			json_object_set_new(h, "created_by", json_string(s->created_by[i]));
		} else { /* a host path in another encoding */
			char *a = ascii(s->created_by[i]);

			json_object_set_new(h, "created_by", json_string(a ? a : ""));
			free(a);
		}
		json_array_append_new(hist, h);
	}
	json_object_set_new(rootfs, "type", json_string("layers"));
	json_object_set_new(rootfs, "diff_ids", ids);
	json_object_set_new(doc, "rootfs", rootfs);
	json_object_set_new(doc, "history", hist);
	return doc;
}

json_t *oci_desc(const struct descriptor *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "mediaType", json_string(d->media_type));
	json_object_set_new(o, "digest", json_string(d->digest));
	json_object_set_new(o, "size", json_integer((json_int_t)d->size));
	return o;
}

json_t *oci_manifest(const struct descriptor *config, const struct descriptor *layers, size_t n)
{
	json_t *m = json_object(), *l = json_array();

	json_object_set_new(m, "schemaVersion", json_integer(2));
	json_object_set_new(m, "mediaType", json_string(MT_MANIFEST));
	json_object_set_new(m, "config", oci_desc(config));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(l, oci_desc(&layers[i]));
	json_object_set_new(m, "layers", l);
	return m;
}

json_t *oci_index(const struct descriptor *manifest, const char *full_name, const char *tag)
{
	json_t *ix = json_object(), *ms = json_array(), *d = oci_desc(manifest), *a = json_object();

	json_object_set_new(a, "io.containerd.image.name", json_string(full_name));
	json_object_set_new(a, "org.opencontainers.image.ref.name", json_string(tag));
	json_object_set_new(d, "annotations", a);
	json_array_append_new(ms, d);
	json_object_set_new(ix, "schemaVersion", json_integer(2));
	json_object_set_new(ix, "mediaType", json_string(MT_INDEX));
	json_object_set_new(ix, "manifests", ms);
	return ix;
}

json_t *docker_manifest(const char *config_hex, const char *repo_tag, char *const *layer_hexes,
			size_t n)
{
	json_t *arr = json_array(), *m = json_object(), *tags = json_array(), *ls = json_array();
	char buf[96];

	snprintf(buf, sizeof buf, "blobs/sha256/%s", config_hex);
	json_object_set_new(m, "Config", json_string(buf));
	if (repo_tag)
		json_array_append_new(tags, json_string(repo_tag));
	json_object_set_new(m, "RepoTags", tags);
	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, "blobs/sha256/%s", layer_hexes[i]);
		json_array_append_new(ls, json_string(buf));
	}
	json_object_set_new(m, "Layers", ls);
	json_array_append_new(arr, m);
	return arr;
}

char *json_canon(const json_t *j, size_t *len)
{
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);

	if (s && len)
		*len = strlen(s);
	return s;
}

/* --- references -------------------------------------------------------------- */

static int valid_component(const char *s, size_t n)
{
	/* lowercase letters and digits, separated by '.', '_', '__' or '-'s */
	if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isupper(c))
			return 0;
		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return 0;
		if ((c == '.' || c == '_') && i + 1 < n && s[i + 1] == '.')
			return 0;
		if (c == '.' && i + 1 < n && s[i + 1] == '_')
			return 0;
		if (c == '_' && i + 2 < n && s[i + 1] == '_' && s[i + 2] == '_')
			return 0;
	}
	return 1;
}

int ref_parse(const char *in, char **full, char **familiar, char **tag)
{
	const char *slash = strrchr(in, '/'), *colon = strrchr(slash ? slash : in, ':');
	size_t nlen = colon ? (size_t)(colon - in) : strlen(in);
	const char *t = colon ? colon + 1 : "latest";
	char *name = strndup(in, nlen), *first_end, *domain = NULL, *path;
	int has_domain;

	if (!name)
		return -ENOMEM;
	/* tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
	if (!*t || strlen(t) > 128 || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
		goto bad;
	for (const char *c = t; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.' && *c != '-')
			goto bad;
	first_end = strchr(name, '/');
	has_domain = first_end && (memchr(name, '.', (size_t)(first_end - name)) ||
				   memchr(name, ':', (size_t)(first_end - name)) ||
				   strncmp(name, "localhost/", 10) == 0);
	path = has_domain ? first_end + 1 : name;
	if (has_domain) {
		domain = strndup(name, (size_t)(first_end - name));
		for (const char *c = domain; c && *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' && *c != ':')
				goto bad;
	}
	for (const char *c = path;;) {
		const char *e = strchrnul(c, '/');

		if (!valid_component(c, (size_t)(e - c)))
			goto bad;
		if (!*e)
			break;
		c = e + 1;
	}
	{
		size_t fl = strlen(name) + strlen(t) + 32;

		*full = malloc(fl);
		*familiar = malloc(fl);
		*tag = strdup(t);
		if (!*full || !*familiar || !*tag) {
			free(name);
			free(domain);
			return -ENOMEM;
		}
		if (has_domain)
			snprintf(*full, fl, "%s:%s", name, t);
		else
			snprintf(*full, fl, "docker.io/%s%s:%s",
				 strchr(name, '/') ? "" : "library/", name, t);
		snprintf(*familiar, fl, "%s:%s", name, t);
	}
	free(name);
	free(domain);
	return 0;
bad:
	free(name);
	free(domain);
	return fail(EINVAL, "--tag %s: not a valid image reference (NAME[:TAG], lowercase name)",
		    in);
}

char *ref_from_basename(const char *base)
{
	size_t n = strlen(base), k = 0;
	char *r = malloc(n + 8);

	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)base[i];

		if (isalnum(c))
			r[k++] = (char)tolower(c);
		else if (k && r[k - 1] != '-' && (c == '.' || c == '_' || c == '-'))
			r[k++] = '-';
	}
	while (k && r[k - 1] == '-')
		k--;
	if (!k)
		strcpy(r, "payload");
	else
		r[k] = 0;
	return r;
}
