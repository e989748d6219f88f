# The runtime's mounts carried into the assembled root. A stand-in runtime
# (unshare --mount --pid --fork, then mounts in a container root and a
# chroot into it, as runc does with pivot_root) mounts a read-only volume
# with a volume nested in it, /etc/resolv.conf and /etc/hostname as files,
# a tmpfs, /dev with shm and mqueue, /proc, /sys and (or not) cgroup2;
# tinyinit assembles from /layers and the payload looks.
. "$(dirname "$0")/../lib.sh"
need_root "carried mounts" || exit 0

BUSYBOX=$(command -v busybox)
[ -n "$BUSYBOX" ] && file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || BUSYBOX=/bin/busybox
R=$WORK/ctr
mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/etc" "$R/data" "$R/scratch" "$R/layers/00-base/bin" \
	"$R/layers/00-base/etc" "$R/layers/00-base/tmp" "$R/layers/00-base/run"
cp "$BUSYBOX" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
cp "$T" "$R/tinyinit"
cp "$BUSYBOX" "$R/layers/00-base/bin/busybox"
ln -s busybox "$R/layers/00-base/bin/sh"
echo "image's resolv.conf" >"$R/layers/00-base/etc/resolv.conf"
printf 'tinyinit boot layers 1\n' >"$R/layers/.tinyinit-layers"
touch "$R/etc/resolv.conf" "$R/etc/hostname"
mkdir -p "$WORK/vol/sub" "$WORK/nested"
echo "volume data" >"$WORK/vol/file"
echo "nested data" >"$WORK/nested/file"
echo "nameserver 192.0.2.53" >"$WORK/resolv.conf"
echo "carried-host" >"$WORK/hostname"

# runtime CGROUP(yes|no) -- tinyinit options and payload
runtime() {
	local cg=$1
	shift
	timeout 60 unshare --mount --pid --fork sh -c '
		set -e
		R=$1 W=$2 cg=$3; shift 3
		mount --make-rprivate /
		mount --bind "$R" "$R"
		mount --bind "$W/vol" "$R/data"
		mount -o remount,bind,ro "$R/data"
		mount --bind "$W/nested" "$R/data/sub"
		mount --bind "$W/resolv.conf" "$R/etc/resolv.conf"
		mount --bind "$W/hostname" "$R/etc/hostname"
		mount -t tmpfs -o size=1m,nosuid scratch "$R/scratch"
		mount -t proc proc "$R/proc"
		mount -t sysfs sysfs "$R/sys"
		[ "$cg" = no ] || mount -t cgroup2 -o ro,nosuid,nodev,noexec cgroup2 "$R/sys/fs/cgroup"
		mount -t tmpfs -o mode=755 dev "$R/dev"
		mkdir "$R/dev/shm" "$R/dev/mqueue"
		mount -t tmpfs -o size=2m shm "$R/dev/shm"
		mount -t mqueue mqueue "$R/dev/mqueue"
		exec chroot "$R" /tinyinit "$@"' runtime "$R" "$WORK" "$cg" "$@"
}

mi='cat /proc/self/mountinfo'
out=$(runtime yes -- /bin/sh -c "cat /etc/resolv.conf /etc/hostname /data/file /data/sub/file; touch /data/new 2>/dev/null && echo data-writable || echo data-readonly; echo x >/data/sub/new && echo sub-writable" 2>&1)
expect_eq "bind-mounted files, a read-only volume and a volume in it are carried over" \
	"nameserver 192.0.2.53 carried-host volume data nested data data-readonly sub-writable" "$(echo $out)"
rm -f "$WORK/nested/new"
mnt=$(runtime yes -- /bin/sh -c "$mi" 2>&1)
expect_match "the volume stays read-only" " /data ro," "$mnt"
expect_match "the nested volume keeps its own flags" " /data/sub rw," "$mnt"
expect_match "a tmpfs keeps its flags and size" " /scratch rw,nosuid[^ ]* - tmpfs scratch rw,size=1024k" "$mnt"
expect_match "the runtime's /dev/shm (its size) is carried over" " /dev/shm [^ ]* - tmpfs shm rw,size=2048k" "$mnt"
expect_match "/dev/mqueue is carried over" " /dev/mqueue [^ ]* - mqueue " "$mnt"
expect_match "the runtime's /sys/fs/cgroup is carried over, read-only" " /sys/fs/cgroup ro,[^ ]* - cgroup2 " "$mnt"
expect_eq "the outer /proc, /sys, /dev are not: one proc, one sysfs, one /dev" "1 1 1" \
	"$(echo "$mnt" | awk '$5 == "/proc" {p++} $5 == "/sys" {s++} $5 == "/dev" {d++} END {print p+0, s+0, d+0}')"
expect_eq "tinyinit's own /dev is the tmpfs it made (not the runtime's)" "1" \
	"$(echo "$mnt" | awk '$5 == "/dev" && $0 ~ / - tmpfs tmpfs / && $0 ~ /size=65536k/' | wc -l)"
if echo "$mnt" | grep -q "layers"; then fail "the layers directory is not carried over" "$(echo "$mnt" | grep layers)"; else pass "the layers directory is not carried over"; fi
out=$(runtime yes -- /bin/sh -c 'ls /layers 2>&1 || echo no-layers')
expect_match "...nor visible" "no-layers" "$out"
mnt=$(runtime no -- /bin/sh -c "$mi; cat /sys/fs/cgroup/cgroup.controllers >/dev/null && echo cgroup-readable" 2>&1)
expect_match "without the runtime's cgroup mount, cgroup2 is mounted read-only" " /sys/fs/cgroup ro,nosuid,nodev,noexec[^ ]* - cgroup2 " "$mnt"
expect_match "...and readable" "cgroup-readable" "$mnt"
trace=$(runtime yes -v -- /bin/true 2>&1)
expect_match "-v traces each carried mount" 'mount\("/etc/resolv.conf", "etc/resolv.conf", "", MS_BIND, ""\) = 0' "$trace"
dry=$(runtime yes --dry-run -- /bin/true 2>&1)
expect_match "--dry-run prints them" 'mount\("/data/sub", "data/sub", "", MS_BIND, ""\)' "$dry"
# A file mount on a path the image does not have is created (an empty
# file, then the bind); the image's own file is covered, not changed.
rm "$R/layers/00-base/etc/resolv.conf"
out=$(runtime yes -- /bin/sh -c 'cat /etc/resolv.conf; ls -d /etc/hostname' 2>&1)
expect_eq "mount points missing from the image are made" "nameserver 192.0.2.53 /etc/hostname" "$(echo $out)"
