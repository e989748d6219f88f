/* The initramfs's own files and the kernel command line it expects. */
#include "initrd.h"
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "initramfs.h"
#include "layers.h"

int initrd_args(const struct strlist *words, unsigned char **buf, size_t *len)
{
	size_t n = 0;
	unsigned char *b;

	*buf = NULL;
	*len = 0;
	if (words->n > INIT_ARGS_WORDS)
		return fail(E2BIG,
			    "%zu words for tinyinit: it reads at most %d from " INIT_ARGS_FILE,
			    words->n, INIT_ARGS_WORDS);
	for (size_t i = 0; i < words->n; i++)
		n += strlen(words->v[i]) + 1;
	if (n > INIT_ARGS_MAX)
		return fail(E2BIG,
			    "the tinyinit command line is %zu bytes: " INIT_ARGS_FILE
			    " holds at most %d",
			    n, INIT_ARGS_MAX);
	b = malloc(n ? n : 1);
	if (!b)
		return -ENOMEM;
	*buf = b;
	*len = n;
	for (size_t i = 0; i < words->n; i++) {
		size_t wl = strlen(words->v[i]) + 1;

		memcpy(b, words->v[i], wl);
		b += wl;
	}
	return 0;
}

int initrd_skeleton(struct layer *l, unsigned char *args, size_t len)
{
	struct entry *con = entry_new("/dev/console", ET_CHAR);
	int r = con ? layer_add_parents(l, "dev/console") : -ENOMEM;

	if (r) {
		entry_free(con);
		free(args);
		return r;
	}
	/* the kernel opens it for init's stdin, stdout and stderr */
	con->mode = 0600;
	con->rmajor = 5;
	con->rminor = 1;
	r = layer_add(l, "initramfs", con, LA_ABS_OK);
	/* tinyinit's mount points, so that it mounts at once, without a mkdir */
	static const char *const dirs[] = {"/proc", "/sys"};
	for (size_t i = 0; i < 2 && !r; i++) {
		struct entry *d = entry_new(dirs[i], ET_DIR);
		if (!d) {
			r = -ENOMEM;
			break;
		}
		d->mode = 0555;
		r = layer_add(l, "initramfs", d, LA_ABS_OK | LA_MERGE_DIRS);
	}
	if (r) {
		free(args);
		return r;
	}
	return layer_add_mem(l, "initramfs", INIT_ARGS_FILE, args, len);
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

int initrd_reserved(const char *path)
{
	return strcmp(path, INITRD_INIT + 1) == 0 || strcmp(path, INIT_ARGS_FILE + 1) == 0 ||
	       strcmp(path, "dev/console") == 0 || under(path, MODULES_DIR + 1) ||
	       under(path, LAYERS_DIR + 1);
}

char *initrd_cmdline(unsigned machine)
{
	const char *console;
	char *s;

	switch (machine) {
	case EM_AARCH64:
	case EM_ARM: console = "ttyAMA0"; break;
	case EM_S390: console = "ttysclp0"; break;
	case EM_PPC64: console = "hvc0"; break;
	default: console = "ttyS0"; /* x86, riscv */
	}
	if (asprintf(&s, "console=%s panic=-1 quiet " CMDLINE_PREFIX "on_exit=poweroff", console) <
	    0)
		return NULL;
	return s;
}
