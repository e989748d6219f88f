/* SHA-256 through libcrypto's EVP interface. */
#include <errno.h>
#include <string.h>
#include <openssl/evp.h>
#include "digest.h"
#include "err.h"

int digest_init(struct digest *d)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(c);
		return fail(ENOMEM, "cannot set up SHA-256");
	}
	d->ctx = c;
	return 0;
}

void digest_update(struct digest *d, const void *buf, size_t len)
{
	if (len)
		EVP_DigestUpdate(d->ctx, buf, len);
}

void digest_final(struct digest *d, char hex[DIGEST_HEX_LEN + 1])
{
	static const char xd[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned n = 0;

	EVP_DigestFinal_ex(d->ctx, md, &n);
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = xd[md[i] >> 4];
		hex[2 * i + 1] = xd[md[i] & 15];
	}
	hex[DIGEST_HEX_LEN] = 0;
	digest_free(d);
}

void digest_free(struct digest *d)
{
	EVP_MD_CTX_free(d->ctx);
	d->ctx = NULL;
}

int digest_buf(const void *buf, size_t len, char hex[DIGEST_HEX_LEN + 1])
{
	struct digest d;
	int r = digest_init(&d);

	if (r)
		return r;
	digest_update(&d, buf, len);
	digest_final(&d, hex);
	return 0;
}

int digest_hex_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == DIGEST_HEX_LEN;
}
