/* What kind of input a path is, and reading it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "err.h"
#include "gate.h"
#include "input.h"
#include "pathsafe.h"

static int top_member(struct entry **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = v[i]->path;

		while (p[0] == '.' && p[1] == '/')
			p += 2;
		if (v[i]->type == ET_FILE && strcmp(p, name) == 0)
			return 1;
	}
	return 0;
}

/* A docker archive: manifest.json beside the blobs it names, which docker
 * and podman keep as DIR/layer.tar or blobs/sha256/HEX (a rootfs tarball of a
 * web app may well have a manifest.json of its own, and no such member). */
static int docker_archive(struct entry **v, size_t n)
{
	if (!top_member(v, n, "manifest.json"))
		return 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = v[i]->path, *s;

		while (p[0] == '.' && p[1] == '/')
			p += 2;
		s = strchr(p, '/');
		if (s && (strcmp(s, "/layer.tar") == 0 || strncmp(p, "blobs/sha256/", 13) == 0))
			return 1;
	}
	return 0;
}

int input_read(const char *path, int flags, struct input *in)
{
	return input_read_for(path, flags, NULL, in);
}

int input_read_for(const char *path, int flags, const struct platform *want, struct input *in)
{
	struct stat st;
	struct entry **v = NULL;
	size_t n = 0;
	struct tar_src src = {.path = path, .fd = -1};
	int r;

	memset(in, 0, sizeof *in);
	in->fd = -1;
	in->path = strdup(path);
	if (!in->path)
		return -ENOMEM;
	if (stat(path, &st) < 0)
		return fail(errno, "%s: %s", path, strerror(errno));
	if (access(path, R_OK) < 0)
		return fail(errno, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		in->format = strdup("directory");
		in->nlayers = 1;
		in->layers = calloc(1, sizeof *in->layers);
		in->info = calloc(1, sizeof *in->info);
		if (!in->layers || !in->info || !(in->layers[0] = layer_new(path)))
			return -ENOMEM;
		r = input_dir(path, path, "", in->layers[0], DIR_OVERLAY);
		return r ? r : layer_gate(in->layers[0], path);
	}
	if (!S_ISREG(st.st_mode))
		return fail(EINVAL, "%s: not a directory or a tarball", path);
	/* open for as long as the input: its files' data may stay in it */
	in->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (in->fd < 0)
		return fail(errno, "%s: %s", path, strerror(errno));
	src.fd = in->fd;
	src.len = (uint64_t)st.st_size;
	r = tar_read(path, &src, flags & IN_NODATA, &v, &n, NULL);
	if (r)
		return r;
	if (docker_archive(v, n) ||
	    (top_member(v, n, "oci-layout") && top_member(v, n, "index.json"))) {
		if (flags & IN_NODATA) { /* an image's members are read: again, with data */
			entries_free(v, n);
			v = NULL;
			n = 0;
			r = tar_read(path, &src, 0, &v, &n, NULL);
			if (r)
				return r;
		}
		r = image_read(path, v, n, flags, want, in);
		entries_free(v, n);
		for (size_t i = 0; !r && i < in->nlayers; i++)
			r = layer_gate(in->layers[i], NULL);
		return r;
	}
	in->format = strdup("tarball");
	in->nlayers = 1;
	in->layers = calloc(1, sizeof *in->layers);
	in->info = calloc(1, sizeof *in->info);
	if (!in->layers || !in->info || !(in->layers[0] = layer_new(path))) {
		entries_free(v, n);
		return -ENOMEM;
	}
	in->info[0].usize = 0;
	for (size_t i = 0; i < n && !r; i++) {
		r = layer_add(in->layers[0], path, v[i],
			      LA_OCI_WHITEOUTS | LA_MERGE_DIRS | LA_LAST_WINS);
		v[i] = NULL;
	}
	entries_free(v, n);
	return r ? r : layer_gate(in->layers[0], path);
}

void input_free(struct input *in)
{
	for (size_t i = 0; i < in->nlayers; i++) {
		if (in->layers)
			layer_free(in->layers[i]);
		if (in->info)
			free(in->info[i].media_type);
	}
	free(in->layers);
	free(in->info);
	json_decref(in->config);
	free(in->config_digest);
	free(in->manifest_digest);
	json_decref(in->platforms);
	free(in->format);
	free(in->name);
	free(in->path);
	if (in->fd >= 0)
		close(in->fd);
	memset(in, 0, sizeof *in);
	in->fd = -1;
}
