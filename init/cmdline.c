/* The kernel command line: words separated by blanks, double quotes
 * grouping blanks into a word (param="a b"), "--" ending the kernel's part. */
#include "cmdline.h"

#include <errno.h>
#include <string.h>

#include "../include/initramfs.h"
#include "fmt.h"

/* Cuts the next word out of *p (quotes removed); NULL at the end. */
static char *next_word(char **p)
{
	char *s = *p, *d;
	int quoted = 0;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s)
		return NULL;
	char *word = d = s;
	for (; *s && (quoted || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
		if (*s == '"')
			quoted = !quoted;
		else
			*d++ = *s;
	}
	*p = *s ? s + 1 : s;
	*d = 0;
	return word;
}

int cmdline_apply(struct config *c, char *buf, char *err, size_t errlen)
{
	size_t pre = sizeof CMDLINE_PREFIX - 1;

	for (char *p = buf, *w; (w = next_word(&p));) {
		if (!strcmp(w, "--"))
			break;
		if (!starts(w, CMDLINE_PREFIX))
			continue;
		char *key = w + pre, *eq = (char *)chrnul(key, '=');
		const char *val = "1";
		if (*eq) {
			*eq = 0;
			val = eq + 1;
		}
		int rc = config_set(c, w, key, strlen(key), val, err, errlen);
		if (rc == -ENOENT)
			say("ignoring unknown kernel parameter %s", w);
		else if (rc)
			return rc;
	}
	return 0;
}
