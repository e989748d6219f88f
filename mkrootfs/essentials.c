/* --essentials and --tzdata: the files a scratch image needs (see
 * essentials.h). */
#include "essentials.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "input.h"

static const char passwd[] = "root:x:0:0:root:/root:/sbin/nologin\n"
			     "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";
static const char group[] = "root:x:0:\n"
			    "nonroot:x:65532:\n";
static const char nsswitch[] = "passwd: files\n"
			       "group: files\n"
			       "shadow: files\n"
			       "hosts: files dns\n"
			       "networks: files\n"
			       "protocols: files\n"
			       "services: files\n";

static const struct {
	const char *name;
	unsigned id;
} names[] = {{"root", 0}, {"nonroot", NONROOT_ID}};

static int add_text(struct layer *l, const char *path, const char *text)
{
	size_t n = strlen(text);
	unsigned char *buf;
	int r;

	if (layer_find(l, path))
		return 0;
	if (!(buf = malloc(n)))
		return -ENOMEM;
	memcpy(buf, text, n);
	r = layer_add_parents(l, path);
	if (r) {
		free(buf);
		return r;
	}
	return layer_add_mem(l, "--essentials", path, buf, n);
}

static int add_dir(struct layer *l, const char *path, unsigned mode, unsigned id)
{
	struct entry *e;
	int r;

	if (layer_find(l, path))
		return 0;
	r = layer_add_parents(l, path);
	if (r)
		return r;
	if (!(e = entry_new(path, ET_DIR)))
		return -ENOMEM;
	e->mode = mode;
	e->uid = e->gid = id;
	return layer_add(l, "--essentials", e, LA_ABS_OK);
}

int essentials_check_bundle(const char *file)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----";
	FILE *f = fopen(file, "r");
	char line[256];
	int found = 0;

	if (!f)
		return fail(errno, "%s: %s", file, strerror(errno));
	while (!found && fgets(line, sizeof line, f))
		found = strncmp(line, pem, sizeof pem - 1) == 0;
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		return fail(e, "%s: %s", file, strerror(e));
	}
	fclose(f);
	return found ? 0 : fail(EINVAL, "%s: not a CA bundle (no PEM certificate in it)", file);
}

int essentials_add(const struct essentials *e, struct layer *l)
{
	size_t first = l->n;
	int r = 0;

	if (e->on) {
		const char *ca = e->ca ? e->ca : ESS_HOST_CA;

		r = essentials_check_bundle(ca);
		if (r && !e->ca)
			r = failctx(r,
				    "--essentials: the host's CA bundle (install ca-certificates, "
				    "or give --ca-bundle FILE)");
		if (!r && !layer_find(l, ESS_CA_PATH)) {
			r = layer_add_parents(l, ESS_CA_PATH);
			if (!r)
				r = input_file(ca, "/" ESS_CA_PATH, 0644, l);
		}
		if (!r)
			r = add_text(l, "etc/passwd", passwd);
		if (!r)
			r = add_text(l, "etc/group", group);
		if (!r)
			r = add_text(l, "etc/nsswitch.conf", nsswitch);
		if (!r)
			r = add_dir(l, "tmp", 01777, 0);
		if (!r)
			r = add_dir(l, "root", 0700, 0);
		if (!r)
			r = add_dir(l, "home/nonroot", 0700, NONROOT_ID);
	}
	if (!r && e->tzdata && !layer_find(l, "usr/share/zoneinfo")) {
		const char *tz = e->tzdir ? e->tzdir : ESS_HOST_TZDIR;

		r = layer_add_parents(l, "usr/share/zoneinfo");
		if (!r)
			r = input_dir(tz, tz, "usr/share/zoneinfo", l, DIR_MERGE);
		if (r)
			r = failctx(r, "--tzdata: %s (install tzdata)", tz);
	}
	/* what the host's files brought: root's, like a package's files */
	for (size_t i = first; !r && i < l->n; i++) {
		struct entry *x = l->v[i];

		if (strcmp(x->path, "home/nonroot") != 0)
			x->uid = x->gid = 0;
	}
	return r;
}

/* NAME -> its id; numbers as they are. Returns 0, or -ENOENT. */
static int lookup(const char *s, size_t len, unsigned long *id)
{
	char *end;

	if (len && s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		*id = strtoul(s, &end, 10);
		if (!errno && end == s + len && *id <= 0xfffffffeul)
			return 0;
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i].name) == len && strncmp(names[i].name, s, len) == 0) {
			*id = names[i].id;
			return 1;
		}
	return -ENOENT;
}

int essentials_user(const char *spec, char **out)
{
	const char *colon = strchr(spec, ':');
	size_t ul = colon ? (size_t)(colon - spec) : strlen(spec);
	unsigned long uid, gid;
	int r = lookup(spec, ul, &uid), byname = r == 1;
	char buf[64];

	*out = NULL;
	if (r < 0)
		return fail(EINVAL, "--user %s: %.*s is not a user of --essentials (root, nonroot)",
			    spec, (int)ul, spec);
	if (colon) {
		r = lookup(colon + 1, strlen(colon + 1), &gid);
		if (r < 0)
			return fail(EINVAL,
				    "--user %s: %s is not a group of --essentials (root, nonroot)",
				    spec, colon + 1);
	} else if (byname) {
		gid = uid; /* the user's primary group has its name and number */
	} else {
		*out = strdup(spec);
		return *out ? 0 : -ENOMEM;
	}
	snprintf(buf, sizeof buf, "%lu:%lu", uid, gid);
	*out = strdup(buf);
	return *out ? 0 : -ENOMEM;
}
