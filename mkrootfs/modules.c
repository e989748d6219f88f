/* Kernel modules and their dependencies, into the initramfs. */
#include "modules.h"
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "err.h"
#include "initramfs.h"
#include "input.h"
#include "pathsafe.h"

/* --- the load order ---------------------------------------------------------- */

#define DEPTH_MAX 64 /* modules.dep chains are a few deep */

struct walk {
	const struct modsrc *src;
	struct strlist done, active; /* module names */
	struct strlist *paths;
};

static int has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

static int visit(struct walk *w, const char *name, const char *needed_by, int depth)
{
	struct strlist deps = {0};
	char *canon = NULL, *path = NULL;
	int r = w->src->lookup(w->src->ctx, name, &canon, &path, &deps);

	if (r == -ENOENT && needed_by)
		r = fail(ENOENT, "module %s (needed by %s): not found in %s", name, needed_by,
			 w->src->where);
	else if (r == -ENOENT)
		r = fail(ENOENT, "module %s: not found in %s", name, w->src->where);
	else if (!r && depth > DEPTH_MAX)
		r = fail(ELOOP, "module %s: dependencies nest deeper than %d", name, DEPTH_MAX);
	/* done, or a cycle (depmod refuses those): nothing more to do */
	if (r || has(&w->done, canon) || has(&w->active, canon))
		goto out;
	r = strlist_add(&w->active, canon);
	for (size_t i = 0; !r && i < deps.n; i++)
		r = visit(w, deps.v[i], canon, depth + 1);
	if (!r)
		r = strlist_add(&w->done, canon);
	if (!r && path) /* built in: nothing to load */
		r = strlist_add(w->paths, path);
out:
	strlist_free(&deps);
	free(canon);
	free(path);
	return r;
}

int modules_order(const struct modsrc *src, const char *const *names, size_t n,
		  struct strlist *paths)
{
	struct walk w = {.src = src, .paths = paths};
	int r = 0;

	for (size_t i = 0; !r && i < n; i++)
		r = visit(&w, names[i], NULL, 0);
	strlist_free(&w.done);
	strlist_free(&w.active);
	return r;
}

int modules_split(const char *arg, struct strlist *names)
{
	const char *p = arg;
	int r = 0;

	while (!r && *p) {
		size_t len = strcspn(p, ",");

		if (len) {
			char *s = strndup(p, len);

			r = s ? strlist_add(names, s) : -ENOMEM;
			free(s);
		}
		p += len + (p[len] == ',');
	}
	return r;
}

/* --- libkmod ------------------------------------------------------------------- */

static void kmod_quiet(void *data, int prio, const char *file, int line, const char *fn,
		       const char *fmt, va_list ap)
{
	(void)data, (void)prio, (void)file, (void)line, (void)fn, (void)fmt, (void)ap;
}

/* The names of the modules of list D onto DEPS (unless R is already a
 * failure); D is released. */
static int add_names(struct kmod_list *d, struct strlist *deps, int r)
{
	struct kmod_list *it;

	kmod_list_foreach(it, d)
	{
		struct kmod_module *dm = kmod_module_get_module(it);

		if (!r)
			r = strlist_add(deps, kmod_module_get_name(dm));
		kmod_module_unref(dm);
	}
	kmod_module_unref_list(d);
	return r;
}

static int kmod_lookup(void *ctx, const char *name, char **canon, char **path, struct strlist *deps)
{
	struct kmod_list *list = NULL, *d = NULL, *post = NULL;
	struct kmod_module *m;
	const char *p;
	int r = kmod_module_new_from_lookup(ctx, name, &list);

	*canon = *path = NULL;
	if (r < 0)
		return fail(-r, "module %s: %s", name, strerror(-r));
	if (!list)
		return -ENOENT;
	/* an alias may name several modules: the first, as modprobe -R does */
	m = kmod_module_get_module(list);
	kmod_module_unref_list(list);
	*canon = strdup(kmod_module_get_name(m));
	p = kmod_module_get_path(m);
	*path = p ? strdup(p) : NULL;
	r = *canon && (!p || *path) ? 0 : -ENOMEM;
	if (!r)
		r = add_names(kmod_module_get_dependencies(m), deps, r);
	/* soft "pre:" dependencies (modules.softdep, from the modules' own
	 * modinfo: libcrc32c's crc32c) load first too, as modprobe does; "post:"
	 * ones are optional extras and stay out */
	if (!r && kmod_module_get_softdeps(m, &d, &post) == 0) {
		r = add_names(d, deps, r);
		kmod_module_unref_list(post);
	}
	kmod_module_unref(m);
	return r;
}

int modsrc_kmod_open(struct modsrc *src, const char *dir)
{
	static const char *const no_config[] = {NULL};
	struct kmod_ctx *ctx;
	char *dep = path_join(dir, "modules.dep");
	struct stat st;
	int r = dep ? 0 : -ENOMEM;

	if (!r && stat(dep, &st) < 0)
		r = fail(errno,
			 "%s: no modules.dep there (a modules tree has one; depmod makes it)", dir);
	free(dep);
	if (r)
		return r;
	/* the host's modprobe.d says nothing about another kernel's modules */
	ctx = kmod_new(dir, no_config);
	if (!ctx)
		return fail(ENOMEM, "%s: libkmod cannot read it", dir);
	kmod_set_log_fn(ctx, kmod_quiet, NULL);
	src->lookup = kmod_lookup;
	src->ctx = ctx;
	src->where = dir;
	return 0;
}

void modsrc_kmod_close(struct modsrc *src)
{
	if (src->ctx)
		kmod_unref(src->ctx);
	src->ctx = NULL;
}

int modules_dir(const char *dir, const char *release, char **out)
{
	struct utsname u;

	if (dir) {
		*out = strdup(dir);
		return *out ? 0 : -ENOMEM;
	}
	if (!release) {
		if (uname(&u) < 0)
			return fail(errno, "uname: %s", strerror(errno));
		release = u.release;
	}
	if (!release[0] || strchr(release, '/') || strcmp(release, "..") == 0)
		return fail(EINVAL, "--kernel-release %s: not a release name", release);
	*out = path_join("/lib/modules", release);
	return *out ? 0 : -ENOMEM;
}

/* --- into the layer ----------------------------------------------------------- */

static const char *const zext[] = {".gz", ".xz", ".zst"};

/* "kernel/fs/overlayfs/overlay.ko.xz" -> "overlay.ko"; *COMPRESSED set. */
static char *stored_name(const char *path, int *compressed)
{
	const char *b = path_basename(path);
	size_t len = strlen(b);

	*compressed = 0;
	for (size_t i = 0; i < sizeof zext / sizeof *zext; i++) {
		size_t el = strlen(zext[i]);

		if (len > el && strcmp(b + len - el, zext[i]) == 0) {
			*compressed = 1;
			return strndup(b, len - el);
		}
	}
	return strdup(b);
}

/* A compressed module, decompressed into the spill file. */
static int add_decompressed(struct layer *l, const char *src, const char *dst)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	struct entry *e = entry_new(dst, ET_FILE);
	char buf[65536];
	la_ssize_t n;
	off_t off;
	int r = !a || !e ? -ENOMEM : spill_append_begin(&off);

	if (!r && (archive_read_support_filter_all(a) != ARCHIVE_OK ||
		   archive_read_support_format_raw(a) != ARCHIVE_OK ||
		   archive_read_open_filename(a, src, sizeof buf) != ARCHIVE_OK ||
		   archive_read_next_header(a, &ae) != ARCHIVE_OK))
		r = fail(EINVAL, "%s: %s", src, archive_error_string(a));
	while (!r && (n = archive_read_data(a, buf, sizeof buf)) != 0) {
		if (n < 0)
			r = fail(EINVAL, "%s: %s", src, archive_error_string(a));
		else
			r = spill_append(buf, (size_t)n);
		if (!r)
			e->size += (uint64_t)n;
	}
	if (a)
		archive_read_free(a);
	if (r) {
		entry_free(e);
		return r;
	}
	e->src = SRC_SPILL;
	e->spill_off = off;
	return layer_add(l, src, e, LA_ABS_OK);
}

int modules_add(struct layer *l, const struct strlist *paths)
{
	size_t cap = 1, len = 0;
	char *order = NULL;
	int r = paths->n ? layer_add_parents(l, MODULES_ORDER + 1) : 0;

	for (size_t i = 0; !r && i < paths->n; i++) {
		int compressed;
		char *name = stored_name(paths->v[i], &compressed);
		char *dst = name ? path_join(MODULES_DIR, name) : NULL;
		char *o;

		if (!dst)
			r = -ENOMEM;
		else if (compressed)
			r = add_decompressed(l, paths->v[i], dst);
		else
			r = input_file(paths->v[i], dst, 0644, l);
		cap += name ? strlen(name) + 1 : 0;
		o = r ? NULL : realloc(order, cap);
		if (!r && !o)
			r = -ENOMEM;
		if (!r) {
			order = o;
			len += (size_t)sprintf(order + len, "%s\n", name);
		}
		free(name);
		free(dst);
	}
	if (!r && len > MODULES_ORDER_MAX)
		r = fail(E2BIG,
			 "%zu modules: " MODULES_ORDER " would be %zu bytes, tinyinit reads %d",
			 paths->n, len, MODULES_ORDER_MAX);
	if (!r && paths->n) {
		r = layer_add_mem(l, MODULES_ORDER, MODULES_ORDER, (unsigned char *)order, len);
		order = NULL;
	}
	free(order);
	return r;
}
