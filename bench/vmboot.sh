#!/bin/bash
# bench/vmboot.sh: how long a microVM takes from kernel start to the
# payload's first line, booted by qemu/run with Debian's kernel, one row per
# initramfs (median of VMBOOT_R boots each), and the size of each initramfs
# against Debian's own initrd. Run by `make bench` (bench/run vmboot runs
# only this one).
#
# Rows: "busybox", built here: a busybox-static /init that mounts /proc,
# /sys and /dev (devtmpfs), copies a root into a tmpfs and switch_roots into
# it, where the payload writes the marker. More rows: VMBOOT_ROWS, a list of
# NAME=INITRAMFS separated by spaces; each payload must write the line
# "<2>vmboot: payload start" to /dev/kmsg first thing (the kernel stamps it;
# level 2 so that it shows even with "quiet").
#
#   VMBOOT_R      boots per row (default 5)
#   VMBOOT_ROWS   more rows, "NAME=PATH ..."
#   VMBOOT_ARGS   more qemu/run options, e.g. "--machine microvm --append quiet"
set -u

. "$(dirname "$0")/common"
bench_args "$@"

TOP=$(cd "$(dirname "$0")/.." && pwd)
RUN=$TOP/qemu/run
R=${VMBOOT_R:-5}
MARK="vmboot: payload start"
read -r -a extra <<<"${VMBOOT_ARGS:-}"
case $R in "" | *[!0-9]*) echo "bench/vmboot.sh: VMBOOT_R is a whole number" >&2; exit 2 ;; esac
[ -x /bin/busybox ] || { echo "bench/vmboot.sh: /bin/busybox is missing (busybox-static)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/bench-vmboot.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# The busybox row. /dev/console comes from the kernel's built-in initramfs.
d=$TMP/busybox.d
mkdir -p "$d/bin" "$d/dev" "$d/proc" "$d/sys" "$d/newroot"
cp /bin/busybox "$d/bin/busybox"
cat >"$d/init" <<'EOF'
#!/bin/busybox sh
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sys /sys
$bb mount -t devtmpfs dev /dev
$bb mount -t tmpfs -o mode=0755 root /newroot
$bb mkdir -p /newroot/bin /newroot/proc /newroot/sys /newroot/dev
$bb cp /bin/busybox /newroot/bin/busybox
$bb cp /payload /newroot/init
for m in proc sys dev; do $bb mount --move /$m /newroot/$m; done
exec $bb switch_root /newroot /init
EOF
cat >"$d/payload" <<EOF
#!/bin/busybox sh
echo "<2>$MARK" >/dev/kmsg
echo "tinyinit: payload exited with status 0"
exec /bin/busybox poweroff -f
EOF
chmod 755 "$d/init" "$d/payload"
(cd "$d" && find . | cpio -o -H newc -R 0:0 --quiet) >"$TMP/busybox.cpio" ||
	{ echo "bench/vmboot.sh: cpio failed" >&2; exit 1; }

rows=("busybox=$TMP/busybox.cpio")
# The floor row: an init that only mounts /dev, /proc, /sys and starts the payload
# (bench/vminit-floor.c), then powers off.
d=$TMP/floor.d
mkdir -p "$d/dev"
mknod -m 600 "$d/dev/console" c 5 1
cp "$TOP/build/bench/vminit-floor" "$d/init"
cp "$TOP/build/bench/vmmark" "$d/payload"
(cd "$d" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -9) >"$TMP/floor.img"
rows+=("floor=$TMP/floor.img")
# The tinyinit row: mkrootfs initramfs with bench/vmmark as the payload.
if "$TOP/build/mkrootfs" initramfs -o "$TMP/tinyinit.img" --init "$TOP/build/tinyinit" \
	"$TOP/build/bench/vmmark" 2>"$TMP/mk.err"; then
	rows+=("tinyinit=$TMP/tinyinit.img")
else
	echo "bench/vmboot.sh: no tinyinit row: $(cat "$TMP/mk.err")" >&2
fi
# The aarch64 row: the aarch64 tinyinit and an aarch64 vmmark, booted under qemu-system-aarch64
# (TCG, whatever the x86-64 rows use) on the kernel scripts/arm64 provides; skipped without it.
if [ -x "$TOP/build/aarch64/tinyinit" ] && [ -x "$TOP/build/aarch64/bench/vmmark" ] &&
	"$TOP/scripts/arm64" >/dev/null 2>"$TMP/arm64.err"; then
	if "$TOP/build/mkrootfs" initramfs -o "$TMP/tinyinit-aarch64.img" --init "$TOP/build/aarch64/tinyinit" \
		"$TOP/build/aarch64/bench/vmmark" 2>"$TMP/mk.err"; then
		rows+=("aarch64-tinyinit=$TMP/tinyinit-aarch64.img")
	else
		echo "bench/vmboot.sh: no aarch64 row: $(cat "$TMP/mk.err")" >&2
	fi
else
	echo "bench/vmboot.sh: no aarch64 row: build/aarch64/bench/vmmark or the arm64 kernel missing $(head -n 1 "$TMP/arm64.err" 2>/dev/null)" >&2
fi
read -r -a more <<<"${VMBOOT_ROWS:-}"
rows+=("${more[@]}")

# The accelerator is probed once, so the timed boots do not include the probe.
accel=$("$RUN" -v --timeout 5 "${extra[@]}" "$TMP/busybox.cpio" 2>&1 >/dev/null |
	sed -n 's/^qemu\/run: accelerator \([a-z]*\), machine \([a-z0-9]*\)$/\1 \2/p')
read -r accel machine <<<"$accel"
[ -n "$accel" ] || { echo "bench/vmboot.sh: qemu/run did not start (try qemu/run -v)" >&2; exit 1; }

# boot INITRAMFS: one boot; prints "KERNEL_US WALL_US INIT_US" (kernel: the
# printk stamp of the marker; wall: from starting qemu/run to reading the
# marker; init: from the kernel's "Run /init as init process" to the
# marker, i.e. the init's own work before the payload runs).
boot() {
	local t0=${EPOCHREALTIME/./} line k r="" acc=$accel
	case $1 in *aarch64*) acc=tcg ;; esac # no KVM for an aarch64 guest here
	while IFS= read -r line; do
		case $line in
		*"Run /init as init process"*)
			r=$(sed -n 's/^\[ *\([0-9]*\)\.\([0-9]\{6\}\)\].*/\1\2/p' <<<"$line")
			;;
		*"$MARK"*)
			k=$(sed -n 's/^\[ *\([0-9]*\)\.\([0-9]\{6\}\)\].*/\1\2/p' <<<"$line")
			echo "$((10#$k)) $((${EPOCHREALTIME/./} - t0)) $([ -n "$r" ] && echo $((10#$k - 10#$r)) || echo -)"
			;;
		esac
	done < <("$RUN" --accel "$acc" --timeout 60 "${extra[@]}" "$1" 2>/dev/null)
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.0f", u / 1000 }'; }

echo "# qemu/run --accel $accel (machine $machine)${extra[*]:+ ${extra[*]}}; $R boots a row; medians"
echo
# (→ is three bytes: two more columns of width keep the header in line.)
printf '| %-12s | %12s | %26s | %26s | %22s |\n' initramfs "size (bytes)" "kernel start → payload" "qemu/run → payload" "/init → payload"
printf '|%s|%s|%s|%s|%s|\n' -------------- -------------: -------------------------: -------------------------: ---------------------:
for row in "${rows[@]}"; do
	name=${row%%=*} path=${row#*=}
	if [ ! -r "$path" ]; then
		printf '| %-12s | %12s | %24s | %24s |\n' "$name" - "$path: not readable" -
		continue
	fi
	: >"$TMP/times"
	for ((i = 0; i < R; i++)); do boot "$path" >>"$TMP/times"; done
	n=$(wc -l <"$TMP/times")
	if [ "$n" -eq 0 ]; then
		printf '| %-12s | %12d | %24s | %24s |\n' "$name" "$(stat -L -c %s "$path")" "no marker seen" -
		continue
	fi
	k=$(cut -d' ' -f1 "$TMP/times" | median)
	w=$(cut -d' ' -f2 "$TMP/times" | median)
	i=$(cut -d' ' -f3 "$TMP/times" | grep -v -- - | median)
	note=""
	[ "$n" -lt "$R" ] && note=" ($n/$R boots)"
	printf '| %-12s | %12d | %21s ms | %21s ms | %17s ms |\n' "$name$note" "$(stat -L -c %s "$path")" "$(ms "$k")" "$(ms "$w")" "$(awk -v u="${i:-0}" 'BEGIN { printf "%.1f", u / 1000 }')"
	[ "$name" = tinyinit ] && tiny_init=$i tiny_size=$(stat -L -c %s "$path")
	[ "$name" = floor ] && floor_init=$i
done
echo
for f in /boot/initrd.img-*; do
	[ -e "$f" ] && echo "For scale: Debian's $(basename "$f"): $(stat -L -c %s "$f") bytes"
done
if [ -n "${tiny_init:-}" ]; then
	awk -v i="$tiny_init" -v f="${floor_init:-0}" -v s="$tiny_size" 'BEGIN {
		w = (i - f) / 1000
		printf "tinyinit: /init -> payload %.1f ms, of which the floor (first exec; devtmpfs, proc, sysfs; vfork+exec) %.1f ms\n", i / 1000, f / 1000
		printf "%s tinyinit init work %.1f ms over the floor (target <= 5 ms)\n", w <= 5 ? "PASS" : "MISS", w
		printf "%s hello-sized initramfs %d bytes compressed (target < 65536)\n", s < 65536 ? "PASS" : "MISS", s
	}'
fi
