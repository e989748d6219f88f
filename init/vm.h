/* tinyinit as the /init of a microVM's initramfs. */
#ifndef TINYINIT_VM_H
#define TINYINIT_VM_H

#include "config.h"

/* 1 when tinyinit is PID 1 on the kernel's initial rootfs. */
int vm_detect(void);

/* Mounts devtmpfs, proc and sysfs, reads the image's tinyinit command
 * line (INIT_ARGS_FILE) and the kernel's (tinyinit.KEY=VALUE, and the
 * payload arguments the kernel passes in argv), and loads the recorded
 * modules. Returns 0 or -errno with errmsg set. */
int vm_boot(struct config *c, int argc, char **argv);

/* The recorded tinyinit command line, N bytes in recorded_args in the form
 * of INIT_ARGS_FILE, applied to C; ARGV[1..] (when ARGC > 1) replace the
 * payload's default arguments. Returns config_args()'s result. */
extern char recorded_args[];
int config_recorded(struct config *c, long n, int argc, char **argv, char *err);

/* Prints the final console line with status, syncs and powers off (or
 * reboots or halts, per --on-exit). Never returns: PID 1 never exits. */
__attribute__((noreturn)) void vm_end(const struct config *c, int status);

/* VM-mode steps of the assembly, with the new root as the current
 * directory: moves /proc, /sys and /dev (with devpts and shm) in. */
int vm_move_api(void);

#ifdef TINYINIT_NET
/* The network build (tinyinit-net) is only ever a microVM's /init: main()
 * refuses to run elsewhere, so the container-only carry-over of the
 * runtime's mounts is left out (after mountinfo.h's declarations). */
#define mounts_read()	  0
#define mounts_carry(dir) 0
#endif

#endif
