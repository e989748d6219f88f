/* The contract between `mkrootfs embed` (the writer) and tinyinit (the
 * reader) for an executable that carries its own payload: tinyinit's own
 * ELF file, then an archive, then a fixed trailer.
 *
 *     [ tinyinit ELF ][ archive: EMB_LENGTH bytes ][ trailer: EMB_TRAILER_SIZE ]
 *
 * THE TRAILER: the last EMB_TRAILER_SIZE bytes of the file, little-endian:
 *     0  magic    EMB_MAGIC (8 bytes, no NUL)
 *     8  version  u32, EMB_VERSION
 *    12  crc32    u32, CRC-32 (zlib's: reflected 0xEDB88320, ~0 in and out)
 *                 of the archive's bytes
 *    16  offset   u64, where the archive starts in the file
 *    24  length   u64, its length
 *   offset + length + EMB_TRAILER_SIZE must be the file's size exactly;
 *   anything else (a cut or grown file, a wrong offset or length) and a CRC
 *   that does not match refuse the whole file before any of it is used.
 *   A file whose last bytes are not EMB_MAGIC has no archive: tinyinit
 *   behaves as it always does. `strip` and anything else that rewrites the
 *   file destroy the archive (the trailer no longer matches, or is gone).
 *
 * THE ARCHIVE: uncompressed newc cpio ("070701"; listable with
 *   `tail -c +$((offset+1)) OUT | head -c LENGTH | cpio -it`), entries
 *   relative (no leading '/', no ".." component), ending with
 *   "TRAILER!!!". It holds:
 *     EMB_ARGS       the tinyinit command line recorded at build time, in
 *                    the form of INIT_ARGS_FILE (include/initramfs.h):
 *                    NUL-terminated words, options, "--", the payload and
 *                    its default arguments. Arguments OUT is run with
 *                    replace the default arguments; TINYINIT_* variables
 *                    apply as usual.
 *     PAYLOAD ONLY   (no EMB_LAYERS entries): the payload's file at the
 *                    recorded path without its '/'. tinyinit copies it into
 *                    a memfd and runs it from there: no mount, no privilege.
 *     WITH LAYERS    EMB_LAYERS "/" LAYERS_MARKER present: the boot layers
 *                    under EMB_LAYERS/, exactly as LAYERS_DIR holds them
 *                    (include/layers.h: NN-name/ directories, NN-name.del
 *                    deletion lists, the payload's own layer on top). Hard
 *                    links are written as copies (each entry carries its
 *                    data); devices take numbers below 4096:256. tinyinit
 *                    unpacks them into its stage, refusing any entry with
 *                    a symbolic link on its way, and stacks them as it does
 *                    LAYERS_DIR (CAP_SYS_ADMIN needed).
 */
#ifndef TINYINIT_EMBEDDED_H
#define TINYINIT_EMBEDDED_H

#define EMB_MAGIC	 "TINYEMB\x7f"
#define EMB_MAGIC_LEN	 8
#define EMB_VERSION	 1
#define EMB_TRAILER_SIZE 32
#define EMB_ARGS	 "tinyinit.args"
#define EMB_LAYERS	 "layers"

#endif
