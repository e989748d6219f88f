# Per-launch cost of assembling a container root from two layers (tmpfs
# upper, overlay, pivot, /proc, /dev), side by side:
#   tinyinit              PID 1 of new mount+pid namespaces, assembles, runs a no-op
#   C baseline            the same system calls hard-coded (bench/rootfs-baseline.c)
#   run-container.sh      the tutorial's way: unshare + sh + mount + pivot_root binaries
#   bubblewrap            nearest equivalent (bind + proc + dev + new pid namespace;
#                         Debian's bwrap has no overlay)
# Targets: tinyinit within 1.25x of the baseline, at most half of bubblewrap.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/build
N=${BENCH_LAUNCHES:-200}
R=${BENCH_REPEATS:-7}
W=$(mktemp -d /tmp/bench-rootfs.XXXXXX)
trap 'rm -rf "$W"' EXIT

L=$W/layers
mkdir -p "$L/00-base/bin" "$L/01-app/etc" "$W/stage"
cp "$B/bench/noop" "$L/00-base/bin/noop"
cp /bin/busybox "$L/00-base/bin/busybox"
ln -s busybox "$L/00-base/bin/umount"
echo app >"$L/01-app/etc/app.conf"

launch="$B/bench/rootfs-launch"
t_init=$("$launch" -n "$N" "$R" "$B/tinyinit" --layers "$L" -- /bin/noop) || exit 1
t_base=$("$launch" -n "$N" "$R" "$B/bench/rootfs-baseline" "$L" /bin/noop) || exit 1
t_sh=$("$launch" "$((N / 4))" "$R" /usr/bin/unshare --mount --pid --fork /bin/sh "$TOP/bench/tutorial-run-container" "$L" "$W/stage" /bin/noop) || exit 1
t_bw=$("$launch" "$N" "$R" /usr/bin/bwrap --bind "$L/00-base" / --proc /proc --dev /dev --unshare-pid /bin/noop) || exit 1

printf '%-22s %12s %12s\n' "per launch" "µs" "vs tinyinit"
for row in "tinyinit:$t_init" "C baseline:$t_base" "run-container.sh:$t_sh" "bubblewrap:$t_bw"; do
	name=${row%%:*} t=${row##*:}
	printf '%-22s %12s %12s\n' "$name" "$t" "$(awk -v a="$t" -v b="$t_init" 'BEGIN {printf "%.2fx", a / b}')"
done
awk -v i="$t_init" -v b="$t_base" -v w="$t_bw" 'BEGIN {
	printf "tinyinit / baseline   = %.2f (target <= 1.25): %s\n", i / b, i / b <= 1.25 ? "PASS" : "MISS"
	printf "tinyinit / bubblewrap = %.2f (target <= 0.50): %s\n", i / w, i / w <= 0.5 ? "PASS" : "MISS"
}'
