/* OCI platforms (os/architecture/variant): the one of an ELF file, the
 * spelling "linux/arm64/v8", and whether an image's platform matches. The
 * image writer and the base-image reader use them, and so can anything
 * that builds a multi-platform index. */
#ifndef MKROOTFS_PLATFORM_H
#define MKROOTFS_PLATFORM_H
#include <jansson.h>
#include "elfinfo.h"

struct platform {
	char os[16], architecture[16], variant[8]; /* variant "" when none */
};

/* The platform a parsed ELF runs on ("linux/amd64", "linux/arm64/v8",
 * "linux/arm/v7", ...). */
void platform_of_elf(const struct elf_info *e, struct platform *p);
/* The same for the ELF file at PATH; errors name it. */
int platform_of_file(const char *path, struct platform *p);
/* Parses "OS/ARCH[/VARIANT]"; -EINVAL with a message naming SPEC. */
int platform_parse(const char *spec, struct platform *p);
/* "os/architecture[/variant]" into BUF. */
const char *platform_str(const struct platform *p, char *buf, size_t size);
/* 1 when an OCI platform object {"os","architecture","variant"} (or a
 * config document, which has the same fields) is WANT: os and
 * architecture equal, variants equal when both are given (arm64's
 * default "v8" and an absent one are the same). */
int platform_matches(const struct platform *want, const json_t *obj);
/* The platform of an OCI platform object (missing fields empty). */
void platform_of_json(const json_t *obj, struct platform *p);
/* The platform object for descriptors and configs (a new reference). */
json_t *platform_json(const struct platform *p);

#endif
