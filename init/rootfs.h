/* Assembling the root filesystem from boot layers (container mode). */
#ifndef TINYINIT_ROOTFS_H
#define TINYINIT_ROOTFS_H

#include "config.h"

/* Stacks the layers of c->layers (default LAYERS_DIR) with OverlayFS over
 * a tmpfs upper, mounts /proc, /sys, /dev, /tmp and /run in it and pivots
 * into it. Returns 1 when it assembled a root, 0 when there were no layers
 * (nothing changed), or -errno with errmsg naming the object. */
int rootfs_assemble(const struct config *c);

#endif
