/* libFuzzer target: the option parsers of `mkrootfs image` and
 * `initramfs`: getopt over the shared options (--env K=V, --platform
 * OS/ARCH[/VARIANT], --owner UID:GID, --user, --workdir, ...), each
 * --add SPEC (SRC:DST[:MODE]), the image reference of --tag and the
 * operands. The input is the argument words, separated by NUL bytes.
 * What a parser accepts must be what it promises: a clean --add
 * destination, a mode within 07777, a platform that prints back as
 * itself, an --env with '=' after a nonempty key. */
#include "fuzz_mk.h"
#include "oci.h"
#include "pathsafe.h"
#include "plan.h"

static int own(void *ctx, int c, const char *arg)
{
	(void)ctx;
	(void)arg;
	return c == 't' ? 0 : -EINVAL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_mk_setup();
	opterr = 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct option lo[] = {
	    BUILD_OPTIONS, {"tag", required_argument, 0, 't'}, {0, 0, 0, 0}};
	char *copy, **argv;
	int argc = 1, i;
	struct build_opts o = {0};

	if (size > 4096)
		return 0;
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = 0;
	argv = calloc(size + 3, sizeof *argv);
	argv[0] = "mkrootfs";
	for (size_t p = 0; p < size;) {
		argv[argc++] = copy + p;
		p += strlen(copy + p) + 1;
	}
	optind = 0; /* glibc: start over, forgetting the last run's state */
	if (build_parse(argc, argv, lo, &o, own, NULL) == 0) {
		for (size_t k = 0; k < o.env.n; k++) {
			const char *eq = strchr(o.env.v[k], '=');

			if (!eq || eq == o.env.v[k])
				abort();
		}
		if (o.platform_set) {
			char buf[64];
			struct platform again;

			if (!o.platform.os[0] || !o.platform.architecture[0] ||
			    platform_parse(platform_str(&o.platform, buf, sizeof buf), &again) ||
			    memcmp(&again, &o.platform, sizeof again) != 0)
				abort();
		}
		if (o.workdir && o.workdir[0] != '/')
			abort();
		build_operands(&o, argc, argv, "image", 1);
	}
	for (i = 1; i < argc; i++) {
		char *src, *dst, *full, *fam, *tag;
		long mode;
		char *clean;
		const char *why;

		if (add_spec_parse(argv[i], &src, &dst, &mode) == 0) {
			/* DST is clean: cleaning it again changes nothing ("" is the root) */
			if (!src[0] || mode < -1 || mode > 07777 ||
			    (dst[0] &&
			     (path_clean(dst, 0, &clean, &why) != 0 || strcmp(clean, dst) != 0)))
				abort();
			if (dst[0])
				free(clean);
			free(src);
			free(dst);
		}
		if (ref_parse(argv[i], &full, &fam, &tag) == 0) {
			char *f2, *m2, *t2;

			/* the familiar and the full spelling name the same image */
			if (ref_parse(fam, &f2, &m2, &t2) != 0 || strcmp(f2, full) != 0 ||
			    strcmp(t2, tag) != 0)
				abort();
			free(f2);
			free(m2);
			free(t2);
			if (ref_parse(full, &f2, &m2, &t2) != 0 || strcmp(f2, full) != 0)
				abort();
			free(f2);
			free(m2);
			free(t2);
			free(full);
			free(fam);
			free(tag);
		}
	}
	build_opts_free(&o);
	free(argv);
	free(copy);
	return 0;
}
