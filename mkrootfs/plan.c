/* What goes where: the options image and initramfs share, the inputs, the
 * payload's layer and the boot layers. */
#include "plan.h"
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "err.h"
#include "layers.h"
#include "pathsafe.h"
#include "whiteout.h"

#ifndef TINYINIT_PATH
#define TINYINIT_PATH "/usr/local/sbin/tinyinit"
#endif

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

/* --- options ----------------------------------------------------------------- */

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
	case BO_INIT: o->init = arg; break;
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
	case BO_KEEP: o->keep_owner = 1; break;
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
	return 0;
}

void build_opts_free(struct build_opts *o)
{
	strlist_free(&o->adds);
	strlist_free(&o->env);
	free(o->srcs);
	o->srcs = NULL;
	o->nsrcs = 0;
}

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

/* --- inputs ------------------------------------------------------------------ */

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
	p->inputs = calloc(o->nsrcs ? o->nsrcs : 1, sizeof *p->inputs);
	if (!p->inputs)
		return -ENOMEM;
	for (size_t i = 0; i < o->nsrcs; i++) {
		struct input *in = &p->inputs[i];
		int r = input_read(o->srcs[i].path, 0, in);

		p->ninputs++;
		if (r)
			return r;
		if (in->is_image) {
			json_decref(p->base);
			p->base = json_incref(in->config);
		}
		for (size_t k = 0; k < in->nlayers; k++) {
			struct layer *l = in->layers[k];

			if (o->srcs[i].boot) {
				r = push_boot(p, l, o->srcs[i].path);
			} else {
				if (!l->created_by)
					l->created_by = strfmt("mkrootfs --layer %s", in->path);
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

/* --- the payload's layer ------------------------------------------------------ */

static int add_one(struct layer *app, const char *spec)
{
	char *s = strdup(spec), *c1, *c2, *end;
	const char *why;
	char *dst = NULL;
	long mode = -1;
	struct stat st;
	int r;

	if (!s)
		return -ENOMEM;
	c2 = strrchr(s, ':');
	if (c2 && c2 > s) {
		mode = strtol(c2 + 1, &end, 8);
		*c2 = 0;
		c1 = strrchr(s, ':');
		if (!c1 || *end || !c2[1] || mode < 0 || mode > 07777) {
			/* no MODE: the last ':' separates SRC and DST */
			*c2 = ':';
			c1 = c2;
			mode = -1;
		}
	} else {
		c1 = NULL;
	}
	if (!c1) {
		free(s);
		return fail(EINVAL, "--add %s: use SRC:DST[:MODE]", spec);
	}
	*c1 = 0;
	r = path_clean(c1 + 1, PATH_ALLOW_ABS, &dst, &why);
	if (r == -EINVAL)
		r = fail(EINVAL, "--add %s: destination %s", spec, why);
	if (!r && !dst[0] && stat(s, &st) == 0 && !S_ISDIR(st.st_mode))
		r = fail(EINVAL, "--add %s: a file cannot be the root", spec);
	if (!r && stat(s, &st) < 0)
		r = fail(errno, "%s: %s", s, strerror(errno));
	if (!r)
		r = layer_add_parents(app, dst);
	if (!r && S_ISDIR(st.st_mode)) {
		r = input_dir(s, s, dst, app, DIR_MERGE);
		if (!r && mode >= 0 && dst[0])
			layer_find(app, dst)->mode = (unsigned)mode;
	} else if (!r) {
		r = input_file(s, dst, (int)mode, app);
	}
	free(s);
	free(dst);
	return r;
}

static const char *find_tinyinit(const struct build_opts *o, char *buf, size_t size)
{
	char self[PATH_MAX - 32];
	ssize_t n;

	if (o->init)
		return o->init;
	if (getenv("MKROOTFS_TINYINIT"))
		return getenv("MKROOTFS_TINYINIT");
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		char *slash;

		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(buf, size, "%s/tinyinit", self);
			if (access(buf, R_OK) == 0)
				return buf;
			snprintf(buf, size, "%s/../sbin/tinyinit", self);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	return TINYINIT_PATH;
}

static int add_tinyinit(const struct build_opts *o, const struct elf_info *ei, struct layer *init,
			const char *dst)
{
	char ibuf[PATH_MAX];
	const char *ip = find_tinyinit(o, ibuf, sizeof ibuf);
	struct elf_info ie;
	int r = elf_read(ip, &ie);

	if (r)
		return failctx(r, "tinyinit (give its path with --init)");
	if (ie.interp)
		r = fail(EINVAL, "%s: tinyinit must be static", ip);
	else if (ie.machine != ei->machine)
		r = fail(EINVAL, "%s is for %s but the payload is for %s", ip, ie.arch, ei->arch);
	elf_free(&ie);
	return r ? r : input_file(ip, dst, 0755, init);
}

int plan_app(const struct build_opts *o, const struct elf_info *ei, struct layer *app,
	     struct layer *init, const char *init_dst)
{
	int r = init_dst ? add_tinyinit(o, ei, init, init_dst) : 0;

	if (!r)
		r = layer_add_parents(app, o->as + 1);
	if (!r)
		r = input_file(o->payload, o->as, 0755, app);
	if (!r && o->copy_libs && ei->interp) {
		char **libs = NULL;
		size_t n = 0;

		r = elf_resolve_libs(o->payload, ei, &libs, &n);
		for (size_t i = 0; !r && i <= n; i++) {
			const char *lib = i < n ? libs[i] : ei->interp;

			if (layer_find(app, lib + 1))
				continue;
			r = layer_add_parents(app, lib + 1);
			if (!r)
				r = input_file(lib, lib, -1, app);
		}
		for (size_t i = 0; i < n; i++)
			free(libs[i]);
		free(libs);
	}
	for (size_t i = 0; !r && i < o->adds.n; i++)
		r = add_one(app, o->adds.v[i]);
	return r;
}

/* --- boot layers --------------------------------------------------------------- */

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
 * deletions in DIR.del. */
static int boot_layer(struct layer *l, const struct layer *src, const char *dir, const char *from)
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
	return r;
}

/* A boot layer of its own, pushed on P->v (images: one image layer each). */
static int boot_image_layer(struct plan *p, const struct layer *src, const char *dir,
			    const char *from)
{
	struct layer *l = layer_new(dir);
	int r;

	if (!l)
		return -ENOMEM;
	l->created_by =
	    strfmt("mkrootfs --boot-layer %s as " LAYERS_DIR "/%s", from, dir + strlen(LAYERS_DIR));
	r = l->created_by ? boot_layer(l, src, dir, from) : -ENOMEM;
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
		r = into ? boot_layer(into, src, dir, from) : boot_image_layer(p, src, dir, from);
	}
	return r;
}

/* --- tinyinit's options ---------------------------------------------------------- */

/* Adds K=V to OUT, replacing an earlier K. */
static int env_set(struct strlist *out, const char *kv)
{
	size_t kl = (size_t)(strchr(kv, '=') - kv);

	for (size_t i = 0; i < out->n; i++) {
		if (strncmp(out->v[i], kv, kl + 1) == 0) {
			char *n = strdup(kv);

			if (!n)
				return -ENOMEM;
			free(out->v[i]);
			out->v[i] = n;
			return 0;
		}
	}
	return strlist_add(out, kv);
}

int plan_init_words(const struct build_opts *o, const struct plan *p, int with_env,
		    struct strlist *out)
{
	json_t *bc = p->base ? json_object_get(p->base, "config") : NULL;
	const char *wd = o->workdir, *user = o->user;
	struct strlist env = {0};
	int r = 0;

	if (!wd)
		wd = json_string_value(json_object_get(bc, "WorkingDir"));
	if (!user)
		user = json_string_value(json_object_get(bc, "User"));
	if (wd && *wd && !(r = strlist_add(out, "--workdir")))
		r = strlist_add(out, wd);
	if (!r && user && *user && !(r = strlist_add(out, "--user")))
		r = strlist_add(out, user);
	if (!with_env || r)
		return r;
	for (size_t i = 0; !r && i < json_array_size(json_object_get(bc, "Env")); i++) {
		const char *kv = json_string_value(json_array_get(json_object_get(bc, "Env"), i));

		if (kv && strchr(kv, '=') && kv[0] != '=')
			r = env_set(&env, kv);
	}
	for (size_t i = 0; !r && i < o->env.n; i++)
		r = env_set(&env, o->env.v[i]);
	for (size_t i = 0; !r && i < env.n; i++)
		if (!(r = strlist_add(out, "--env")))
			r = strlist_add(out, env.v[i]);
	strlist_free(&env);
	return r;
}
