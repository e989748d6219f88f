/* Option parsing: one table serves argv, TINYINIT_* and tinyinit.KEY=. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/wait.h>

#include "fmt.h"

enum kind {
	K_FLAG,
	K_COUNT,
	K_UINT,
	K_SIG,
	K_STR,
	K_SIZE,
	K_USER,
	K_ENV,
	K_EXPECT,
	K_REWRITE,
	K_HELP,
	K_VERSION
};

struct optdef {
	char shrt;
	unsigned char kind;
	unsigned short off; /* offsetof(struct config, field) for scalar kinds */
	char name[14];
};

#define F(field) offsetof(struct config, field)

static const struct optdef opts[] = {
    {'s', K_FLAG, F(subreaper), "subreaper"},
    {'g', K_FLAG, F(kill_group), "kill-group"},
    {'p', K_SIG, F(pdeath_signal), "pdeath-signal"},
    {'v', K_COUNT, F(verbose), "verbose"},
    {'e', K_EXPECT, 0, "expect"},
    {0, K_REWRITE, 0, "rewrite"},
    {0, K_UINT, F(grace), "grace"},
    {'P', K_FLAG, F(pause), "pause"},
    {0, K_STR, F(layers), "layers"},
    {0, K_FLAG, F(no_rootfs), "no-rootfs"},
    {0, K_STR, F(upper), "upper"},
    {0, K_SIZE, F(upper_size), "upper-size"},
    {0, K_FLAG, F(dry_run), "dry-run"},
    {'w', K_STR, F(workdir), "workdir"},
    {'u', K_USER, 0, "user"},
    {0, K_ENV, 0, "env"},
    {0, K_FLAG, F(no_new_privs), "no-new-privs"},
    {0, K_FLAG, F(keep_caps), "keep-caps"},
    {0, K_STR, F(on_exit), "on-exit"},
    {'h', K_HELP, 0, "help"},
    {0, K_VERSION, 0, "version"},
};

#define NOPTS (sizeof opts / sizeof opts[0])

void config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->uid = c->gid = c->exec_fd = -1;
	for (int i = 0; i <= SIG_LAST; i++)
		c->rewrite[i] = (unsigned char)i;
}

static int *field(struct config *c, const struct optdef *o)
{
	return (int *)((char *)c + o->off);
}

/* Name match that treats '-' and '_' alike and ignores case. */
static int name_is(const char *s, size_t n, const char *name)
{
	size_t i = 0;

	for (; i < n && name[i]; i++) {
		char a = s[i], b = name[i];
		if (a == '_')
			a = '-';
		if (a >= 'A' && a <= 'Z')
			a += 32;
		if (a != b)
			return 0;
	}
	return i == n && !name[i];
}

static const struct optdef *find_long(const char *s, size_t n)
{
	for (unsigned i = 0; i < NOPTS; i++)
		if (name_is(s, n, opts[i].name))
			return &opts[i];
	return NULL;
}

/* Decimal without sign, at most max; -1 if not one. */
static long parse_uint(const char *s, long max)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

static int parse_bool(const char *s)
{
	static const char *const yes[] = {"1", "yes", "true", "on"}, *const no[] = {"0", "no",
										    "false", "off",
										    ""};

	for (unsigned i = 0; i < 4; i++)
		if (name_is(s, strlen(s), yes[i]))
			return 1;
	for (unsigned i = 0; i < 5; i++)
		if (name_is(s, strlen(s), no[i]))
			return 0;
	return -1;
}

/* Applies a comma-separated list of expect codes or S:R rewrites. */
static int set_list(struct config *c, enum kind k, const char *v)
{
	char item[32];

	while (*v) {
		size_t n = (size_t)(chrnul(v, ',') - v);
		if (n == 0 || n >= sizeof item)
			return -1;
		memcpy(item, v, n);
		item[n] = 0;
		v += n + (v[n] == ',');
		if (k == K_EXPECT) {
			long code = parse_uint(item, 255);
			if (code < 0)
				return -1;
			c->expect[code / 32] |= 1u << (code % 32);
		} else {
			char *colon = (char *)chrnul(item, ':');
			if (!*colon)
				return -1;
			*colon = 0;
			int from = sig_parse(item, 0), to = sig_parse(colon + 1, 1);
			if (from < 0 || to < 0)
				return -1;
			c->rewrite[from] = (unsigned char)to;
		}
	}
	return 0;
}

/* tmpfs sizes: digits with an optional k, m, g or % (nothing that could
 * smuggle another mount option in). */
static int valid_size(const char *v)
{
	const char *p = v;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p > v && *p && !p[1] && *chrnul("kKmMgG%", *p))
		p++;
	return p > v && !*p;
}

/* UID[:GID], numeric. */
static int set_user(struct config *c, const char *v)
{
	char uid[12];
	const char *colon = chrnul(v, ':');
	size_t n = (size_t)(colon - v);
	long u, g = -1;

	if (n == 0 || n >= sizeof uid)
		return -1;
	memcpy(uid, v, n);
	uid[n] = 0;
	if ((u = parse_uint(uid, 0x7fffffff)) < 0 ||
	    (*colon && (g = parse_uint(colon + 1, 0x7fffffff)) < 0))
		return -1;
	c->uid = (int)u;
	c->gid = (int)g;
	return 0;
}

/* Applies a value to an option; returns 0 or -EINVAL. */
static int apply(struct config *c, const struct optdef *o, const char *v)
{
	long n;

	switch (o->kind) {
	case K_SIZE:
		if (!valid_size(v))
			return -EINVAL;
		/* fall through */
	case K_STR:
		if (!*v)
			return -EINVAL;
		*(const char **)((char *)c + o->off) = v;
		return 0;
	case K_USER: return set_user(c, v) ? -EINVAL : 0;
	case K_ENV:
		if (*chrnul(v, '=') != '=' || *v == '=' || c->nenv >= ENV_MAX)
			return -EINVAL;
		c->env[c->nenv++] = v;
		return 0;
	case K_FLAG:
		if ((n = parse_bool(v)) < 0)
			return -EINVAL;
		break;
	case K_COUNT:
		if ((n = parse_uint(v, 9)) < 0)
			return -EINVAL;
		break;
	case K_UINT:
		if ((n = parse_uint(v, 86400)) < 0)
			return -EINVAL;
		break;
	case K_SIG:
		if ((n = sig_parse(v, 1)) < 0)
			return -EINVAL;
		break;
	case K_EXPECT:
	case K_REWRITE: return set_list(c, (enum kind)o->kind, v) ? -EINVAL : 0;
	default: return -EINVAL;
	}
	*field(c, o) = (int)n;
	return 0;
}

/* "'abc' is not a number of seconds", prefixed by how the option was named. */
static int bad_value(const char *label, const struct optdef *o, const char *v, char *err,
		     size_t errlen)
{
	static const char *const want[] = {
	    [K_FLAG] = "0 or 1",
	    [K_COUNT] = "a level 0-9",
	    [K_UINT] = "a number of seconds",
	    [K_SIG] = "a signal name or number",
	    [K_EXPECT] = "exit codes 0-255",
	    [K_REWRITE] = "SIGNAL:SIGNAL pairs",
	    [K_STR] = "a path",
	    [K_SIZE] = "a size (64m, 50%)",
	    [K_USER] = "UID[:GID]",
	    [K_ENV] = "K=V (at most 64)",
	};
	fmt_buf(err, errlen, "%s%s: '%s' is not %s", label, label[0] == '-' ? o->name : "", v,
		want[o->kind]);
	return -EINVAL;
}

int config_set(struct config *c, const char *label, const char *name, size_t namelen,
	       const char *value, char *err, size_t errlen)
{
	const struct optdef *o = find_long(name, namelen);

	if (!o || o->kind >= K_HELP)
		return -ENOENT;
	if (apply(c, o, value))
		return bad_value(label, o, value, err, errlen);
	return 0;
}

int config_env(struct config *c, char *const envp[], char *err, size_t errlen)
{
	static const char prefix[] = "TINYINIT_";

	for (; envp && *envp; envp++) {
		const char *e = *envp, *eq = chrnul(e, '=');
		char label[40];
		if (!*eq || !starts(e, prefix) || eq - e >= (long)sizeof label)
			continue;
		memcpy(label, e, (size_t)(eq - e));
		label[eq - e] = 0;
		e += sizeof prefix - 1;
		int rc = config_set(c, label, e, (size_t)(eq - e), eq + 1, err, errlen);
		if (rc == -EINVAL)
			return rc;
	}
	return 0;
}

/* Handles one option given on the command line; *i advances past a
 * separate value. inl is the value after '=' or the rest of a short group. */
static int arg_opt(struct config *c, const struct optdef *o, const char *inl, int argc, char **argv,
		   int *i, char *err, size_t errlen)
{
	if (o->kind == K_HELP)
		return CFG_HELP;
	if (o->kind == K_VERSION)
		return CFG_VERSION;
	if (o->kind == K_FLAG && !inl) {
		*field(c, o) = 1;
		return 0;
	}
	if (o->kind == K_COUNT && !inl) {
		(*field(c, o))++;
		return 0;
	}
	if (!inl) {
		if (*i + 1 >= argc) {
			fmt_buf(err, errlen, "--%s needs a value", o->name);
			return -EINVAL;
		}
		inl = argv[++*i];
	}
	return apply(c, o, inl) ? bad_value("--", o, inl, err, errlen) : 0;
}

int config_args(struct config *c, int argc, char **argv, char *err, size_t errlen)
{
	int i = 1;

	for (; i < argc; i++) {
		const char *a = argv[i];
		int rc = 0;

		if (a[0] != '-' || !a[1])
			break;
		if (a[1] == '-' && !a[2]) {
			i++;
			break;
		}
		if (a[1] == '-') {
			const char *eq = chrnul(a + 2, '=');
			const struct optdef *o = find_long(a + 2, (size_t)(eq - a - 2));
			if (!o) {
				fmt_buf(err, errlen, "unknown option %s", a);
				return -EINVAL;
			}
			rc = arg_opt(c, o, *eq ? eq + 1 : NULL, argc, argv, &i, err, errlen);
		} else {
			/* A group of short options: -vvg, -e3, -e 3. */
			for (const char *p = a + 1; *p && !rc; p++) {
				const struct optdef *o = NULL;
				for (unsigned k = 0; k < NOPTS; k++)
					if (opts[k].shrt == *p)
						o = &opts[k];
				if (!o) {
					fmt_buf(err, errlen, "unknown option -%c", *p);
					return -EINVAL;
				}
				int takes = o->kind > K_COUNT && o->kind < K_HELP;
				rc = arg_opt(c, o, takes && p[1] ? p + 1 : NULL, argc, argv, &i,
					     err, errlen);
				if (takes)
					break;
			}
		}
		if (rc)
			return rc;
	}
	c->argv = i < argc ? argv + i : NULL;
	if (!c->argv && !c->pause) {
		fmt_buf(err, errlen, "no program given");
		return -EINVAL;
	}
	if (c->argv && c->pause) {
		fmt_buf(err, errlen, "--pause takes no program");
		return -EINVAL;
	}
	return CFG_RUN;
}

int exit_status(const struct config *c, int wstatus)
{
	int code = WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);

	code &= 255;
	return (c->expect[code / 32] >> (code % 32)) & 1 ? 0 : code;
}
