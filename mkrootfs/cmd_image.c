/* mkrootfs image: a FROM-scratch image tarball made of a static payload,
 * tinyinit, files, runtime layers and boot layers. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmds.h"
#include "elfinfo.h"
#include "err.h"
#include "imagewrite.h"
#include "input.h"
#include "layers.h"
#include "pathsafe.h"
#include "whiteout.h"

#ifndef TINYINIT_PATH
#define TINYINIT_PATH "/usr/local/sbin/tinyinit"
#endif

struct src {
	int boot;
	const char *path;
};

struct opts {
	const char *out, *as, *tag, *init;
	int no_init, copy_libs, keep_owner;
	enum compression comp;
	struct strlist adds;
	struct src *srcs;
	size_t nsrcs;
	struct image_spec spec;
	const char *payload;
	char **args;
	int nargs;
};

/* The image's layers, bottom first, and the boot layers to build. */
struct plan {
	struct layer **v;
	size_t n;
	struct layer **boot; /* borrowed from inputs */
	char **boot_from;
	size_t nboot;
	struct input *inputs;
	size_t ninputs;
};

int source_date_epoch(long long *epoch)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;

	*epoch = 0;
	if (!s || !*s)
		return 0;
	errno = 0;
	*epoch = strtoll(s, &end, 10);
	if (errno || *end || *epoch < 0)
		return fail(EINVAL, "SOURCE_DATE_EPOCH=%s: not a number of seconds", s);
	return 0;
}

static int push_layer(struct plan *p, struct layer *l)
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

static char *with_created_by(const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(fmt) + strlen(a) + (b ? strlen(b) : 0) + 1;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, fmt, a, b ? b : "");
	return s;
}

static int read_inputs(struct opts *o, struct plan *p)
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
			json_decref(o->spec.base);
			o->spec.base = json_incref(in->config);
		}
		for (size_t k = 0; k < in->nlayers; k++) {
			struct layer *l = in->layers[k];

			if (o->srcs[i].boot) {
				r = push_boot(p, l, o->srcs[i].path);
			} else {
				if (!l->created_by)
					l->created_by =
					    with_created_by("mkrootfs --layer %s", in->path, NULL);
				in->layers[k] = NULL; /* the plan owns it now */
				r = push_layer(p, l);
				if (r)
					layer_free(l);
			}
			if (r)
				return r;
		}
	}
	return 0;
}

/* "alpine-minirootfs-3.19.1-x86_64.tar.gz" -> "alpine-minirootfs-3.19.1-x86_64" */
static char *layer_name(const char *path)
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

/* One boot layer: its files beneath layers/NN-name, its deletions in
 * layers/NN-name.del. */
static int boot_layer(const struct layer *src, const char *dir, const char *from, struct plan *p)
{
	struct layer *l = layer_new(dir);
	unsigned char *del = NULL;
	size_t dlen = 0;
	struct entry *e;
	int r;

	if (!l)
		return -ENOMEM;
	l->created_by = with_created_by("mkrootfs --boot-layer %s as " LAYERS_DIR "/%s", from,
					dir + strlen(LAYERS_DIR));
	r = l->created_by ? 0 : -ENOMEM;
	if (!r)
		r = layer_add_parents(l, dir + 1);
	if (!r) {
		e = entry_new(dir, ET_DIR);
		r = e ? layer_add(l, from, e, LA_ABS_OK) : -ENOMEM;
	}
	if (!r)
		r = layer_copy_under(l, src, dir + 1);
	if (!r)
		r = dellist_build(src, &del, &dlen);
	if (!r && dlen) {
		char *name = with_created_by("%s%s", dir, DELETIONS_SUFFIX);

		e = name ? entry_new(name, ET_FILE) : NULL;
		free(name);
		if (e) {
			e->src = SRC_MEM;
			e->mem = del;
			e->size = dlen;
			del = NULL;
			r = layer_add(l, from, e, LA_ABS_OK);
		} else {
			r = -ENOMEM;
		}
	}
	free(del);
	if (!r)
		r = push_layer(p, l);
	if (r)
		layer_free(l);
	return r;
}

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

static const char *find_tinyinit(const struct opts *o, char *buf, size_t size)
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

/* The payload, tinyinit, libraries and --add files. */
static int app_layer(struct opts *o, const struct elf_info *ei, struct layer *app,
		     struct layer *init)
{
	char ibuf[PATH_MAX];
	int r = 0;

	if (!o->no_init) {
		const char *ip = find_tinyinit(o, ibuf, sizeof ibuf);
		struct elf_info ie;

		r = elf_read(ip, &ie);
		if (r)
			return failctx(r, "tinyinit (give its path with --init)");
		if (ie.interp) {
			r = fail(EINVAL, "%s: tinyinit must be static", ip);
		} else if (ie.machine != ei->machine) {
			r = fail(EINVAL, "%s is for %s but the payload is for %s", ip, ie.arch,
				 ei->arch);
		}
		elf_free(&ie);
		if (!r)
			r = input_file(ip, "/tinyinit", 0755, init);
		if (r)
			return r;
	}
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

static void usage_image(void)
{
	fputs("usage: mkrootfs image -o OUT.tar [OPTIONS] [--] PAYLOAD [ARG...]\n"
	      "  --as PATH            where the payload goes (default /BASENAME)\n"
	      "  --copy-libs          add a dynamic payload's libraries and loader\n"
	      "  --no-init            leave tinyinit out; the payload is the entrypoint\n"
	      "  --init PATH          the tinyinit to add (default: beside mkrootfs)\n"
	      "  --add SRC:DST[:MODE] add a file or directory\n"
	      "  --layer PATH         add an image layer (directory, tarball or image tarball)\n"
	      "  --boot-layer PATH    a layer tinyinit stacks at start (/layers/NN-name)\n"
	      "  --tag NAME[:TAG]     default BASENAME:latest\n"
	      "  --env K=V  --workdir DIR  --user U[:G]  --label K=V  --stop-signal SIG\n"
	      "  --compress gzip|zstd|none (default gzip)   --keep-owner\n",
	      stdout);
}

static int parse(int argc, char **argv, struct opts *o)
{
	enum {
		O_AS = 256,
		O_COPY,
		O_NOINIT,
		O_INIT,
		O_ADD,
		O_LAYER,
		O_BOOT,
		O_TAG,
		O_ENV,
		O_WD,
		O_USER,
		O_LABEL,
		O_STOP,
		O_COMP,
		O_KEEP
	};
	static const struct option lo[] = {
	    {"output", required_argument, 0, 'o'},
	    {"as", required_argument, 0, O_AS},
	    {"copy-libs", no_argument, 0, O_COPY},
	    {"no-init", no_argument, 0, O_NOINIT},
	    {"init", required_argument, 0, O_INIT},
	    {"add", required_argument, 0, O_ADD},
	    {"layer", required_argument, 0, O_LAYER},
	    {"boot-layer", required_argument, 0, O_BOOT},
	    {"tag", required_argument, 0, O_TAG},
	    {"env", required_argument, 0, O_ENV},
	    {"workdir", required_argument, 0, O_WD},
	    {"user", required_argument, 0, O_USER},
	    {"label", required_argument, 0, O_LABEL},
	    {"stop-signal", required_argument, 0, O_STOP},
	    {"compress", required_argument, 0, O_COMP},
	    {"keep-owner", no_argument, 0, O_KEEP},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	int c, r = 0;

	o->comp = COMP_GZIP;
	optind = 1;
	while (!r && (c = getopt_long(argc, argv, "+o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case O_AS: o->as = optarg; break;
		case O_COPY: o->copy_libs = 1; break;
		case O_NOINIT: o->no_init = 1; break;
		case O_INIT: o->init = optarg; break;
		case O_ADD: r = strlist_add(&o->adds, optarg); break;
		case O_LAYER:
		case O_BOOT: {
			struct src *n = realloc(o->srcs, (o->nsrcs + 1) * sizeof *n);

			if (!n)
				return -ENOMEM;
			o->srcs = n;
			o->srcs[o->nsrcs].boot = c == O_BOOT;
			o->srcs[o->nsrcs++].path = optarg;
			break;
		}
		case O_TAG: o->tag = optarg; break;
		case O_ENV:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return fail(EINVAL, "--env %s: use K=V", optarg);
			r = strlist_add(&o->spec.env, optarg);
			break;
		case O_WD:
			if (optarg[0] != '/')
				return fail(EINVAL, "--workdir %s: must be an absolute path",
					    optarg);
			o->spec.workdir = optarg;
			break;
		case O_USER:
			if (!optarg[0] || optarg[0] == ':')
				return fail(EINVAL, "--user %s: use USER[:GROUP]", optarg);
			o->spec.user = optarg;
			break;
		case O_LABEL:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return fail(EINVAL, "--label %s: use K=V", optarg);
			r = strlist_add(&o->spec.labels, optarg);
			break;
		case O_STOP: o->spec.stop_signal = optarg; break;
		case O_COMP: r = compression_parse(optarg, &o->comp); break;
		case O_KEEP: o->keep_owner = 1; break;
		case 'h': usage_image(); exit(0);
		default: return fail(EINVAL, "image: bad option (see mkrootfs image --help)");
		}
	}
	if (r)
		return r;
	if (!o->out)
		return fail(EINVAL, "image: -o OUT.tar is required");
	if (optind >= argc)
		return fail(EINVAL, "image: no PAYLOAD given");
	o->payload = argv[optind];
	o->args = argv + optind + 1;
	o->nargs = argc - optind - 1;
	return 0;
}

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		layer_free(p->v[i]);
	for (size_t i = 0; i < p->ninputs; i++)
		input_free(&p->inputs[i]);
	free(p->inputs);
	free(p->v);
	free(p->boot);
	free(p->boot_from);
}

int cmd_image(int argc, char **argv)
{
	struct opts o = {0};
	struct plan p = {0};
	struct elf_info ei = {0};
	struct layer *app = NULL, *init = NULL;
	struct image_out out = {0};
	char *full = NULL, *fam = NULL, *tag = NULL, *as = NULL, *base = NULL, *reftag = NULL;
	long long epoch;
	int r;

	r = parse(argc, argv, &o);
	if (!r)
		r = source_date_epoch(&epoch);
	if (r)
		goto out;
	o.spec.epoch = epoch;
	r = elf_read(o.payload, &ei);
	if (r)
		goto out;
	if (ei.interp && !o.copy_libs) {
		r = fail(EINVAL,
			 "%s is dynamically linked (interpreter %s): build it static or use "
			 "--copy-libs",
			 o.payload, ei.interp);
		goto out;
	}
	o.spec.arch = ei.arch;
	o.spec.variant = ei.variant;
	o.spec.os = "linux";
	base = strdup(path_basename(o.payload));
	if (!base) {
		r = -ENOMEM;
		goto out;
	}
	if (o.as) {
		const char *why;
		char *c;

		r = path_clean(o.as, PATH_ALLOW_ABS, &c, &why);
		if (r == -EINVAL || (!r && !c[0]))
			r = fail(EINVAL, "--as %s: %s", o.as, r ? why : "is the root");
		if (r)
			goto out;
		as = with_created_by("/%s", c, NULL);
		free(c);
	} else {
		as = with_created_by("/%s", base, NULL);
	}
	if (o.tag) {
		r = ref_parse(o.tag, &full, &fam, &tag);
	} else {
		char *n = ref_from_basename(base);

		reftag = n ? with_created_by("%s:latest", n, NULL) : NULL;
		free(n);
		r = reftag ? ref_parse(reftag, &full, &fam, &tag) : -ENOMEM;
	}
	if (r)
		goto out;
	o.as = as;
	r = read_inputs(&o, &p);
	if (r)
		goto out;
	app = layer_new(base);
	init = layer_new("tinyinit");
	if (!app || !init) {
		r = -ENOMEM;
		goto out;
	}
	app->created_by = with_created_by("mkrootfs image %s as %s", o.payload, o.as);
	init->created_by = strdup("mkrootfs: tinyinit as /tinyinit");
	/* plain images: tinyinit and the payload in one layer; boot-layer images:
	 * tinyinit in the image root, the payload in the top boot layer */
	r = app_layer(&o, &ei, app, p.nboot ? init : app);
	if (r)
		goto out;
	if (p.nboot) {
		size_t total = p.nboot + 1;
		int digits = 2;

		if (o.no_init) {
			r = fail(EINVAL, "--boot-layer needs tinyinit (drop --no-init)");
			goto out;
		}
		if (total > LAYERS_MAX) {
			r = fail(E2BIG, "%zu boot layers: tinyinit stacks at most %d", total,
				 LAYERS_MAX);
			goto out;
		}
		for (size_t t = total - 1; t >= 100 && digits < 4; t /= 10)
			digits++; /* LAYERS_MAX keeps it at 3 */
		for (size_t i = 0; i < total && !r; i++) {
			const struct layer *src = i < p.nboot ? p.boot[i] : app;
			const char *from = i < p.nboot ? p.boot_from[i] : o.payload;
			char *nm = layer_name(i < p.nboot ? p.boot_from[i] : base),
			     dir[PATH_MAX + 64];
			size_t first = i, last = i;
			char num[8];

			snprintf(num, sizeof num, digits > 2 ? "%03u" : "%02u",
				 (unsigned)(i % 1000));

			if (!nm || strlen(nm) > 200) {
				free(nm);
				r = nm ? fail(ENAMETOOLONG, "%s: name too long for a boot layer",
					      from)
				       : -ENOMEM;
				break;
			}

			/* an image's several layers: name-1, name-2, ... */
			while (i < p.nboot && first > 0 && p.boot_from[first - 1] == p.boot_from[i])
				first--;
			while (i < p.nboot && last + 1 < p.nboot &&
			       p.boot_from[last + 1] == p.boot_from[i])
				last++;
			if (i < p.nboot && last > first)
				snprintf(dir, sizeof dir, LAYERS_DIR "/%s-%s-%zu", num, nm,
					 i - first + 1);
			else
				snprintf(dir, sizeof dir, LAYERS_DIR "/%s-%s", num, nm);
			free(nm);
			r = boot_layer(src, dir, from, &p);
		}
		if (!r && !o.no_init)
			r = push_layer(&p, init);
		if (!r)
			init = NULL;
		o.spec.clear_workdir_user = 1;
	} else {
		r = push_layer(&p, app);
		if (!r)
			app = NULL;
	}
	if (r)
		goto out;
	/* ["/tinyinit", (boot layers: --workdir W --user U), "--", payload] + Cmd = args */
	if (!o.no_init) {
		strlist_add(&o.spec.entrypoint, "/tinyinit");
		if (p.nboot) {
			const char *wd = o.spec.workdir, *user = o.spec.user;
			json_t *bc = o.spec.base ? json_object_get(o.spec.base, "config") : NULL;

			if (!wd)
				wd = json_string_value(json_object_get(bc, "WorkingDir"));
			if (!user)
				user = json_string_value(json_object_get(bc, "User"));
			if (wd && *wd) {
				strlist_add(&o.spec.entrypoint, "--workdir");
				strlist_add(&o.spec.entrypoint, wd);
			}
			if (user && *user) {
				strlist_add(&o.spec.entrypoint, "--user");
				strlist_add(&o.spec.entrypoint, user);
			}
		}
		strlist_add(&o.spec.entrypoint, "--");
	}
	strlist_add(&o.spec.entrypoint, o.as);
	o.spec.cmd_set = 1;
	for (int i = 0; i < o.nargs; i++)
		strlist_add(&o.spec.cmd, o.args[i]);
	out.path = o.out;
	out.comp = o.comp;
	out.keep_owner = o.keep_owner;
	out.full_name = full;
	out.familiar = fam;
	out.tag = tag;
	r = image_write(&out, p.v, p.n, &o.spec);
out:
	plan_free(&p);
	layer_free(app);
	layer_free(init);
	elf_free(&ei);
	json_decref(o.spec.base);
	strlist_free(&o.spec.entrypoint);
	strlist_free(&o.spec.cmd);
	strlist_free(&o.spec.env);
	strlist_free(&o.spec.labels);
	strlist_free(&o.adds);
	free(o.srcs);
	free(full);
	free(fam);
	free(tag);
	free(as);
	free(base);
	free(reftag);
	return r;
}
