/* The subcommands. Each returns 0 or a negative errno (message in err.h);
 * main prints and exits. */
#ifndef MKROOTFS_CMDS_H
#define MKROOTFS_CMDS_H

int cmd_image(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_initramfs(int argc, char **argv);
int cmd_embed(int argc, char **argv);
/* mkrootfs embed's work, for image --embed too: OUT becomes tinyinit
 * carrying O's payload; RECORD: --env, --workdir, --user go into it (else
 * the caller's image config carries them). */
struct build_opts;
int embed_write(struct build_opts *o, int record, const char *out);
/* mkrootfs inspect of such an OUT: 1 when PATH carries no archive. */
int embed_inspect(const char *path, int json);

/* SOURCE_DATE_EPOCH, else 0. */
int source_date_epoch(long long *epoch);

#endif
