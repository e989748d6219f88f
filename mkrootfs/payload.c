/* The payload's layer: the payload (checked static unless --copy-libs),
 * its libraries, tinyinit and the --add files. */
#include "plan.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "err.h"
#include "initsel.h"
#include "libs.h"
#include "pathsafe.h"

int build_payload(const struct build_opts *o, struct elf_info *ei, char **base, char **as)
{
	int r = elf_read(o->payload, ei);

	*base = *as = NULL;
	if (r)
		return r;
	if (ei->interp && !o->copy_libs)
		return fail(EINVAL,
			    "%s is dynamically linked (interpreter %s): build it static or use "
			    "--copy-libs",
			    o->payload, ei->interp);
	*base = strdup(path_basename(o->payload));
	if (!*base)
		return -ENOMEM;
	if (o->as) {
		const char *why;
		char *c;

		r = path_clean(o->as, PATH_ALLOW_ABS, &c, &why);
		if (r == -EINVAL || (!r && !c[0]))
			return fail(EINVAL, "--as %s: %s", o->as, r ? why : "is the root");
		if (r)
			return r;
		*as = strfmt("/%s", c);
		free(c);
	} else {
		*as = strfmt("/%s", *base);
	}
	return *as ? 0 : -ENOMEM;
}

int add_spec_parse(const char *spec, char **src, char **dst, long *mode)
{
	char *s = strdup(spec), *c1, *c2, *end;
	const char *why;
	int r;

	*src = *dst = NULL;
	*mode = -1;
	if (!s)
		return -ENOMEM;
	c2 = strrchr(s, ':');
	if (c2 && c2 > s) {
		*mode = strtol(c2 + 1, &end, 8);
		*c2 = 0;
		c1 = strrchr(s, ':');
		if (!c1 || *end || !c2[1] || *mode < 0 || *mode > 07777 || !isdigit(c2[1])) {
			/* no MODE: the last ':' separates SRC and DST */
			*c2 = ':';
			c1 = c2;
			*mode = -1;
		}
	} else {
		c1 = NULL;
	}
	if (!c1 || c1 == s) {
		free(s);
		return fail(EINVAL, "--add %s: use SRC:DST[:MODE]", spec);
	}
	*c1 = 0;
	r = path_clean(c1 + 1, PATH_ALLOW_ABS, dst, &why);
	if (r == -EINVAL)
		r = fail(EINVAL, "--add %s: destination %s", spec, why);
	if (r) {
		free(s);
		*mode = -1;
		return r;
	}
	*src = s;
	return 0;
}

static int add_one(struct layer *app, const char *spec)
{
	char *s, *dst;
	long mode;
	struct stat st;
	int r = add_spec_parse(spec, &s, &dst, &mode);

	if (r)
		return r;
	if (!dst[0] && stat(s, &st) == 0 && !S_ISDIR(st.st_mode))
		r = fail(EINVAL, "--add %s: a file cannot be the root", spec);
	if (!r && stat(s, &st) < 0)
		r = fail(errno, "%s: %s", s, strerror(errno));
	if (!r)
		r = layer_add_parents(app, dst);
	if (!r && S_ISDIR(st.st_mode)) {
		r = input_dir(s, s, dst, app, DIR_MERGE);
		if (!r && mode >= 0 && dst[0]) {
			struct entry *d = layer_find(app, dst);

			if (d)
				d->mode = (unsigned)mode;
		}
	} else if (!r) {
		r = input_file(s, dst, (int)mode, app);
	}
	free(s);
	free(dst);
	return r;
}

static int add_tinyinit(const struct build_opts *o, const struct elf_info *ei, struct layer *init,
			const char *dst)
{
	char ip[PATH_MAX];
	int r =
	    tinyinit_find(&o->inits, o->init_name ? o->init_name : "tinyinit", ei, ip, sizeof ip);

	return r ? r : input_file(ip, dst, 0755, init);
}

/* Adds HOST at IMAGE (absolute) to APP, placed through the symlinks of
 * APP and LOWER (a base's merged-/usr /lib stays a symlink); nothing when
 * that place is taken already. *AT (when not NULL): the place, malloc'd. */
static int place(struct layer *app, struct layer *const *lower, size_t nlower, const char *host,
		 const char *image, int mode, char **at)
{
	char *p = NULL, *dst;
	int r = view_place(lower, nlower, app, image, &p);

	if (r)
		return r;
	if (layer_find(app, p)) {
		r = 0;
	} else {
		r = layer_add_parents(app, p);
		dst = r ? NULL : strfmt("/%s", p);
		if (!r)
			r = dst ? input_file(host, dst, mode, app) : -ENOMEM;
		free(dst);
	}
	if (!r && at)
		*at = p, p = NULL;
	free(p);
	return r;
}

int plan_app(const struct build_opts *o, const struct elf_info *ei, struct layer *app,
	     struct layer *init, const char *init_dst, struct layer *const *lower, size_t nlower)
{
	char *at = NULL;
	int r = init_dst ? add_tinyinit(o, ei, init, init_dst) : 0;

	if (!r)
		r = place(app, lower, nlower, o->payload, o->as, 0755, &at);
	if (!r && o->copy_libs && ei->interp) {
		struct libs libs = {0};
		char *img = strfmt("/%s", at); /* the loader's $ORIGIN: where it really is */

		r = img ? libs_resolve(o->payload, img, ei, &libs) : -ENOMEM;
		for (size_t i = 0; !r && i <= libs.n; i++)
			r = i < libs.n
				? place(app, lower, nlower, libs.v[i].host, libs.v[i].image, -1,
					NULL)
				: place(app, lower, nlower, ei->interp, ei->interp, -1, NULL);
		libs_free(&libs);
		free(img);
	}
	free(at);
	for (size_t i = 0; !r && i < o->adds.n; i++)
		r = add_one(app, o->adds.v[i]);
	/* host files: 0:0 unless --keep-owner (--owner: that one) */
	if (!r)
		r = owners_apply(app, NULL, 1, &o->owner);
	if (!r && init && init != app)
		r = owners_apply(init, NULL, 1, &o->owner);
	return r;
}
