# tinyinit as the /init of a microVM: initramfs files made by
# `mkrootfs initramfs`, booted by qemu/run on Debian's cloud kernel.
. "$(dirname "$0")/../lib.sh"

RUN=$TOP/qemu/run
MK=$B/mkrootfs
export MKROOTFS_TINYINIT=$T
KREL=$(ls /lib/modules 2>/dev/null | grep -- '-cloud-' | sort -V | tail -n 1)
KERNEL=/boot/vmlinuz-$KREL
need_root "VM tests (qemu, mknod)" || exit 0
[ -n "$KREL" ] && [ -r "$KERNEL" ] ||
	{ fail "VM tests" "no Debian cloud kernel in /boot and /lib/modules (linux-image-cloud-amd64)"; exit 0; }

# mkinit NAME ARGS...: $WORK/NAME.img from mkrootfs initramfs ARGS.
mkinit() {
	local name=$1
	shift
	"$MK" initramfs -o "$WORK/$name.img" "$@" >"$WORK/$name.mk" 2>&1 ||
		{ fail "build $name" "$(cat "$WORK/$name.mk")"; return 1; }
}

# boot NAME [qemu/run options] [-- ARGS]: sets rc and out (console).
boot() {
	local name=$1
	shift
	timeout -s KILL 180 "$RUN" --kernel "$KERNEL" --timeout 90 "$WORK/$name.img" "$@" >"$WORK/$name.out" 2>&1
	rc=$?
	out=$(tr -d '\r' <"$WORK/$name.out")
}

# unpack NAME / repack NAME: $WORK/NAME.img to and from $WORK/NAME.d, to
# make an image mkrootfs would refuse to build.
unpack() { mkdir -p "$WORK/$1.d" && (cd "$WORK/$1.d" && gzip -dc "$WORK/$1.img" | cpio -id --quiet); }
repack() { (cd "$WORK/$1.d" && find . | sort | cpio -o -H newc -R 0:0 --quiet | gzip) >"$WORK/$1.img"; }

# ends NAME STATUS: the VM ended with STATUS, the final line and a power off, no panic.
ends() {
	expect_eq "$1: status $2" "$2" "$rc"
	expect_match "$1: the final line" "tinyinit: payload exited with status $2" "$out"
	expect_match "$1: the VM powers off" "reboot: Power down" "$out"
	no_panic "$1"
}

no_panic() { # NAME: the console shows no kernel panic
	if echo "$out" | grep -q "Kernel panic"; then fail "$1: no kernel panic" "$(echo "$out" | grep -m1 'Kernel panic')"; else pass "$1: no kernel panic"; fi
}

# --- hello: no layers, no modules; the payload runs in the initramfs -------
mkinit hello "$B/examples/hello" && {
	boot hello
	expect_eq "hello: qemu/run exits with the payload's status 0" 0 "$rc"
	expect_match "hello prints its line" "Hello from a tinyinit payload" "$out"
	expect_match "the last console line is the payload's status" "tinyinit: payload exited with status 0" "$(echo "$out" | grep 'tinyinit: payload exited')"
	boot hello -- 42
	expect_eq "hello 42 (arguments after --): status 42" 42 "$rc"
}

# --- boot layers (examples/layered) with the overlay module ----------------
L=$B/examples/layered
mkdir -p "$WORK/patch/etc" "$WORK/patch/app"
cp -a "$L/02-patch/." "$WORK/patch/"
touch "$WORK/patch/etc/.wh.secret" "$WORK/patch/app/.wh..wh..opq"
tar -C "$WORK/patch" -cf "$WORK/patch.tar" .
mkinit layered --modules overlay --kernel-release "$KREL" --layer "$L/00-base" --layer "$L/01-app" \
	--layer "$WORK/patch.tar" --as /bin/show "$L/00-base/bin/show" && {
	boot layered
	expect_eq "layered: status 0" 0 "$rc"
	expect_match "layered: the override is honoured" "/etc/motd +Welcome \(overridden by layer 02-patch\)" "$out"
	expect_match "layered: the lower layers are stacked" "/etc/os-release +base 1.0" "$out"
	if echo "$out" | grep -qE "/etc/secret|/app/data.txt|/app/config "; then
		fail "layered: the deletion and the opaque directory are honoured" "$(echo "$out" | grep -E 'secret|/app/')"
	else
		pass "layered: the deletion and the opaque directory are honoured"
	fi
	expect_match "layered: the root is the overlay" "root mount: overlay overlay" "$out"
}

# --- the chroot escape finds no initramfs file ------------------------------
mkdir -p "$WORK/base/bin"
mkinit escape --modules overlay --kernel-release "$KREL" --layer "$WORK/base" \
	--as /bin/rootcheck "$B/tests/rootcheck" escape && {
	boot escape
	expect_eq "escape: status 0" 0 "$rc"
	expect_match "escape: the walk ends in the merged root" "^escape-dir$" "$out"
	if echo "$out" | grep -qxE "init|tinyinit.args|layers|modules"; then
		fail "escape: no initramfs file is reachable" "$(echo "$out" | grep -xE 'init|tinyinit.args|layers|modules')"
	else
		pass "escape: no initramfs file is reachable"
	fi
}

# --- failures: a line, the status, power off, never a panic -----------------
mkinit crash "$B/tests/crash" && {
	boot crash
	ends "crashing payload (SIGSEGV)" 139
}
# A missing payload: the image's argument file names a program that is not there.
mkinit missing "$B/examples/hello" && unpack missing && {
	printf -- '--\0/no/such/payload\0' >"$WORK/missing.d/tinyinit.args"
	repack missing
	boot missing
	ends "missing payload" 127
	expect_match "missing payload: a line names it" "tinyinit: cannot run /no/such/payload: not found" "$out"
}
# A module that cannot be loaded: a line names it, the boot goes on.
mkinit badmod "$B/examples/hello" && unpack badmod && {
	mkdir -p "$WORK/badmod.d/modules"
	head -c 4096 /dev/urandom >"$WORK/badmod.d/modules/broken.ko"
	printf 'broken.ko\n' >"$WORK/badmod.d/modules/order"
	repack badmod
	boot badmod
	expect_match "a module that fails to load is named" "tinyinit: module broken.ko: " "$out"
	expect_eq "...and the payload still runs (status 0)" 0 "$rc"
	no_panic "broken module"
}
# A failed mount: layers without the overlay module.
mkinit nomod --layer "$WORK/base" "$B/examples/hello" && {
	boot nomod
	expect_eq "failed overlay mount: status 1" 1 "$rc"
	expect_match "failed overlay mount: a line names it" "tinyinit: mount overlay on root: " "$out"
	no_panic "failed overlay mount"
}

# --- orphans: none left as zombies ---------------------------------------------
mkdir -p "$WORK/orph/bin"
cp "$B/examples/zombies" "$WORK/orph/bin/zombies"
mkinit orphans --add "$WORK/orph/bin/zombies:/bin/zombies" --as /bin/busybox /bin/busybox sh -c \
	'/bin/zombies 100 0; /bin/busybox sleep 1; n=0; for s in /proc/[0-9]*/stat; do read -r l < $s; case ${l##*) } in Z*) n=$((n+1));; esac; done; echo zombies=$n' && {
	boot orphans
	expect_match "an orphan-leaving payload leaves no zombies" "^zombies=0$" "$out"
	expect_eq "orphans: status 0" 0 "$rc"
}

# --- loaded modules leave the initramfs's RAM (review P2-25) ---------------------
mkinit modfree --modules overlay --kernel-release "$KREL" --as /bin/busybox /bin/busybox sh -c \
	'echo modules: $(/bin/busybox ls /modules); /bin/busybox grep -c "^overlay " /proc/modules' && {
	boot modfree
	expect_eq "modfree: status 0" 0 "$rc"
	expect_match "a loaded module's file is gone from /modules (its RAM back)" "^modules: order$" "$out"
	expect_match "...and the module is loaded" "^1$" "$out"
}

# --- a persistent upper on a disk ----------------------------------------------
truncate -s 64M "$WORK/disk.img" && mkfs.ext4 -q -F "$WORK/disk.img"
mods=overlay,virtio_blk,virtio_pci
mkinit persist --modules "$mods" --kernel-release "$KREL" --layer "$WORK/base" \
	--as /bin/busybox /bin/busybox sh -c 'cat /data 2>/dev/null || echo none; echo kept >/data' && {
	boot persist --disk "$WORK/disk.img" --append "tinyinit.upper=/dev/vda"
	expect_eq "persistent upper, first boot: nothing yet" "none" "$(echo "$out" | grep -xE 'none|kept')"
	boot persist --disk "$WORK/disk.img" --append "tinyinit.upper=/dev/vda"
	expect_eq "persistent upper, second boot: the file written before" "kept" "$(echo "$out" | grep -xE 'none|kept')"
}
