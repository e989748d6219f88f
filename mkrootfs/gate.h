/* The safety gate: the one check every layer passes after its input is
 * read and again before any writer serializes it, whatever the input kind
 * (tarball, directory, image, --add, generated parents, boot layers) and
 * whatever the order its entries came in. */
#ifndef MKROOTFS_GATE_H
#define MKROOTFS_GATE_H
#include "layer.h"

/* Checks the finished layer L as a whole:
 * - no entry lies beneath another entry of L that is not a directory
 *   (a symlink, a file, a device): an extractor would write through it,
 *   outside the layer or over what the link points at (/init);
 * - every hardlink names an entry of L that is not a directory;
 * - no deletion names ".", ".." or an empty component;
 * - no ordinary entry is named ".wh.*" (OCI reserves the prefix).
 * INPUT names the input in the message (NULL: L's name). Returns 0 or
 * -EINVAL with one line naming input, entry and link. */
int layer_gate(const struct layer *l, const char *input);

#endif
