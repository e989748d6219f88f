/* The container-mode plan, in order:
 *
 *   a mount namespace of tinyinit's own (the caller's never changes)
 *   make "/" private (nothing propagates to the caller)
 *   chdir into the layers directory, then cover it with a tmpfs "stage"
 *   bind the covered layers directory into the stage as "l"
 *   in the stage: u (upper), w (work), d<i> (whiteout layers), root
 *   overlay on root: lowerdir=l/<top>:d<top>:...:l/<bottom>
 *   in root: proc, sys, dev (tmpfs), masks, tmp, run, then the runtime's
 *   mounts (volumes, /etc/resolv.conf, /sys/fs/cgroup...) read from
 *   mountinfo before the stage, at the same paths
 *   pivot_root(".", "."), detach the old root, chdir("/"); where a seccomp
 *   filter refuses pivot_root (docker's default profile), move the new
 *   root onto "/" and chroot into it
 *
 * Every path handed to the kernel is relative to the stage, so lowers stay
 * short whatever the layers directory is called. */
#include "rootfs.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "apifs.h"
#include "embedded.h"
#include "fmt.h"
#include "layers.h"
#include "mountinfo.h"
#include "steps.h"
#include "vm.h"

static struct layers ls;

/* The layers' upper and work directories, the lowers (top first) and the
 * whiteout layers built from deletion lists. Each lower is a symlink on
 * the stage named by its number ("0" -> "l/00-base"), which overlay
 * follows: at most 500 lowers take about 2.5 KB of options, always one
 * mount(2) page, and no name needs escaping. */
static int stack(const struct config *c)
{
	static char opts[4096], target[8 + 256];
	char name[12];
	size_t len = fmt_buf(opts, sizeof opts, "lowerdir=");
	int rc = 0;

	if (c->upper) {
		/* A directory (a volume), linked as "v"; or a block device with
		 * an ext4 file system (a VM's disk) mounted on the stage as "v". */
		struct stat st;
		int found = xstat(0, c->upper, &st, 0) == 0, blk = found && S_ISBLK(st.st_mode);
		if (c->upper[0] != '/' || !found || !(blk || S_ISDIR(st.st_mode)))
			return failure(c->upper[0] != '/' ? 0
				       : found		  ? ENOTDIR
							  : errno,
				       "--upper %s%s", c->upper,
				       c->upper[0] != '/' ? ": not an absolute path" : "");
		rc = blk ? st_mkdir("v", 0755) : st_symlink(c->upper, "v");
		if (!rc && blk)
			rc = st_mount(c->upper, "v", "ext4", MS_NOSUID | MS_NODEV, NULL);
	}
	const char *up = c->upper ? "v/upper" : "u", *wk = c->upper ? "v/work" : "w";
	if (!rc)
		rc = st_mkdir(up, 0755);
	if (!rc)
		rc = st_mkdir(wk, 0700);
	for (int i = ls.n - 1; i >= 0 && !rc; i--) {
		fmt_buf(name, sizeof name, "%d", i);
		fmt_buf(target, sizeof target, "l/%s", ls.name[i]);
		rc = st_symlink(target, name);
		len += fmt_buf(opts + len, sizeof opts - len, "%s:", name);
		if (!rc && ls.del[i] && i > 0) { /* deletions in the bottom layer hide nothing */
			fmt_buf(name, sizeof name, "d%d", i);
			rc = deletions_build(name, ls.del[i], ls.del_len[i]);
			/* built: the list's memory goes back (review P2-25) */
			syscall(SYS_munmap, ls.del[i], ls.del_len[i]);
			len += fmt_buf(opts + len, sizeof opts - len, "%s:", name);
		}
	}
	fmt_buf(opts + len - 1, sizeof opts - len + 1, ",upperdir=%s,workdir=%s", up, wk);
	if (!rc)
		rc = st_mkdir("root", 0755);
	return rc ? rc : st_mount("overlay", "root", "overlay", 0, opts);
}

/* The current directory becomes "/" and the root. */
static int move_root(void)
{
	int rc = st_mount(".", "/", NULL, MS_MOVE, NULL);
	return rc ? rc : st_chroot(".");
}

int rootfs_assemble(const struct config *c)
{
	static char abs[4096 + 4];
	const char *dir = c->layers ? c->layers : LAYERS_DIR;

	/* The stage covers dir and tinyinit moves around: make it absolute. */
	if (dir[0] != '/' && syscall(SYS_getcwd, abs, 4096) > 0) {
		size_t n = strlen(abs);
		fmt_buf(abs + n, sizeof abs - n, "/%s", dir);
		dir = abs;
	}
	/* /layers is tinyinit's only with the marker mkrootfs writes. */
	struct stat st;
	int emb = embedded_layers(c);
	if (emb) /* unpacked into the stage, which covers /proc until the pivot */
		dir = "/proc";
	else if (!c->layers && xstat(0, LAYERS_DIR "/" LAYERS_MARKER, &st, 1) < 0)
		return 0;
	int rc = emb ? 0 : layers_scan(dir, &ls), total = ls.n;

	if (rc == -ENOENT && !c->layers)
		return 0;
	if (rc == -ENOENT)
		return failure(ENOENT, "--layers %s", dir);
	if (rc)
		return rc;
	if (!ls.n && !emb)
		return c->layers ? failure(0, "--layers %s: no layers in it", dir) : 0;
	for (int i = 1; i < ls.n; i++)
		total += ls.del[i] != NULL;
	if (total > LAYERS_MAX)
		return failure(0, "%s: %d layers with their deletion lists, at most %d", dir, total,
			       LAYERS_MAX);
	/* mountinfo names mount points without symlinks: so must dir. */
	if (chdir(dir) == 0 && syscall(SYS_getcwd, abs, 4096) > 0)
		dir = abs;
	LOG(1, "assembling a root from %d layers in %s", ls.n, dir);

	mode_t mask = umask(0);
	const char *size = c->upper_size;
	char opts[64];
	fmt_buf(opts, sizeof opts, "mode=0755%s%s", size ? ",size=" : "", size ? size : "");

	/* A VM's init owns the machine; anywhere else, assemble in a mount
	 * namespace of our own, whoever shares the current one. */
	rc = c->vm ? 0 : st_unshare_mnt();
	if (rc == -EPERM)
		failure(EPERM,
			"boot layers in %s need CAP_SYS_ADMIN to be mounted: run the container "
			"with --cap-add SYS_ADMIN, or build the image without boot-time layers",
			dir);
	if (!rc)
		rc = st_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (rc == -EACCES) /* an LSM: docker's AppArmor profile denies mount */
		failure(EACCES, "mounting is denied (AppArmor or SELinux): run the container with "
				"--security-opt apparmor=unconfined");
	if (!rc && !c->vm)
		rc = mounts_read();
	/* The layers with any mounts in them (a layer may be a volume or an
	 * image of its own), soon covered by the stage. */
	int lfd = rc || emb ? rc : st_clone(dir);
	if (lfd < 0)
		rc = lfd;
	if (!rc)
		rc = st_mount("tinyinit", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts);
	if (!rc)
		rc = st_chdir(dir); /* the stage */
	if (!rc)
		rc = st_mkdir("l", 0755);
	if (!rc)
		rc = emb ? embedded_unpack("l") : st_attach(lfd, "l");
	if (!rc && emb)
		rc = layers_scan("l", &ls);
	if (!rc)
		rc = stack(c);
	if (!rc)
		rc = st_chdir("root");
	/* In the new root, in this order: the masks need dev/null, proc and sys.
	 * A VM brings its own, mounted at boot. */
	static int (*const fill[])(void) = {apifs_proc, apifs_sys, devfs_build, apifs_mask,
					    apifs_tmp};
	static int (*const vm_fill[])(void) = {vm_move_api, apifs_tmp};
	for (unsigned i = 0; i < (c->vm ? 2u : 5u) && !rc; i++)
		rc = (c->vm ? vm_fill : fill)[i]();
	if (!rc && !c->vm)
		rc = mounts_carry(dir);
	/* pivot_root refuses the initial rootfs: move the stage (with the new
	 * root in it) onto "/" and chroot into it; then the current root has a
	 * parent, and the pivot below works. Nothing is copied. */
	if (c->vm && !rc)
		rc = st_chdir("..");
	if (c->vm && !rc)
		rc = move_root();
	if (c->vm && !rc)
		rc = st_chdir("root");
	/* A seccomp filter refuses pivot_root (docker's default profile): the
	 * new root moves onto "/", over the old one, which no path reaches
	 * any more (".." at the new root's top leads back into it). */
	if (!rc && (rc = st_pivot(".", ".")) == -EPERM && !c->vm)
		rc = move_root();
	else if (!rc)
		rc = st_umount(".", MNT_DETACH);
	if (!rc)
		rc = st_chdir("/");
	umask(mask);
	return rc ? rc : 1;
}
