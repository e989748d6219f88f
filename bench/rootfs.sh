# Per-launch cost of assembling a container root from two layers (tmpfs
# upper, overlay, pivot, /proc, /dev, masks), side by side:
#   tinyinit              PID 1 of new mount+pid namespaces, assembles, runs a no-op
#   C baseline            the same system calls hard-coded (bench/rootfs-baseline.c)
#   run-container.sh      the tutorial's way: unshare + sh + mount + pivot_root binaries
#   bubblewrap            nearest equivalent (bind + proc + dev + new pid namespace;
#                         Debian's bwrap has no overlay)
#   podman run            the same two layers as an image, runc, no network
# and the price of each step added since the first version: the mount
# namespace of tinyinit's own (unshare), the masks, the capability drop, and
# the carry-over of 20 runtime mounts. tinyinit and the baseline run in a
# stand-in container root (a bind of a directory holding the layers, its
# own /proc and 0 or 20 tmpfs "volumes", pivoted into as runc does), so the
# host's own mounts and other users' containers do not count.
# Targets: tinyinit within 1.25x of the baseline that makes the same steps
# (unshare, masks, capability drop), at most half of bubblewrap.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/build
N=${BENCH_LAUNCHES:-200}
R=${BENCH_REPEATS:-7}
PN=${BENCH_PODMAN:-10}
W=$(mktemp -d /tmp/bench-rootfs.XXXXXX)
cleanup() {
	if [ -n "${CONTAINERS_STORAGE_CONF:-}" ]; then
		timeout 60 podman rm -a -f >/dev/null 2>&1
		timeout 60 podman system reset -f >/dev/null 2>&1
	fi
	grep -F " $W" /proc/self/mountinfo | awk '{print $5}' | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT

# The stand-in container root: /bin with the programs, /layers, /proc.
C=$W/ctr
L=$C/layers
mkdir -p "$L/00-base/bin" "$L/01-app/etc" "$C/bin" "$C/proc" "$W/stage"
cp "$B/bench/noop" "$L/00-base/bin/noop"
cp /bin/busybox "$L/00-base/bin/busybox"
ln -s busybox "$L/00-base/bin/umount"
echo app >"$L/01-app/etc/app.conf"
cp "$B/tinyinit" "$B/bench/rootfs-baseline" "$C/bin/"

launch="$B/bench/rootfs-launch"
# inctr NMOUNTS LAUNCH-ARGS...: rootfs-launch chrooted into the stand-in
# root, in a mount namespace where the "runtime" mounted NMOUNTS volumes.
inctr() {
	unshare --mount --propagation private sh -c '
		c=$1 n=$2; shift 2
		mount --bind "$c" "$c" && mount -t proc proc "$c/proc" || exit 1
		i=0
		while [ "$i" -lt "$n" ]; do
			i=$((i + 1))
			mkdir -p "$c/vol/$i" && mount -t tmpfs -o size=1m "vol$i" "$c/vol/$i" || exit 1
		done
		exec "$@"' sh "$C" "$@"
}
# The rows in the stand-in root, interleaved: each round runs every row
# once (N launches), so a change of load on the machine hits all rows alike;
# each row's figure is its median over the R rounds.
rows=(
	"0 /bin/tinyinit --layers /layers -- /bin/noop"
	"20 /bin/tinyinit --layers /layers -- /bin/noop"
	"0 /bin/tinyinit --keep-caps --layers /layers -- /bin/noop"
	"0 /bin/rootfs-baseline /layers /bin/noop"
	"0 /bin/rootfs-baseline -M /layers /bin/noop"
	"0 /bin/rootfs-baseline -u /layers /bin/noop"
	"0 /bin/rootfs-baseline -u -c /layers /bin/noop"
	"20 /bin/rootfs-baseline -u -c /layers /bin/noop"
)
for r in $(seq 1 "$R"); do
	for i in "${!rows[@]}"; do
		# shellcheck disable=SC2086
		t=$(inctr ${rows[$i]%% *} "$launch" -r "$C" -n "$N" 1 ${rows[$i]#* }) || exit 1
		echo "$t" >>"$W/row$i"
	done
done
med() { sort -n "$W/row$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
t_init=$(med 0) t_init20=$(med 1) t_keep=$(med 2) t_base=$(med 3) t_bnomask=$(med 4)
t_bu=$(med 5) t_full=$(med 6) t_full20=$(med 7)

# The peers, from the host as before.
t_sh=$("$launch" -n "$((N / 4))" "$R" /usr/bin/unshare --mount --pid --fork /bin/sh "$TOP/bench/tutorial-run-container" "$L" "$W/stage" /bin/noop) || exit 1
t_bw=$("$launch" "$N" "$R" /usr/bin/bwrap --bind "$L/00-base" / --proc /proc --dev /dev --unshare-pid /bin/noop) || exit 1

# podman (runc): the same two layers as image layers, the no-op as the
# entrypoint, a private store.
t_pm=-
if command -v podman >/dev/null; then
	mkdir -p "$W/podman/store" "$W/podman/run" "$W/podman/tmp"
	printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=4096:4096"]\nnetns = "none"\ncgroupns = "host"\nlog_driver = "k8s-file"\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "none"\ntmp_dir = "%s"\n' \
		"$(ulimit -Sn)" "$(ulimit -Hn)" "$W/podman/tmp" >"$W/podman/containers.conf"
	printf '[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n' \
		"$W/podman/store" "$W/podman/run" >"$W/podman/storage.conf"
	export CONTAINERS_CONF=$W/podman/containers.conf CONTAINERS_STORAGE_CONF=$W/podman/storage.conf
	tag=bench-rootfs-$$:latest
	if SOURCE_DATE_EPOCH=0 "$B/mkrootfs" image -o "$W/img.tar" --tag "$tag" --no-init \
		--layer "$L/00-base" --layer "$L/01-app" --as /bin/noop "$B/bench/noop" &&
		timeout 120 podman load -i "$W/img.tar" >/dev/null; then
		t_pm=$("$launch" "$PN" 3 /usr/bin/podman run --rm --network none "$tag") || t_pm=-
	fi
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-") print "-"; else printf "%.2fx", a / b}'; }
printf '%-58s %10s %12s\n' "per launch" "µs" "vs tinyinit"
for row in "tinyinit:$t_init" \
	"tinyinit, 20 runtime mounts carried over:$t_init20" \
	"tinyinit --keep-caps (no capability drop):$t_keep" \
	"C baseline (masks, no unshare, no capability drop):$t_base" \
	"C baseline -M (no masks):$t_bnomask" \
	"C baseline -u (+ unshare):$t_bu" \
	"C baseline -u -c (+ unshare + capability drop):$t_full" \
	"C baseline -u -c, 20 runtime mounts in the namespace:$t_full20" \
	"run-container.sh:$t_sh" \
	"bubblewrap:$t_bw" \
	"podman run --rm (runc; $PN launches a round):$t_pm"; do
	name=${row%%:*} t=${row##*:}
	printf '%-58s %10s %12s\n' "$name" "$t" "$(ratio "$t" "$t_init")"
done
echo
echo "price of each step (µs per launch; differences of medians):"
awk -v i="$t_init" -v i20="$t_init20" -v k="$t_keep" -v b="$t_base" -v bm="$t_bnomask" \
	-v bu="$t_bu" -v f="$t_full" -v f20="$t_full20" 'BEGIN {
	printf "  %-52s %8.1f\n", "unshare(CLONE_NEWNS) (baseline -u - baseline)", bu - b
	printf "  %-52s %8.1f\n", "masks (baseline - baseline -M)", b - bm
	printf "  %-52s %8.1f\n", "capability drop, floor (baseline -u -c - baseline -u)", f - bu
	printf "  %-52s %8.1f\n", "capability drop, tinyinit (tinyinit - --keep-caps)", i - k
	printf "  %-52s %8.1f\n", "20 runtime mounts, floor (namespace copy only)", f20 - f
	printf "  %-52s %8.1f\n", "20 runtime mounts, tinyinit (copy + carry-over)", i20 - i
}'
awk -v i="$t_init" -v b="$t_full" -v w="$t_bw" 'BEGIN {
	printf "tinyinit / baseline -u -c = %.2f (target <= 1.25): %s\n", i / b, i / b <= 1.25 ? "PASS" : "MISS"
	printf "tinyinit / bubblewrap     = %.2f (target <= 0.50): %s\n", i / w, i / w <= 0.5 ? "PASS" : "MISS"
}'
