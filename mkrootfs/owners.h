/* Who owns the files mkrootfs writes. Host directories and --add files
 * become 0:0 (as a Dockerfile COPY does) unless --keep-owner; tarball and
 * image layers keep their owners, modes and set-id bits (as ADD of a tar
 * does); --owner UID:GID sets one owner for every layer mkrootfs writes.
 * A set-id bit never survives a change of owner: it is dropped, with a
 * warning. */
#ifndef MKROOTFS_OWNERS_H
#define MKROOTFS_OWNERS_H
#include "layer.h"

struct owner_policy {
	int keep; /* --keep-owner: host files keep their owners too */
	int set;  /* --owner UID:GID given */
	unsigned uid, gid;
};

/* Parses "UID:GID" (numbers) into P; errors name OPT. */
int owner_parse(const char *opt, const char *arg, struct owner_policy *p);

/* Applies P to layer L. HOST: its files come from the host (a directory,
 * --add, the payload) rather than from an archive. INPUT names it in the
 * warning (NULL: L's name). */
int owners_apply(struct layer *l, const char *input, int host, const struct owner_policy *p);

#endif
