# The platform follows the payload: an aarch64 payload gets the aarch64 tinyinit (whatever
# MKROOTFS_TINYINIT says for x86-64), an arm64 config, and runs in podman under qemu-user
# emulation; the same for an initramfs (one TCG boot) and mkrootfs embed; --init per
# architecture; no tinyinit for the payload's architecture is one line; layers of another
# platform are refused; make install puts every tinyinit where an installed mkrootfs finds it.
. "$(dirname "$0")/../aarch64/common.bash" # tests/lib.sh, A64, binfmt_ready
. "$(dirname "$0")/common.bash"
need_root "platform tests (podman, binfmt)" || exit 0
binfmt_ready || { fail "aarch64 binaries run under qemu-user (binfmt)" "$WHY"; exit 0; }

A64CC=$TOP/scripts/aarch64-linux-musl-gcc
py() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
P() { timeout 300 podman "$@"; }
# blob FILE.tar DIGEST: the blob's bytes on stdout
blob() { tar -xOf "$1" "blobs/sha256/${2#sha256:}"; }
# config FILE.tar: the config document of the (only) manifest into $WORK/config.json
config() {
	local m
	m=$(tar -xOf "$1" index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"])')
	blob "$1" "$(blob "$1" "$m" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])')" >"$WORK/config.json"
}
# layer_file FILE.tar PATH: PATH of the image's last layer, on stdout
layer_file() {
	local m l
	m=$(tar -xOf "$1" index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"])')
	l=$(blob "$1" "$m" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][-1]["digest"])')
	blob "$1" "$l" | tar -xzOf - "$2"
}

# The payload: built here for aarch64, reports the machine it runs on and its parent.
cat >"$WORK/machine.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct utsname u;
	uname(&u);
	printf("machine=%s ppid=%d\n", u.machine, (int)getppid());
	return argc > 1 ? atoi(argv[1]) : 0;
}
EOF
"$A64CC" -std=c11 -Os -static -s -o "$WORK/machine" "$WORK/machine.c" 2>"$WORK/cc.err" ||
	{ fail "build the aarch64 payload" "$(cat "$WORK/cc.err")"; exit 1; }
expect_match "the payload is a static aarch64 ELF" "ARM aarch64.*statically linked" "$(file -b "$WORK/machine")"

# --- mkrootfs image: the aarch64 tinyinit, an arm64 config ------------------------------------
# MKROOTFS_TINYINIT (common.bash) names the x86-64 build: a default for x86-64 payloads only.
expect_match "MKROOTFS_TINYINIT is the x86-64 build" "x86-64" "$(file -b "$MKROOTFS_TINYINIT")"
mk arm image -o "$WORK/arm.tar" --tag plat:arm "$WORK/machine" 42
expect_eq "mkrootfs image of an aarch64 payload" 0 $?
config "$WORK/arm.tar"
expect_eq "the config says linux/arm64/v8" "linux arm64 v8" \
	"$(py "$WORK/config.json" 'j["os"]+" "+j["architecture"]+" "+j.get("variant","-")')"
expect_eq "index.json's descriptor names the platform" "linux arm64 v8" \
	"$(tar -xOf "$WORK/arm.tar" index.json | python3 -c 'import json,sys; p=json.load(sys.stdin)["manifests"][0]["platform"]; print(p["os"], p["architecture"], p.get("variant","-"))')"
layer_file "$WORK/arm.tar" tinyinit >"$WORK/arm.tinyinit"
expect_match "the image's /tinyinit is an aarch64 ELF" "ARM aarch64.*statically linked" "$(file -b "$WORK/arm.tinyinit")"
expect_eq "the image's /tinyinit is build/aarch64/tinyinit" "$(sha256sum <"$A64/tinyinit")" "$(sha256sum <"$WORK/arm.tinyinit")"
out=$("$M" inspect "$WORK/arm.tar" 2>&1)
expect_match "mkrootfs inspect shows the platform" "platform +linux/arm64/v8" "$out"
# the same mkrootfs, environment and options give an x86-64 payload the x86-64 tinyinit
mk amd image -o "$WORK/amd.tar" --tag plat:amd "$HELLO"
layer_file "$WORK/amd.tar" tinyinit >"$WORK/amd.tinyinit"
expect_eq "an x86-64 payload still gets the x86-64 tinyinit" "$(sha256sum <"$B/tinyinit")" "$(sha256sum <"$WORK/amd.tinyinit")"

podman_setup
out=$(P load -i "$WORK/arm.tar" 2>&1)
expect_match "podman loads the arm64 image" "Loaded image.*plat:arm" "$out"
expect_eq "podman sees it as linux/arm64" "linux/arm64" "$(P image inspect --format '{{.Os}}/{{.Architecture}}' plat:arm 2>&1)"
out=$(P run --rm --platform linux/arm64 plat:arm 2>"$WORK/run.err"); rc=$?
expect_eq "podman run --platform linux/arm64: the payload runs on aarch64 under the aarch64 tinyinit (its parent, PID 1)" \
	"machine=aarch64 ppid=1" "$out"
expect_eq "podman run: the payload's status through the aarch64 tinyinit (Cmd 42)" 42 "$rc"
out=$(P run --rm --platform linux/arm64 --entrypoint /tinyinit plat:arm --version 2>&1)
expect_match "the image's tinyinit runs (aarch64, under emulation)" "^tinyinit " "$out"

# --- --init: one per architecture -------------------------------------------------------------
expect_fail "--init of another architecture" "$WORK/bad.tar" \
	"^mkrootfs: $B/tinyinit is for amd64 but the payload is for arm64$" \
	image -o "$WORK/bad.tar" --init "$B/tinyinit" "$WORK/machine"
cp "$A64/tinyinit" "$WORK/ti-a64"
mk two image -o "$WORK/two.tar" --init "$B/tinyinit" --init "$WORK/ti-a64" "$WORK/machine"
layer_file "$WORK/two.tar" tinyinit >"$WORK/two.tinyinit"
expect_eq "two --init: the aarch64 one is taken for the aarch64 payload" "$(sha256sum <"$A64/tinyinit")" "$(sha256sum <"$WORK/two.tinyinit")"
mk two-amd image -o "$WORK/two-amd.tar" --init "$WORK/ti-a64" --init "$B/tinyinit" "$HELLO"
layer_file "$WORK/two-amd.tar" tinyinit >"$WORK/two-amd.tinyinit"
expect_eq "two --init: the x86-64 one is taken for the x86-64 payload" "$(sha256sum <"$B/tinyinit")" "$(sha256sum <"$WORK/two-amd.tinyinit")"
expect_fail "--init twice, none for the payload" "$WORK/bad.tar" \
	"^mkrootfs: --init: none of the 2 given is for arm64 \(the payload's\)$" \
	image -o "$WORK/bad.tar" --init "$B/tinyinit" --init "$B/tinyinit-net" "$WORK/machine"

# --- no tinyinit for the payload's architecture -----------------------------------------------
# a static riscv64 executable (an ELF header, no segments): nothing is built for riscv64
python3 - "$WORK/rv" <<'EOF'
import struct, sys
h = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
h += struct.pack("<HHIQQQIHHHHHH", 2, 243, 1, 0x10000, 0, 0, 0, 64, 56, 0, 64, 0, 0)
open(sys.argv[1], "wb").write(h)
EOF
chmod +x "$WORK/rv"
expect_fail "no tinyinit for riscv64: one line" "$WORK/rv.tar" \
	"^mkrootfs: no tinyinit for riscv64 \(the payload's architecture\) beside mkrootfs or in .*/lib/tinyinit/riscv64: build it \(make\) or give one with --init$" \
	image -o "$WORK/rv.tar" "$WORK/rv"
expect_fail "initramfs: no tinyinit for riscv64" "$WORK/rv.img" "^mkrootfs: no tinyinit for riscv64 " \
	initramfs -o "$WORK/rv.img" "$WORK/rv"
mk rv-noinit image -o "$WORK/rv-noinit.tar" --no-init "$WORK/rv"
expect_eq "--no-init needs no tinyinit" 0 $?
config "$WORK/rv-noinit.tar"
expect_eq "its config says riscv64" "riscv64" "$(py "$WORK/config.json" 'j["architecture"]')"

# --- layers and base images of another platform are refused -----------------------------------
expect_fail "an amd64 base image under an arm64 payload" "$WORK/bad.tar" \
	"^mkrootfs: $WORK/amd.tar: the image is for linux/amd64 but the payload is for linux/arm64/v8$" \
	image -o "$WORK/bad.tar" --layer "$WORK/amd.tar" "$WORK/machine"
mk arm-on-arm image -o "$WORK/arm2.tar" --layer "$WORK/arm.tar" --as /bin/m2 "$WORK/machine"
expect_eq "an arm64 base image under an arm64 payload" 0 $?

# --- mkrootfs embed ---------------------------------------------------------------------------
mk embed embed -o "$WORK/embedded" "$WORK/machine"
expect_match "mkrootfs embed of an aarch64 payload is an aarch64 executable" "ARM aarch64" "$(file -b "$WORK/embedded")"
# (running it under emulation is not checked: qemu-user 7.2 cannot execute the memfd that the
# embedded payload is started from; tests/aarch64 runs the aarch64 tinyinit itself)
cmp -s -n "$(stat -c %s "$A64/tinyinit")" "$A64/tinyinit" "$WORK/embedded"
expect_eq "mkrootfs embed starts from build/aarch64/tinyinit" 0 $?

# --- make install: every tinyinit where mkrootfs finds it --------------------------------------
D=$WORK/dest
make -s -C "$TOP" install DESTDIR="$D" PREFIX=/opt/ti >"$WORK/install.out" 2>&1
expect_eq "make install DESTDIR PREFIX" 0 $?
expect_eq "installed: lib/tinyinit/x86_64 and aarch64 beside sbin/tinyinit" \
	"$(sha256sum <"$B/tinyinit") $(sha256sum <"$A64/tinyinit") $(sha256sum <"$B/tinyinit")" \
	"$(sha256sum <"$D/opt/ti/lib/tinyinit/x86_64/tinyinit") $(sha256sum <"$D/opt/ti/lib/tinyinit/aarch64/tinyinit") $(sha256sum <"$D/opt/ti/sbin/tinyinit")"
# the installed mkrootfs, no MKROOTFS_TINYINIT: bin/../lib/tinyinit/<arch>/ (the build tree is
# not beside it)
for a in arm amd; do
	pl=$WORK/machine want=$D/opt/ti/lib/tinyinit/aarch64/tinyinit
	[ $a = amd ] && pl=$HELLO want=$D/opt/ti/lib/tinyinit/x86_64/tinyinit
	env -u MKROOTFS_TINYINIT "$D/opt/ti/bin/mkrootfs" image -o "$WORK/inst-$a.tar" "$pl" 2>"$WORK/inst.err"
	layer_file "$WORK/inst-$a.tar" tinyinit >"$WORK/inst-$a.tinyinit" 2>/dev/null
	expect_eq "the installed mkrootfs takes lib/tinyinit/<arch>/tinyinit ($a payload)" \
		"$(sha256sum <"$want")" "$(sha256sum <"$WORK/inst-$a.tinyinit")$(cat "$WORK/inst.err")"
done
rm -f "$D/opt/ti/lib/tinyinit/aarch64/tinyinit"
out=$(env -u MKROOTFS_TINYINIT "$D/opt/ti/bin/mkrootfs" image -o "$WORK/inst-x.tar" "$WORK/machine" 2>&1)
expect_match "installed, no aarch64 tinyinit: named" \
	"^mkrootfs: no tinyinit for arm64 \(the payload's architecture\) " "$out"

# --- initramfs: /init is the aarch64 tinyinit; qemu/run picks aarch64 from it (one boot) -------
mk initramfs initramfs -o "$WORK/arm.img" "$WORK/machine"
expect_eq "mkrootfs initramfs of an aarch64 payload" 0 $?
zcat "$WORK/arm.img" | (cd "$WORK" && cpio -i --quiet --to-stdout init) >"$WORK/arm.init" 2>/dev/null
expect_eq "the initramfs's /init is build/aarch64/tinyinit" "$(sha256sum <"$A64/tinyinit")" "$(sha256sum <"$WORK/arm.init")"
if KERNEL=$("$TOP"/scripts/arm64 2>"$WORK/arm64.err"); then
	timeout -s KILL 300 "$TOP/qemu/run" -v --timeout 240 "$WORK/arm.img" -- 42 >"$WORK/boot.out" 2>&1
	rc=$?
	out=$(tr -d '\r' <"$WORK/boot.out")
	expect_eq "the aarch64 initramfs boots: the payload's status 42" 42 "$rc"
	expect_match "qemu/run picked qemu-system-aarch64 and the arm64 kernel from /init" \
		"qemu-system-aarch64 .*-kernel $KERNEL " "$out"
	expect_match "the payload ran on aarch64 as tinyinit's child" "machine=aarch64 ppid=1" "$out"
else
	fail "aarch64 kernel (scripts/arm64)" "$(cat "$WORK/arm64.err")"
fi
