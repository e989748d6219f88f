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
	      "  --sbom FILE          write an SPDX 2.3 JSON SBOM of the image\n",
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
	O_EMBED
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
	case O_STOP: o->spec.stop_signal = arg; return 0;
	case O_COMP: return compression_parse(arg, 0, &o->comp);
	case O_ANN: return meta_add_annotation(&o->meta, arg);
	case O_SRC: o->meta.source = arg; return 0;
	case O_REV: o->meta.revision = arg; return 0;
	case O_VER: o->meta.version = arg; return 0;
	case O_SBOM: o->meta.sbom = arg; return 0;
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
static int add_meta(struct opts *o, const struct plan *p)
{
	const struct input *b = base_input(p);
	struct strlist labels = {0};
	int r;

	o->spec.annotations =
	    meta_annotations(&o->meta, b ? b->name : NULL, b ? b->manifest_digest : NULL);
	if (!o->spec.annotations)
		return -ENOMEM;
	r = meta_labels(o->spec.annotations, &o->meta, &o->spec.labels, &labels);
	if (r) {
		strlist_free(&labels);
		return r;
	}
	strlist_free(&o->spec.labels);
	o->spec.labels = labels;
	return 0;
}

static int write_sbom(const struct opts *o, const struct plan *p, const struct elf_info *ei,
		      const char *name)
{
	struct sbom_pkg *pk = NULL;
	struct libs libs = {0};
	char **bl = NULL;
	size_t np = 0, nb = 0;
	const struct input *b = base_input(p);
	int r = 0;

	if (o->b.copy_libs && ei->interp)
		r = libs_resolve(o->b.payload, o->b.as, ei, &libs);
	pk = calloc(libs.n + 3, sizeof *pk);
	if (!r && !pk)
		r = -ENOMEM;
	if (!r) {
		pk[np++] =
		    (struct sbom_pkg){path_basename(o->b.payload), o->b.as, "APPLICATION", 0};
		if (!o->b.no_init)
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
				     .epoch = o->spec.epoch,
				     .layers = p->v,
				     .nlayers = p->n,
				     .pkgs = pk,
				     .npkgs = np,
				     .base_name = b ? b->name : NULL,
				     .base_layers = bl,
				     .nbase = nb};

		r = sbom_write(o->meta.sbom, &in);
	}
	libs_free(&libs);
	free(pk);
	free(bl);
	return r;
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
	if (!r && o.embed)
		r = embed_payload(&o);
	if (!r)
		r = source_date_epoch(&epoch);
	if (!r)
		r = build_payload(&o.b, &ei, &base, &as);
	if (r)
		goto out;
	o.spec.epoch = epoch;
	o.spec.arch = ei.arch;
	o.spec.variant = ei.variant;
	o.spec.os = "linux";
	if (o.tag) {
		r = ref_parse(o.tag, &full, &fam, &tag);
	} else {
		char *n = ref_from_basename(base);

		reftag = n ? strfmt("%s:latest", n) : NULL;
		free(n);
		r = reftag ? ref_parse(reftag, &full, &fam, &tag) : -ENOMEM;
	}
	if (r)
		goto out;
	o.b.as = as;
	o.b.need_data = o.meta.sbom != NULL; /* the SBOM hashes every file */
	r = plan_inputs(&o.b, &p);
	if (r)
		goto out;
	o.spec.base = json_incref(p.base);
	app = layer_new(base);
	init = layer_new("tinyinit");
	if (!app || !init) {
		r = -ENOMEM;
		goto out;
	}
	app->created_by = o.embed ? strfmt("mkrootfs image --embed %s as %s", o.emb_from, o.b.as)
				  : strfmt("mkrootfs image %s as %s", o.b.payload, o.b.as);
	init->created_by = strdup("mkrootfs: tinyinit as /tinyinit");
	/* plain images: tinyinit and the payload in one layer; boot-layer images:
	 * tinyinit in the image root, the payload in the top boot layer */
	r = plan_app(&o.b, &ei, app, p.nboot ? init : app, o.b.no_init ? NULL : "/tinyinit",
		     p.nboot ? p.boot : p.v, p.nboot ? p.nboot : p.n);
	if (r)
		goto out;
	/* boot layers: the essentials join the payload's (top) boot layer */
	if (!r && p.nboot)
		r = build_essentials(&o.b, app);
	if (r)
		goto out;
	if (p.nboot) {
		if (o.b.no_init) {
			r = fail(EINVAL, "--boot-layer needs tinyinit (drop --no-init)");
			goto out;
		}
		r = plan_boot_layers(&p, app, o.b.payload, base, NULL);
		if (!r)
			r = plan_push(&p, init);
		if (!r)
			init = NULL;
		o.spec.clear_workdir_user = 1;
	} else {
		r = push_essentials(&o.b, &p);
		if (!r)
			r = plan_push(&p, app);
		if (!r)
			app = NULL;
	}
	if (r)
		goto out;
	/* ["/tinyinit", (boot layers: --workdir W --user U), "--", payload] + Cmd = args */
	if (!o.b.no_init) {
		r = strlist_add(&o.spec.entrypoint, "/tinyinit");
		if (!r && p.nboot)
			r = plan_init_words(&o.b, &p, 0, &o.spec.entrypoint);
		if (!r)
			r = strlist_add(&o.spec.entrypoint, "--");
	}
	if (!r)
		r = strlist_add(&o.spec.entrypoint, o.b.as);
	o.spec.cmd_set = 1;
	for (int i = 0; !r && i < o.b.nargs; i++)
		r = strlist_add(&o.spec.cmd, o.b.args[i]);
	if (r)
		goto out;
	r = add_meta(&o, &p);
	if (r)
		goto out;
	out.path = o.b.out;
	out.comp = o.comp;
	out.full_name = full;
	out.familiar = fam;
	out.tag = tag;
	if (o.meta.sbom) {
		r = write_sbom(&o, &p, &ei, fam);
		if (r)
			goto out;
	}
	r = image_write(&out, p.v, p.n, &o.spec);
	if (r && o.meta.sbom)
		unlink(o.meta.sbom); /* nothing half-written */
out:
	if (o.emb_file)
		unlink(o.emb_file);
	if (o.emb_dir)
		rmdir(o.emb_dir);
	free(o.emb_file);
	free(o.emb_dir);
	plan_free(&p);
	layer_free(app);
	layer_free(init);
	elf_free(&ei);
	json_decref(o.spec.base);
	strlist_free(&o.spec.entrypoint);
	strlist_free(&o.spec.cmd);
	strlist_free(&o.spec.labels);
	json_decref(o.spec.annotations);
	meta_free(&o.meta);
	build_opts_free(&o.b); /* spec.env is o.b.env */
	free(full);
	free(fam);
	free(tag);
	free(as);
	free(base);
	free(reftag);
	return r;
}
