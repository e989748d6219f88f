/* The safety gate (gate.h): invariants of a finished layer, checked on its
 * final content, so the order entries were added in cannot matter. */
#include "gate.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "layers.h"
#include "pathsafe.h"

static const char *kind(enum etype t)
{
	switch (t) {
	case ET_SYMLINK: return "symlink";
	case ET_FILE: return "file";
	case ET_HARDLINK: return "hardlink";
	case ET_CHAR:
	case ET_BLOCK: return "device";
	case ET_FIFO: return "fifo";
	default: return "entry";
	}
}

/* The first proper ancestor of PATH in L that is not a directory, or NULL.
 * BUF holds a copy of PATH (cut at each '/' in turn). */
static const struct entry *blocking_ancestor(const struct layer *l, char *buf)
{
	for (char *s = strchr(buf, '/'); s; s = strchr(s + 1, '/')) {
		const struct entry *a;

		*s = 0;
		a = layer_find(l, buf);
		*s = '/';
		if (a && a->type != ET_DIR)
			return a;
	}
	return NULL;
}

/* 1 when a component of PATH is empty, "." or "..". */
static int bad_components(const char *path)
{
	const char *p = path;

	for (;;) {
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 1;
		if (!*e)
			return 0;
		p = e + 1;
	}
}

static int check(const struct layer *l, const char *in, const struct entry *e, char *buf)
{
	int del = e->type == ET_WHITEOUT || e->type == ET_OPAQUE;
	const struct entry *a;

	if (!e->path[0])
		return del ? 0 : fail(EINVAL, "%s: entry for the layer root", in);
	if (bad_components(e->path))
		return fail(EINVAL, "%s: %s %s names . or .. or an empty name", in,
			    del ? "deletion" : "entry", e->path);
	if (!del && strncmp(path_basename(e->path), OCI_WHITEOUT_PREFIX,
			    sizeof OCI_WHITEOUT_PREFIX - 1) == 0)
		return fail(EINVAL,
			    "%s: entry %s: names starting with " OCI_WHITEOUT_PREFIX
			    " are reserved for whiteouts (OCI) and cannot be carried",
			    in, e->path);
	strcpy(buf, e->path);
	a = blocking_ancestor(l, buf);
	if (a && a->type == ET_SYMLINK)
		return fail(EINVAL, "%s: entry %s escapes the layer through symlink %s -> %s", in,
			    e->path, a->path, a->link);
	if (a)
		return fail(EINVAL, "%s: entry %s lies beneath %s %s, which is not a directory", in,
			    e->path, kind(a->type), a->path);
	if (e->type == ET_HARDLINK) {
		const struct entry *t = e->link ? layer_find(l, e->link) : NULL;

		if (!t || t->type == ET_DIR)
			return fail(EINVAL, "%s: hardlink %s -> %s: target is not %s", in, e->path,
				    e->link ? e->link : "", t ? "a file" : "in the layer");
	}
	return 0;
}

int layer_gate(const struct layer *l, const char *input)
{
	const char *in = input ? input : l->name;
	size_t cap = 0;
	char *buf = NULL;
	int r = 0;

	for (size_t i = 0; i < l->n && !r; i++) {
		size_t len = strlen(l->v[i]->path) + 1;

		if (len > cap) {
			char *n = realloc(buf, len * 2);

			if (!n) {
				r = fail(ENOMEM, "%s: out of memory", in);
				break;
			}
			buf = n;
			cap = len * 2;
		}
		r = check(l, in, l->v[i], buf);
	}
	free(buf);
	return r;
}
