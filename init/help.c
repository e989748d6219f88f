/* The texts of --help and of usage errors. */
#include "config.h"

const char usage_text[] = "Usage: tinyinit [OPTIONS] [--] PROGRAM [ARG...]\n"
			  "Try 'tinyinit --help' for more.\n";

const char help_text[] =
    "Usage: tinyinit [OPTIONS] [--] PROGRAM [ARG...]\n"
    "Runs PROGRAM as an init would: reaps zombies, forwards signals, exits with\n"
    "its status (127 not found, 126 not executable, 128+N killed by signal N).\n"
    "Boot layers in /layers (or --layers) are first stacked into a new root.\n"
    " -g --kill-group         signal the child's process group\n"
    " -p --pdeath-signal SIG  signal tinyinit gets when its parent dies\n"
    " -e --expect CODE[,...]  exit 0 when the child's status is CODE\n"
    "    --rewrite S:R[,...]  forward signal S as R (R=0 drops it)\n"
    "    --grace SECONDS      as PID 1, when the child exits: SIGTERM the rest,\n"
    "                         SIGKILL them after SECONDS (default 0)\n"
    " -P --pause              no PROGRAM: reap until SIGTERM or SIGINT\n"
    " -s --subreaper          accepted (automatic when not PID 1)\n"
    " -v --verbose            log, and trace each mount (repeat for more)\n"
    "    --layers DIR         the boot layers (default /layers)\n"
    "    --no-rootfs          never assemble a root\n"
    "    --upper DIR          keep the writable layer in DIR, not in a tmpfs\n"
    "    --upper-size SIZE    size of that tmpfs (64m, 50%)\n"
    "    --dry-run            print the steps, change nothing\n"
    " -w --workdir DIR        the payload's working directory\n"
    "    --env K=V            set a variable for the payload (repeatable)\n"
    " -u --user UID[:GID]     the payload's user and group\n"
    "    --no-new-privs       set no_new_privs for the payload\n"
    "    --on-exit ACTION     as a VM's /init: poweroff, reboot or halt\n"
    " -h --help, --version\n"
    "Each option is also a variable: TINYINIT_ and its name in capitals with '_'\n"
    "for '-' (TINYINIT_KILL_GROUP=1, TINYINIT_GRACE=5, TINYINIT_VERBOSE=2,\n"
    "TINYINIT_EXPECT=3,4, TINYINIT_REWRITE=TERM:INT). Options override them.\n";
