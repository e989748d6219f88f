/* The output file and the image tarball's outer tar. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "err.h"
#include "outtar.h"
#include "cleanup.h"

#define OBUF (1u << 20)

static int flush(struct outtar *o)
{
	size_t done = 0;

	while (done < o->blen) {
		ssize_t w = write(o->fd, o->buf + done, o->blen - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return fail(errno, "%s: %s", o->path, strerror(errno));
		done += (size_t)w;
	}
	o->blen = 0;
	return 0;
}

static int raw_write(struct sink *s, const void *buf, size_t len)
{
	struct outtar *o = (struct outtar *)((char *)s - offsetof(struct outtar, raw));
	const unsigned char *p = buf;

	o->off += (off_t)len;
	while (len) {
		size_t n = OBUF - o->blen;
		int r;

		if (n > len)
			n = len;
		memcpy(o->buf + o->blen, p, n);
		o->blen += n;
		p += n;
		len -= n;
		if (o->blen == OBUF && (r = flush(o)))
			return r;
	}
	return 0;
}

static int blob_write(struct sink *s, const void *buf, size_t len)
{
	struct outtar *o = (struct outtar *)((char *)s - offsetof(struct outtar, blob));

	digest_update(&o->bd, buf, len);
	o->blob_size += len;
	return sink_write(&o->raw, buf, len);
}

int outtar_open(struct outtar *o, const char *path, int64_t epoch)
{
	const char *slash = strrchr(path, '/');
	size_t n = strlen(path) + 32;
	mode_t um;

	memset(o, 0, sizeof *o);
	o->raw.write = raw_write;
	o->blob.write = blob_write;
	o->epoch = epoch;
	o->fd = -1;
	o->slot = -1;
	o->path = strdup(path);
	o->tmp = malloc(n);
	o->buf = malloc(OBUF);
	if (!o->path || !o->tmp || !o->buf) {
		outtar_abort(o);
		return -ENOMEM;
	}
	/* ".NAME.XXXXXX" beside NAME: same filesystem, so rename is atomic */
	if (slash)
		snprintf(o->tmp, n, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		snprintf(o->tmp, n, ".%s.XXXXXX", path);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		int e = errno;

		free(o->tmp);
		o->tmp = NULL;
		outtar_abort(o);
		return fail(e, "%s: cannot create: %s", path, strerror(e));
	}
	o->slot = cleanup_remember(o->tmp);
	um = umask(0);
	umask(um);
	fchmod(o->fd, 0666 & ~um);
	return 0;
}

int outtar_dir(struct outtar *o, const char *name)
{
	struct tar_meta m = {.name = name, .type = '5', .mode = 0755, .mtime = o->epoch};

	return tar_header(&o->raw, &m);
}

int outtar_file(struct outtar *o, const char *name, const void *data, size_t len)
{
	struct tar_meta m = {
	    .name = name, .type = '0', .mode = 0644, .mtime = o->epoch, .size = len};
	int r = tar_header(&o->raw, &m);

	if (!r)
		r = sink_write(&o->raw, data, len);
	return r ? r : tar_pad(&o->raw, len);
}

struct sink *outtar_blob_begin(struct outtar *o)
{
	static const unsigned char hole[TAR_BLOCK];

	if (digest_init(&o->bd))
		return NULL;
	o->blob_hdr = o->off;
	o->blob_size = 0;
	if (sink_write(&o->raw, hole, TAR_BLOCK)) { /* the header, filled in at the end */
		digest_free(&o->bd);
		return NULL;
	}
	return &o->blob;
}

int outtar_blob_end(struct outtar *o, char hex[DIGEST_HEX_LEN + 1], uint64_t *size)
{
	unsigned char b[TAR_BLOCK];
	char name[100];
	struct tar_meta m = {.name = name, .type = '0', .mode = 0644, .mtime = o->epoch};
	int r;

	digest_final(&o->bd, hex);
	*size = o->blob_size;
	for (size_t i = 0; i < o->nblobs; i++) {
		if (strcmp(o->blobs[i], hex) != 0)
			continue;
		/* already there: take this copy back out */
		r = flush(o);
		if (r)
			return r;
		if (ftruncate(o->fd, o->blob_hdr) || lseek(o->fd, o->blob_hdr, SEEK_SET) < 0)
			return fail(errno, "%s: %s", o->path, strerror(errno));
		o->off = o->blob_hdr;
		return 0;
	}
	r = tar_pad(&o->raw, o->blob_size);
	if (!r)
		r = flush(o);
	if (r)
		return r;
	snprintf(name, sizeof name, "blobs/sha256/%s", hex);
	m.size = o->blob_size;
	tar_ustar_block(b, &m);
	if (pwrite(o->fd, b, TAR_BLOCK, o->blob_hdr) != TAR_BLOCK)
		return fail(errno ? errno : EIO, "%s: %s", o->path, strerror(errno ? errno : EIO));
	{
		char(*nb)[DIGEST_HEX_LEN + 1] = realloc(o->blobs, (o->nblobs + 1) * sizeof *nb);

		if (!nb)
			return -ENOMEM;
		o->blobs = nb;
		memcpy(o->blobs[o->nblobs++], hex, DIGEST_HEX_LEN + 1);
	}
	return 0;
}

int outtar_blob(struct outtar *o, const void *data, size_t len, char hex[DIGEST_HEX_LEN + 1])
{
	struct sink *s = outtar_blob_begin(o);
	uint64_t size;
	int r;

	if (!s)
		return -ENOMEM;
	r = sink_write(s, data, len);
	if (r) {
		digest_free(&o->bd);
		return r;
	}
	return outtar_blob_end(o, hex, &size);
}

/* The rename itself is durable once PATH's directory is synced. */
static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd;

	if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else if (slash)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof dir, ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int outtar_commit(struct outtar *o, int with_end)
{
	int r = with_end ? tar_end(&o->raw) : 0;

	if (!r)
		r = flush(o);
	/* the data is on disk before the name says it is complete */
	if (!r && fsync(o->fd) < 0 && errno != EINVAL && errno != EROFS)
		r = fail(errno, "%s: fsync: %s", o->path, strerror(errno));
	if (!r && close(o->fd) < 0)
		r = fail(errno, "%s: %s", o->path, strerror(errno));
	o->fd = -1;
	if (!r && rename(o->tmp, o->path) < 0)
		r = fail(errno, "%s: %s", o->path, strerror(errno));
	if (r) {
		outtar_abort(o);
		return r;
	}
	cleanup_forget(o->slot);
	sync_dir(o->path);
	free(o->tmp);
	o->tmp = NULL;
	outtar_abort(o);
	return 0;
}

void outtar_abort(struct outtar *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp)
		unlink(o->tmp);
	cleanup_forget(o->slot);
	free(o->tmp);
	free(o->path);
	free(o->buf);
	free(o->blobs);
	if (o->bd.ctx)
		digest_free(&o->bd);
	memset(o, 0, sizeof *o);
	o->fd = -1;
	o->slot = -1;
}
