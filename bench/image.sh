# mkrootfs image against the peers on a generated 64 MiB tree of mixed files:
# mkrootfs (gzip layers, a complete image), podman build (FROM scratch +
# COPY) + podman save, tar | gzip -6, tar | pigz -6. Median of RUNS runs.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/build
RUNS=${RUNS:-3}
W=$(mktemp -d /tmp/mkrootfs-bench.XXXXXX)
PODMAN_OK=1
cleanup() {
	if [ -n "${CONTAINERS_STORAGE_CONF:-}" ]; then
		timeout 60 podman system reset -f >/dev/null 2>&1
		grep -F " $W" /proc/self/mountinfo | awk '{print $5}' | sort -r |
			while read -r m; do umount -l "$m" 2>/dev/null; done
	fi
	rm -rf "$W"
}
trap cleanup EXIT

python3 "$TOP/bench/gentree.py" "$W/tree"
du -sb "$W/tree" | awk '{printf "# tree: %.1f MiB, ", $1/1048576}'
find "$W/tree" -type f | wc -l | awk '{print $1 " files"}'
sync

# a test-local podman (see tests/image/common.bash)
mkdir -p "$W/podman/store" "$W/podman/run" "$W/podman/tmp" "$W/ctx"
cat >"$W/podman/containers.conf" <<EOC
[containers]
default_ulimits = ["nofile=$(ulimit -Sn):$(ulimit -Hn)", "nproc=4096:4096"]
netns = "none"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "none"
tmp_dir = "$W/podman/tmp"
EOC
cat >"$W/podman/storage.conf" <<EOC
[storage]
driver = "overlay"
graphroot = "$W/podman/store"
runroot = "$W/podman/run"
EOC
export CONTAINERS_CONF=$W/podman/containers.conf CONTAINERS_STORAGE_CONF=$W/podman/storage.conf
cp -a "$W/tree" "$W/ctx/tree"
cp "$B/examples/hello" "$W/ctx/hello"
printf 'FROM scratch\nCOPY tree /tree\nCOPY hello /hello\nENTRYPOINT ["/hello"]\n' >"$W/ctx/Containerfile"

run_mkrootfs() { MKROOTFS_TINYINIT=$B/tinyinit "$B/mkrootfs" image -o "$W/out.tar" --layer "$W/tree" "$B/examples/hello"; }
run_podman() {
	podman build -q --layers=false -t bench:latest "$W/ctx" >/dev/null 2>&1 &&
		podman save -o "$W/out.tar" bench:latest >/dev/null 2>&1 &&
		podman rmi -f bench:latest >/dev/null 2>&1
}
run_gzip() { tar -C "$W/tree" -cf - . | gzip -6 >"$W/out.tar"; }
run_pigz() { tar -C "$W/tree" -cf - . | pigz -6 >"$W/out.tar"; }

# median NAME: times RUNS runs, prints "seconds bytes"
median() {
	local t=() i s e
	for i in $(seq 1 "$RUNS"); do
		rm -f "$W/out.tar"
		s=$(date +%s.%N)
		"run_$1" || return 1
		e=$(date +%s.%N)
		t+=("$(echo "$e - $s" | bc)")
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p" | tr '\n' ' '
	stat -c %s "$W/out.tar"
}

declare -A T S
for tool in pigz gzip mkrootfs podman; do
	r=$(median "$tool") || { echo "# $tool failed"; T[$tool]=NA; S[$tool]=0; continue; }
	T[$tool]=${r% *}
	S[$tool]=${r#* }
done
printf '\n| %-42s | %8s | %10s | %8s |\n' "tool (64 MiB tree, median of $RUNS)" "seconds" "output" "vs pigz"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' $(seq 1 44))" "----------" "------------" "----------"
row() {
	local ratio=NA
	[ "${T[$2]}" != NA ] && ratio=$(echo "scale=2; ${T[$2]} / ${T[pigz]}" | bc)
	printf '| %-42s | %8.2f | %6.1f MiB | %7.2fx |\n' "$1" "${T[$2]}" "$(echo "${S[$2]} / 1048576" | bc -l)" "$ratio"
}
row "tar -c | pigz -6" pigz
row "tar -c | gzip -6" gzip
row "mkrootfs image (gzip layers, complete)" mkrootfs
row "podman build + podman save (uncompressed)" podman

# --- a 2 GiB layer (BIG_MIB, default 2048; BIG_MIB=0 skips it) ---------------
# The same mixed tree at 2 GiB given to mkrootfs image as a directory, a
# .tar, a .tar.gz and a base image (an image tarball whose layer it is): time,
# peak RSS and the bytes mkrootfs wrote to temporary files (TMPDIR; its own
# count, MKROOTFS_STATS). Targets: peak RSS < 128 MiB, at most one temporary
# copy of the input.
BIG_MIB=${BIG_MIB:-2048}
[ "$BIG_MIB" -gt 0 ] || exit 0
python3 "$TOP/bench/gentree.py" "$W/big" "$BIG_MIB"
tar -C "$W/big" -cf "$W/big.tar" .
pigz -6 <"$W/big.tar" >"$W/big.tar.gz"
MKROOTFS_TINYINIT=$B/tinyinit "$B/mkrootfs" image -o "$W/big-image.tar" --layer "$W/big" "$B/examples/hello"
printf '\n# big tree: %.0f MiB in %d files; as .tar %.0f MiB, .tar.gz %.0f MiB, image %.0f MiB\n' \
	"$(du -sb "$W/big" | awk '{print $1 / 1048576}')" "$(find "$W/big" -type f | wc -l)" \
	"$(stat -c %s "$W/big.tar" | awk '{print $1 / 1048576}')" \
	"$(stat -c %s "$W/big.tar.gz" | awk '{print $1 / 1048576}')" \
	"$(stat -c %s "$W/big-image.tar" | awk '{print $1 / 1048576}')"
printf '\n| %-40s | %8s | %13s | %15s |\n' "mkrootfs image --layer (2 GiB tree)" "seconds" "peak RSS" "temporary bytes"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' $(seq 1 42))" "----------" "---------------" "-----------------"
for kind in directory tar tar.gz image; do
	case $kind in
	directory) in=$W/big ;;
	tar) in=$W/big.tar ;;
	tar.gz) in=$W/big.tar.gz ;;
	image) in=$W/big-image.tar ;;
	esac
	rm -f "$W/out.tar"
	s=$(date +%s.%N)
	MKROOTFS_STATS=1 MKROOTFS_TINYINIT=$B/tinyinit TMPDIR=$W "$B/mkrootfs" image -o "$W/out.tar" \
		--layer "$in" "$B/examples/hello" 2>"$W/stats" || { echo "# $kind failed: $(cat "$W/stats")"; continue; }
	e=$(date +%s.%N)
	# "mkrootfs: stats: peak RSS N KiB, temporary bytes N"
	read -r rss tmp < <(sed -n 's/.*peak RSS \([0-9]*\) KiB, temporary bytes \([0-9]*\).*/\1 \2/p' "$W/stats")
	printf '| %-40s | %8.2f | %9.1f MiB | %11.1f MiB |\n' "$kind" "$(echo "$e - $s" | bc)" \
		"$(echo "$rss / 1024" | bc -l)" "$(echo "$tmp / 1048576" | bc -l)"
done
