#!/bin/bash
# bench/appliance.sh: time to the first HTTP reply of an appliance microVM,
# fetched from the host through qemu/run --forward: examples/httpd under
# tinyinit-net (mkrootfs initramfs --net) against the same httpd, the same
# kernel and the same modules under a busybox /init script that configures
# the network itself (busybox insmod, ip, hostname; udhcpc for DHCP). Each
# row: median of APPLIANCE_R boots (default 5) under qemu/run's accelerator,
# the rows interleaved (one boot of each a round, in a rotated order).
# Run by `make bench` (bench/run appliance runs only this one).
#
# Columns (wall clock on the host, from starting qemu/run):
#   kernel   until the console shows "Run /init as init process" (QEMU's start,
#            firmware and the kernel's boot)
#   init     from there to httpd's "serving" line (modules, the network, exec)
#   reply    from there to the first HTTP reply that reaches the host (curl
#            from the serving line on, every 10 ms)
#   total    qemu/run's start to the first reply
# The "ip=off" row (tinyinit-net, no network) gives the network setup's share
# of the init column by difference.
#
#   APPLIANCE_R       boots per row (default 5)
#   APPLIANCE_APPEND  more kernel parameters for every boot, e.g. "quiet"
#                     (then the kernel does not print "Run /init", and
#                     only the reply and total columns are measured)
set -u

. "$(dirname "$0")/common"
bench_args "$@"

TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/build
RUN=$TOP/qemu/run
R=${APPLIANCE_R:-5}
case $R in "" | *[!0-9]*) echo "bench/appliance.sh: APPLIANCE_R is a whole number" >&2; exit 2 ;; esac
[ -x /bin/busybox ] || { echo "bench/appliance.sh: /bin/busybox is missing (busybox-static)" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench/appliance.sh: curl is missing" >&2; exit 1; }
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
krel=${kernel#/boot/vmlinuz-}
[ -n "$kernel" ] && [ -d "/lib/modules/$krel" ] ||
	{ echo "bench/appliance.sh: no /boot/vmlinuz-* with its /lib/modules (linux-image-cloud-amd64)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/bench-appliance.XXXXXX)
vm=""
# On the way out: a VM still running gets two signals (qemu/run then ends
# QEMU, which runs in a session of its own).
trap '[ -n "$vm" ] && { kill -TERM "$vm"; sleep 0.2; kill -TERM "$vm"; wait "$vm"; } 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

mkdir -p "$TMP/www" && echo "hello from the appliance" >"$TMP/www/index.html"
STATIC=10.0.2.15::10.0.2.2:255.255.255.0:bench-appliance:eth0:off:10.0.2.3

# tinyinit-net: what `mkrootfs initramfs --net` makes.
"$B/mkrootfs" initramfs --net --kernel-release "$krel" --add "$TMP/www:/srv" -o "$TMP/tinyinit.img" \
	"$B/examples/httpd" --port 80 /srv 2>"$TMP/mk.err" ||
	{ echo "bench/appliance.sh: mkrootfs: $(cat "$TMP/mk.err")" >&2; exit 1; }

# busybox: the same files (modules, httpd, page), busybox as /init.
d=$TMP/busybox.d
mkdir -p "$d" && (cd "$d" && zcat "$TMP/tinyinit.img" | cpio -i -d --quiet) ||
	{ echo "bench/appliance.sh: cannot unpack the tinyinit initramfs" >&2; exit 1; }
rm -f "$d/init" "$d/tinyinit.args"
mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/etc" "$d/usr/share/udhcpc"
cp /bin/busybox "$d/bin/busybox"
cat >"$d/init" <<'EOF'
#!/bin/busybox sh
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sys /sys
$bb mount -t devtmpfs dev /dev
for m in $($bb cat /modules/order); do $bb insmod "/modules/$m"; done
$bb ip link set lo up
$bb ip link set eth0 up
case $ip in
dhcp) $bb udhcpc -q -f -n -i eth0 -s /usr/share/udhcpc/default.script >/dev/null 2>&1 ;;
*)
	$bb ip addr add 10.0.2.15/24 dev eth0
	$bb ip route add default via 10.0.2.2
	$bb hostname bench-appliance
	echo "nameserver 10.0.2.3" >/etc/resolv.conf
	;;
esac
exec /httpd --port 80 /srv
EOF
cat >"$d/usr/share/udhcpc/default.script" <<'EOF'
#!/bin/busybox sh
bb=/bin/busybox
case $1 in
bound | renew)
	$bb ip addr add "$ip/${mask:-24}" dev "$interface"
	for r in $router; do $bb ip route add default via "$r"; done
	for s in $dns; do echo "nameserver $s"; done >/etc/resolv.conf
	;;
esac
EOF
chmod 755 "$d/init" "$d/usr/share/udhcpc/default.script"
(cd "$d" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -9) >"$TMP/busybox.img" ||
	{ echo "bench/appliance.sh: cpio failed" >&2; exit 1; }

# The accelerator is probed once, so the timed boots do not include the probe.
accel=$("$RUN" -v --timeout 5 "$TMP/busybox.img" 2>&1 >/dev/null |
	sed -n 's/^qemu\/run: accelerator \([a-z]*\), machine \([a-z0-9]*\)$/\1 \2/p')
read -r accel machine <<<"$accel"
[ -n "$accel" ] || { echo "bench/appliance.sh: qemu/run did not start (try qemu/run -v)" >&2; exit 1; }

now_us() { echo "${EPOCHREALTIME/./}"; }
free_port() {
	local p
	for p in $(shuf -i 20000-60000 -n 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}

# boot IMG IP WANT_REPLY: one boot; prints "KERNEL INIT REPLY TOTAL" in µs
# (REPLY and TOTAL "-" when WANT_REPLY is 0: only the serving line counts).
# The console is read line by line as it comes; curl starts at the serving
# line and tries again every 10 ms until a reply arrives (30 s at most).
boot() {
	local img=$1 ipv=$2 want=$3 port t0 tk="" ts="" tr="" line fd end
	port=$(free_port) || return 1
	t0=$(now_us)
	exec {fd}< <(exec "$RUN" --accel "$accel" --timeout 120 --forward "$port:80" --append "ip=$ipv" \
		${APPLIANCE_APPEND:+--append "$APPLIANCE_APPEND"} "$img" 2>&1)
	vm=$!
	while IFS= read -r -t 120 line <&"$fd"; do
		case $line in
		*"Run /init as init process"*) tk=$(now_us) ;;
		*"httpd: serving"*) ts=$(now_us); break ;;
		esac
	done
	if [ -n "$ts" ] && [ "$want" = 1 ]; then
		end=$((ts + 30000000))
		while [ "$(now_us)" -lt "$end" ]; do
			curl -sf -m 2 -o /dev/null "http://127.0.0.1:$port/index.html" && { tr=$(now_us); break; }
			sleep 0.01
		done
	fi
	kill -TERM "$vm" 2>/dev/null
	sleep 0.2
	kill -TERM "$vm" 2>/dev/null # the second signal ends QEMU at once
	exec {fd}<&-
	wait "$vm" 2>/dev/null
	vm=""
	[ -n "$ts" ] || return 1
	if [ -z "$tk" ] && [ -n "${APPLIANCE_APPEND:-}" ] && [ -n "$tr" ]; then
		echo "- - $((tr - ts)) $((tr - t0))" # a quiet kernel: no "Run /init"
		return 0
	fi
	[ -n "$tk" ] || return 1
	if [ "$want" = 0 ]; then
		echo "$((tk - t0)) $((ts - tk)) - -"
	elif [ -n "$tr" ]; then
		echo "$((tk - t0)) $((ts - tk)) $((tr - ts)) $((tr - t0))"
	else
		return 1
	fi
}

median() { grep -vx -- - | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }
ms() { [ "$1" = - ] && echo - || awk -v u="$1" 'BEGIN { printf "%.0f", u / 1000 }'; }

echo "# qemu/run --accel $accel (machine $machine), kernel $krel${APPLIANCE_APPEND:+, kernel parameters: $APPLIANCE_APPEND}; $R boots a row; medians"
echo
printf '| %-22s | %10s | %9s | %9s | %9s | %9s |\n' row "initramfs" "kernel" "init" "reply" "total"
printf '|%s|%s|%s|%s|%s|%s|\n' ------------------------ -----------: ----------: ----------: ----------: ----------:
declare -A total init after
rows=("tinyinit-net ip=static|$TMP/tinyinit.img|$STATIC|1"
	"busybox ip=static|$TMP/busybox.img|static|1"
	"tinyinit-net ip=dhcp|$TMP/tinyinit.img|dhcp|1"
	"busybox udhcpc|$TMP/busybox.img|dhcp|1"
	"tinyinit-net ip=off|$TMP/tinyinit.img|off|0")
[ -n "${APPLIANCE_APPEND:-}" ] && unset 'rows[4]' # it needs the "Run /init" line
# Rounds: every row boots once a round, in an order rotated each round, so
# that a busy host slows every row alike.
for ((i = 0; i < R; i++)); do
	for ((j = 0; j < ${#rows[@]}; j++)); do
		k=$(((i + j) % ${#rows[@]}))
		IFS='|' read -r name img ipv want <<<"${rows[k]}"
		boot "$img" "$ipv" "$want" >>"$TMP/times.$k"
	done
done
for ((k = 0; k < ${#rows[@]}; k++)); do
	IFS='|' read -r name img ipv want <<<"${rows[k]}"
	touch "$TMP/times.$k"
	n=$(wc -l <"$TMP/times.$k")
	note=""
	[ "$n" -lt "$R" ] && note=" ($n/$R)"
	for c in 1 2 3 4; do col[c]=$(cut -d' ' -f$c "$TMP/times.$k" | median); done
	printf '| %-22s | %10d | %6s ms | %6s ms | %6s ms | %6s ms |\n' "$name$note" "$(stat -c %s "$img")" \
		"$(ms "${col[1]}")" "$(ms "${col[2]}")" "$(ms "${col[3]}")" "$(ms "${col[4]}")"
	total[$name]=${col[4]}
	init[$name]=${col[2]}
	after[$name]=$([ "${col[2]}" = - ] || [ "${col[3]}" = - ] && echo - || echo $((col[2] + col[3])))
done
echo
ratio() {
	awk -v a="${total[$1]}" -v b="${total[$2]}" -v what="$3" 'BEGIN {
		if (a == "-" || b == "-" || b == 0) { print what ": no figure"; exit }
		r = a / b
		printf "%s %s: %.2fx of busybox (target <= 0.9x)\n", r <= 0.9 ? "PASS" : "MISS", what, r
	}'
}
ratio "tinyinit-net ip=static" "busybox ip=static" "first reply, static ip="
ratio "tinyinit-net ip=dhcp" "busybox udhcpc" "first reply, DHCP"
# The init's own share: from "Run /init" to the first reply (the kernel
# column, the same kernel for both, is most of the total and most of its noise).
for pair in "tinyinit-net ip=static|busybox ip=static" "tinyinit-net ip=dhcp|busybox udhcpc"; do
	IFS='|' read -r a b <<<"$pair"
	awk -v a="${after[$a]}" -v b="${after[$b]}" -v n="$a" -v m="$b" 'BEGIN {
		if (a != "-" && b != "-" && b > 0) printf "/init to first reply: %s %.0f ms, %s %.0f ms (%.2fx)\n", n, a / 1000, m, b / 1000, a / b
	}'
done
awk -v s="${init[tinyinit-net ip=static]:--}" -v o="${init[tinyinit-net ip=off]:--}" 'BEGIN {
	if (s != "-" && o != "-") printf "tinyinit-net network setup (static ip=, the init column over ip=off): %.0f ms\n", (s - o) / 1000
}'
