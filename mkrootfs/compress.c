/* Parallel gzip (libdeflate) and zstd (libzstd) behind a sink; one-stream
 * gzip (zlib) and xz (liblzma) for initramfs files. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libdeflate.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include "compress.h"
#include "err.h"

enum { FREE, FILLED, TAKEN, DONE };

struct job {
	unsigned char *in, *out;
	size_t inlen, outlen;
	int state;
};

struct zsink {
	struct sink s;
	enum compression c;
	struct sink *out;
	struct digest ud;
	uint64_t usize;
	int err;
	/* gzip */
	int nth;
	pthread_t th[16];
	struct job *jobs;
	size_t njobs;
	uint64_t fill, take, emit;
	size_t outcap;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	int stop;
	/* zstd */
	ZSTD_CCtx *zc;
	unsigned char *zbuf; /* output buffer of zstd, zlib and xz */
	size_t zcap;
	/* one-stream gzip, xz */
	z_stream *zs;
	lzma_stream *xs;
};

int cpu_max_cpus(const char *text)
{
	long long quota, period = 0;

	if (sscanf(text, "%lld %lld", &quota, &period) != 2 || quota <= 0 || period <= 0)
		return 0; /* "max 100000": no quota */
	return (int)((quota + period - 1) / period);
}

/* The cgroup v2 quota of this process's own cgroup, in CPUs (0: none). */
static int cgroup_cpus(void)
{
	char line[512], path[600], text[64];
	FILE *f = fopen("/proc/self/cgroup", "r");
	int n = 0;

	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "0::", 3) == 0) {
			FILE *m;

			line[strcspn(line, "\n")] = 0;
			snprintf(path, sizeof path, "/sys/fs/cgroup%s/cpu.max", line + 3);
			m = fopen(path, "r");
			if (m && fgets(text, sizeof text, m))
				n = cpu_max_cpus(text);
			if (m)
				fclose(m);
		}
	if (f)
		fclose(f);
	return n;
}

int compression_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	const char *e = getenv("MKROOTFS_THREADS");
	cpu_set_t set;
	int q;

	if (e && atoi(e) > 0) {
		n = atoi(e);
	} else {
		/* the CPUs this process may run on (taskset, a container's
		 * cpuset), and no more than its cgroup's quota (docker --cpus) */
		if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
			n = CPU_COUNT(&set);
		if ((q = cgroup_cpus()) > 0 && q < n)
			n = q;
	}
	return n < 1 ? 1 : n > 16 ? 16 : (int)n;
}

int compression_parse(const char *s, int with_xz, enum compression *c)
{
	if (strcmp(s, "gzip") == 0)
		*c = COMP_GZIP;
	else if (strcmp(s, "zstd") == 0)
		*c = COMP_ZSTD;
	else if (strcmp(s, "none") == 0)
		*c = COMP_NONE;
	else if (with_xz && strcmp(s, "xz") == 0)
		*c = COMP_XZ;
	else
		return fail(EINVAL, "--compress %s: use gzip, zstd%s or none", s,
			    with_xz ? ", xz" : "");
	return 0;
}

const char *compression_media_type(enum compression c)
{
	switch (c) {
	case COMP_GZIP: return "application/vnd.oci.image.layer.v1.tar+gzip";
	case COMP_ZSTD: return "application/vnd.oci.image.layer.v1.tar+zstd";
	default: return "application/vnd.oci.image.layer.v1.tar";
	}
}

static void *worker(void *arg)
{
	struct zsink *z = arg;
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(GZIP_LEVEL);

	pthread_mutex_lock(&z->mu);
	for (;;) {
		struct job *j;

		while (!z->stop && z->jobs[z->take % z->njobs].state != FILLED)
			pthread_cond_wait(&z->work, &z->mu);
		if (z->stop)
			break;
		j = &z->jobs[z->take++ % z->njobs];
		j->state = TAKEN;
		pthread_mutex_unlock(&z->mu);
		j->outlen = c ? libdeflate_gzip_compress(c, j->in, j->inlen, j->out, z->outcap) : 0;
		pthread_mutex_lock(&z->mu);
		j->state = DONE;
		pthread_cond_broadcast(&z->done);
		pthread_cond_broadcast(&z->work);
	}
	pthread_mutex_unlock(&z->mu);
	libdeflate_free_compressor(c);
	return NULL;
}

/* Writes every finished job at the head of the queue; with WAIT, waits
 * until the job at the head is finished first. */
static int emit(struct zsink *z, int wait)
{
	pthread_mutex_lock(&z->mu);
	while (z->emit < z->fill) {
		struct job *j = &z->jobs[z->emit % z->njobs];
		int r;

		if (j->state != DONE) {
			if (!wait)
				break;
			pthread_cond_wait(&z->done, &z->mu);
			continue;
		}
		pthread_mutex_unlock(&z->mu);
		if (j->outlen == 0)
			r = fail(ENOMEM, "gzip: compression failed");
		else
			r = sink_write(z->out, j->out, j->outlen);
		pthread_mutex_lock(&z->mu);
		if (r) {
			pthread_mutex_unlock(&z->mu);
			return r;
		}
		j->state = FREE;
		j->inlen = 0;
		z->emit++;
		wait = 0; /* one is enough to free a slot */
	}
	pthread_mutex_unlock(&z->mu);
	return 0;
}

/* Whether the slot the producer fills next is free; workers write the
 * states, so they are read under the lock (review P2: a data race). */
static int next_free(struct zsink *z)
{
	int f;

	pthread_mutex_lock(&z->mu);
	f = z->jobs[z->fill % z->njobs].state == FREE;
	pthread_mutex_unlock(&z->mu);
	return f;
}

static int submit(struct zsink *z)
{
	struct job *j = &z->jobs[z->fill % z->njobs];
	int r;

	pthread_mutex_lock(&z->mu);
	j->state = FILLED;
	z->fill++;
	pthread_cond_broadcast(&z->work);
	pthread_mutex_unlock(&z->mu);
	r = emit(z, 0);
	/* the next slot must be free before it is filled */
	while (!r && !next_free(z))
		r = emit(z, 1);
	return r;
}

static int gz_write(struct zsink *z, const unsigned char *p, size_t len)
{
	while (len) {
		struct job *j = &z->jobs[z->fill % z->njobs];
		size_t n = GZIP_CHUNK - j->inlen;
		int r;

		if (n > len)
			n = len;
		memcpy(j->in + j->inlen, p, n);
		j->inlen += n;
		p += n;
		len -= n;
		if (j->inlen == GZIP_CHUNK && (r = submit(z)))
			return r;
	}
	return 0;
}

static int zstd_pump(struct zsink *z, const void *p, size_t len, ZSTD_EndDirective end)
{
	ZSTD_inBuffer in = {p, len, 0};

	for (;;) {
		ZSTD_outBuffer out = {z->zbuf, z->zcap, 0};
		size_t left = ZSTD_compressStream2(z->zc, &out, &in, end);
		int r;

		if (ZSTD_isError(left))
			return fail(EIO, "zstd: %s", ZSTD_getErrorName(left));
		if (out.pos && (r = sink_write(z->out, z->zbuf, out.pos)))
			return r;
		if (end == ZSTD_e_end ? left == 0 : in.pos == in.size)
			return 0;
	}
}

/* One zlib stream with a gzip header (mtime 0, no name). */
static int zlib_pump(struct zsink *z, const void *p, size_t len, int flush)
{
	z->zs->next_in = (Bytef *)(uintptr_t)p;
	z->zs->avail_in = (uInt)len;
	for (;;) {
		int rc, r;

		z->zs->next_out = z->zbuf;
		z->zs->avail_out = (uInt)z->zcap;
		rc = deflate(z->zs, flush);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
			return fail(EIO, "gzip: %s", z->zs->msg ? z->zs->msg : "deflate failed");
		if (z->zs->avail_out < z->zcap &&
		    (r = sink_write(z->out, z->zbuf, z->zcap - z->zs->avail_out)))
			return r;
		if (flush == Z_FINISH ? rc == Z_STREAM_END : z->zs->avail_in == 0)
			return 0;
	}
}

static int xz_pump(struct zsink *z, const void *p, size_t len, lzma_action act)
{
	z->xs->next_in = p;
	z->xs->avail_in = len;
	for (;;) {
		lzma_ret rc;
		int r;

		z->xs->next_out = z->zbuf;
		z->xs->avail_out = z->zcap;
		rc = lzma_code(z->xs, act);
		if (rc != LZMA_OK && rc != LZMA_STREAM_END)
			return fail(rc == LZMA_MEM_ERROR ? ENOMEM : EIO, "xz: error %d", (int)rc);
		if (z->xs->avail_out < z->zcap &&
		    (r = sink_write(z->out, z->zbuf, z->zcap - z->xs->avail_out)))
			return r;
		if (act == LZMA_FINISH ? rc == LZMA_STREAM_END : z->xs->avail_in == 0)
			return 0;
	}
}

/* Bounded chunks: zlib counts in uInt. */
static int stream_write(struct zsink *z, const unsigned char *p, size_t len)
{
	while (len) {
		size_t n = len < (1u << 30) ? len : (1u << 30);
		int r = z->zs ? zlib_pump(z, p, n, Z_NO_FLUSH) : xz_pump(z, p, n, LZMA_RUN);

		if (r)
			return r;
		p += n;
		len -= n;
	}
	return 0;
}

static int z_write(struct sink *s, const void *buf, size_t len)
{
	struct zsink *z = (struct zsink *)s;

	if (z->err)
		return z->err;
	digest_update(&z->ud, buf, len);
	z->usize += len;
	if (z->zs || z->xs)
		return z->err = stream_write(z, buf, len);
	switch (z->c) {
	case COMP_GZIP: z->err = gz_write(z, buf, len); break;
	case COMP_ZSTD: z->err = zstd_pump(z, buf, len, ZSTD_e_continue); break;
	default: z->err = sink_write(z->out, buf, len);
	}
	return z->err;
}

static void stop_workers(struct zsink *z)
{
	pthread_mutex_lock(&z->mu);
	z->stop = 1;
	pthread_cond_broadcast(&z->work);
	pthread_mutex_unlock(&z->mu);
	for (int i = 0; i < z->nth; i++)
		pthread_join(z->th[i], NULL);
	z->nth = 0;
}

static void zfree(struct zsink *z)
{
	if (z->nth)
		stop_workers(z);
	for (size_t i = 0; z->jobs && i < z->njobs; i++) {
		free(z->jobs[i].in);
		free(z->jobs[i].out);
	}
	free(z->jobs);
	if (z->njobs) { /* the parallel gzip's */
		pthread_mutex_destroy(&z->mu);
		pthread_cond_destroy(&z->work);
		pthread_cond_destroy(&z->done);
	}
	ZSTD_freeCCtx(z->zc);
	if (z->zs)
		deflateEnd(z->zs);
	free(z->zs);
	if (z->xs)
		lzma_end(z->xs);
	free(z->xs);
	free(z->zbuf);
	if (z->ud.ctx)
		digest_free(&z->ud);
	free(z);
}

static int zsink_new(struct zsink **zp, enum compression c, struct sink *out)
{
	struct zsink *z = calloc(1, sizeof *z);
	int r;

	*zp = z;
	if (!z)
		return -ENOMEM;
	z->s.write = z_write;
	z->c = c;
	z->out = out;
	r = digest_init(&z->ud);
	if (r) {
		free(z);
		*zp = NULL;
	}
	return r;
}

int zsink_open_stream(struct zsink **zp, enum compression c, struct sink *out)
{
	struct zsink *z;
	int r = c == COMP_GZIP || c == COMP_XZ ? zsink_new(&z, c, out) : zsink_open(zp, c, out);

	if (r || (c != COMP_GZIP && c != COMP_XZ))
		return r;
	z->zcap = 1 << 18;
	z->zbuf = malloc(z->zcap);
	if (!z->zbuf)
		goto nomem;
	if (c == COMP_GZIP) {
		z->zs = calloc(1, sizeof *z->zs);
		if (!z->zs)
			goto nomem;
		/* windowBits 15 + 16: a gzip wrapper; zlib writes mtime 0, no name */
		if (deflateInit2(z->zs, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
		    Z_OK) {
			free(z->zs);
			z->zs = NULL;
			goto nomem;
		}
	} else {
		static const lzma_stream init = LZMA_STREAM_INIT;

		z->xs = malloc(sizeof *z->xs);
		if (!z->xs)
			goto nomem;
		*z->xs = init;
		if (lzma_easy_encoder(z->xs, XZ_PRESET, LZMA_CHECK_CRC32) != LZMA_OK) {
			free(z->xs);
			z->xs = NULL;
			goto nomem;
		}
	}
	*zp = z;
	return 0;
nomem:
	zfree(z);
	return fail(ENOMEM, "compression: out of memory");
}

int zsink_open(struct zsink **zp, enum compression c, struct sink *out)
{
	struct zsink *z;
	int r = c == COMP_XZ ? -EINVAL : zsink_new(&z, c, out);

	if (r)
		return r;
	if (c == COMP_GZIP) {
		int n = compression_threads();
		struct libdeflate_compressor *probe = libdeflate_alloc_compressor(GZIP_LEVEL);

		if (!probe) {
			digest_free(&z->ud);
			free(z);
			return fail(ENOMEM, "gzip: cannot allocate a compressor");
		}
		z->outcap = libdeflate_gzip_compress_bound(probe, GZIP_CHUNK);
		libdeflate_free_compressor(probe);
		pthread_mutex_init(&z->mu, NULL);
		pthread_cond_init(&z->work, NULL);
		pthread_cond_init(&z->done, NULL);
		z->njobs = (size_t)n * 2 + 2;
		z->jobs = calloc(z->njobs, sizeof *z->jobs);
		for (size_t i = 0; z->jobs && i < z->njobs; i++) {
			z->jobs[i].in = malloc(GZIP_CHUNK);
			z->jobs[i].out = malloc(z->outcap);
			if (!z->jobs[i].in || !z->jobs[i].out)
				goto nomem;
		}
		if (!z->jobs)
			goto nomem;
		for (int i = 0; i < n; i++) {
			if (pthread_create(&z->th[i], NULL, worker, z) != 0)
				break;
			z->nth++;
		}
		if (!z->nth)
			goto nomem;
	} else if (c == COMP_ZSTD) {
		z->zc = ZSTD_createCCtx();
		z->zcap = ZSTD_CStreamOutSize();
		z->zbuf = malloc(z->zcap);
		if (!z->zc || !z->zbuf)
			goto nomem;
		ZSTD_CCtx_setParameter(z->zc, ZSTD_c_compressionLevel, ZSTD_LEVEL);
		/* a fixed worker count: the frame must not depend on the machine
		 * (a libzstd without threads refuses it and writes another frame) */
		static int told;

		if (ZSTD_isError(ZSTD_CCtx_setParameter(z->zc, ZSTD_c_nbWorkers, 2)) && !told++)
			warnmsg("zstd: this libzstd has no threads: its layers differ byte "
				"for byte from those of a threaded libzstd (digests too)");
	}
	*zp = z;
	return 0;
nomem:
	zfree(z);
	return fail(ENOMEM, "compression: out of memory");
}

struct sink *zsink_sink(struct zsink *z)
{
	return &z->s;
}

int zsink_close(struct zsink *z, char diffid[DIGEST_HEX_LEN + 1], uint64_t *usize)
{
	int r = z->err;

	if (!r && z->zs) {
		r = zlib_pump(z, NULL, 0, Z_FINISH);
	} else if (!r && z->xs) {
		r = xz_pump(z, NULL, 0, LZMA_FINISH);
	} else if (!r && z->c == COMP_GZIP) {
		if (z->jobs[z->fill % z->njobs].inlen)
			r = submit(z);
		while (!r && z->emit < z->fill)
			r = emit(z, 1);
	} else if (!r && z->c == COMP_ZSTD) {
		r = zstd_pump(z, NULL, 0, ZSTD_e_end);
	}
	if (!r) {
		digest_final(&z->ud, diffid);
		*usize = z->usize;
	}
	zfree(z);
	return r;
}

void zsink_abort(struct zsink *z)
{
	if (z)
		zfree(z);
}
