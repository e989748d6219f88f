/* tinyinit's configuration: one struct filled from the environment
 * (TINYINIT_*), then the command line; the VM mode adds the kernel command
 * line (tinyinit.KEY=VALUE). All three use the same option table. */
#ifndef TINYINIT_CONFIG_H
#define TINYINIT_CONFIG_H

#include <stddef.h>

#include "signames.h"

#define ENV_MAX		  64 /* --env entries */
#define CAP_SYS_ADMIN_BIT 21

struct config {
	/* Root filesystem assembly (rootfs.c). */
	const char *layers;	/* --layers DIR (default /layers when it exists) */
	const char *upper;	/* --upper DIR: upper and work on a volume */
	const char *upper_size; /* --upper-size: tmpfs size= for the upper */
	int no_rootfs;		/* --no-rootfs: never assemble */
	int dry_run;		/* --dry-run: print the steps, change nothing */
	/* A microVM's /init (vm.c). */
	int vm;		     /* set when PID 1 on the initial rootfs */
	const char *on_exit; /* --on-exit poweroff|reboot|halt */
	/* The payload's process. */
	const char *workdir; /* --workdir DIR */
	int uid, gid;	     /* --user UID[:GID]; -1 = unchanged */
	int no_new_privs;    /* --no-new-privs */
	int exec_fd;	     /* >= 0: run the payload from this fd (embedded) */
	int emb_layers;	     /* the embedded archive holds boot layers */
	int keep_caps;	     /* --keep-caps: the payload keeps CAP_SYS_ADMIN */
	int drop_admin;	     /* set by main: the child drops CAP_SYS_ADMIN */
	int nenv;	     /* --env K=V, in order */
	const char *env[ENV_MAX];
	/* Supervision. */
	int verbose;	   /* -v, TINYINIT_VERBOSE */
	int subreaper;	   /* -s: accepted; tinyinit always subreaps when not PID 1 */
	int kill_group;	   /* -g: forward to the child's process group */
	int pdeath_signal; /* -p: signal tinyinit gets when its parent dies */
	int grace;	   /* --grace: seconds leftovers get after SIGTERM */
	int pause;	   /* -P: no child, reap until SIGTERM/SIGINT */
	unsigned char rewrite[SIG_LAST + 1]; /* signal forwarded for each signal, 0 = drop */
	unsigned expect[256 / 32];	     /* -e: exit codes mapped to 0 */
	char **argv;			     /* the payload, NULL-terminated; NULL if none */
};

enum { CFG_RUN = 0, CFG_HELP = 1, CFG_VERSION = 2 };

void config_init(struct config *c);

/* Sets one option by name ("kill-group" or "kill_group", any case) from a
 * string value, as the environment and kernel command line give them.
 * label names the source in messages ("TINYINIT_GRACE", "tinyinit.grace").
 * Returns 0, or -ENOENT for an unknown name, -EINVAL for a bad value (with
 * a message naming both in err). */
int config_set(struct config *c, const char *label, const char *name, size_t namelen,
	       const char *value, char *err, size_t errlen);

/* Applies every TINYINIT_* variable of envp. Unknown names are ignored. */
int config_env(struct config *c, char *const envp[], char *err, size_t errlen);

/* Parses argv (options, then "--", then the payload). Returns CFG_RUN,
 * CFG_HELP, CFG_VERSION or -EINVAL (message in err). */
int config_args(struct config *c, int argc, char **argv, char *err, size_t errlen);

/* The exit status tinyinit returns for a wait(2) status of the payload:
 * its exit code, 128+N when killed by signal N, 0 when listed with -e. */
int exit_status(const struct config *c, int wstatus);

extern const char usage_text[];
extern const char help_text[];

#endif
