/* A hash map from a pair of 64-bit keys to a 64-bit value, for the
 * bookkeeping of hardlink sets (an inode's device and number, an entry's
 * address): constant time where a list search made trees of many links
 * quadratic. */
#ifndef MKROOTFS_KEYMAP_H
#define MKROOTFS_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

struct keymap {
	struct keyslot *v;
	size_t n, cap; /* cap: 0 or a power of two */
};

/* 1 with *VAL set when (A, B) is in M, else 0. */
int keymap_get(const struct keymap *m, uint64_t a, uint64_t b, uint64_t *val);
/* Adds (A, B) -> VAL or replaces its value; 0 or -ENOMEM. */
int keymap_put(struct keymap *m, uint64_t a, uint64_t b, uint64_t val);
void keymap_free(struct keymap *m);

#endif
