# How tinyinit's VM mode ends when reboot(2) is refused (review P2-15): it
# says so, tries power-off and halt, then exits (the kernel of a real VM
# then panics with a message) instead of hanging in pause() forever.
# The "VM" is the false positive the review names: PID 1 of a new pid
# namespace whose root is a tmpfs without /proc, which is what tinyinit
# takes for the kernel's initial rootfs. In a pid namespace, reboot(2)
# needs CAP_SYS_BOOT and ends the namespace (its init killed by SIGINT for
# a power-off), which stands for the VM powering off.
. "$(dirname "$0")/../lib.sh"
need_root "VM mode's end" || exit 0

BB=$(command -v busybox)
[ -n "$BB" ] && file -L "$BB" 2>/dev/null | grep -q 'statically linked' || BB=/bin/busybox
mkdir -p "$WORK/vm"
cat >"$WORK/boot.sh" <<'EOF'
# boot.sh ROOT TINYINIT BUSYBOX INIT-ARGS...: a tmpfs root, then chroot /init
r=$1 t=$2 bb=$3
shift 3
mount -t tmpfs -o mode=0755 fakevm "$r" || exit 1
mkdir -p "$r/bin" && cp "$t" "$r/init" && cp "$bb" "$r/bin/busybox" && ln -s busybox "$r/bin/sh" || exit 1
cd "$r" && exec chroot . /init "$@"
EOF
# fakevm [setpriv options] -- INIT-ARGS: bounded, and nothing outlives it
# (--kill-child: the namespace's init dies with unshare).
fakevm() {
	local pre=()
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	timeout -s KILL 30 unshare --mount --pid --fork --kill-child --propagation private \
		setpriv "${pre[@]}" sh "$WORK/boot.sh" "$WORK/vm" "$T" "$BB" "$@"
}

out=$(fakevm --bounding-set -sys_boot -- -- /bin/sh -c 'echo payload; exit 3' 2>&1)
rc=$?
expect_eq "reboot refused (no CAP_SYS_BOOT): tinyinit exits with the payload's status, no hang" 3 "$rc"
expect_match "...after the status line" "tinyinit: payload exited with status 3" "$out"
expect_match "...and one line saying why" "^tinyinit: reboot: operation not permitted; trying poweroff, halt, exit$" "$out"
out=$(fakevm --bounding-set +sys_boot -- -- /bin/sh -c 'echo payload; exit 3' 2>&1)
rc=$?
expect_eq "with CAP_SYS_BOOT the power-off ends the namespace (its init killed by SIGINT)" 130 "$rc"
if echo "$out" | grep -q "reboot:"; then fail "...with no complaint" "$out"; else pass "...with no complaint"; fi
