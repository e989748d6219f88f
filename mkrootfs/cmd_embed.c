/* mkrootfs embed: one static executable that is its own init and carries
 * its payload: tinyinit, a newc cpio archive, the trailer of
 * include/embedded.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "cmds.h"
#include "cpiowrite.h"
#include "embedded.h"
#include "err.h"
#include "initrd.h"
#include "outtar.h"
#include "plan.h"

static void usage_embed(void)
{
	fputs("usage: mkrootfs embed -o OUT [OPTIONS] [--] PAYLOAD [ARG...]\n"
	      "  OUT is tinyinit with PAYLOAD appended: run it and it runs PAYLOAD as\n"
	      "  its child (from memory, no privileges needed); OUT's arguments replace\n"
	      "  the default ARGs. strip or any rewrite of OUT destroys what it carries.\n"
	      "  --as PATH            the payload's name in the archive (default /BASENAME)\n"
	      "  --layer PATH         a boot layer (directory, tarball or image) under the\n"
	      "                       payload's; OUT then unpacks and stacks its layers\n"
	      "                       (needs CAP_SYS_ADMIN, dropped before the payload runs)\n"
	      "  --add SRC:DST[:MODE] a file or directory in the payload's layer\n"
	      "  --copy-libs          add a dynamic payload's libraries and loader\n"
	      "  --essentials  --ca-bundle FILE  --tzdata   as for mkrootfs image\n"
	      "  --init PATH          the tinyinit to start from (default: the one built for the\n"
	      "                       payload's architecture; repeatable, one per architecture)\n"
	      "  --env K=V  --workdir DIR  --user U[:G]   recorded for the payload\n",
	      stdout);
}

static int embed_opt(void *ctx, int c, const char *arg)
{
	(void)ctx;
	(void)arg;
	if (c == 'h') {
		usage_embed();
		exit(0);
	}
	return fail(EINVAL, "embed: bad option (see mkrootfs embed --help)");
}

/* Passes bytes on to the output file, counting them and their CRC-32. */
struct crcsink {
	struct sink s;
	struct sink *to;
	uLong crc;
	uint64_t n;
};

static int crc_write(struct sink *s, const void *buf, size_t len)
{
	struct crcsink *c = (struct crcsink *)s;
	int r = sink_write(c->to, buf, len);

	for (size_t off = 0; !r && off < len;) {
		uInt chunk = len - off > 1u << 30 ? 1u << 30 : (uInt)(len - off);

		c->crc = crc32(c->crc, (const Bytef *)buf + off, chunk);
		off += chunk;
	}
	c->n += len;
	return r;
}

static void le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

/* The recorded command line: options, "--", the payload, its arguments. */
static int args_file(const struct build_opts *o, const struct plan *p, unsigned char **buf,
		     size_t *len)
{
	struct strlist w = {0};
	int r = plan_init_words(o, p, 1, &w);

	if (!r)
		r = strlist_add(&w, "--");
	if (!r)
		r = strlist_add(&w, o->as);
	for (int i = 0; !r && i < o->nargs; i++)
		r = strlist_add(&w, o->args[i]);
	if (!r)
		r = initrd_args(&w, buf, len);
	strlist_free(&w);
	return r;
}

/* tinyinit's bytes, then the archive of ARCH, then the trailer; written
 * beside OUT (removed on an error or an interrupt), synced and renamed
 * into place. */
static int write_out(const char *out, const struct entry *init, const struct layer *arch,
		     int64_t epoch)
{
	struct crcsink cs = {.s.write = crc_write};
	/* tinyinit's unpacker makes no hard links: each is a copy */
	struct cpio_write_opts wo = {.epoch = epoch, .link_copies = 1};
	unsigned char t[EMB_TRAILER_SIZE] = {0};
	struct outtar ot;
	int r = outtar_open(&ot, out, epoch);

	if (r)
		return r;
	cs.to = &ot.raw;
	r = entry_write_data(init, &cs.s, NULL);
	uint64_t off = cs.n;
	cs.crc = crc32(0, NULL, 0);
	if (!r)
		r = layer_write_cpio(arch, &wo, &cs.s);
	if (!r) {
		memcpy(t, EMB_MAGIC, EMB_MAGIC_LEN);
		le(t + 8, EMB_VERSION, 4);
		le(t + 12, cs.crc, 4);
		le(t + 16, off, 8);
		le(t + 24, cs.n - off, 8);
		r = sink_write(&ot.raw, t, sizeof t);
	}
	if (!r && fchmod(ot.fd, 0755) < 0)
		r = fail(errno, "%s: %s", out, strerror(errno));
	if (!r)
		return outtar_commit(&ot, 0);
	outtar_abort(&ot);
	return r;
}

/* A tinyinit that already carries an archive would hide it. */
static int check_init(const struct entry *e)
{
	unsigned char t[EMB_MAGIC_LEN];
	int fd;

	if (e->src != SRC_DISK || e->size < EMB_TRAILER_SIZE)
		return 0;
	fd = entry_open_disk(e);
	if (fd < 0)
		return fd;
	ssize_t n = pread(fd, t, sizeof t, (off_t)(e->size - EMB_TRAILER_SIZE));
	close(fd);
	if (n == sizeof t && memcmp(t, EMB_MAGIC, EMB_MAGIC_LEN) == 0)
		return fail(EINVAL,
			    "%s: already carries an embedded archive (give a plain "
			    "tinyinit with --init)",
			    e->disk);
	return 0;
}

int embed_write(struct build_opts *o, int record, const char *out)
{
	struct plan p = {0};
	struct elf_info ei = {0};
	struct layer *app = NULL, *init = NULL, *root = NULL;
	char *as = NULL, *base = NULL;
	const char *as_given = o->as;
	unsigned char *args = NULL;
	size_t alen = 0;
	long long epoch;
	int r = 0;

	/* With --layer, --add or --copy-libs the archive holds boot layers
	 * (the payload's own on top), which tinyinit unpacks and stacks. */
	int layered = o->nsrcs || o->adds.n || o->copy_libs || o->ess.on || o->ess.tzdata;

	if (layered && !record)
		r = fail(EINVAL,
			 "image --embed: layers, --add and --copy-libs go into the executable: "
			 "make it with mkrootfs embed, then mkrootfs image --no-init -- OUT");
	if (!r)
		r = source_date_epoch(&epoch);
	if (!r)
		r = build_payload(o, &ei, &base, &as);
	if (!r && layered)
		r = plan_inputs(o, &p);
	if (r)
		goto out;
	o->as = as;
	app = layer_new(base);
	init = layer_new("tinyinit");
	root = layer_new("embed");
	if (!app || !init || !root) {
		r = -ENOMEM;
		goto out;
	}
	r = plan_app(o, &ei, app, init, "/tinyinit", NULL, 0);
	if (!r)
		r = check_init(layer_find(init, "tinyinit"));
	if (!r && layered)
		r = build_essentials(o, app);
	if (!r && layered)
		r = plan_boot_layers(&p, app, o->payload, base, root);
	else if (!r)
		r = layer_copy_under(root, app, "");
	if (!r) {
		struct build_opts bare = *o;

		if (!record) /* the image's config carries them */
			bare.env.n = 0, bare.workdir = bare.user = NULL;
		r = args_file(&bare, &p, &args, &alen);
	}
	if (!r) {
		r = layer_add_mem(root, "embed", "/" EMB_ARGS, args, alen);
		args = NULL;
	}
	if (!r)
		r = write_out(out, layer_find(init, "tinyinit"), root, epoch);
out:
	o->as = as_given;
	plan_free(&p);
	layer_free(root);
	layer_free(app);
	layer_free(init);
	elf_free(&ei);
	free(args);
	free(as);
	free(base);
	return r;
}

int cmd_embed(int argc, char **argv)
{
	static const struct option lo[] = {
	    BUILD_OPTIONS,
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct build_opts o = {.layer_is_boot = 1};
	int r = build_parse(argc, argv, lo, &o, embed_opt, NULL);

	if (!r)
		r = build_operands(&o, argc, argv, "embed", 1);
	if (!r)
		r = embed_write(&o, 1, o.out);
	build_opts_free(&o);
	return r;
}
