/* A payload for the --essentials tests: verifies the certificate chain
 * of PEM file argv[1] against the image's CA bundle (offline, as a TLS
 * client does), looks up argv[2] in /etc/passwd, and prints
 * "verify=ok|FAIL:reason user=NAME:UID:GID:HOME uid=N tmp=MODE". Static
 * (glibc + libcrypto). */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static const char *verify(const char *leaf_path)
{
	static char why[200];
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	FILE *f = fopen(leaf_path, "r");
	X509 *leaf = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	const char *res = "ok";

	if (f)
		fclose(f);
	if (!store || !ctx || !leaf)
		res = "FAIL:no leaf";
	else if (X509_STORE_load_file(store, BUNDLE) != 1)
		res = "FAIL:no bundle";
	else if (X509_STORE_CTX_init(ctx, store, leaf, NULL) != 1)
		res = "FAIL:init";
	else if (X509_verify_cert(ctx) != 1) {
		snprintf(why, sizeof why, "FAIL:%s",
			 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		res = why;
	}
	X509_free(leaf);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return res;
}

/* getpwnam's job, done by hand: a static glibc cannot load NSS modules. */
static int lookup(const char *name, char *out, size_t size)
{
	FILE *f = fopen("/etc/passwd", "r");
	char line[512];
	size_t n = strlen(name);

	snprintf(out, size, "none");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		char *p[7], *s = line;
		int i;

		line[strcspn(line, "\n")] = 0;
		for (i = 0; i < 7 && s; i++) {
			p[i] = s;
			s = strchr(s, ':');
			if (s)
				*s++ = 0;
		}
		if (i == 7 && strlen(p[0]) == n && strcmp(p[0], name) == 0) {
			snprintf(out, size, "%s:%s:%s:%s", p[0], p[2], p[3], p[5]);
			break;
		}
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	char user[300];
	struct stat st;

	if (argc < 3) {
		fputs("usage: tlscheck LEAF.pem USER\n", stderr);
		return 2;
	}
	lookup(argv[2], user, sizeof user);
	printf("verify=%s user=%s uid=%u tmp=%o\n", verify(argv[1]), user, (unsigned)getuid(),
	       stat("/tmp", &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0u);
	return 0;
}
