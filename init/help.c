/* The texts of --help and of usage errors: names and arguments only; what
 * each does is in tinyinit(8) (every byte here is on the size bill). */
#include "config.h"

const char usage_text[] = "Usage: tinyinit [OPTIONS] [--] PROGRAM [ARG...]\n"
			  "Try 'tinyinit --help' for more.\n";

const char help_text[] =
    "Usage: tinyinit [OPTIONS] [--] PROGRAM [ARG...]\n"
    "Runs PROGRAM as init: reaps, forwards signals, exits with its status.\n"
    "Options (see tinyinit(8)):\n"
    " -g --kill-group  -p --pdeath-signal SIG  -e --expect CODE[,...]\n"
    " --rewrite S:R[,...]  --grace SECONDS  -P --pause  -s --subreaper\n"
    " -v --verbose  --layers DIR  --no-rootfs  --upper DIR  --upper-size SIZE\n"
    " --dry-run  -w --workdir DIR  --env K=V  -u --user UID[:GID]\n"
    " --no-new-privs  --keep-caps  --on-exit poweroff|reboot|halt\n"
    " -h --help  --version\n"
    "Each is also a variable: TINYINIT_KILL_GROUP=1, TINYINIT_GRACE=5,\n"
    "TINYINIT_VERBOSE=2, TINYINIT_EXPECT=3,4, TINYINIT_REWRITE=TERM:INT.\n";
