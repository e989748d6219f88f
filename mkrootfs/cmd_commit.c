/* mkrootfs commit: an overlay upper directory becomes an OCI layer. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "compress.h"
#include "err.h"
#include "input.h"
#include "outtar.h"
#include "owners.h"

int cmd_commit(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"output", required_argument, 0, 'o'}, {"compress", required_argument, 0, 'c'},
	    {"keep-owner", no_argument, 0, 'k'},   {"owner", required_argument, 0, 'u'},
	    {"help", no_argument, 0, 'h'},	   {0, 0, 0, 0}};
	struct layer_write_opts wo = {0};
	struct owner_policy own = {.keep = 1};
	enum compression comp = COMP_NONE;
	const char *out = NULL;
	struct layer *l = NULL;
	struct outtar ot;
	struct zsink *z;
	char diff[DIGEST_HEX_LEN + 1];
	uint64_t usize;
	long long epoch;
	int c, r = 0;

	optind = 1;
	while (!r && (c = getopt_long(argc, argv, "+o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'c': r = compression_parse(optarg, 0, &comp); break;
		case 'k': own.keep = 1; break; /* the default: a container's files keep theirs */
		case 'u': r = owner_parse("--owner", optarg, &own); break;
		case 'h':
			puts("usage: mkrootfs commit -o LAYER.tar [--compress gzip|zstd|none] "
			     "[--owner UID:GID] UPPERDIR\n"
			     "  owners are kept (--keep-owner, the default); --owner sets one\n");
			return 0;
		default: return fail(EINVAL, "commit: bad option (see mkrootfs commit --help)");
		}
	}
	if (r)
		return r;
	if (!out || optind != argc - 1)
		return fail(EINVAL, "usage: mkrootfs commit -o LAYER.tar UPPERDIR");
	r = source_date_epoch(&epoch);
	if (r)
		return r;
	wo.epoch = epoch;
	l = layer_new(argv[optind]);
	if (!l)
		return -ENOMEM;
	r = input_dir(argv[optind], argv[optind], "", l, DIR_OVERLAY);
	if (!r)
		r = owners_apply(l, NULL, 0, &own);
	if (!r)
		r = outtar_open(&ot, out, epoch);
	if (r) {
		layer_free(l);
		return r;
	}
	r = zsink_open(&z, comp, &ot.raw);
	if (!r) {
		r = layer_write_tar(l, &wo, zsink_sink(z));
		if (r)
			zsink_abort(z);
		else
			r = zsink_close(z, diff, &usize);
	}
	if (!r)
		r = outtar_commit(&ot, 0);
	else
		outtar_abort(&ot);
	layer_free(l);
	if (!r)
		printf("sha256:%s\n", diff);
	return r;
}
