/* mkrootfs inspect: an image tarball's config and layers, with the bytes
 * each layer stores only for later layers to hide. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "err.h"
#include "input.h"
#include "keymap.h"
#include "oci.h"
#include "pathsafe.h"
#include "platform.h"

struct waste {
	uint64_t bytes, files, nfiles;
};

/* Does layer U hide PATH of a layer beneath it? */
static int hides(const struct layer *u, const char *path)
{
	char *p = strdup(path), *s;
	int hit = 0;

	if (!p)
		return 0;
	/* anything at the same path replaces a file: an entry, a whiteout, or
	 * the opaque marker of a directory that took its place */
	hit = layer_find(u, p) || layer_find_del(u, p);
	if (!hit && layer_find_del(u, "") && layer_find_del(u, "")->type == ET_OPAQUE)
		hit = 1;
	for (s = strrchr(p, '/'); !hit && s; s = strrchr(p, '/')) {
		const struct entry *e, *d;

		*s = 0; /* each ancestor */
		e = layer_find(u, p);
		d = layer_find_del(u, p);
		hit = (e && e->type != ET_DIR) || d;
	}
	free(p);
	return hit;
}

static int hidden(const struct input *in, size_t i, const char *path)
{
	for (size_t j = i + 1; j < in->nlayers; j++)
		if (hides(in->layers[j], path))
			return 1;
	return 0;
}

/* The bytes of a file are wasted only when every name of it is hidden: a
 * hardlink left visible keeps them (LIVE: the targets of visible links). */
static int waste_of(const struct input *in, size_t i, struct waste *w)
{
	const struct layer *l = in->layers[i];
	struct keymap live = {0};
	uint64_t one;
	int r = 0;

	memset(w, 0, sizeof *w);
	for (size_t k = 0; k < l->n && !r; k++) {
		const struct entry *e = l->v[k], *t;

		if (e->type == ET_HARDLINK && (t = layer_find(l, e->link)) &&
		    !hidden(in, i, e->path))
			r = keymap_put(&live, (uintptr_t)t, 0, 1);
	}
	for (size_t k = 0; k < l->n && !r; k++) {
		const struct entry *e = l->v[k];

		if (e->type == ET_WHITEOUT || e->type == ET_OPAQUE)
			continue;
		w->nfiles++;
		if (e->type != ET_FILE && e->type != ET_SYMLINK && e->type != ET_HARDLINK)
			continue;
		if (hidden(in, i, e->path)) {
			if (e->type == ET_FILE && !keymap_get(&live, (uintptr_t)e, 0, &one))
				w->bytes += e->size;
			w->files++;
		}
	}
	keymap_free(&live);
	return r;
}

static const char *human(uint64_t n, char *buf)
{
	if (n < 1024)
		sprintf(buf, "%llu B", (unsigned long long)n);
	else if (n < 1024 * 1024)
		sprintf(buf, "%.1f KiB", n / 1024.0);
	else if (n < 1024ull * 1024 * 1024)
		sprintf(buf, "%.1f MiB", n / 1048576.0);
	else
		sprintf(buf, "%.2f GiB", n / 1073741824.0);
	return buf;
}

static void print_list(const char *label, json_t *a)
{
	size_t i;
	json_t *x;

	if (!json_is_array(a) || !json_array_size(a))
		return;
	printf("  %-12s", label);
	json_array_foreach(a, i, x)
	    printf("%s%s", i ? " " : "", json_string_value(x) ? json_string_value(x) : "?");
	printf("\n");
}

static int text(const struct input *in)
{
	json_t *c = in->config, *cc = json_object_get(c, "config");
	const char *k;
	json_t *v;
	char a[32], b[32], d[32];
	uint64_t ts = 0, tu = 0, tw = 0;

	printf("%s: %s, %zu layer%s\n", in->path, in->format, in->nlayers,
	       in->nlayers == 1 ? "" : "s");
	if (in->name)
		printf("  %-12s%s\n", "name", in->name);
	printf("  %-12s%s\n", "config", in->config_digest ? in->config_digest : "?");
	printf("  %-12s%s/%s%s%s\n", "platform", json_string_value(json_object_get(c, "os")) ?: "?",
	       json_string_value(json_object_get(c, "architecture")) ?: "?",
	       json_string_value(json_object_get(c, "variant")) ? "/" : "",
	       json_string_value(json_object_get(c, "variant")) ?: "");
	print_list("entrypoint", json_object_get(cc, "Entrypoint"));
	print_list("cmd", json_object_get(cc, "Cmd"));
	if (json_string_value(json_object_get(cc, "WorkingDir")) &&
	    *json_string_value(json_object_get(cc, "WorkingDir")))
		printf("  %-12s%s\n", "workdir",
		       json_string_value(json_object_get(cc, "WorkingDir")));
	if (json_string_value(json_object_get(cc, "User")) &&
	    *json_string_value(json_object_get(cc, "User")))
		printf("  %-12s%s\n", "user", json_string_value(json_object_get(cc, "User")));
	if (json_string_value(json_object_get(cc, "StopSignal")))
		printf("  %-12s%s\n", "stop signal",
		       json_string_value(json_object_get(cc, "StopSignal")));
	{
		size_t i;
		json_t *x;

		json_array_foreach(json_object_get(cc, "Env"), i, x)
		    printf("  %-12s%s\n", "env", json_string_value(x) ?: "?");
	}
	json_object_foreach(json_object_get(cc, "Labels"), k, v)
	    printf("  %-12s%s=%s\n", "label", k, json_string_value(v) ?: "?");
	printf("\n  %-3s %-19s %10s %10s %7s %10s  %s\n", "#", "digest", "stored", "size", "files",
	       "wasted", "created by");
	for (size_t i = 0; i < in->nlayers; i++) {
		struct waste w;
		const char *by = in->layers[i]->created_by;

		int r = waste_of(in, i, &w);

		if (r)
			return r;
		ts += in->info[i].csize;
		tu += in->info[i].usize;
		tw += w.bytes;
		printf("  %-3zu %-19.19s %10s %10s %7llu %10s  %.60s\n", i + 1, in->info[i].digest,
		       human(in->info[i].csize, a), human(in->info[i].usize, b),
		       (unsigned long long)w.nfiles, human(w.bytes, d), by ? by : "");
	}
	printf("  %-3s %-19s %10s %10s %7s %10s\n", "", "total", human(ts, a), human(tu, b), "",
	       human(tw, d));
	return 0;
}

/* IN as a JSON object; printed unless INTO: then appended to it. */
static int as_json(const struct input *in, json_t *into)
{
	json_t *o = json_object(), *ls = json_array();
	char *s;

	json_object_set_new(o, "file", json_string(in->path));
	json_object_set_new(o, "format", json_string(in->format));
	if (in->name)
		json_object_set_new(o, "name", json_string(in->name));
	json_object_set_new(o, "config_digest",
			    json_string(in->config_digest ? in->config_digest : ""));
	json_object_set(o, "config", in->config);
	for (size_t i = 0; i < in->nlayers; i++) {
		json_t *l = json_object();
		struct waste w;

		if (waste_of(in, i, &w)) {
			json_decref(l);
			json_decref(ls);
			json_decref(o);
			return -ENOMEM;
		}
		json_object_set_new(l, "digest", json_string(in->info[i].digest));
		if (in->info[i].media_type)
			json_object_set_new(l, "media_type", json_string(in->info[i].media_type));
		json_object_set_new(l, "stored_size", json_integer((json_int_t)in->info[i].csize));
		json_object_set_new(l, "size", json_integer((json_int_t)in->info[i].usize));
		json_object_set_new(l, "files", json_integer((json_int_t)w.nfiles));
		json_object_set_new(
		    l, "created_by",
		    json_string(in->layers[i]->created_by ? in->layers[i]->created_by : ""));
		json_object_set_new(l, "wasted_bytes", json_integer((json_int_t)w.bytes));
		json_object_set_new(l, "wasted_files", json_integer((json_int_t)w.files));
		json_array_append_new(ls, l);
	}
	json_object_set_new(o, "layers", ls);
	if (into)
		return json_array_append_new(into, o) ? -ENOMEM : 0;
	s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	if (!s)
		return -ENOMEM;
	puts(s);
	free(s);
	return 0;
}

/* An image index of several platforms: each platform's image, read for
 * that platform. JSON: {"file", "format", "name", "platforms": [image...]}. */
static int multi(const char *path, const struct input *first, int json)
{
	json_t *all = json_array(), *pl;
	size_t i;
	int r = all ? 0 : -ENOMEM;

	if (!json) {
		printf("%s: an image index of %zu platforms:", path,
		       json_array_size(first->platforms));
		json_array_foreach(first->platforms, i, pl)
		{
			struct platform p;
			char buf[64];

			platform_of_json(pl, &p);
			printf(" %s", platform_str(&p, buf, sizeof buf));
		}
		printf("\n");
	}
	json_array_foreach(first->platforms, i, pl)
	{
		struct platform p;
		struct input in;

		if (r)
			break;
		platform_of_json(pl, &p);
		r = input_read_for(path, IN_NODATA, &p, &in);
		if (!r && json)
			r = as_json(&in, all);
		else if (!r) {
			printf("\n");
			r = text(&in);
		}
		input_free(&in);
	}
	if (!r && json) {
		json_t *o = json_object();
		char *s;

		json_object_set_new(o, "file", json_string(path));
		json_object_set_new(o, "format", json_string(first->format));
		if (first->name)
			json_object_set_new(o, "name", json_string(first->name));
		json_object_set(o, "platforms", all);
		s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
		json_decref(o);
		if (!s)
			r = -ENOMEM;
		else
			puts(s);
		free(s);
	}
	json_decref(all);
	return r;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	struct input in;
	int c, json = 0, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+jh", lo, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'h') {
			puts("usage: mkrootfs inspect [--json] IMAGE.tar");
			return 0;
		} else
			return fail(EINVAL, "inspect: bad option (see mkrootfs inspect --help)");
	}
	if (optind != argc - 1)
		return fail(EINVAL, "usage: mkrootfs inspect [--json] IMAGE.tar");
	/* an executable made by mkrootfs embed */
	r = embed_inspect(argv[optind], json);
	if (r != 1)
		return r;
	r = input_read(argv[optind], IN_NODATA, &in);
	if (!r && !in.is_image)
		r = fail(EINVAL, "%s: not an image tarball (no manifest.json or index.json)",
			 argv[optind]);
	if (!r && json_array_size(in.platforms) > 1)
		r = multi(argv[optind], &in, json);
	else if (!r)
		r = json ? as_json(&in, NULL) : text(&in);
	input_free(&in);
	return r;
}
