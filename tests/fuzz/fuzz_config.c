/* libFuzzer target: tinyinit's option parser (command line, environment
 * and kernel-command-line keys) on arbitrary NUL-separated words. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../init/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *argv[66], *envp[66];
	int argc = 1, envc = 0;
	struct config c;
	char err[256];

	memcpy(buf, data, size);
	buf[size] = 0;
	argv[0] = "tinyinit";
	/* Words before the first empty word are the environment, the rest argv. */
	int in_env = 1;
	for (char *p = buf; p < buf + size && argc < 65 && envc < 65; p += strlen(p) + 1) {
		if (!*p) {
			in_env = 0;
			continue;
		}
		if (in_env)
			envp[envc++] = p;
		else
			argv[argc++] = p;
	}
	envp[envc] = NULL;
	argv[argc] = NULL;
	config_init(&c);
	if (config_env(&c, envp, err, sizeof err) == 0)
		config_args(&c, argc, argv, err, sizeof err);
	for (int i = 0; i < envc; i++) {
		const char *eq = strchr(envp[i], '=');
		if (eq)
			config_set(&c, "fuzz", envp[i], (size_t)(eq - envp[i]), eq + 1, err,
				   sizeof err);
	}
	free(buf);
	return 0;
}
