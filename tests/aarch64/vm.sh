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
