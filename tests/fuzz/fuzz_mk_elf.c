/* libFuzzer target: mkrootfs's ELF reader (header, program headers,
 * PT_INTERP, the dynamic section's DT_NEEDED, DT_RPATH and DT_RUNPATH
 * through DT_STRTAB) and the platform it derives. An accepted file must
 * give strings that lie within it and a platform that prints and parses
 * back as itself. */
#include "fuzz_mk.h"
#include "elfinfo.h"
#include "platform.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_mk_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so a read past the end is caught */
	unsigned char *buf = malloc(size ? size : 1);
	struct elf_info e = {0};
	const char *why = NULL;

	memcpy(buf, data, size);
	if (elf_parse(buf, size, &e, &why) == 0) {
		struct platform p, again;
		char s[64];

		if (!e.arch || (e.interp && strlen(e.interp) >= size))
			abort();
		for (size_t i = 0; i < e.nneeded; i++)
			if (!e.needed[i] || strlen(e.needed[i]) >= size)
				abort();
		platform_of_elf(&e, &p);
		if (platform_parse(platform_str(&p, s, sizeof s), &again) != 0 ||
		    memcmp(&p, &again, sizeof p) != 0)
			abort();
	} else if (!why) {
		abort();
	}
	elf_free(&e);
	free(buf);
	return 0;
}
