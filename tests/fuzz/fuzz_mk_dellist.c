/* libFuzzer target: mkrootfs's reader of tinyinit deletion lists
 * (include/layers.h) and its writer: a list that parses into a layer
 * which passes the gate must build back into a list that parses to the
 * same deletions. */
#include "fuzz_mk.h"
#include "whiteout.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_mk_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf = malloc(size ? size : 1), *out = NULL;
	struct layer *l = layer_new("fuzz"), *back = NULL;
	size_t len = 0;

	memcpy(buf, data, size);
	if (dellist_parse(buf, size, l) == 0 && layer_gate(l, NULL) == 0) {
		fuzz_mk_check_layer(l);
		if (dellist_build(l, &out, &len) == 0 && len) {
			back = layer_new("back");
			if (dellist_parse(out, len, back) != 0 || back->n != l->n)
				abort();
			for (size_t i = 0; i < l->n; i++) {
				const struct entry *e = l->v[i];

				if (!layer_find_del(back, e->path))
					abort();
			}
			layer_free(back);
		}
		free(out);
	}
	layer_free(l);
	free(buf);
	return 0;
}
