/* What goes where, for every command that packs a payload (image,
 * initramfs): the options they share, the inputs read into layers, the
 * payload's layer and the boot layers under /layers (include/layers.h).
 * The commands differ only in how they serialize the plan. */
#ifndef MKROOTFS_PLAN_H
#define MKROOTFS_PLAN_H
#include <getopt.h>
#include <jansson.h>
#include "elfinfo.h"
#include "essentials.h"
#include "input.h"
#include "layer.h"
#include "oci.h"
#include "owners.h"
#include "platform.h"

/* The options both commands take, for their getopt_long tables. */
enum {
	BO_AS = 256,
	BO_COPY,
	BO_INIT,
	BO_ADD,
	BO_LAYER,
	BO_ENV,
	BO_WD,
	BO_USER,
	BO_KEEP,
	BO_OWNER,
	BO_PLATFORM,
	BO_ESSENTIALS,
	BO_TZDATA,
	BO_CA_BUNDLE,
	BO_NEXT /* a command's own options start here */
};
/* clang-format off */
#define BUILD_OPTIONS                                                                              \
	{"output", required_argument, 0, 'o'}, {"as", required_argument, 0, BO_AS},                \
	{"copy-libs", no_argument, 0, BO_COPY}, {"init", required_argument, 0, BO_INIT},           \
	{"add", required_argument, 0, BO_ADD}, {"layer", required_argument, 0, BO_LAYER},          \
	{"env", required_argument, 0, BO_ENV}, {"workdir", required_argument, 0, BO_WD},           \
	{"user", required_argument, 0, BO_USER}, {"keep-owner", no_argument, 0, BO_KEEP},          \
	{"owner", required_argument, 0, BO_OWNER}, {"platform", required_argument, 0, BO_PLATFORM}, \
	{"essentials", no_argument, 0, BO_ESSENTIALS}, {"tzdata", no_argument, 0, BO_TZDATA},      \
	{"ca-bundle", required_argument, 0, BO_CA_BUNDLE}
/* clang-format on */

struct src {
	int boot; /* a layer tinyinit stacks (under /layers), not the runtime */
	const char *path;
};

struct build_opts {
	const char *out, *as, *payload;
	struct strlist inits; /* --init, one per architecture */
	const char
	    *init_name; /* beside mkrootfs: NULL "tinyinit", initramfs --net "tinyinit-net" */
	int copy_libs, no_init;
	struct owner_policy owner; /* --keep-owner, --owner */
	struct platform platform;  /* --platform, else the payload's */
	int platform_set;
	int layer_is_boot; /* --layer means a boot layer (initramfs) */
	int need_data;	   /* every layer's file data is read (--sbom), even kept blobs' */
	struct strlist adds;
	struct src *srcs;
	size_t nsrcs;
	struct strlist env; /* K=V */
	const char *workdir, *user;
	struct essentials ess; /* --essentials, --tzdata, --ca-bundle */
	char **args;
	int nargs;
};

/* Runs getopt_long over ARGV with LO (BUILD_OPTIONS and the command's
 * own): the shared options go into O, the others (and 'h', and '?' for an
 * unknown one) to OWN, which returns 0 or an error. */
int build_parse(int argc, char **argv, const struct option *lo, struct build_opts *o,
		int (*own)(void *ctx, int c, const char *arg), void *ctx);
int build_add_src(struct build_opts *o, const char *path, int boot);
/* After the options: -o is required (unless NEED_OUT is 0), then PAYLOAD
 * [ARG...]. CMD names the command in messages. */
int build_operands(struct build_opts *o, int argc, char **argv, const char *cmd, int need_out);
void build_opts_free(struct build_opts *o);

/* With --essentials: --user names resolved to numbers (essentials.h). */
int build_resolve_user(struct build_opts *o);
/* The essentials into L (nothing without --essentials/--tzdata). */
int build_essentials(const struct build_opts *o, struct layer *l);

/* The payload: an ELF, static unless --copy-libs. *BASE is its file name,
 * *AS where it goes ("/BASENAME" or --as, cleaned). */
int build_payload(const struct build_opts *o, struct elf_info *ei, char **base, char **as);

/* Parses an --add SPEC "SRC:DST[:MODE]" (the last ':' before an octal
 * MODE, else the last ':', separates SRC and DST): *SRC and *DST (cleaned,
 * layer-relative, "" for the root) malloc'd, *MODE -1 when not given.
 * -EINVAL with a message naming SPEC when it is not of that form. */
int add_spec_parse(const char *spec, char **src, char **dst, long *mode);

/* The layers, bottom first, and the boot layers to build. */
struct plan {
	struct layer **v;
	size_t n;
	struct layer **boot; /* borrowed from inputs */
	char **boot_from;
	size_t nboot;
	struct input *inputs;
	size_t ninputs;
	json_t *base; /* the config of the last image input, or NULL */
};

/* Reads every --layer/--boot-layer input: runtime layers go to P->v,
 * boot layers to P->boot. */
int plan_inputs(const struct build_opts *o, struct plan *p);
int plan_push(struct plan *p, struct layer *l);

/* Adds tinyinit at INIT_DST (NULL: none) to INIT, and the payload (at
 * O->as), its libraries and loader with --copy-libs (libs.h) and the --add
 * files to APP. LOWER[0..NLOWER) (bottom first) are the layers APP will
 * lie on at run time: the payload and its libraries are placed through
 * their symlinks, never over them. */
int plan_app(const struct build_opts *o, const struct elf_info *ei, struct layer *app,
	     struct layer *init, const char *init_dst, struct layer *const *lower, size_t nlower);

/* The boot layers and then APP (the top one), each beneath
 * /layers/NN-name with its deletion list beside it. INTO NULL: each
 * becomes a layer of its own, pushed on P->v; else all go into INTO. */
int plan_boot_layers(struct plan *p, const struct layer *app, const char *payload, const char *base,
		     struct layer *into);

/* The tinyinit options that carry what a runtime would otherwise apply:
 * --workdir and --user (from the options, else the base image's config)
 * and, with WITH_ENV, --env for the base's Env and the --env options (a
 * later K replaces an earlier one). Appended to OUT. */
int plan_init_words(const struct build_opts *o, const struct plan *p, int with_env,
		    struct strlist *out);

void plan_free(struct plan *p);

/* "alpine-minirootfs-3.19.1-x86_64.tar.gz" -> "alpine-minirootfs-3.19.1-x86_64" */
char *layer_name(const char *path);
/* snprintf into a new string of the right size. */
char *strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
