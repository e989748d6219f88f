/* What goes where: the inputs read into the plan's layers (runtime
 * layers and boot layers). The options are in opts.c, the payload's layer
 * in payload.c, the boot layers in bootlayers.c, tinyinit's options in
 * initargs.c. */
#include "plan.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "pathsafe.h"

int plan_push(struct plan *p, struct layer *l)
{
	struct layer **v = realloc(p->v, (p->n + 1) * sizeof *v);

	if (!v)
		return -ENOMEM;
	p->v = v;
	p->v[p->n++] = l;
	return 0;
}

static int push_boot(struct plan *p, struct layer *l, const char *from)
{
	struct layer **v = realloc(p->boot, (p->nboot + 1) * sizeof *v);
	char **f = realloc(p->boot_from, (p->nboot + 1) * sizeof *f);

	if (v)
		p->boot = v;
	if (f)
		p->boot_from = f;
	if (!v || !f)
		return -ENOMEM;
	p->boot[p->nboot] = l;
	p->boot_from[p->nboot++] = (char *)from;
	return 0;
}

int plan_inputs(const struct build_opts *o, struct plan *p)
{
	struct platform want = o->platform;

	/* image inputs must be for the payload's platform (--platform: that one) */
	if (o->nsrcs) {
		struct platform pp;
		char a[64], b[64];
		int r = platform_of_file(o->payload, &pp);

		if (r)
			return r;
		if (!o->platform_set)
			want = pp;
		else if (strcmp(want.os, pp.os) || strcmp(want.architecture, pp.architecture))
			return fail(EINVAL, "--platform %s: the payload is for %s",
				    platform_str(&want, a, sizeof a),
				    platform_str(&pp, b, sizeof b));
	}
	p->inputs = calloc(o->nsrcs ? o->nsrcs : 1, sizeof *p->inputs);
	if (!p->inputs)
		return -ENOMEM;
	for (size_t i = 0; i < o->nsrcs; i++) {
		struct input *in = &p->inputs[i];
		/* an image's runtime layers go out as their blobs (unless --owner
		 * rewrites them): the data of their files is not needed */
		int blobs = !o->srcs[i].boot && !o->layer_is_boot && !o->owner.set && !o->need_data;
		int r = input_read_for(o->srcs[i].path, blobs ? IN_BLOBS : 0, &want, in);

		p->ninputs++;
		if (r)
			return r;
		if (in->is_image) {
			json_decref(p->base);
			p->base = json_incref(in->config);
		}
		for (size_t k = 0; k < in->nlayers; k++) {
			struct layer *l = in->layers[k];

			owners_apply(l, in->is_image ? NULL : in->path,
				     strcmp(in->format, "directory") == 0, &o->owner);
			/* --owner rewrites the entries: the blob no longer holds them */
			if (l->blob && o->owner.set) {
				free(l->blob->media_type);
				free(l->blob->history);
				free(l->blob);
				l->blob = NULL;
			}

			if (o->srcs[i].boot) {
				r = push_boot(p, l, o->srcs[i].path);
			} else {
				if (!l->created_by) {
					char *sh = path_shown(in->path);

					l->created_by =
					    sh ? strfmt("mkrootfs --layer %s", sh) : NULL;
					free(sh);
				}
				in->layers[k] = NULL; /* the plan owns it now */
				r = plan_push(p, l);
				if (r)
					layer_free(l);
			}
			if (r)
				return r;
		}
	}
	return 0;
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		layer_free(p->v[i]);
	for (size_t i = 0; i < p->ninputs; i++)
		input_free(&p->inputs[i]);
	free(p->inputs);
	free(p->v);
	free(p->boot);
	free(p->boot_from);
	json_decref(p->base);
	memset(p, 0, sizeof *p);
}
