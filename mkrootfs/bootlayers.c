/* The boot layers tinyinit stacks: each beneath /layers/NN-name with its
 * deletion list beside it (include/layers.h). */
#include "plan.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "pathsafe.h"
#include "layers.h"
#include "whiteout.h"

char *layer_name(const char *path)
{
	static const char *const ext[] = {".tar.gz", ".tgz",	 ".tar.zst",
					  ".tar.xz", ".tar.bz2", ".tar"};
	char *tmp = strdup(path), *b, *n;
	size_t len;

	if (!tmp)
		return NULL;
	len = strlen(tmp);
	while (len > 1 && tmp[len - 1] == '/')
		tmp[--len] = 0;
	b = strrchr(tmp, '/');
	n = strdup(b ? b + 1 : tmp);
	free(tmp);
	if (!n)
		return NULL;
	len = strlen(n);
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		size_t el = strlen(ext[i]);

		if (len > el && strcmp(n + len - el, ext[i]) == 0) {
			n[len - el] = 0;
			break;
		}
	}
	for (char *c = n; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-'))
			*c = '_';
	if (n[0] == '.')
		n[0] = '_';
	return n;
}

/* One boot layer into L: its files beneath DIR ("/layers/NN-name"), its
 * deletions in DIR.del; the bottom one (FIRST) also brings the marker that
 * makes /layers tinyinit's. */
static int boot_layer(struct layer *l, const struct layer *src, const char *dir, const char *from,
		      int first)
{
	unsigned char *del = NULL;
	size_t dlen = 0;
	struct entry *e;
	int r = layer_add_parents(l, dir + 1);

	if (!r) {
		e = entry_new(dir, ET_DIR);
		r = e ? layer_add(l, from, e, LA_ABS_OK) : -ENOMEM;
	}
	if (!r)
		r = layer_copy_under(l, src, dir + 1);
	if (!r)
		r = dellist_build(src, &del, &dlen);
	if (!r && dlen) {
		char *name = strfmt("%s%s", dir, DELETIONS_SUFFIX);

		r = name ? layer_add_mem(l, from, name, del, dlen) : -ENOMEM;
		if (name)
			del = NULL;
		free(name);
	}
	free(del);
	if (!r && first) {
		unsigned char *m = (unsigned char *)strdup(LAYERS_MARKER_TEXT);

		r = m ? layer_add_mem(l, from, LAYERS_DIR "/" LAYERS_MARKER, m,
				      sizeof LAYERS_MARKER_TEXT - 1)
		      : -ENOMEM;
	}
	return r;
}

/* A boot layer of its own, pushed on P->v (images: one image layer each). */
static int boot_image_layer(struct plan *p, const struct layer *src, const char *dir,
			    const char *from, int first)
{
	struct layer *l = layer_new(dir);
	int r;

	if (!l)
		return -ENOMEM;
	char *sh = path_shown(from);

	l->created_by = sh ? strfmt("mkrootfs --boot-layer %s as " LAYERS_DIR "/%s", sh,
				    dir + strlen(LAYERS_DIR))
			   : NULL;
	free(sh);
	r = l->created_by ? boot_layer(l, src, dir, from, first) : -ENOMEM;
	if (!r)
		r = plan_push(p, l);
	if (r)
		layer_free(l);
	return r;
}

int plan_boot_layers(struct plan *p, const struct layer *app, const char *payload, const char *base,
		     struct layer *into)
{
	size_t total = p->nboot + 1;
	int digits = 2, r = 0;

	if (total > LAYERS_MAX)
		return fail(E2BIG, "%zu boot layers: tinyinit stacks at most %d", total,
			    LAYERS_MAX);
	for (size_t t = total - 1; t >= 100 && digits < 4; t /= 10)
		digits++; /* LAYERS_MAX keeps it at 3 */
	for (size_t i = 0; i < total && !r; i++) {
		const struct layer *src = i < p->nboot ? p->boot[i] : app;
		const char *from = i < p->nboot ? p->boot_from[i] : payload;
		char *nm = layer_name(i < p->nboot ? p->boot_from[i] : base), dir[PATH_MAX + 64];
		size_t first = i, last = i;
		char num[8];

		snprintf(num, sizeof num, digits > 2 ? "%03u" : "%02u", (unsigned)(i % 1000));
		if (!nm || strlen(nm) > 200) {
			free(nm);
			return nm ? fail(ENAMETOOLONG, "%s: name too long for a boot layer", from)
				  : -ENOMEM;
		}
		/* an image's several layers: name-1, name-2, ... */
		while (i < p->nboot && first > 0 && p->boot_from[first - 1] == p->boot_from[i])
			first--;
		while (i < p->nboot && last + 1 < p->nboot &&
		       p->boot_from[last + 1] == p->boot_from[i])
			last++;
		if (i < p->nboot && last > first)
			snprintf(dir, sizeof dir, LAYERS_DIR "/%s-%s-%zu", num, nm, i - first + 1);
		else
			snprintf(dir, sizeof dir, LAYERS_DIR "/%s-%s", num, nm);
		free(nm);
		r = into ? boot_layer(into, src, dir, from, i == 0)
			 : boot_image_layer(p, src, dir, from, i == 0);
	}
	return r;
}
