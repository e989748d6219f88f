/* The tinyinit options that carry what a runtime would otherwise apply
 * (--workdir, --user, --env), from the options and the base image. */
#include "plan.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Adds K=V to OUT, replacing an earlier K. */
static int env_set(struct strlist *out, const char *kv)
{
	size_t kl = (size_t)(strchr(kv, '=') - kv);

	for (size_t i = 0; i < out->n; i++) {
		if (strncmp(out->v[i], kv, kl + 1) == 0) {
			char *n = strdup(kv);

			if (!n)
				return -ENOMEM;
			free(out->v[i]);
			out->v[i] = n;
			return 0;
		}
	}
	return strlist_add(out, kv);
}

int plan_init_words(const struct build_opts *o, const struct plan *p, int with_env,
		    struct strlist *out)
{
	json_t *bc = p->base ? json_object_get(p->base, "config") : NULL;
	const char *wd = o->workdir, *user = o->user;
	struct strlist env = {0};
	int r = 0;

	if (!wd)
		wd = json_string_value(json_object_get(bc, "WorkingDir"));
	if (!user)
		user = json_string_value(json_object_get(bc, "User"));
	if (wd && *wd && !(r = strlist_add(out, "--workdir")))
		r = strlist_add(out, wd);
	if (!r && user && *user && !(r = strlist_add(out, "--user")))
		r = strlist_add(out, user);
	if (!with_env || r)
		return r;
	for (size_t i = 0; !r && i < json_array_size(json_object_get(bc, "Env")); i++) {
		const char *kv = json_string_value(json_array_get(json_object_get(bc, "Env"), i));

		if (kv && strchr(kv, '=') && kv[0] != '=')
			r = env_set(&env, kv);
	}
	for (size_t i = 0; !r && i < o->env.n; i++)
		r = env_set(&env, o->env.v[i]);
	for (size_t i = 0; !r && i < env.n; i++)
		if (!(r = strlist_add(out, "--env")))
			r = strlist_add(out, env.v[i]);
	strlist_free(&env);
	return r;
}
