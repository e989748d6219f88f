/* Path normalization and the checks that keep entries inside a layer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "pathsafe.h"

int path_clean(const char *in, int flags, char **out, const char **why)
{
	size_t n = strlen(in), k = 0;
	const char *p = in;
	char *o;

	if (n == 0) {
		*why = "has an empty name";
		return -EINVAL;
	}
	if (in[0] == '/' && !(flags & PATH_ALLOW_ABS)) {
		*why = "is an absolute path";
		return -EINVAL;
	}
	o = malloc(n + 1);
	if (!o)
		return -ENOMEM;
	while (*p) {
		const char *e;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchrnul(p, '/');
		len = (size_t)(e - p);
		if (len == 1 && p[0] == '.') {
			p = e;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(o);
			*why = "escapes the layer";
			return -EINVAL;
		}
		if (k)
			o[k++] = '/';
		memcpy(o + k, p, len);
		k += len;
		p = e;
	}
	o[k] = 0;
	*out = o;
	return 0;
}

char *path_dirname(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? strndup(p, (size_t)(s - p)) : strdup("");
}

const char *path_basename(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

char *path_shown(const char *p)
{
	size_t n = strlen(p);
	const char *b;

	while (n > 1 && p[n - 1] == '/')
		n--;
	for (b = p + n; b > p && b[-1] != '/'; b--)
		;
	if (b == p + n) /* "/" or "" */
		return strdup(n ? "/" : ".");
	return strndup(b, (size_t)(p + n - b));
}

char *path_lexical(const char *p, int flags)
{
	char *out = malloc(strlen(p) + 2);
	size_t o = 0;

	if (!out)
		return NULL;
	while (*p) {
		const char *e;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchrnul(p, '/');
		n = (size_t)(e - p);
		if (n == 1 && p[0] == '.') {
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (o == 0 && (flags & PATH_NO_CLIMB)) {
				free(out);
				return NULL;
			}
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = 0;
	return out;
}

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *r = malloc(la + lb + 2);

	if (!r)
		return NULL;
	if (la == 0) {
		memcpy(r, b, lb + 1);
		return r;
	}
	memcpy(r, a, la);
	r[la] = '/';
	memcpy(r + la + 1, b, lb + 1);
	return r;
}
