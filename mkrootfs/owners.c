/* Owners of the entries of a layer (owners.h). */
#include "owners.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "err.h"

int owner_parse(const char *opt, const char *arg, struct owner_policy *p)
{
	char *end;
	unsigned long u, g;

	u = strtoul(arg, &end, 10);
	if (end == arg || *end != ':' || arg[0] == '-')
		return fail(EINVAL, "%s %s: use UID:GID (numbers)", opt, arg);
	g = strtoul(end + 1, &end, 10);
	if (end[-1] == ':' || *end || end[0] == '-' || u > 0xfffffffe || g > 0xfffffffe ||
	    arg[0] == '+')
		return fail(EINVAL, "%s %s: use UID:GID (numbers)", opt, arg);
	p->set = 1;
	p->uid = (unsigned)u;
	p->gid = (unsigned)g;
	return 0;
}

int owners_apply(struct layer *l, const char *input, int host, const struct owner_policy *p)
{
	unsigned uid = 0, gid = 0;
	const char *first = NULL;
	size_t dropped = 0;

	if (p && p->set) {
		uid = p->uid;
		gid = p->gid;
	} else if (!host || (p && p->keep)) {
		return 0;
	}
	for (size_t i = 0; i < l->n; i++) {
		struct entry *e = l->v[i];

		if (e->type == ET_WHITEOUT || e->type == ET_OPAQUE)
			continue;
		if (e->uid == uid && e->gid == gid)
			continue;
		/* a set-id bit means "run as this owner": it goes with the owner */
		if (e->type != ET_DIR && (e->mode & (S_ISUID | S_ISGID))) {
			e->mode &= ~(unsigned)(S_ISUID | S_ISGID);
			if (!dropped++)
				first = e->path;
		}
		e->uid = uid;
		e->gid = gid;
	}
	if (dropped)
		warnmsg("%s: set-id bits dropped from %zu file%s whose owner changed to %u:%u "
			"(first: %s)",
			input ? input : l->name, dropped, dropped == 1 ? "" : "s", uid, gid, first);
	return 0;
}
