# aarch64 microVMs: initramfs files of aarch64 payloads with the aarch64 tinyinit, booted by
# qemu/run (which picks qemu-system-aarch64, virt, ttyAMA0 and the arm64 kernel from /init) on
# Debian's arm64 cloud kernel (scripts/arm64 unpacks it). TCG is slow: four boots.
. "$(dirname "$0")/common.bash"
need_root "aarch64 VM tests (qemu, mknod)" || exit 0

RUN=$TOP/qemu/run
MK=$B/mkrootfs
KERNEL=$("$TOP"/scripts/arm64 2>"$WORK/arm64.err") ||
	{ fail "aarch64 kernel (scripts/arm64)" "$(cat "$WORK/arm64.err")"; exit 0; }
KREL=${KERNEL##*/vmlinuz-}
MODS=$(dirname "$(dirname "$KERNEL")")/lib/modules/$KREL
pass "scripts/arm64 gives an arm64 kernel: $KREL"
expect_match "the arm64 kernel is an ARM64 image" "ARM64" "$(file -b "$KERNEL")"

mkinit() { # NAME ARGS...: $WORK/NAME.img from mkrootfs initramfs ARGS (aarch64 tinyinit)
	local name=$1
	shift
	"$MK" initramfs --init "$A64/tinyinit" -o "$WORK/$name.img" "$@" >"$WORK/$name.mk" 2>&1 ||
		{ fail "build $name" "$(cat "$WORK/$name.mk")"; return 1; }
}
boot() { # NAME [qemu/run options] [-- ARGS]: sets rc and out; the kernel is qemu/run's choice
	local name=$1
	shift
	timeout -s KILL 300 "$RUN" -v --timeout 240 "$WORK/$name.img" "$@" >"$WORK/$name.out" 2>&1
	rc=$?
	out=$(tr -d '\r' <"$WORK/$name.out")
}
ends() { # NAME STATUS
	expect_eq "$1: status $2" "$2" "$rc"
	expect_match "$1: the final line" "tinyinit: payload exited with status $2" "$out"
	expect_match "$1: the VM powers off" "reboot: Power down" "$out"
	if echo "$out" | grep -q "Kernel panic"; then fail "$1: no kernel panic" "$(echo "$out" | grep -m1 'Kernel panic')"; else pass "$1: no kernel panic"; fi
}

mkinit hello "$A64/examples/hello" && {
	boot hello
	ends "aarch64 hello" 0
	expect_match "qemu/run picked aarch64 from /init: virt, ttyAMA0, the arm64 kernel" \
		"qemu-system-aarch64 .*-kernel $KERNEL .*-M virt .*console=ttyAMA0" "$out"
	expect_match "the aarch64 payload ran" "Hello from a tinyinit payload" "$out"
	boot hello -- 42
	ends "aarch64 hello 42" 42
}

mkinit crash "$A64/tests/crash" && {
	boot crash
	ends "aarch64 payload dying of SIGSEGV" 139
}

# Layers on the overlay module, loaded from the arm64 modules tree.
L=$B/examples/layered
"$TOP"/scripts/aarch64-linux-musl-gcc -std=c11 -Os -static -s -o "$WORK/show" "$TOP/examples/layered/show.c"
mkinit layered --modules overlay --modules-dir "$MODS" --layer "$L/00-base" --layer "$L/01-app" \
	--as /bin/show "$WORK/show" && {
	boot layered
	ends "aarch64 layers" 0
	expect_match "aarch64 layers: the overlay module loaded" "overlay" "$(echo "$out" | grep -i 'modul\|overlay' | head -5)"
	expect_match "aarch64 layers: the root is the overlay" "root mount: overlay overlay" "$out"
	expect_match "aarch64 layers: the lower layers are stacked" "/etc/os-release +base 1.0" "$out"
}

# The architecture is read from /init, and --arch overrides it.
out=$("$RUN" --arch sparc "$WORK/hello.img" 2>&1); rc=$?
expect_eq "--arch sparc: usage error 2" 2 "$rc"
expect_match "--arch sparc: named" "^qemu/run: --arch: 'sparc' is not x86_64 or aarch64" "$out"

# An aarch64 appliance (issue 12: the appliance network as on x86-64): examples/httpd built for
# aarch64 under `mkrootfs initramfs --net` with no --init (mkrootfs takes build/aarch64/tinyinit-net
# for the aarch64 payload), booted by qemu/run --forward on virt with virtio-net-pci; the host
# fetches a file of the boot layer, over the user-mode network's static ip= and over DHCP.
free_port() {
	local p
	for p in $(shuf -i 20000-60000 -n 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}
get() { # PORT PATH: the body of http://127.0.0.1:PORT/PATH (a few tries)
	local i
	for i in 1 2 3 4 5; do
		curl -sf -m 10 "http://127.0.0.1:$1$2" && return 0
		sleep 1
	done
	return 1
}
# serve NAME PORT [qemu/run options]: boots $WORK/NAME.img in the background (vmpid) and waits up to
# 240 s for "httpd: serving"; stopped by stop.
serve() {
	local name=$1 port=$2
	shift 2
	vmout=$WORK/$name.$port.out
	"$RUN" --timeout 240 --forward "$port:8080" "$WORK/$name.img" "$@" >"$vmout" 2>&1 &
	vmpid=$!
	wait_for "$vmout" "httpd: serving" 2400 || { fail "$name: the service starts" "$(tail -n 5 "$vmout")"; return 1; }
}
# stop: SIGTERM to qemu/run. The virt machine has no keyboard, so Ctrl-Alt-Del reaches nobody and
# qemu/run ends QEMU after --stop-timeout (124), as README and qemu/run --help say.
stop() {
	local n=900
	kill -TERM "$vmpid" 2>/dev/null
	while kill -0 "$vmpid" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ $n -gt 0 ] || kill -KILL "$vmpid" 2>/dev/null
	wait "$vmpid"
	rc=$?
	out=$(tr -d '\r' <"$vmout")
}
mkdir -p "$WORK/webroot/srv"
echo "hello from an aarch64 appliance" >"$WORK/webroot/srv/index.html"
unset MKROOTFS_TINYINIT
if "$MK" initramfs --net --modules overlay --modules-dir "$MODS" --layer "$WORK/webroot" --as /bin/httpd \
	-o "$WORK/web.img" -- "$A64/examples/httpd" --port 8080 / >"$WORK/web.mk" 2>&1; then
	expect_eq "aarch64 initramfs --net: /init is the aarch64 tinyinit-net" "" \
		"$(zcat "$WORK/web.img" | (cd "$WORK" && cpio -i --quiet --to-stdout init 2>/dev/null) | cmp - "$A64/tinyinit-net" 2>&1)"
	port=$(free_port)
	serve web "$port" --stop-timeout 3 && {
		expect_eq "aarch64 appliance, qemu/run's static ip=: the host reaches the service" \
			"hello from an aarch64 appliance" "$(get "$port" /srv/index.html)"
		route=$(get "$port" /proc/net/route | awk '$2 == "00000000" {print $1, $3}')
		expect_eq "...the default route via 10.0.2.2 on eth0" "eth0 0202000A" "$route"
		stop
		expect_eq "...SIGTERM to qemu/run: no keyboard on virt, QEMU ended after --stop-timeout (124)" 124 "$rc"
	}
	port=$(free_port)
	serve web "$port" --stop-timeout 3 --append "ip=dhcp" && {
		expect_eq "aarch64 appliance, ip=dhcp: the host reaches the service" \
			"hello from an aarch64 appliance" "$(get "$port" /srv/index.html)"
		stop
		expect_match "...the lease is one console line" \
			"^tinyinit: dhcp: 10.0.2.15/255.255.255.0 via 10.0.2.2 on eth0, lease [0-9]+ s" "$out"
	}
else
	fail "aarch64 initramfs --net of examples/httpd" "$(cat "$WORK/web.mk")"
fi
