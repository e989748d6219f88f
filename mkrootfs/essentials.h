/* What a FROM-scratch image needs in production and does not get from a
 * static payload (--essentials): a CA bundle, /etc/passwd and /etc/group
 * with root and nonroot (65532), /etc/nsswitch.conf, /tmp (1777); and with
 * --tzdata the time zone database. */
#ifndef MKROOTFS_ESSENTIALS_H
#define MKROOTFS_ESSENTIALS_H
#include "layer.h"

#define NONROOT_ID     65532u
#define ESS_CA_PATH    "etc/ssl/certs/ca-certificates.crt"
#define ESS_HOST_CA    "/etc/ssl/certs/ca-certificates.crt"
#define ESS_HOST_TZDIR "/usr/share/zoneinfo"

struct essentials {
	int on;		   /* --essentials (or --ca-bundle) */
	int tzdata;	   /* --tzdata */
	const char *ca;	   /* --ca-bundle FILE (NULL: the host's ESS_HOST_CA) */
	const char *tzdir; /* the zoneinfo tree (NULL: ESS_HOST_TZDIR) */
	char *user;	   /* the resolved --user, owned */
};

/* Adds the essentials E asks for to L, every path L does not hold yet
 * (files already there, --add ones, win). Owners 0:0, but /home/nonroot,
 * which is nonroot's. */
int essentials_add(const struct essentials *e, struct layer *l);

/* USER[:GROUP] with the names of the essentials' /etc/passwd and
 * /etc/group resolved to numbers ("nonroot" -> "65532:65532"); numbers
 * stay as they are. *OUT is a new string. An unknown name is an error. */
int essentials_user(const char *spec, char **out);

/* Checks that FILE holds at least one PEM certificate. */
int essentials_check_bundle(const char *file);

#endif
