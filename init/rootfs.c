/* The container-mode plan, in order:
 *
 *   make "/" private (nothing propagates to the host)
 *   chdir into the layers directory, then cover it with a tmpfs "stage"
 *   bind the covered layers directory into the stage as "l"
 *   in the stage: u (upper), w (work), d<i> (whiteout layers), root
 *   overlay on root: lowerdir=l/<top>:d<top>:...:l/<bottom>
 *   in root: proc, sys, dev (tmpfs), masks, tmp, run
 *   pivot_root(".", "."), detach the old root, chdir("/")
 *
 * Every path handed to the kernel is relative to the stage, so lowers stay
 * short whatever the layers directory is called. */
#include "rootfs.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "apifs.h"
#include "fmt.h"
#include "layers.h"
#include "overlay.h"
#include "steps.h"
#include "vm.h"

static struct layers ls;

static int has_cap_sys_admin(void)
{
	struct {
		unsigned version;
		int pid;
	} h = {0x20080522, 0}; /* _LINUX_CAPABILITY_VERSION_3 */
	struct {
		unsigned effective, permitted, inheritable;
	} d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return 1;		 /* can't tell: let the first mount say */
	return d[0].effective >> 21 & 1; /* CAP_SYS_ADMIN */
}

/* Not PID 1: refuse to pivot the mount namespace of the whole host. */
static int own_mount_ns(void)
{
	char a[64], b[64];
	ssize_t n = readlink("/proc/self/ns/mnt", a, sizeof a - 1);
	ssize_t m = readlink("/proc/1/ns/mnt", b, sizeof b - 1);

	return n > 0 && m > 0 && (n != m || memcmp(a, b, (size_t)n));
}

/* The layers' upper and work directories, the lowers list (top first),
 * and the whiteout layers built from deletion lists. */
static int stack(const struct config *c)
{
	static char names[LAYERS_MAX * 2][8 + 256];
	static const char *lowers[LAYERS_MAX * 2];
	static char upper[4096 + 8], work[4096 + 8];
	const char *up = "u", *wk = "w";
	int n = 0, rc = 0;

	if (c->upper) {
		/* A directory (a volume), or a block device with an ext4 file
		 * system (a VM's disk) mounted on the stage as "v". */
		const char *base = c->upper;
		struct stat st;
		if (xstat(0, base, &st, 0) == 0 && S_ISBLK(st.st_mode)) {
			rc = st_mkdir("v", 0755);
			if (!rc)
				rc = st_mount(base, "v", "ext4", MS_NOSUID | MS_NODEV, NULL);
			base = "v";
		}
		fmt_buf(upper, sizeof upper, "%s/upper", base);
		fmt_buf(work, sizeof work, "%s/work", base);
		up = upper, wk = work;
	}
	if (!rc)
		rc = st_mkdir(up, 0755);
	if (!rc)
		rc = st_mkdir(wk, 0700);
	for (int i = ls.n - 1; i >= 0 && !rc; i--) {
		fmt_buf(names[n], sizeof names[n], "l/%s", ls.name[i]);
		lowers[n] = names[n];
		n++;
		if (ls.del[i] && i > 0) { /* deletions in the bottom layer hide nothing */
			fmt_buf(names[n], sizeof names[n], "d%d", i);
			lowers[n] = names[n];
			rc = deletions_build(names[n], ls.del[i], ls.del_len[i]);
			n++;
		}
	}
	if (!rc)
		rc = st_mkdir("root", 0755);
	return rc ? rc : ovl_mount(lowers, n, up, wk, "root");
}

int rootfs_assemble(const struct config *c)
{
	static char stage_l[4096 + 4], abs[4096 + 4];
	const char *dir = c->layers ? c->layers : LAYERS_DIR;

	/* The stage covers dir and tinyinit moves around: make it absolute. */
	if (dir[0] != '/' && syscall(SYS_getcwd, abs, 4096) > 0) {
		size_t n = strlen(abs);
		fmt_buf(abs + n, sizeof abs - n, "/%s", dir);
		dir = abs;
	}
	int rc = layers_scan(dir, &ls), total = ls.n;

	if (rc == -ENOENT && !c->layers)
		return 0;
	if (rc == -ENOENT)
		return failure(ENOENT, "--layers %s", dir);
	if (rc)
		return rc;
	if (!ls.n)
		return c->layers ? failure(0, "--layers %s: no layers in it", dir) : 0;
	for (int i = 1; i < ls.n; i++)
		total += ls.del[i] != NULL;
	if (total > LAYERS_MAX)
		return failure(0, "%s: %d layers with their deletion lists, at most %d", dir, total,
			       LAYERS_MAX);
	if (!dry_run && !has_cap_sys_admin())
		return failure(0,
			       "boot layers in %s need CAP_SYS_ADMIN to be mounted: run the "
			       "container with --cap-add SYS_ADMIN, or build the image without "
			       "boot-time layers",
			       dir);
	if (!dry_run && getpid() != 1 && !own_mount_ns())
		return failure(0, "not assembling a root in the host's mount namespace: run "
				  "tinyinit as PID 1 or under unshare --mount");
	LOG(1, "assembling a root from %d layers in %s", ls.n, dir);

	mode_t mask = umask(0);
	fmt_buf(stage_l, sizeof stage_l, "%s/l", dir);
	const char *size = c->upper_size;
	char opts[64];
	fmt_buf(opts, sizeof opts, "mode=0755%s%s", size ? ",size=" : "", size ? size : "");

	rc = st_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (!rc)
		rc = st_chdir(dir); /* the layers, soon covered by the stage */
	if (!rc)
		rc = st_mount("tinyinit", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts);
	if (!rc)
		rc = st_mkdir(stage_l, 0755);
	if (!rc)
		rc = st_mount(".", stage_l, NULL, MS_BIND, NULL);
	if (!rc)
		rc = st_chdir(dir); /* now the stage */
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
	/* pivot_root refuses the initial rootfs: move the stage (with the new
	 * root in it) onto "/" and chroot into it; then the current root has a
	 * parent, and the pivot below works. Nothing is copied. */
	if (c->vm && !rc)
		rc = st_chdir("..");
	if (c->vm && !rc)
		rc = st_mount(".", "/", NULL, MS_MOVE, NULL);
	if (c->vm && !rc)
		rc = st_chroot(".");
	if (c->vm && !rc)
		rc = st_chdir("root");
	if (!rc)
		rc = st_pivot(".", ".");
	if (!rc)
		rc = st_umount(".", MNT_DETACH);
	if (!rc)
		rc = st_chdir("/");
	umask(mask);
	return rc ? rc : 1;
}
