/* mkrootfs image: a FROM-scratch image tarball made of a static payload,
 * tinyinit, files, runtime layers and boot layers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmds.h"
#include "err.h"
#include "imagewrite.h"
#include "meta.h"
#include "pathsafe.h"
#include "plan.h"
#include "libs.h"
#include "sbom.h"
#include <unistd.h>

struct opts {
	struct build_opts b;
	const char *tag;
	enum compression comp;
	struct image_spec spec;
	int embed;	      /* --embed */
	char *emb_dir;	      /* its temporary directory */
	char *emb_file;	      /* the executable made there, the payload */
	const char *emb_from; /* the payload given */
	struct image_meta meta;
	struct strlist ppayloads; /* --platform-payload */
};

/* One platform's image. */
struct one {
	const char *payload;
	struct build_opts b; /* o->b with this payload (a shallow copy) */
	struct plan p;
	struct elf_info ei;
	struct platform plat;
	struct image_spec spec;
	char *as, *base, *sbom;
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

static void usage_image(void)
{
	fputs("usage: mkrootfs image -o OUT.tar [OPTIONS] [--] PAYLOAD [ARG...]\n"
	      "  --as PATH            where the payload goes (default /BASENAME)\n"
	      "  --copy-libs          add a dynamic payload's libraries and loader\n"
	      "  --no-init            leave tinyinit out; the payload is the entrypoint\n"
	      "  --embed              the image's only file is tinyinit carrying the payload\n"
	      "                       (mkrootfs embed), its entrypoint [\"/BASENAME\"]\n"
	      "  --init PATH          the tinyinit to add (default: the one built for the\n"
	      "                       payload's architecture; repeatable, one per arch.)\n"
	      "  --add SRC:DST[:MODE] add a file or directory\n"
	      "  --layer PATH         add an image layer (directory, tarball or image tarball)\n"
	      "  --boot-layer PATH    a layer tinyinit stacks at start (/layers/NN-name)\n"
	      "  --tag NAME[:TAG]     default BASENAME:latest\n"
	      "  --env K=V  --workdir DIR  --user U[:G]  --label K=V  --stop-signal SIG\n"
	      "  --compress gzip|zstd|none (default gzip)\n"
	      "  --keep-owner         host files keep their owners (default 0:0)\n"
	      "  --owner UID:GID      one owner for every layer written (set-id bits dropped)\n"
	      "  --platform OS/ARCH[/VARIANT]  the manifest of a base image index (default:\n"
	      "                       the payload's platform, which the base must match)\n"
	      "  --essentials         add a CA bundle, /etc/passwd and /etc/group (root, nonroot\n"
	      "                       65532), /etc/nsswitch.conf, /tmp; --user nonroot works\n"
	      "  --ca-bundle FILE     the CA bundle for --essentials (default: the host's)\n"
	      "  --tzdata             add the time zone database (/usr/share/zoneinfo)\n"
	      "  --annotation K=V     an annotation of the manifest and the index (repeatable)\n"
	      "  --source URL  --revision REV  --version V   org.opencontainers.image.*\n"
	      "                       annotations and labels\n"
	      "  --sbom FILE          write an SPDX 2.3 JSON SBOM of the image (one a platform:\n"
	      "                       FILE, then FILE with .OS-ARCH[-VARIANT] before .json)\n"
	      "  --platform-payload PATH  the payload built for another architecture\n"
	      "                       (repeatable): one manifest a platform in an index\n",
	      stdout);
}

enum {
	O_NOINIT = BO_NEXT,
	O_BOOT,
	O_TAG,
	O_LABEL,
	O_STOP,
	O_COMP,
	O_ANN,
	O_SRC,
	O_REV,
	O_VER,
	O_SBOM,
	O_EMBED,
	O_PPAYLOAD
};

static int image_opt(void *ctx, int c, const char *arg)
{
	struct opts *o = ctx;

	switch (c) {
	case O_NOINIT: o->b.no_init = 1; return 0;
	case O_EMBED: o->embed = 1; return 0;
	case O_BOOT: return build_add_src(&o->b, arg, 1);
	case O_TAG: o->tag = arg; return 0;
	case O_LABEL:
		if (!strchr(arg, '=') || arg[0] == '=')
			return fail(EINVAL, "--label %s: use K=V", arg);
		return strlist_add(&o->spec.labels, arg);
	case O_STOP: o->spec.stop_signal = arg; return utf8_arg("--stop-signal", arg);
	case O_COMP: return compression_parse(arg, 0, &o->comp);
	case O_ANN: return meta_add_annotation(&o->meta, arg);
	case O_SRC: o->meta.source = arg; return utf8_arg("--source", arg);
	case O_REV: o->meta.revision = arg; return utf8_arg("--revision", arg);
	case O_VER: o->meta.version = arg; return utf8_arg("--version", arg);
	case O_SBOM: o->meta.sbom = arg; return 0;
	case O_PPAYLOAD: return strlist_add(&o->ppayloads, arg);
	case 'h': usage_image(); exit(0);
	default: return fail(EINVAL, "image: bad option (see mkrootfs image --help)");
	}
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    BUILD_OPTIONS,
	    {"no-init", no_argument, 0, O_NOINIT},
	    {"embed", no_argument, 0, O_EMBED},
	    {"boot-layer", required_argument, 0, O_BOOT},
	    {"tag", required_argument, 0, O_TAG},
	    {"label", required_argument, 0, O_LABEL},
	    {"stop-signal", required_argument, 0, O_STOP},
	    {"compress", required_argument, 0, O_COMP},
	    {"annotation", required_argument, 0, O_ANN},
	    {"source", required_argument, 0, O_SRC},
	    {"revision", required_argument, 0, O_REV},
	    {"version", required_argument, 0, O_VER},
	    {"sbom", required_argument, 0, O_SBOM},
	    {"platform-payload", required_argument, 0, O_PPAYLOAD},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	int r;

	o->comp = COMP_GZIP;
	r = build_parse(argc, argv, lo, &o->b, image_opt, o);
	if (!r)
		r = build_operands(&o->b, argc, argv, "image", 1);
	/* the config carries what the runtime applies */
	o->spec.env = o->b.env;
	o->spec.workdir = o->b.workdir;
	o->spec.user = o->b.user;
	return r;
}

/* --essentials, --tzdata: a layer of their own beneath the payload's. */
static int push_essentials(const struct build_opts *b, struct plan *p)
{
	struct layer *l;
	int r;

	if (!b->ess.on && !b->ess.tzdata)
		return 0;
	if (!(l = layer_new("essentials")))
		return -ENOMEM;
	l->created_by = strdup(b->ess.tzdata && !b->ess.on ? "mkrootfs --tzdata"
			       : b->ess.tzdata		   ? "mkrootfs --essentials --tzdata"
							   : "mkrootfs --essentials");
	r = l->created_by ? build_essentials(b, l) : -ENOMEM;
	if (!r)
		r = plan_push(p, l);
	if (r)
		layer_free(l);
	return r;
}

/* --embed: the payload becomes tinyinit carrying it (mkrootfs embed), made
 * in a temporary directory under the payload's name; the image then holds
 * that one file as its entrypoint, as with --no-init. */
static int embed_payload(struct opts *o)
{
	const char *tmp = getenv("TMPDIR");
	const char *name = strrchr(o->b.payload, '/');
	int r;

	if (o->b.no_init)
		return fail(EINVAL, "image: --embed or --no-init, not both");
	o->emb_dir = strfmt("%s/mkrootfs-embed.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!o->emb_dir)
		return -ENOMEM;
	if (!mkdtemp(o->emb_dir)) {
		r = fail(errno, "%s: %s", o->emb_dir, strerror(errno));
		free(o->emb_dir);
		o->emb_dir = NULL;
		return r;
	}
	o->emb_file = strfmt("%s/%s", o->emb_dir, name ? name + 1 : o->b.payload);
	if (!o->emb_file)
		return -ENOMEM;
	r = embed_write(&o->b, 0, o->emb_file);
	if (r)
		return r;
	o->emb_from = o->b.payload;
	o->b.payload = o->emb_file;
	o->b.no_init = 1;
	return 0;
}

/* The last image input: the base. */
static const struct input *base_input(const struct plan *p)
{
	const struct input *b = NULL;

	for (size_t i = 0; i < p->ninputs; i++)
		if (p->inputs[i].is_image)
			b = &p->inputs[i];
	return b;
}

/* The annotations and the standard labels. */
static int add_meta(const struct opts *o, struct one *x)
{
	const struct input *b = base_input(&x->p);
	struct strlist labels = {0};
	int r;

	x->spec.annotations =
	    meta_annotations(&o->meta, b ? b->name : NULL, b ? b->manifest_digest : NULL);
	if (!x->spec.annotations)
		return -ENOMEM;
	r = meta_labels(x->spec.annotations, &o->meta, &o->spec.labels, &labels);
	if (r) {
		strlist_free(&labels);
		return r;
	}
	x->spec.labels = labels;
	return 0;
}

/* --sbom FILE for platform X: FILE for the first, else FILE with
 * ".os-arch[-variant]" before its ".spdx.json" or ".json" (or after it). */
static char *sbom_path(const char *file, const struct one *x, int first)
{
	const char *ext = NULL;
	size_t n = strlen(file);
	char pl[64];

	if (first)
		return strdup(file);
	snprintf(pl, sizeof pl, "%s-%s%s%s", x->plat.os, x->plat.architecture,
		 x->plat.variant[0] ? "-" : "", x->plat.variant);
	if (n > 10 && strcmp(file + n - 10, ".spdx.json") == 0)
		ext = file + n - 10;
	else if (n > 5 && strcmp(file + n - 5, ".json") == 0)
		ext = file + n - 5;
	if (!ext)
		return strfmt("%s.%s", file, pl);
	return strfmt("%.*s.%s%s", (int)(ext - file), file, pl, ext);
}

static int write_sbom(const struct one *x, const char *name)
{
	struct sbom_pkg *pk = NULL;
	struct libs libs = {0};
	char **bl = NULL;
	size_t np = 0, nb = 0;
	const struct input *b = base_input(&x->p);
	const struct elf_info *ei = &x->ei;
	int r = 0;

	if (x->b.copy_libs && ei->interp)
		r = libs_resolve(x->b.payload, x->as, ei, &libs);
	pk = calloc(libs.n + 3, sizeof *pk);
	if (!r && !pk)
		r = -ENOMEM;
	if (!r) {
		pk[np++] = (struct sbom_pkg){path_basename(x->b.payload), x->as, "APPLICATION", 0};
		if (!x->b.no_init)
			pk[np++] = (struct sbom_pkg){"tinyinit", "/tinyinit", "APPLICATION", 0};
		for (size_t i = 0; i < libs.n; i++)
			pk[np++] = (struct sbom_pkg){path_basename(libs.v[i].image),
						     libs.v[i].image, "LIBRARY", 1};
		if (ei->interp)
			pk[np++] =
			    (struct sbom_pkg){path_basename(ei->interp), ei->interp, "LIBRARY", 1};
	}
	if (!r && b && b->nlayers) {
		bl = calloc(b->nlayers, sizeof *bl);
		if (!bl)
			r = -ENOMEM;
		for (size_t i = 0; !r && i < b->nlayers; i++)
			bl[nb++] = (char *)b->info[i].digest;
	}
	if (!r) {
		struct sbom_in in = {.name = name,
				     .epoch = x->spec.epoch,
				     .layers = x->p.v,
				     .nlayers = x->p.n,
				     .pkgs = pk,
				     .npkgs = np,
				     .base_name = b ? b->name : NULL,
				     .base_layers = bl,
				     .nbase = nb};

		r = sbom_write(x->sbom, &in);
	}
	libs_free(&libs);
	free(pk);
	free(bl);
	return r;
}

/* Platform X's layers and config: its payload (at the first platform's
 * path), the tinyinit of its architecture, its own base image manifest,
 * the inputs every platform shares. FIRST: the main payload (AS NULL),
 * else AS is where the first one went. */
static int build_one(const struct opts *o, struct one *x, const char *as, long long epoch)
{
	struct layer *app = NULL, *init = NULL;
	int r;

	x->b = o->b;
	x->b.payload = x->payload;
	if (as) {
		x->b.as = as;
		x->b.platform_set = 0; /* the payload gives it */
	}
	r = build_payload(&x->b, &x->ei, &x->base, &x->as);
	if (r)
		return r;
	platform_of_elf(&x->ei, &x->plat);
	x->spec = o->spec;
	x->spec.labels = (struct strlist){0};
	x->spec.entrypoint = (struct strlist){0};
	x->spec.cmd = (struct strlist){0};
	x->spec.annotations = NULL;
	x->spec.epoch = epoch;
	x->spec.arch = x->ei.arch;
	x->spec.variant = x->ei.variant;
	x->spec.os = "linux";
	x->b.as = x->as;
	x->b.need_data = o->meta.sbom != NULL; /* the SBOM hashes every file */
	r = plan_inputs(&x->b, &x->p);
	if (r)
		return r;
	x->spec.base = json_incref(x->p.base);
	app = layer_new(x->base);
	init = layer_new("tinyinit");
	if (!app || !init) {
		r = -ENOMEM;
		goto out;
	}
	{
		char *sh = path_shown(o->embed ? o->emb_from : x->payload);

		app->created_by = !sh	     ? NULL
				  : o->embed ? strfmt("mkrootfs image --embed %s as %s", sh, x->as)
					     : strfmt("mkrootfs image %s as %s", sh, x->as);
		free(sh);
	}
	init->created_by = strdup("mkrootfs: tinyinit as /tinyinit");
	/* plain images: tinyinit and the payload in one layer; boot-layer images:
	 * tinyinit in the image root, the payload in the top boot layer */
	r = plan_app(&x->b, &x->ei, app, x->p.nboot ? init : app, x->b.no_init ? NULL : "/tinyinit",
		     x->p.nboot ? x->p.boot : x->p.v, x->p.nboot ? x->p.nboot : x->p.n);
	/* boot layers: the essentials join the payload's (top) boot layer */
	if (!r && x->p.nboot)
		r = build_essentials(&x->b, app);
	if (r)
		goto out;
	if (x->p.nboot) {
		if (x->b.no_init) {
			r = fail(EINVAL, "--boot-layer needs tinyinit (drop --no-init)");
			goto out;
		}
		r = plan_boot_layers(&x->p, app, x->payload, x->base, NULL);
		if (!r)
			r = plan_push(&x->p, init);
		if (!r)
			init = NULL;
		x->spec.clear_workdir_user = 1;
	} else {
		r = push_essentials(&x->b, &x->p);
		if (!r)
			r = plan_push(&x->p, app);
		if (!r)
			app = NULL;
	}
	if (r)
		goto out;
	/* ["/tinyinit", (boot layers: --workdir W --user U), "--", payload] + Cmd = args */
	if (!x->b.no_init) {
		r = strlist_add(&x->spec.entrypoint, "/tinyinit");
		if (!r && x->p.nboot)
			r = plan_init_words(&x->b, &x->p, 0, &x->spec.entrypoint);
		if (!r)
			r = strlist_add(&x->spec.entrypoint, "--");
	}
	if (!r)
		r = strlist_add(&x->spec.entrypoint, x->as);
	x->spec.cmd_set = 1;
	for (int i = 0; !r && i < x->b.nargs; i++)
		r = strlist_add(&x->spec.cmd, x->b.args[i]);
	if (!r)
		r = add_meta(o, x);
out:
	layer_free(app);
	layer_free(init);
	return r;
}

static void one_free(struct one *x)
{
	plan_free(&x->p);
	elf_free(&x->ei);
	json_decref(x->spec.base);
	strlist_free(&x->spec.entrypoint);
	strlist_free(&x->spec.cmd);
	strlist_free(&x->spec.labels);
	json_decref(x->spec.annotations);
	free(x->as);
	free(x->base);
	free(x->sbom);
}

/* The platforms of the payloads: each once. */
static int check_platforms(const struct opts *o, const struct one *x, size_t n)
{
	char a[64];

	for (size_t i = 1; i < n; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(x[i].plat.architecture, x[k].plat.architecture) == 0 &&
			    strcmp(x[i].plat.variant, x[k].plat.variant) == 0)
				return fail(EINVAL,
					    "--platform-payload %s: %s is %s's platform too",
					    x[i].payload, platform_str(&x[i].plat, a, sizeof a),
					    x[k].payload);
	(void)o;
	return 0;
}

int cmd_image(int argc, char **argv)
{
	struct opts o = {0};
	struct one *x = NULL;
	struct image_part *parts = NULL;
	struct image_out out = {0};
	char *full = NULL, *fam = NULL, *tag = NULL, *reftag = NULL;
	size_t n = 0, nsbom = 0;
	long long epoch;
	int r;

	r = parse(argc, argv, &o);
	if (!r && o.ppayloads.n && o.embed)
		r = fail(EINVAL, "image: --embed or --platform-payload, not both");
	if (!r && o.ppayloads.n && o.b.platform_set)
		r = fail(EINVAL, "image: --platform or --platform-payload, not both (the payloads "
				 "give the platforms)");
	if (!r && o.embed)
		r = embed_payload(&o);
	if (!r)
		r = source_date_epoch(&epoch);
	if (r)
		goto out;
	x = calloc(o.ppayloads.n + 1, sizeof *x);
	parts = calloc(o.ppayloads.n + 1, sizeof *parts);
	if (!x || !parts) {
		r = -ENOMEM;
		goto out;
	}
	for (; n < o.ppayloads.n + 1; n++) {
		x[n].payload = n ? o.ppayloads.v[n - 1] : o.b.payload;
		r = build_one(&o, &x[n], n ? x[0].as : NULL, epoch);
		if (!r)
			r = check_platforms(&o, x, n + 1);
		if (r)
			goto out;
		parts[n] = (struct image_part){x[n].p.v, x[n].p.n, &x[n].spec, &x[n].plat};
	}
	if (o.tag) {
		r = ref_parse(o.tag, &full, &fam, &tag);
	} else {
		char *rn = ref_from_basename(x[0].base);

		reftag = rn ? strfmt("%s:latest", rn) : NULL;
		free(rn);
		r = reftag ? ref_parse(reftag, &full, &fam, &tag) : -ENOMEM;
	}
	if (r)
		goto out;
	out.path = o.b.out;
	out.comp = o.comp;
	out.full_name = full;
	out.familiar = fam;
	out.tag = tag;
	for (; o.meta.sbom && nsbom < n; nsbom++) {
		x[nsbom].sbom = sbom_path(o.meta.sbom, &x[nsbom], nsbom == 0);
		r = x[nsbom].sbom ? write_sbom(&x[nsbom], fam) : -ENOMEM;
		if (r)
			goto out;
	}
	r = image_write_multi(&out, parts, n);
out:
	for (size_t i = 0; r && i < nsbom; i++)
		unlink(x[i].sbom); /* nothing half-written */
	if (o.emb_file)
		unlink(o.emb_file);
	if (o.emb_dir)
		rmdir(o.emb_dir);
	free(o.emb_file);
	free(o.emb_dir);
	for (size_t i = 0; x && i <= n && i < o.ppayloads.n + 1; i++)
		one_free(&x[i]);
	free(x);
	free(parts);
	strlist_free(&o.spec.labels);
	strlist_free(&o.ppayloads);
	meta_free(&o.meta);
	build_opts_free(&o.b); /* spec.env is o.b.env */
	free(full);
	free(fam);
	free(tag);
	free(reftag);
	return r;
}
