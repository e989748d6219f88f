/* Kernel modules for an initramfs: each requested module and what it
 * depends on (modules.dep, read through libkmod), dependencies first, each
 * once; built-in modules are left out. They go into MODULES_DIR with the
 * load order in MODULES_ORDER (include/initramfs.h). */
#ifndef MKROOTFS_MODULES_H
#define MKROOTFS_MODULES_H
#include "layer.h"
#include "oci.h"

/* Where modules are looked up. LOOKUP resolves NAME (a module name or
 * alias): 0 with *CANON its module name, *PATH its file (NULL when it is
 * built into the kernel) and DEPS the names of the modules it needs;
 * -ENOENT when there is no such module. The strings are malloc'd. */
struct modsrc {
	int (*lookup)(void *ctx, const char *name, char **canon, char **path, struct strlist *deps);
	void *ctx;
	const char *where; /* for messages: "/lib/modules/6.1.0-9-cloud-amd64" */
};

/* The files of NAMES and of everything they need, in load order (a
 * module after all it depends on), each once, into PATHS. */
int modules_order(const struct modsrc *src, const char *const *names, size_t n,
		  struct strlist *paths);

/* A modsrc on the modules tree DIR (the directory holding modules.dep),
 * through libkmod, ignoring the host's modprobe.d. */
int modsrc_kmod_open(struct modsrc *src, const char *dir);
void modsrc_kmod_close(struct modsrc *src);

/* The modules tree: DIR when given, else /lib/modules/RELEASE, RELEASE
 * defaulting to the running kernel's (uname -r). *OUT is malloc'd. */
int modules_dir(const char *dir, const char *release, char **out);

/* Adds the module files PATHS to L under MODULES_DIR (compressed ones,
 * .ko.gz/.ko.xz/.ko.zst, stored decompressed as .ko: finit_module takes
 * them so without the kernel's own decompression) and MODULES_ORDER. */
int modules_add(struct layer *l, const struct strlist *paths);

/* "a,b" and "c" -> a, b, c (empty names skipped). */
int modules_split(const char *arg, struct strlist *names);

#endif
