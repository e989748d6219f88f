/* The SPDX 2.3 document of an image (sbom.h). */
#include "sbom.h"
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "err.h"
#include "oci.h"
#include "outtar.h"

#define NS "https://tinyinit.invalid/spdx/"

struct fsum {
	const char *path;      /* without the leading '/' */
	const struct entry *e; /* the data (a hardlink's target) */
	char sha256[65], sha1[41];
};

/* Is PATH of layer I hidden by a layer above it (replaced, deleted, or
 * beneath an opaque directory, a whiteout or a non-directory)? */
static int hidden(struct layer *const *v, size_t n, size_t i, const char *path)
{
	char *p = strdup(path);
	int h = 0;

	if (!p)
		return -ENOMEM;
	for (size_t j = i + 1; !h && j < n; j++) {
		const struct entry *d = layer_find_del(v[j], path);

		if (layer_find(v[j], path) || (d && d->type == ET_WHITEOUT)) {
			h = 1;
			break;
		}
		for (char *s = strchr(p, '/'); s && !h; s = strchr(s + 1, '/')) {
			const struct entry *a;

			*s = 0;
			a = layer_find(v[j], p);
			d = layer_find_del(v[j], p);
			h = (a && a->type != ET_DIR) || d;
			*s = '/';
		}
	}
	free(p);
	return h;
}

static void hex(const unsigned char *b, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static int hash_entry(struct fsum *f)
{
	const struct entry *e = f->e;
	EVP_MD_CTX *c256 = EVP_MD_CTX_new(), *c1 = EVP_MD_CTX_new();
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
	int fd = -1, r = 0;

	if (!c256 || !c1 || !EVP_DigestInit_ex(c256, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(c1, EVP_sha1(), NULL))
		r = fail(ENOMEM, "sbom: no digest context");
	if (!r && e->src == SRC_DISK && (fd = entry_open_disk(e)) < 0)
		r = fd;
	for (uint64_t off = 0; !r && off < e->size;) {
		size_t n = e->size - off < sizeof buf ? (size_t)(e->size - off) : sizeof buf;

		r = entry_read(e, fd, buf, n, off);
		if (!r) {
			EVP_DigestUpdate(c256, buf, n);
			EVP_DigestUpdate(c1, buf, n);
		}
		off += n;
	}
	if (!r) {
		EVP_DigestFinal_ex(c256, md, &mdlen);
		hex(md, mdlen, f->sha256);
		EVP_DigestFinal_ex(c1, md, &mdlen);
		hex(md, mdlen, f->sha1);
	}
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(c256);
	EVP_MD_CTX_free(c1);
	return r;
}

static int cmp_fsum(const void *a, const void *b)
{
	return strcmp(((const struct fsum *)a)->path, ((const struct fsum *)b)->path);
}

/* The regular files of the stacked layers, sorted by path, hashed. */
static int collect(const struct sbom_in *in, struct fsum **out, size_t *nout)
{
	struct fsum *v = NULL;
	size_t n = 0, cap = 0;
	int r = 0;

	for (size_t i = 0; !r && i < in->nlayers; i++) {
		const struct layer *l = in->layers[i];

		for (size_t k = 0; !r && k < l->n; k++) {
			const struct entry *e = l->v[k];
			int h;

			if (e->type == ET_HARDLINK)
				e = layer_find(l, e->link);
			if (!e || e->type != ET_FILE)
				continue;
			h = hidden(in->layers, in->nlayers, i, l->v[k]->path);
			if (h < 0)
				r = h;
			if (h)
				continue;
			if (n == cap) {
				struct fsum *nv =
				    realloc(v, (cap = cap ? 2 * cap : 256) * sizeof *v);

				if (!nv) {
					r = -ENOMEM;
					break;
				}
				v = nv;
			}
			v[n].path = l->v[k]->path;
			v[n].e = e;
			r = hash_entry(&v[n++]);
		}
	}
	if (r) {
		free(v);
		return r;
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_fsum);
	*out = v;
	*nout = n;
	return 0;
}

static json_t *checksums(const char *sha256, const char *sha1)
{
	json_t *a = json_array();

	json_array_append_new(
	    a, json_pack("{s:s,s:s}", "algorithm", "SHA256", "checksumValue", sha256));
	if (sha1)
		json_array_append_new(
		    a, json_pack("{s:s,s:s}", "algorithm", "SHA1", "checksumValue", sha1));
	return a;
}

static void relate(json_t *rels, const char *a, const char *type, const char *b)
{
	json_array_append_new(rels, json_pack("{s:s,s:s,s:s}", "spdxElementId", a,
					      "relationshipType", type, "relatedSpdxElement", b));
}

static const struct fsum *find_file(const struct fsum *v, size_t n, const char *path)
{
	struct fsum key = {.path = path[0] == '/' ? path + 1 : path};

	return n ? bsearch(&key, v, n, sizeof *v, cmp_fsum) : NULL;
}

static int isalnum_ascii(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.';
}

/* SPDX ids: letters, digits, '.' and '-'. */
static void spdx_id(char *out, size_t size, const char *prefix, const char *name)
{
	size_t k = (size_t)snprintf(out, size, "SPDXRef-%s-", prefix);

	for (; *name && k + 1 < size; name++)
		out[k++] = (char)(isalnum_ascii(*name) ? *name : '-');
	out[k] = 0;
}

int sbom_doc(const struct sbom_in *in, json_t **out)
{
	struct fsum *fs = NULL;
	size_t nf = 0;
	json_t *doc, *files, *pkgs, *rels, *img;
	char id[300], when[32], pid0[300] = "";
	char *canon, h[65];
	size_t clen;
	int r = collect(in, &fs, &nf);

	*out = NULL;
	if (r)
		return r;
	rfc3339(in->epoch, when);
	doc = json_object();
	files = json_array();
	pkgs = json_array();
	rels = json_array();
	if (!doc || !files || !pkgs || !rels) {
		r = -ENOMEM;
		goto out;
	}
	json_object_set_new(doc, "spdxVersion", json_string("SPDX-2.3"));
	json_object_set_new(doc, "dataLicense", json_string("CC0-1.0"));
	json_object_set_new(doc, "SPDXID", json_string("SPDXRef-DOCUMENT"));
	json_object_set_new(doc, "name", json_string(in->name));
	json_object_set_new(
	    doc, "creationInfo",
	    json_pack("{s:s,s:[s]}", "created", when, "creators", "Tool: mkrootfs"));
	img = json_pack("{s:s,s:s,s:s,s:b,s:s}", "SPDXID", "SPDXRef-Image", "name", in->name,
			"downloadLocation", "NOASSERTION", "filesAnalyzed", 0,
			"primaryPackagePurpose", "CONTAINER");
	json_array_append_new(pkgs, img);
	relate(rels, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image");
	for (size_t i = 0; i < nf; i++) {
		char fid[48], *name = malloc(strlen(fs[i].path) + 3);

		if (!name) {
			r = -ENOMEM;
			goto out;
		}
		sprintf(name, "./%s", fs[i].path);
		snprintf(fid, sizeof fid, "SPDXRef-File-%zu", i + 1);
		json_t *fo = json_pack("{s:s,s:s,s:o}", "fileName", name, "SPDXID", fid,
				       "checksums", checksums(fs[i].sha256, fs[i].sha1));

		/* never an SBOM with a file left out: a name that is not UTF-8
		 * (SPDX is JSON) stops it */
		if (!fo)
			r = utf8_arg("SBOM: file", name) ? -EILSEQ : -ENOMEM;
		free(name);
		if (r)
			goto out;
		json_array_append_new(files, fo);
		relate(rels, "SPDXRef-Image", "CONTAINS", fid);
	}
	for (size_t i = 0; i < in->npkgs; i++) {
		const struct sbom_pkg *p = &in->pkgs[i];
		const struct fsum *f = find_file(fs, nf, p->path);
		json_t *o;

		spdx_id(id, sizeof id, "Package", p->name);
		if (i == 0)
			snprintf(pid0, sizeof pid0, "%s", id);
		o = json_pack("{s:s,s:s,s:s,s:b,s:s}", "SPDXID", id, "name", p->name,
			      "downloadLocation", "NOASSERTION", "filesAnalyzed", 0,
			      "primaryPackagePurpose", p->purpose);
		if (!o) {
			r = utf8_arg("SBOM: package", p->name) ? -EILSEQ : -ENOMEM;
			goto out;
		}
		if (f) {
			char fid[48];

			json_object_set_new(o, "checksums", checksums(f->sha256, NULL));
			snprintf(fid, sizeof fid, "SPDXRef-File-%zu", (size_t)(f - fs) + 1);
			relate(rels, id, "CONTAINS", fid);
		}
		json_array_append_new(pkgs, o);
		relate(rels, "SPDXRef-Image", "CONTAINS", id);
		if (p->depends && pid0[0])
			relate(rels, pid0, "DEPENDS_ON", id);
	}
	for (size_t i = 0; i < in->nbase; i++) {
		const char *d = in->base_layers[i];
		char name[400];

		snprintf(name, sizeof name, "%s layer %zu", in->base_name ? in->base_name : "base",
			 i + 1);
		snprintf(id, sizeof id, "SPDXRef-BaseLayer-%zu", i + 1);
		json_array_append_new(
		    pkgs, json_pack("{s:s,s:s,s:s,s:b,s:s,s:o,s:s}", "SPDXID", id, "name", name,
				    "downloadLocation", "NOASSERTION", "filesAnalyzed", 0,
				    "primaryPackagePurpose", "CONTAINER", "checksums",
				    checksums(strncmp(d, "sha256:", 7) == 0 ? d + 7 : d, NULL),
				    "comment", d));
		relate(rels, "SPDXRef-Image", "DESCENDANT_OF", id);
	}
	json_object_set_new(doc, "packages", pkgs);
	json_object_set_new(doc, "files", files);
	json_object_set_new(doc, "relationships", rels);
	pkgs = files = rels = NULL;
	/* the namespace names the content: the same image, the same document */
	canon = json_canon(doc, &clen);
	if (!canon || digest_buf(canon, clen, h)) {
		free(canon);
		r = -ENOMEM;
		goto out;
	}
	free(canon);
	snprintf(id, sizeof id, NS "%s-%s", in->name, h);
	json_object_set_new(doc, "documentNamespace", json_string(id));
	*out = doc;
	doc = NULL;
out:
	json_decref(doc);
	json_decref(files);
	json_decref(pkgs);
	json_decref(rels);
	free(fs);
	return r == -ENOMEM ? fail(ENOMEM, "sbom: out of memory") : r;
}

int sbom_write(const char *path, const struct sbom_in *in)
{
	json_t *doc;
	struct outtar ot;
	char *s;
	int r = sbom_doc(in, &doc);

	if (r)
		return r;
	s = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(doc);
	if (!s)
		return fail(ENOMEM, "%s: out of memory", path);
	r = outtar_open(&ot, path, in->epoch);
	if (!r) {
		r = sink_write(&ot.raw, s, strlen(s));
		if (!r)
			r = sink_write(&ot.raw, "\n", 1);
		if (!r)
			r = outtar_commit(&ot, 0);
		else
			outtar_abort(&ot);
	}
	free(s);
	return r;
}
