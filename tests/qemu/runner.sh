# qemu/run: real boots of the real Debian kernel with hand-made initramfs
# files whose /init is a busybox-static script that plays the payload's part
# (prints the status line tinyinit prints, then powers off).
. "$(dirname "$0")/../lib.sh"

RUN=$TOP/qemu/run
BUSYBOX=/bin/busybox
KERNEL=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)

need_root "qemu runner tests (mknod dev/console)" || exit 0
for need in qemu-system-x86_64 cpio; do
	command -v "$need" >/dev/null || { fail "qemu runner" "$need is not installed (scripts/deps)"; exit 0; }
done
[ -x "$BUSYBOX" ] || { fail "qemu runner" "$BUSYBOX is missing (busybox-static)"; exit 0; }
readelf -l "$BUSYBOX" 2>/dev/null | grep -q INTERP &&
	{ fail "qemu runner" "$BUSYBOX is dynamically linked (install busybox-static)"; exit 0; }
[ -n "$KERNEL" ] && [ -r "$KERNEL" ] ||
	{ fail "qemu runner" "no readable /boot/vmlinuz-* (linux-image-cloud-amd64)"; exit 0; }

# initramfs NAME [SCRIPT]: $WORK/NAME.cpio with busybox and dev/console;
# SCRIPT (read from stdin when "-") becomes /init, mode 0755.
initramfs() {
	local d=$WORK/$1.d
	mkdir -p "$d/bin" "$d/dev" "$d/proc" "$d/sys"
	cp "$BUSYBOX" "$d/bin/busybox"
	mknod -m 600 "$d/dev/console" c 5 1
	if [ $# -gt 1 ]; then
		{ echo '#!/bin/busybox sh'; cat; } >"$d/init"
		chmod 755 "$d/init"
	fi
	(cd "$d" && find . | cpio -o -H newc -R 0:0 --quiet) >"$WORK/$1.cpio"
}

# boot NAME [RUN-ARGS...]: runs qemu/run on $WORK/NAME.cpio; sets rc, out, err.
# The outer timeout only stops a runner that hangs (it would exit 137).
boot() {
	local name=$1
	shift
	timeout -s KILL 120 "$RUN" "$@" "$WORK/$name.cpio" "${post[@]}" >"$WORK/$name.out" 2>"$WORK/$name.err"
	rc=$?
	out=$(cat "$WORK/$name.out")
	err=$(cat "$WORK/$name.err")
	post=()
}
post=()

# --- usage (no boot) --------------------------------------------------------
o=$("$RUN" --help); expect_eq "--help exits 0" 0 $?
expect_match "--help documents the exit statuses" "125 +the kernel never reached the payload" "$o"
"$RUN" --frobnicate x 2>"$WORK/e"; expect_eq "unknown option exits 2" 2 $?
expect_match "unknown option is named" "unknown option --frobnicate" "$(cat "$WORK/e")"
"$RUN" "$WORK/nonexistent.cpio" 2>"$WORK/e"; expect_eq "missing initramfs exits 2" 2 $?
expect_match "missing initramfs is named" "nonexistent.cpio: not a readable file" "$(cat "$WORK/e")"
"$RUN" --timeout soon "$0" 2>"$WORK/e"; expect_eq "bad --timeout exits 2" 2 $?

# --- the payload's status ---------------------------------------------------
initramfs status42 - <<'EOF'
echo "payload running"
echo "tinyinit: payload exited with status 42"
exec /bin/busybox poweroff -f
EOF
boot status42 -v
expect_eq "status 42 is the runner's exit status" 42 "$rc"
expect_match "-v names the accelerator the probe chose" "accelerator (kvm, machine microvm|tcg, machine q35)" "$err"
expect_match "the console streams to stdout" "Run /init as init process" "$out"
expect_match "the payload's lines reach stdout" "^payload running$" "$out"
# microvm under TCG needs the TSC rate on the command line (see qemu/run
# --help); /proc/cpuinfo's "cpu MHz" is near enough to boot.
khz=$(awk -F': *' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
microvm=(--machine microvm --append "tsc_early_khz=$khz")
boot status42 "${microvm[@]}"
expect_eq "--machine microvm boots too" 42 "$rc"

initramfs status0 - <<'EOF'
echo "tinyinit: payload exited with status 7"
echo "tinyinit: payload exited with status 0"
exec /bin/busybox poweroff -f
EOF
boot status0
expect_eq "status 0 (the last status line counts)" 0 "$rc"

# --- what reaches the guest ---------------------------------------------------
initramfs args - <<'EOF'
/bin/busybox mount -t proc proc /proc
printf 'argc=%s' "$#"; for a in "$@"; do printf ' [%s]' "$a"; done; echo
echo "cmdline=$(/bin/busybox cat /proc/cmdline)"
echo "tinyinit: payload exited with status $#"
exec /bin/busybox poweroff -f
EOF
post=(-- one "two words" three)
boot args --append "tinyinit.test=passed" --append "loglevel=7"
expect_eq "-- ARGS: the status tells argc" 3 "$rc"
expect_match "-- ARGS reach /init's argv, quoted words stay one" "^argc=3 \[one\] \[two words\] \[three\]$" "$out"
expect_match "--append passes through (repeatable)" "^cmdline=.*tinyinit.test=passed loglevel=7" "$out"
expect_match "the command line sets the serial console and panic=-1" "^cmdline=console=ttyS0 panic=-1 " "$out"

# --- timeout ------------------------------------------------------------------
initramfs forever - <<'EOF'
echo "sleeping forever"
exec /bin/busybox sleep 100000
EOF
boot forever --timeout 30
expect_eq "an init that sleeps forever times out with 124" 124 "$rc"
expect_match "the timeout is reported" "timeout: no payload status within 30 s" "$err"
expect_match "the console was streamed before the timeout" "^sleeping forever$" "$out"

# qemu/run killed outright (SIGKILL: no trap runs) leaves nothing behind:
# QEMU dies with it (parent-death signal) and no helper process is left.
"$RUN" --timeout 60 "$WORK/forever.cpio" >"$WORK/killed.out" 2>&1 &
runpid=$!
n=0
while ! grep -q "sleeping forever" "$WORK/killed.out" 2>/dev/null && [ $n -lt 600 ]; do
	sleep 0.1
	n=$((n + 1))
done
kids=$(pgrep -P "$runpid" | tr '\n' ' ')
expect_match "SIGKILL: qemu/run has QEMU as a child while the guest runs" "[0-9]" "$kids"
kill -KILL "$runpid"
wait "$runpid" 2>/dev/null
n=0
left=$kids
while [ -n "$left" ] && [ $n -lt 50 ]; do
	left=""
	for k in $kids; do kill -0 "$k" 2>/dev/null && left+="$k "; done
	sleep 0.1
	n=$((n + 1))
done
expect_eq "SIGKILL to qemu/run: none of its children is left" "" "$left"
for k in $left; do kill -KILL "$k" 2>/dev/null; done

# --- the kernel never reaches the payload -------------------------------------
initramfs noinit
boot noinit
expect_eq "an initramfs without /init exits 125" 125 "$rc"
expect_match "the kernel panic is reported" "kernel panic before the payload's status" "$err"

initramfs noexec - </dev/null
chmod 644 "$WORK/noexec.d/init"
(cd "$WORK/noexec.d" && find . | cpio -o -H newc -R 0:0 --quiet) >"$WORK/noexec.cpio"
boot noexec
expect_eq "a non-executable /init exits 125" 125 "$rc"
expect_match "the kernel could not run /init" "Failed to execute /init|No working init|Unable to mount root" "$out"

initramfs initdies - <<'EOF'
echo "init exits without a status line"
exit 3
EOF
boot initdies
expect_eq "an init that exits without a status line exits 125" 125 "$rc"
expect_match "the panic names the dead init" "Attempted to kill init" "$err"

initramfs nostatus - <<'EOF'
exec /bin/busybox poweroff -f
EOF
boot nostatus
expect_eq "a VM that powers off without a status line exits 125" 125 "$rc"
expect_match "the early stop is reported" "the VM stopped .* before the payload's status line" "$err"

cp "$WORK/status42.cpio" "$WORK/badkernel.cpio"
boot badkernel --kernel "$WORK/status42.cpio"
expect_eq "a file that is no kernel exits 125 (QEMU fails)" 125 "$rc"

# --- a disk ---------------------------------------------------------------------
kver=${KERNEL#/boot/vmlinuz-}
mods=/lib/modules/$kver/kernel/drivers
if [ ! -r "$mods/block/virtio_blk.ko" ]; then
	skip "--disk attaches a virtio disk" "no uncompressed virtio modules in /lib/modules/$kver"
else
	initramfs disk - <<'EOF'
for m in virtio_ring virtio virtio_mmio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
	[ -f /$m.ko ] && /bin/busybox insmod /$m.ko
done
/bin/busybox mount -t devtmpfs dev /dev
n=0
while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do /bin/busybox sleep 0.1; n=$((n + 1)); done
echo "disk says: $(/bin/busybox head -c 20 /dev/vda)"
echo "tinyinit: payload exited with status 0"
exec /bin/busybox poweroff -f
EOF
	for m in virtio/virtio_ring virtio/virtio virtio/virtio_mmio virtio/virtio_pci_legacy_dev \
		virtio/virtio_pci_modern_dev virtio/virtio_pci block/virtio_blk; do
		cp "$mods/$m.ko" "$WORK/disk.d/"
	done
	(cd "$WORK/disk.d" && find . | cpio -o -H newc -R 0:0 --quiet) >"$WORK/disk.cpio"
	{ printf 'tinyinit-disk-check\n'; head -c 65536 /dev/zero; } >"$WORK/disk.img"
	boot disk --disk "$WORK/disk.img"
	expect_eq "--disk: the guest boots and reports 0" 0 "$rc"
	expect_match "--disk attaches a virtio disk the guest reads" "^disk says: tinyinit-disk-check" "$out"
	boot disk --disk "$WORK/disk.img" "${microvm[@]}"
	expect_match "--disk on microvm (virtio-mmio) too" "^disk says: tinyinit-disk-check" "$out"
fi
