/* The on-disk contract between mkrootfs (the writer) and tinyinit (the
 * reader). Everything either side needs to agree on is defined here and
 * nowhere else.
 *
 * BOOT LAYERS
 *   Layers tinyinit stacks at start are the directories of LAYERS_DIR
 *   (or of --layers DIR), in lexical (byte) order: the first is the
 *   bottom layer. mkrootfs names them NN-name ("00-base", "01-app", ...)
 *   with as many digits as the count needs, so byte order is stack order.
 *   Entries whose names start with '.' are ignored. At most LAYERS_MAX.
 *
 *   WHOSE /layers: without --layers, tinyinit stacks LAYERS_DIR only when
 *   it holds the marker file LAYERS_MARKER (mkrootfs writes it, holding
 *   LAYERS_MARKER_TEXT, into the bottom boot layer). Any other /layers
 *   (a Cloud Native Buildpacks image keeps its launch layers there) is
 *   left alone. An explicit --layers DIR needs no marker.
 *
 * DELETIONS
 *   A layer can delete paths of the layers beneath it and make
 *   directories opaque (hide everything beneath them). Two encodings are
 *   accepted:
 *
 *   1. overlay's own, inside the layer: a character device 0/0 is a
 *      deleted path, a directory with the xattr trusted.overlay.opaque=y
 *      is opaque. The kernel honours these directly.
 *
 *   2. a deletion list, the file "<layer>" DELETIONS_SUFFIX beside the
 *      layer directory (/layers/02-app.del for /layers/02-app). This is
 *      what mkrootfs writes: it survives cpio (no xattrs, no device nodes
 *      needed) and an outer container runtime (whose own overlay would
 *      swallow a 0/0 device inside an image layer). The file is:
 *
 *          DELETIONS_MAGIC                       (exactly, with its '\n')
 *          then records, each: TYPE PATH '\0'
 *
 *      TYPE is DEL_WHITEOUT ('w': PATH is deleted) or DEL_OPAQUE ('o':
 *      directory PATH hides what the layers beneath hold in it). PATH is
 *      relative to the layer root: no leading '/', no empty, "." or ".."
 *      components, no component over 255 bytes, at most DEL_PATH_MAX bytes
 *      (so that "d<layer>/" PATH fits PATH_MAX when tinyinit builds it).
 *      The file is at most DEL_FILE_MAX bytes. Records are sorted and
 *      unique (mkrootfs writes them so; tinyinit accepts duplicates).
 *
 *      At start tinyinit turns each list into a tiny extra lower layer on
 *      tmpfs, placed directly beneath its layer: the whiteouts (0/0
 *      devices) and opaque directories in it hide what lies below, while
 *      the layer's own files above stay visible. The cost grows with the
 *      number of deletions, never with the number of files.
 */
#ifndef TINYINIT_LAYERS_H
#define TINYINIT_LAYERS_H

#define LAYERS_DIR	   "/layers"
#define LAYERS_MAX	   500
#define LAYERS_MARKER	   ".tinyinit-layers"
#define LAYERS_MARKER_TEXT "tinyinit boot layers 1\n"
#define DELETIONS_SUFFIX   ".del"
#define DELETIONS_MAGIC	   "tinyinit-deletions 1\n"
#define DEL_WHITEOUT	   'w'
#define DEL_OPAQUE	   'o'
#define DEL_PATH_MAX	   4090
#define DEL_FILE_MAX	   (4 << 20)

/* The OCI layer-tar spelling of the same deletions (mkrootfs reads and
 * writes these in image layers; they never reach tinyinit). */
#define OCI_WHITEOUT_PREFIX ".wh."
#define OCI_OPAQUE_MARKER   ".wh..wh..opq"

#endif
