/* --copy-libs: the loader's search, done on this machine for the image. */
#include "libs.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "err.h"
#include "pathsafe.h"

#define MAX_OBJS 4096 /* libraries in one payload's closure */

struct strv {
	char **v;
	size_t n;
};

static int strv_has(const struct strv *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], x) == 0)
			return 1;
	return 0;
}

static int strv_add(struct strv *s, const char *x)
{
	char **n;

	if (strv_has(s, x))
		return 0;
	n = realloc(s->v, (s->n + 1) * sizeof *n);
	if (!n)
		return -ENOMEM;
	s->v = n;
	if (!(s->v[s->n] = strdup(x)))
		return -ENOMEM;
	s->n++;
	return 0;
}

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, f);
	n = vasprintf(&s, f, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static void conf_read(struct strv *dirs, const char *file, int depth)
{
	FILE *f = depth > 8 ? NULL : fopen(file, "re");
	char line[4096];

	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char *p = line, *end;

		line[strcspn(line, "#\n")] = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = 0;
		if (!*p)
			continue;
		if (strncmp(p, "include", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
			glob_t g;

			p += 8;
			while (*p == ' ' || *p == '\t')
				p++;
			if (glob(p, 0, NULL, &g) == 0) {
				for (size_t i = 0; i < g.gl_pathc; i++)
					conf_read(dirs, g.gl_pathv[i], depth + 1);
				globfree(&g);
			}
		} else if (p[0] == '/') {
			char *c = path_lexical(p, 0);

			if (c)
				strv_add(dirs, c);
			free(c);
		}
	}
	fclose(f);
}

/* The loader's built-in directories for a payload of machine E (glibc:
 * the multiarch pair, lib64 and lib; musl: its default path). */
static int system_dirs(const struct elf_info *e, struct strv *out)
{
	const char *triplet = NULL;
	char buf[128];
	int r = 0;

	if (e->interp && strstr(e->interp, "ld-musl")) {
		static const char *const musl[] = {"/lib", "/usr/local/lib", "/usr/lib"};

		for (size_t i = 0; !r && i < 3; i++)
			r = strv_add(out, musl[i]);
		return r;
	}
	switch (e->machine) {
	case EM_X86_64: triplet = "x86_64-linux-gnu"; break;
	case EM_AARCH64:
		triplet = e->big_endian ? "aarch64_be-linux-gnu" : "aarch64-linux-gnu";
		break;
	case EM_386: triplet = "i386-linux-gnu"; break;
	case EM_ARM: triplet = "arm-linux-gnueabihf"; break;
	case EM_RISCV: triplet = e->is64 ? "riscv64-linux-gnu" : NULL; break;
	case EM_PPC64:
		triplet = e->big_endian ? "powerpc64-linux-gnu" : "powerpc64le-linux-gnu";
		break;
	case EM_S390: triplet = e->is64 ? "s390x-linux-gnu" : NULL; break;
	case EM_LOONGARCH: triplet = "loongarch64-linux-gnu"; break;
	default: break;
	}
	if (triplet) {
		snprintf(buf, sizeof buf, "/lib/%s", triplet);
		r = strv_add(out, buf);
		snprintf(buf, sizeof buf, "/usr/lib/%s", triplet);
		if (!r)
			r = strv_add(out, buf);
	}
	if (!r && e->is64)
		r = strv_add(out, "/lib64");
	if (!r && e->is64)
		r = strv_add(out, "/usr/lib64");
	if (!r)
		r = strv_add(out, "/lib");
	if (!r)
		r = strv_add(out, "/usr/lib");
	return r;
}

/* Reads the ELF at PATH without recording a message: a candidate that is
 * not one is skipped, not an error. */
static int peek(const char *path, struct elf_info *e)
{
	struct stat st;
	const char *why;
	void *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	memset(e, 0, sizeof *e);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 52) {
		close(fd);
		return -ENOEXEC;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -errno;
	r = elf_parse(m, (size_t)st.st_size, e, &why);
	munmap(m, (size_t)st.st_size);
	return r;
}

struct obj {
	char *host, *image; /* image: absolute, cleaned */
	char *name;
	struct elf_info ei;
	long loader; /* index of the object that first needed it; -1: the payload */
};

struct search {
	struct obj *v;
	size_t n;
	struct strv conf, sys;
};

/* Appends the directories of the path list LIST of object O to HOSTD and
 * IMGD (pairs: the same index). $ORIGIN is O's directory on each side;
 * relative entries (the process's working directory) and other dynamic
 * string tokens ($LIB, $PLATFORM) are skipped. */
static int add_list(const char *list, const struct obj *o, struct strv *hostd, struct strv *imgd)
{
	char *copy = strdup(list ? list : ""), *save = NULL;
	char *hdir = path_dirname(o->host), *idir = path_dirname(o->image);
	int r = copy && hdir && idir ? 0 : -ENOMEM;

	for (char *d = r ? NULL : strtok_r(copy, ":", &save); d && !r;
	     d = strtok_r(NULL, ":", &save)) {
		const char *rest = NULL;
		char *h, *i;

		if (strncmp(d, "$ORIGIN", 7) == 0 && (d[7] == '/' || !d[7]))
			rest = d + 7;
		else if (strncmp(d, "${ORIGIN}", 9) == 0 && (d[9] == '/' || !d[9]))
			rest = d + 9;
		else if (d[0] != '/' || strchr(d, '$'))
			continue;
		if (rest && strchr(rest, '$'))
			continue;
		h = rest ? fmt("%s%s", hdir[0] ? hdir : "/", rest) : strdup(d);
		i = rest ? fmt("%s/%s", idir, rest) : strdup(d);
		if (h && i) {
			char *hc = path_lexical(h, 0), *ic = path_lexical(i, 0);

			/* a pair once: the first occurrence is the one searched */
			if (hc && ic && !strv_has(hostd, hc)) {
				r = strv_add(hostd, hc);
				if (!r) {
					/* strv_add skips duplicates: keep the pairing by index */
					char **n = realloc(imgd->v, (imgd->n + 1) * sizeof *n);

					if (!n)
						r = -ENOMEM;
					else {
						imgd->v = n;
						imgd->v[imgd->n++] = ic;
						ic = NULL;
					}
				}
			} else if (!hc || !ic) {
				r = -ENOMEM;
			}
			free(hc);
			free(ic);
		} else {
			r = -ENOMEM;
		}
		free(h);
		free(i);
	}
	free(copy);
	free(hdir);
	free(idir);
	return r;
}

static int same_kind(const char *path, const struct elf_info *want)
{
	struct elf_info e;
	int ok;

	if (peek(path, &e) < 0) {
		err_clear(); /* not this kind: no message left for later */
		return 0;
	}
	ok = e.is64 == want->is64 && e.machine == want->machine && e.big_endian == want->big_endian;
	elf_free(&e);
	return ok;
}

/* Finds NAME for object I: *HOST and *IMAGE malloc'd, or 1 when not found. */
static int find(struct search *s, size_t i, const char *name, char **host, char **image)
{
	const struct obj *o = &s->v[i];
	struct strv hd = {0}, id = {0};
	int r = 0, found = 0;

	*host = *image = NULL;
	/* 1. the DT_RPATHs up the chain of loaders, when O has no DT_RUNPATH */
	if (!o->ei.runpath) {
		int did_main = 0;

		for (long l = (long)i; l >= 0 && !r; l = s->v[l].loader) {
			if (s->v[l].ei.rpath && !s->v[l].ei.runpath) {
				r = add_list(s->v[l].ei.rpath, &s->v[l], &hd, &id);
				did_main |= l == 0;
			}
		}
		if (!r && !did_main && s->v[0].ei.rpath && !s->v[0].ei.runpath)
			r = add_list(s->v[0].ei.rpath, &s->v[0], &hd, &id);
	}
	/* 2. its own DT_RUNPATH */
	if (!r && o->ei.runpath)
		r = add_list(o->ei.runpath, o, &hd, &id);
	for (size_t k = 0; !r && k < hd.n && !found; k++) {
		char *h = fmt("%s/%s", hd.v[k], name);

		if (!h) {
			r = -ENOMEM;
		} else if (same_kind(h, &s->v[0].ei)) {
			*host = h;
			*image = fmt("%s/%s", strcmp(id.v[k], "/") ? id.v[k] : "", name);
			found = 1;
			r = *image ? 0 : -ENOMEM;
		} else {
			free(h);
		}
	}
	/* 3. ld.so.conf, 4. the system directories */
	for (int pass = 0; pass < 2 && !r && !found; pass++) {
		const struct strv *d = pass ? &s->sys : &s->conf;

		for (size_t k = 0; !r && k < d->n && !found; k++) {
			char *h = fmt("%s/%s", d->v[k], name);

			if (!h) {
				r = -ENOMEM;
			} else if (same_kind(h, &s->v[0].ei)) {
				/* the image has no ld.so.cache: such a library goes
				 * where the loader looks by itself */
				const char *to =
				    pass || strv_has(&s->sys, d->v[k]) ? d->v[k] : s->sys.v[0];

				*host = h;
				*image = fmt("%s/%s", to, name);
				found = 1;
				r = *image ? 0 : -ENOMEM;
			} else {
				free(h);
			}
		}
	}
	strv_free(&hd);
	strv_free(&id);
	return r ? r : !found;
}

static void obj_free(struct obj *o)
{
	free(o->host);
	free(o->image);
	free(o->name);
	elf_free(&o->ei);
}

void libs_free(struct libs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].host);
		free(l->v[i].image);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

int libs_resolve(const char *host, const char *image, const struct elf_info *e, struct libs *out)
{
	struct search s = {0};
	int r = 0;

	memset(out, 0, sizeof *out);
	s.v = calloc(MAX_OBJS, sizeof *s.v);
	if (!s.v)
		return -ENOMEM;
	s.v[0].host = realpath(host, NULL); /* the loader's $ORIGIN: /proc/self/exe */
	s.v[0].image = path_lexical(image, 0);
	s.v[0].name = strdup(host);
	s.v[0].loader = -1;
	s.n = 1;
	if (!s.v[0].host) {
		r = fail(errno, "%s: %s", host, strerror(errno));
		goto out;
	}
	if (!s.v[0].image || !s.v[0].name) {
		r = -ENOMEM;
		goto out;
	}
	/* the payload's own dynamic section: a copy of what E holds */
	r = peek(s.v[0].host, &s.v[0].ei);
	if (r) {
		r = fail(ENOEXEC, "%s: cannot read its dynamic section again", host);
		goto out;
	}
	if (!(e->interp && strstr(e->interp, "ld-musl")))
		conf_read(&s.conf, "/etc/ld.so.conf", 0);
	r = system_dirs(e, &s.sys);
	/* breadth first, as the loader maps them */
	for (size_t i = 0; !r && i < s.n; i++) {
		for (size_t k = 0; !r && k < s.v[i].ei.nneeded; k++) {
			const char *name = s.v[i].ei.needed[k];
			char *h = NULL, *im = NULL;
			int dup = 0;

			for (size_t j = 1; j < s.n && !dup; j++)
				dup = strcmp(s.v[j].name, name) == 0;
			if (dup)
				continue;
			if (strchr(name, '/')) {
				if (name[0] != '/') {
					r = fail(EINVAL,
						 "%s needs %s, a path relative to the "
						 "working directory",
						 s.v[i].host, name);
					break;
				}
				h = strdup(name);
				im = path_lexical(name, 0);
				r = h && im ? (same_kind(h, e) ? 0 : 1) : -ENOMEM;
			} else {
				r = find(&s, i, name, &h, &im);
			}
			if (r == 1)
				r = fail(ENOENT,
					 "%s needs %s, which cannot be found (RPATH, RUNPATH, "
					 "ld.so.conf, system directories)",
					 s.v[i].host, name);
			for (size_t j = 1; !r && j < s.n && !dup; j++)
				dup = strcmp(s.v[j].host, h) == 0;
			if (!r && !dup && s.n == MAX_OBJS)
				r = fail(E2BIG, "%s: more than %d libraries", host, MAX_OBJS);
			if (!r && !dup) {
				struct obj *o = &s.v[s.n];

				o->host = h;
				o->image = im;
				o->name = strdup(name);
				o->loader = (long)i;
				h = im = NULL;
				s.n++;
				if (!o->name)
					r = -ENOMEM;
				else if (peek(o->host, &o->ei) < 0)
					r = elf_read(o->host, &o->ei); /* the message */
			}
			free(h);
			free(im);
		}
	}
	if (!r && s.n > 1) {
		out->v = calloc(s.n - 1, sizeof *out->v);
		if (!out->v)
			r = -ENOMEM;
		for (size_t i = 1; !r && i < s.n; i++) {
			out->v[out->n++] = (struct lib){s.v[i].name, s.v[i].host, s.v[i].image};
			s.v[i].name = s.v[i].host = s.v[i].image = NULL;
		}
	}
out:
	for (size_t i = 0; i < s.n; i++)
		obj_free(&s.v[i]);
	free(s.v);
	strv_free(&s.conf);
	strv_free(&s.sys);
	if (r)
		libs_free(out);
	return r;
}

/* --- placement ---------------------------------------------------------------- */

/* The topmost entry named P (layer-relative) in TOP over LOWER, or NULL
 * when none or a whiteout above hides it. */
static const struct entry *view_find(struct layer *const *lower, size_t n, const struct layer *top,
				     const char *p)
{
	for (size_t i = n + 1; i-- > 0;) {
		const struct layer *l = i == n ? top : lower[i];
		struct entry *e = l ? layer_find(l, p) : NULL;

		if (e)
			return e;
		if (l && layer_find_del(l, p) && layer_find_del(l, p)->type == ET_WHITEOUT)
			return NULL;
	}
	return NULL;
}

int view_place(struct layer *const *lower, size_t n, const struct layer *top, const char *path,
	       char **out)
{
	char *pending = strdup(path), *res = calloc(1, strlen(path) + 2);
	size_t cap = strlen(path) + 2, pos = 0, hops = 0;
	int r = 0;

	*out = NULL;
	if (!pending || !res) {
		r = -ENOMEM;
		goto done;
	}
	for (;;) {
		const char *q = pending + pos, *e;
		const struct entry *s;
		size_t len, rl = strlen(res);

		while (*q == '/')
			q++;
		if (!*q)
			break;
		e = strchrnul(q, '/');
		len = (size_t)(e - q);
		pos = (size_t)(e - pending);
		if (len == 1 && q[0] == '.')
			continue;
		if (len == 2 && q[0] == '.' && q[1] == '.') {
			char *sl = strrchr(res, '/');

			*(sl ? sl : res) = 0;
			continue;
		}
		if (rl + len + 2 > cap) {
			char *nb;

			cap = (rl + len + 2) * 2;
			nb = realloc(res, cap);
			if (!nb) {
				r = -ENOMEM;
				goto done;
			}
			res = nb;
		}
		if (rl)
			res[rl++] = '/';
		memcpy(res + rl, q, len);
		res[rl + len] = 0;
		while (*e == '/')
			e++;
		if (!*e) /* the last component is what is placed */
			break;
		s = view_find(lower, n, top, res);
		if (s && s->type == ET_SYMLINK) {
			size_t tl = strlen(s->link), ql = strlen(pending + pos);
			char *np;

			if (++hops > 40) {
				r = fail(ELOOP, "%s: too many symlinks on the way (at /%s)", path,
					 s->path);
				goto done;
			}
			res[rl ? rl - 1 : 0] = 0; /* the link's own name goes */
			if (s->link[0] == '/')
				res[0] = 0;
			np = malloc(tl + ql + 2);
			if (!np) {
				r = -ENOMEM;
				goto done;
			}
			memcpy(np, s->link, tl);
			np[tl] = '/';
			memcpy(np + tl + 1, pending + pos, ql + 1);
			free(pending);
			pending = np;
			pos = 0;
		} else if (s && s->type != ET_DIR) {
			r = fail(ENOTDIR, "%s: /%s is not a directory in the layers beneath", path,
				 s->path);
			goto done;
		}
	}
	if (!res[0])
		r = fail(EINVAL, "%s: is the root", path);
	else
		*out = res, res = NULL;
done:
	free(pending);
	free(res);
	return r;
}
