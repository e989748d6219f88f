/* The contract between `mkrootfs initramfs` (the writer) and tinyinit as
 * the /init of a microVM (the reader). Boot layers and their deletion
 * lists follow include/layers.h, under LAYERS_DIR of the initramfs.
 *
 * VM MODE
 *   tinyinit runs in VM mode when it is PID 1 on the kernel's initial
 *   rootfs (a ramfs or tmpfs root with nothing mounted on /proc yet).
 *
 * THE PAYLOAD: INIT_ARGS_FILE
 *   The tinyinit command line the image was built with, as NUL-terminated
 *   words: options, then "--", then the payload and its default arguments,
 *   e.g.  "--workdir\0/app\0--\0/app/server\0--port\08080\0". tinyinit
 *   parses it exactly as it parses its own argv. Arguments the kernel
 *   passes to init (everything after " -- " on the kernel command line)
 *   replace the payload's default arguments. At most INIT_ARGS_MAX bytes
 *   and INIT_ARGS_WORDS words.
 *
 * KERNEL COMMAND LINE
 *   "tinyinit.KEY=VALUE" sets the option --KEY (the same names, '_' or
 *   '-'), after INIT_ARGS_FILE, so the command line wins. "tinyinit.KEY"
 *   alone sets a flag. VM-only keys: on_exit=poweroff|reboot|halt (what
 *   happens when the payload exits), upper=/dev/BLOCKDEV (a persistent
 *   ext4 upper, upper/ and work/ at its root).
 *
 * MODULES: MODULES_DIR and MODULES_ORDER
 *   MODULES_ORDER lists module files (paths relative to MODULES_DIR), one
 *   per line, dependencies first; tinyinit loads them in that order with
 *   finit_module(2) before it mounts anything that may need them. At most
 *   MODULES_ORDER_MAX bytes.
 *
 * THE END
 *   When the payload has exited, tinyinit prints exactly one last line on
 *   the console, EXIT_LINE followed by the status (as `tinyinit` would
 *   have exited with it) and '\n', syncs, and powers the VM off. Runners
 *   (qemu/run) read the status from it. PID 1 never exits: every failure
 *   prints a line, then the EXIT_LINE with status 1 (or 127/126 for a
 *   payload that cannot be run), then powers off.
 */
#ifndef TINYINIT_INITRAMFS_H
#define TINYINIT_INITRAMFS_H

#define INIT_ARGS_FILE	  "/tinyinit.args"
#define INIT_ARGS_MAX	  65536
#define INIT_ARGS_WORDS	  256
#define MODULES_DIR	  "/modules"
#define MODULES_ORDER	  "/modules/order"
#define MODULES_ORDER_MAX 8192
#define CMDLINE_PREFIX	  "tinyinit."
#define EXIT_LINE	  "tinyinit: payload exited with status "

#endif
