/* mkrootfs initramfs: a newc cpio the kernel unpacks and runs: tinyinit
 * as /init, the payload, boot layers under /layers, kernel modules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "compress.h"
#include "cpiowrite.h"
#include "err.h"
#include "initrd.h"
#include "modules.h"
#include "outtar.h"
#include "plan.h"
#include "progress.h"

/* --net: a virtio NIC on q35/pc (PCI) and on microvm (MMIO). */
#define NET_MODULES "virtio_pci,virtio_mmio,virtio_net"

struct opts {
	struct build_opts b;
	enum compression comp;
	struct strlist modules;
	const char *release, *modules_dir;
	int cmdline;
};

static void usage_initramfs(void)
{
	fputs("usage: mkrootfs initramfs -o OUT [OPTIONS] [--] PAYLOAD [ARG...]\n"
	      "  --as PATH            where the payload goes (default /BASENAME)\n"
	      "  --copy-libs          add a dynamic payload's libraries and loader\n"
	      "  --init PATH          the tinyinit that becomes /init (default: the one built for\n"
	      "                       the payload's architecture; repeatable, one per arch.)\n"
	      "  --add SRC:DST[:MODE] add a file or directory\n"
	      "  --layer PATH         a layer tinyinit stacks at boot (/layers/NN-name): a\n"
	      "                       directory, tarball or image tarball; the payload and the\n"
	      "                       --add files become the top layer\n"
	      "  --modules M1,M2,...  kernel modules to load at boot, with their dependencies\n"
	      "  --kernel-release R   their kernel (default: the running one, uname -r)\n"
	      "  --modules-dir DIR    or their modules tree (the directory with modules.dep)\n"
	      "  --net                a network appliance: tinyinit-net as /init (ip=, DHCP; "
	      "default\n"
	      "                       beside mkrootfs) and the modules of virtio networking\n"
	      "                       (virtio_pci, virtio_mmio, virtio_net, as with --modules)\n"
	      "  --env K=V  --workdir DIR  --user U[:G]   the payload's environment\n"
	      "  --compress gzip|zstd|xz|none (default gzip)\n"
	      "  --keep-owner         host files keep their owners (default 0:0)\n"
	      "  --owner UID:GID      one owner for every layer written (set-id bits dropped)\n"
	      "  --platform OS/ARCH[/VARIANT]  the manifest of a base image index (default:\n"
	      "                       the payload's platform, which the base must match)\n"
	      "  --essentials         add a CA bundle, /etc/passwd and /etc/group (root, nonroot\n"
	      "                       65532), /etc/nsswitch.conf, /tmp; --user nonroot works\n"
	      "  --ca-bundle FILE     the CA bundle for --essentials (default: the host's)\n"
	      "  --tzdata             add the time zone database (/usr/share/zoneinfo)\n"
	      "  --cmdline            print the kernel command line the initramfs expects\n"
	      "                       (without -o: print it and write nothing)\n",
	      stdout);
}

enum { O_COMP = BO_NEXT, O_MODULES, O_RELEASE, O_MODDIR, O_CMDLINE, O_NET };

static int initramfs_opt(void *ctx, int c, const char *arg)
{
	struct opts *o = ctx;

	switch (c) {
	case O_COMP: return compression_parse(arg, 1, &o->comp);
	case O_MODULES: return modules_split(arg, &o->modules);
	case O_RELEASE: o->release = arg; return 0;
	case O_MODDIR: o->modules_dir = arg; return 0;
	case O_CMDLINE: o->cmdline = 1; return 0;
	case O_NET: o->b.init_name = "tinyinit-net"; return modules_split(NET_MODULES, &o->modules);
	case 'h': usage_initramfs(); exit(0);
	default: return fail(EINVAL, "initramfs: bad option (see mkrootfs initramfs --help)");
	}
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    BUILD_OPTIONS,
	    {"boot-layer", required_argument, 0, BO_LAYER}, /* as in mkrootfs image */
	    {"compress", required_argument, 0, O_COMP},
	    {"modules", required_argument, 0, O_MODULES},
	    {"kernel-release", required_argument, 0, O_RELEASE},
	    {"modules-dir", required_argument, 0, O_MODDIR},
	    {"cmdline", no_argument, 0, O_CMDLINE},
	    {"net", no_argument, 0, O_NET},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	int r;

	o->comp = COMP_GZIP;
	o->b.layer_is_boot = 1;
	r = build_parse(argc, argv, lo, &o->b, initramfs_opt, o);
	if (!r && o->release && o->modules_dir)
		r = fail(EINVAL, "initramfs: --kernel-release or --modules-dir, not both");
	return r ? r : build_operands(&o->b, argc, argv, "initramfs", !o->cmdline);
}

static int print_cmdline(unsigned machine)
{
	char *s = initrd_cmdline(machine);

	if (!s)
		return -ENOMEM;
	puts(s);
	free(s);
	return fflush(stdout) == 0 ? 0 : fail(errno, "stdout: %s", strerror(errno));
}

/* The module files to carry, in load order. */
static int resolve_modules(const struct opts *o, struct strlist *paths)
{
	struct modsrc src = {0};
	char *dir = NULL;
	int r;

	if (!o->modules.n)
		return 0;
	r = modules_dir(o->modules_dir, o->release, &dir);
	if (!r)
		r = modsrc_kmod_open(&src, dir);
	if (!r)
		r = modules_order(&src, (const char *const *)o->modules.v, o->modules.n, paths);
	modsrc_kmod_close(&src);
	free(dir);
	return r;
}

static int has_overlay(const struct strlist *names)
{
	for (size_t i = 0; i < names->n; i++)
		if (strcmp(names->v[i], "overlay") == 0)
			return 1;
	return 0;
}

/* Without boot layers the payload's files are the initramfs root: none
 * may take a place the initramfs keeps for its own. */
static int check_reserved(const struct layer *app)
{
	for (size_t i = 0; i < app->n; i++)
		if (initrd_reserved(app->v[i]->path))
			return fail(EEXIST,
				    "/%s: the initramfs keeps its own files there (/init, "
				    "/tinyinit.args, /dev/console, /modules, /layers)",
				    app->v[i]->path);
	return 0;
}

/* /tinyinit.args: tinyinit's options, "--", the payload, its arguments. */
static int init_args(const struct opts *o, const struct plan *p, unsigned char **buf, size_t *len)
{
	struct strlist w = {0};
	int r = plan_init_words(&o->b, p, 1, &w);

	if (!r)
		r = strlist_add(&w, "--");
	if (!r)
		r = strlist_add(&w, o->b.as);
	for (int i = 0; !r && i < o->b.nargs; i++)
		r = strlist_add(&w, o->b.args[i]);
	if (!r)
		r = initrd_args(&w, buf, len);
	strlist_free(&w);
	return r;
}

static int write_initramfs(const struct opts *o, const struct layer *root, int64_t epoch)
{
	struct cpio_write_opts wo = {.epoch = epoch, .progress = progress_add};
	char hex[DIGEST_HEX_LEN + 1];
	struct outtar ot;
	struct zsink *z;
	uint64_t usize;
	int r = outtar_open(&ot, o->b.out, epoch);

	if (r)
		return r;
	r = zsink_open_stream(&z, o->comp, &ot.raw);
	if (r) {
		outtar_abort(&ot);
		return r;
	}
	progress_start("writing", root->data_bytes);
	r = layer_write_cpio(root, &wo, zsink_sink(z));
	progress_end();
	if (r)
		zsink_abort(z);
	else
		r = zsink_close(z, hex, &usize);
	if (!r)
		r = outtar_commit(&ot, 0);
	else
		outtar_abort(&ot);
	if (!r && wo.dropped_xattrs)
		warnmsg("xattrs of %zu entries left out: cpio cannot carry them",
			wo.dropped_xattrs);
	return r;
}

int cmd_initramfs(int argc, char **argv)
{
	struct opts o = {0};
	struct plan p = {0};
	struct elf_info ei = {0};
	struct layer *root = NULL, *app = NULL;
	struct strlist mods = {0};
	char *as = NULL, *base = NULL;
	unsigned char *args = NULL;
	size_t alen = 0;
	long long epoch;
	int r;

	r = parse(argc, argv, &o);
	if (!r && o.cmdline && !o.b.out) { /* the command line alone */
		r = elf_read(o.b.payload, &ei);
		if (!r)
			r = print_cmdline(ei.machine);
		goto out;
	}
	if (!r)
		r = source_date_epoch(&epoch);
	if (!r)
		r = build_payload(&o.b, &ei, &base, &as);
	if (!r)
		r = resolve_modules(&o, &mods);
	if (!r)
		r = plan_inputs(&o.b, &p);
	if (r)
		goto out;
	o.b.as = as;
	if (p.nboot && !has_overlay(&o.modules))
		warnmsg("--layer without --modules overlay: a kernel that builds overlay as a "
			"module (Debian's) cannot stack the layers");
	root = layer_new("initramfs");
	app = layer_new(base);
	if (!root || !app) {
		r = -ENOMEM;
		goto out;
	}
	/* tinyinit is /init; without boot layers the payload's files join it
	 * in the root, with them they are the top layer */
	r = plan_app(&o.b, &ei, app, root, INITRD_INIT, p.boot, p.nboot);
	if (!r)
		r = build_essentials(&o.b, app);
	if (!r && !p.nboot) {
		r = check_reserved(app);
		if (!r)
			r = layer_copy_under(root, app, "");
	} else if (!r) {
		r = plan_boot_layers(&p, app, o.b.payload, base, root);
	}
	if (!r)
		r = init_args(&o, &p, &args, &alen);
	if (!r) {
		r = initrd_skeleton(root, args, alen);
		args = NULL;
	}
	if (!r)
		r = modules_add(root, &mods);
	if (!r)
		r = write_initramfs(&o, root, epoch);
	if (!r && o.cmdline)
		r = print_cmdline(ei.machine);
out:
	plan_free(&p);
	layer_free(root);
	layer_free(app);
	elf_free(&ei);
	build_opts_free(&o.b);
	strlist_free(&o.modules);
	strlist_free(&mods);
	free(args);
	free(as);
	free(base);
	return r;
}
