/* tinyinit.KEY=VALUE options from the kernel command line. */
#ifndef TINYINIT_CMDLINE_H
#define TINYINIT_CMDLINE_H

#include "config.h"

/* Applies every "tinyinit.KEY[=VALUE]" word of the kernel command line in
 * buf (NUL-terminated; split and unquoted in place, and kept by c) up to a
 * lone "--". A key alone sets it to "1". Unknown keys are reported on
 * stderr and skipped. Returns 0, or -EINVAL with err naming the word. */
int cmdline_apply(struct config *c, char *buf, char *err, size_t errlen);

#endif
