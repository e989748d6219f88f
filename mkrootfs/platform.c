/* OCI platforms: from ELF files, from their "os/arch/variant" spelling,
 * and matched against image descriptors and configs. */
#include "platform.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "err.h"

static void set(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s ? s : "");
}

void platform_of_elf(const struct elf_info *e, struct platform *p)
{
	memset(p, 0, sizeof *p);
	set(p->os, sizeof p->os, "linux"); /* the only OS mkrootfs builds for */
	set(p->architecture, sizeof p->architecture, e->arch);
	set(p->variant, sizeof p->variant, e->variant);
}

int platform_of_file(const char *path, struct platform *p)
{
	struct elf_info e;
	int r = elf_read(path, &e);

	if (r)
		return r;
	platform_of_elf(&e, p);
	elf_free(&e);
	return 0;
}

static int word(const char *s, size_t n, int need)
{
	if (n == 0)
		return !need;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

int platform_parse(const char *spec, struct platform *p)
{
	const char *a = strchr(spec, '/'), *v = a ? strchr(a + 1, '/') : NULL;
	size_t ol = a ? (size_t)(a - spec) : 0;
	size_t al = a ? (v ? (size_t)(v - a - 1) : strlen(a + 1)) : 0;
	size_t vl = v ? strlen(v + 1) : 0;

	memset(p, 0, sizeof *p);
	if (!a || (v && strchr(v + 1, '/')) || !word(spec, ol, 1) || !word(a + 1, al, 1) ||
	    (v && !word(v + 1, vl, 1)) || ol >= sizeof p->os || al >= sizeof p->architecture ||
	    vl >= sizeof p->variant)
		return fail(EINVAL, "--platform %s: use OS/ARCH[/VARIANT] (linux/arm64/v8)", spec);
	memcpy(p->os, spec, ol);
	memcpy(p->architecture, a + 1, al);
	if (v)
		memcpy(p->variant, v + 1, vl);
	return 0;
}

const char *platform_str(const struct platform *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s%s%s", p->os, p->architecture, p->variant[0] ? "/" : "",
		 p->variant);
	return buf;
}

/* arm64's only variant is v8 in practice: an absent one means it. */
static const char *norm_variant(const char *arch, const char *v)
{
	if ((!v || !*v) && strcmp(arch, "arm64") == 0)
		return "v8";
	return v && *v ? v : NULL;
}

int platform_matches(const struct platform *want, const json_t *obj)
{
	const char *os = json_string_value(json_object_get(obj, "os"));
	const char *arch = json_string_value(json_object_get(obj, "architecture"));
	const char *wv, *v;

	if (!os || !arch || strcmp(os, want->os) != 0 || strcmp(arch, want->architecture) != 0)
		return 0;
	wv = norm_variant(want->architecture, want->variant);
	v = norm_variant(arch, json_string_value(json_object_get(obj, "variant")));
	return !wv || !v || strcmp(wv, v) == 0;
}

void platform_of_json(const json_t *obj, struct platform *p)
{
	memset(p, 0, sizeof *p);
	set(p->os, sizeof p->os, json_string_value(json_object_get(obj, "os")));
	set(p->architecture, sizeof p->architecture,
	    json_string_value(json_object_get(obj, "architecture")));
	set(p->variant, sizeof p->variant, json_string_value(json_object_get(obj, "variant")));
}

json_t *platform_json(const struct platform *p)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (json_object_set_new(o, "os", json_string(p->os)) ||
	    json_object_set_new(o, "architecture", json_string(p->architecture)) ||
	    (p->variant[0] && json_object_set_new(o, "variant", json_string(p->variant)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}
