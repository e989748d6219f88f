/* Conversions between the spellings of a deletion. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "err.h"
#include "layers.h"
#include "pathsafe.h"
#include "whiteout.h"

#define WH_LEN (sizeof OCI_WHITEOUT_PREFIX - 1)

int whiteout_from_oci(struct entry *e, const char **why)
{
	const char *base = path_basename(e->path);
	char *dir, *np;

	if (strncmp(base, OCI_WHITEOUT_PREFIX, WH_LEN) != 0)
		return 0;
	dir = path_dirname(e->path);
	if (!dir)
		return -ENOMEM;
	if (strcmp(base, OCI_OPAQUE_MARKER) == 0) {
		free(e->path);
		e->path = dir;
		e->type = ET_OPAQUE;
		return 1;
	}
	if (strncmp(base + WH_LEN, OCI_WHITEOUT_PREFIX, WH_LEN) == 0) {
		free(dir); /* other ".wh..wh." metadata (aufs hardlink dirs) */
		return 2;
	}
	if (base[WH_LEN] == 0) {
		free(dir);
		*why = "is a whiteout of nothing";
		return -EINVAL;
	}
	if (strcmp(base + WH_LEN, ".") == 0 || strcmp(base + WH_LEN, "..") == 0) {
		free(dir);
		*why = "is a whiteout of . or ..";
		return -EINVAL;
	}
	np = path_join(dir, base + WH_LEN);
	free(dir);
	if (!np)
		return -ENOMEM;
	free(e->path);
	e->path = np;
	e->type = ET_WHITEOUT;
	e->size = 0;
	return 1;
}

char *whiteout_oci_name(const struct entry *e)
{
	char *dir, *base, *r;

	if (e->type == ET_OPAQUE)
		return path_join(e->path, OCI_OPAQUE_MARKER);
	dir = path_dirname(e->path);
	base = malloc(strlen(e->path) + WH_LEN + 1);
	if (!dir || !base) {
		free(dir);
		free(base);
		return NULL;
	}
	strcpy(base, OCI_WHITEOUT_PREFIX);
	strcat(base, path_basename(e->path));
	r = path_join(dir, base);
	free(dir);
	free(base);
	return r;
}

int whiteout_is_overlay_dev(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

int whiteout_is_opaque_xattr(const char *name, const void *value, size_t len)
{
	return (strcmp(name, "trusted.overlay.opaque") == 0 ||
		strcmp(name, "user.overlay.opaque") == 0) &&
	       len >= 1 && ((const char *)value)[0] == 'y';
}

int whiteout_is_whiteout_xattr(const char *name)
{
	return strcmp(name, "trusted.overlay.whiteout") == 0 ||
	       strcmp(name, "user.overlay.whiteout") == 0;
}

int whiteout_is_overlay_xattr(const char *name)
{
	return strncmp(name, "trusted.overlay.", 16) == 0 ||
	       strncmp(name, "user.overlay.", 13) == 0;
}

struct rec {
	char type;
	const char *path;
};

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : x->type - y->type;
}

int dellist_build(const struct layer *l, unsigned char **buf, size_t *len)
{
	size_t n = 0, total = sizeof DELETIONS_MAGIC - 1, k = 0;
	struct rec *v;
	unsigned char *b;

	*buf = NULL;
	*len = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i]->type == ET_WHITEOUT || l->v[i]->type == ET_OPAQUE)
			n++;
	if (!n)
		return 0;
	v = malloc(n * sizeof *v);
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		const struct entry *e = l->v[i];

		if (e->type != ET_WHITEOUT && e->type != ET_OPAQUE)
			continue;
		if (e->path[0] == 0 || strlen(e->path) > DEL_PATH_MAX) {
			free(v);
			return fail(EINVAL, "%s: deletion of %s cannot be recorded for tinyinit",
				    l->name, e->path[0] ? e->path : "/");
		}
		v[k].type = e->type == ET_WHITEOUT ? DEL_WHITEOUT : DEL_OPAQUE;
		v[k++].path = e->path;
		total += strlen(e->path) + 2;
	}
	if (total > DEL_FILE_MAX) {
		free(v);
		return fail(EFBIG, "%s: %zu deletions do not fit tinyinit's list (%d bytes)",
			    l->name, n, DEL_FILE_MAX);
	}
	qsort(v, n, sizeof *v, cmp_rec);
	b = malloc(total);
	if (!b) {
		free(v);
		return -ENOMEM;
	}
	memcpy(b, DELETIONS_MAGIC, sizeof DELETIONS_MAGIC - 1);
	k = sizeof DELETIONS_MAGIC - 1;
	for (size_t i = 0; i < n; i++) {
		size_t pl = strlen(v[i].path);

		b[k++] = (unsigned char)v[i].type;
		memcpy(b + k, v[i].path, pl + 1);
		k += pl + 1;
	}
	free(v);
	*buf = b;
	*len = k;
	return 0;
}

int dellist_parse(const unsigned char *buf, size_t len, struct layer *l)
{
	size_t m = sizeof DELETIONS_MAGIC - 1, i;

	if (len < m || memcmp(buf, DELETIONS_MAGIC, m) != 0)
		return fail(EINVAL, "not a deletion list");
	for (i = m; i < len;) {
		const unsigned char *z = memchr(buf + i + 1, 0, len - i - 1);
		struct entry *e;
		int r;

		if (i + 1 >= len || !z || (buf[i] != DEL_WHITEOUT && buf[i] != DEL_OPAQUE))
			return fail(EINVAL, "deletion list: bad record at byte %zu", i);
		e = entry_new((const char *)buf + i + 1,
			      buf[i] == DEL_WHITEOUT ? ET_WHITEOUT : ET_OPAQUE);
		if (!e)
			return -ENOMEM;
		r = layer_add(l, "deletion list", e, 0);
		if (r)
			return r;
		i = (size_t)(z - buf) + 1;
	}
	return 0;
}
