/* mkrootfs: packs tinyinit, a static payload and layers into images and
 * initramfs files.
 * The one place that prints errors and chooses the exit status (warnings,
 * which stop nothing, print where they arise: err.h). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "cmds.h"
#include "cleanup.h"
#include "compress.h"
#include "err.h"
#include "layer.h"

#ifndef MKROOTFS_VERSION
#define MKROOTFS_VERSION "0.1"
#endif

static void usage(FILE *f)
{
	fputs("usage: mkrootfs COMMAND [OPTIONS] ...\n"
	      "  image -o OUT.tar [OPTIONS] [--] PAYLOAD [ARG...]\n"
	      "                     a FROM-scratch image tarball (OCI layout + docker archive)\n"
	      "  initramfs -o OUT [OPTIONS] [--] PAYLOAD [ARG...]\n"
	      "                     a newc cpio that boots a microVM into the payload\n"
	      "  embed -o OUT [OPTIONS] [--] PAYLOAD [ARG...]\n"
	      "                     one executable: tinyinit carrying the payload\n"
	      "  inspect [--json] IMAGE.tar\n"
	      "                     config, layers, and the bytes each layer wastes\n"
	      "  commit -o LAYER.tar [--compress gzip|zstd|none] UPPERDIR\n"
	      "                     an overlay upper directory as an OCI layer\n"
	      "Run mkrootfs COMMAND --help for a command's options; man mkrootfs for all.\n",
	      f);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int r;

	/* names are bytes; UTF-8 where an archive spells them in it */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	if (!cmd || strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		usage(cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (strcmp(cmd, "--version") == 0) {
		puts("mkrootfs " MKROOTFS_VERSION);
		return 0;
	}
	cleanup_signals();
	if (strcmp(cmd, "image") == 0)
		r = cmd_image(argc - 1, argv + 1);
	else if (strcmp(cmd, "initramfs") == 0)
		r = cmd_initramfs(argc - 1, argv + 1);
	else if (strcmp(cmd, "embed") == 0)
		r = cmd_embed(argc - 1, argv + 1);
	else if (strcmp(cmd, "inspect") == 0)
		r = cmd_inspect(argc - 1, argv + 1);
	else if (strcmp(cmd, "commit") == 0)
		r = cmd_commit(argc - 1, argv + 1);
	else {
		fprintf(stderr, "mkrootfs: unknown command %s\n", cmd);
		usage(stderr);
		return 2;
	}
	if (getenv("MKROOTFS_STATS")) { /* for bench/image.sh */
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr,
			"mkrootfs: stats: peak RSS %ld KiB, temporary bytes %llu, compression "
			"threads %d\n",
			ru.ru_maxrss, (unsigned long long)spill_peak(), compression_threads());
	}
	if (r < 0) {
		fprintf(stderr, "mkrootfs: %s\n", err_text_for(r));
		return 1;
	}
	return 0;
}
