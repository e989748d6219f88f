/* The options image and initramfs share (BUILD_OPTIONS in plan.h), their
 * operands, and strfmt. */
#include "plan.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"

char *strfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

int build_add_src(struct build_opts *o, const char *path, int boot)
{
	struct src *n = realloc(o->srcs, (o->nsrcs + 1) * sizeof *n);

	if (!n)
		return -ENOMEM;
	o->srcs = n;
	o->srcs[o->nsrcs].boot = boot;
	o->srcs[o->nsrcs++].path = path;
	return 0;
}

/* Takes option C when it is one of BUILD_OPTIONS: returns 1 when it was,
 * 0 when it is the command's own, or an error. */
static int build_opt(struct build_opts *o, int c, const char *arg)
{
	int r = 0;

	switch (c) {
	case 'o': o->out = arg; break;
	case BO_AS: o->as = arg; break;
	case BO_COPY: o->copy_libs = 1; break;
	case BO_INIT: r = strlist_add(&o->inits, arg); break;
	case BO_ADD: r = strlist_add(&o->adds, arg); break;
	case BO_LAYER: r = build_add_src(o, arg, o->layer_is_boot); break;
	case BO_ENV:
		if (!strchr(arg, '=') || arg[0] == '=')
			return fail(EINVAL, "--env %s: use K=V", arg);
		r = strlist_add(&o->env, arg);
		break;
	case BO_WD:
		if (arg[0] != '/')
			return fail(EINVAL, "--workdir %s: must be an absolute path", arg);
		o->workdir = arg;
		break;
	case BO_USER:
		if (!arg[0] || arg[0] == ':')
			return fail(EINVAL, "--user %s: use USER[:GROUP]", arg);
		o->user = arg;
		break;
	case BO_KEEP: o->owner.keep = 1; break;
	case BO_OWNER: r = owner_parse("--owner", arg, &o->owner); break;
	case BO_PLATFORM:
		r = platform_parse(arg, &o->platform);
		o->platform_set = !r;
		break;
	case BO_ESSENTIALS: o->ess.on = 1; break;
	case BO_TZDATA: o->ess.tzdata = 1; break;
	case BO_CA_BUNDLE:
		o->ess.on = 1;
		o->ess.ca = arg;
		break;
	default: return 0;
	}
	return r ? r : 1;
}

int build_parse(int argc, char **argv, const struct option *lo, struct build_opts *o,
		int (*own)(void *ctx, int c, const char *arg), void *ctx)
{
	int c, r = 0;

	optind = 1;
	while (r >= 0 && (c = getopt_long(argc, argv, "+o:h", lo, NULL)) != -1) {
		r = build_opt(o, c, optarg);
		if (!r)
			r = own(ctx, c, optarg);
	}
	return r < 0 ? r : 0;
}

int build_operands(struct build_opts *o, int argc, char **argv, const char *cmd, int need_out)
{
	if (need_out && !o->out)
		return fail(EINVAL, "%s: -o OUT is required", cmd);
	if (optind >= argc)
		return fail(EINVAL, "%s: no PAYLOAD given", cmd);
	o->payload = argv[optind];
	o->args = argv + optind + 1;
	o->nargs = argc - optind - 1;
	return build_resolve_user(o);
}

int build_resolve_user(struct build_opts *o)
{
	int r;

	if (!o->ess.on || !o->user || o->user == o->ess.user)
		return 0;
	r = essentials_user(o->user, &o->ess.user);
	if (!r)
		o->user = o->ess.user;
	return r;
}

int build_essentials(const struct build_opts *o, struct layer *l)
{
	return o->ess.on || o->ess.tzdata ? essentials_add(&o->ess, l) : 0;
}

void build_opts_free(struct build_opts *o)
{
	strlist_free(&o->adds);
	strlist_free(&o->inits);
	strlist_free(&o->env);
	free(o->srcs);
	free(o->ess.user);
	o->ess.user = NULL;
	o->srcs = NULL;
	o->nsrcs = 0;
}
