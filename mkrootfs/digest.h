/* SHA-256 digests as OCI spells them ("sha256:" + 64 hex digits). */
#ifndef MKROOTFS_DIGEST_H
#define MKROOTFS_DIGEST_H
#include <stddef.h>

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN) /* "sha256:" + hex */

struct digest {
	void *ctx; /* EVP_MD_CTX */
};

int digest_init(struct digest *d);
void digest_update(struct digest *d, const void *buf, size_t len);
/* Writes the 64 hex digits and a NUL to HEX, frees the context. */
void digest_final(struct digest *d, char hex[DIGEST_HEX_LEN + 1]);
void digest_free(struct digest *d);
/* One-shot: HEX = sha256(BUF). */
int digest_buf(const void *buf, size_t len, char hex[DIGEST_HEX_LEN + 1]);
/* True when S is 64 lowercase hex digits. */
int digest_hex_valid(const char *s);

#endif
