# mkrootfs initramfs: the cpio's structure, /init, /tinyinit.args, boot
# layers with deletion lists, reproducible bytes with every compression,
# atomic output, kernel modules from Debian's cloud kernel, the size of the
# hello initramfs, and one real boot under QEMU.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

L=$B/examples/layered
KREL=$(ls /lib/modules 2>/dev/null | grep -- '-cloud-' | sort -V | tail -n 1)
KDIR=/lib/modules/$KREL

# unz FILE: the cpio inside FILE, whatever its compression
unz() {
	case $(head -c 6 "$1" | od -An -tx1 | tr -d ' \n') in
	1f8b*) gzip -dc "$1" ;;
	28b52ffd*) zstd -qdc "$1" ;;
	fd377a585a00) xz -dc "$1" ;;
	*) cat "$1" ;;
	esac
}
# ls_cpio FILE: one line an entry: "name mode(octal) nlink ino rmajor:rminor size"
ls_cpio() {
	unz "$1" | python3 -c '
import sys
b = sys.stdin.buffer.read(); o = 0
while o + 110 <= len(b):
    assert b[o:o+6] == b"070701", "bad magic at %d" % o
    f = [int(b[o+6+8*i:o+14+8*i], 16) for i in range(13)]
    ns = f[11]; name = b[o+110:o+110+ns-1].decode("utf-8", "replace")
    o = (o + 110 + ns + 3) & ~3
    if name == "TRAILER!!!":
        assert o == len(b), "bytes after the trailer"
        break
    print(name, "%o" % f[1], f[4], f[0], "%d:%d" % (f[9], f[10]), f[6])
    o = (o + f[6] + 3) & ~3'
}
# get FILE NAME: the data of entry NAME
get() { unz "$1" | (cd "$WORK" && cpio -i --quiet --to-stdout "$2" 2>/dev/null); }
# words FILE: /tinyinit.args as one line, words joined by '|'
words() { get "$1" tinyinit.args | tr '\0' '|'; }

# --- the hello initramfs ------------------------------------------------------------
mk hello initramfs -o "$WORK/hello.img" "$HELLO" 3
expect_eq "hello builds" 0 $?
ls_cpio "$WORK/hello.img" >"$WORK/hello.ls"
expect_eq "hello: exactly dev, dev/console, hello, init, proc, sys, tinyinit.args" \
	"dev|dev/console|hello|init|proc|sys|tinyinit.args" "$(awk '{print $1}' "$WORK/hello.ls" | paste -sd'|')"
expect_eq "dev/console is a character device 5:1, mode 0600" "dev/console 20600 1 2 5:1 0" \
	"$(grep '^dev/console ' "$WORK/hello.ls")"
cmp -s <(get "$WORK/hello.img" init) "$T"
expect_eq "/init is tinyinit" 0 $?
expect_eq "/init and the payload are executable" "100755 100755" \
	"$(awk '$1=="init" || $1=="hello" {print $2}' "$WORK/hello.ls" | paste -sd' ')"
expect_eq "/tinyinit.args: --, the payload, its arguments" "--|/hello|3|" "$(words "$WORK/hello.img")"
expect_eq "inode numbers count from 1 in order" "1 2 3 4 5 6 7" "$(awk '{print $4}' "$WORK/hello.ls" | paste -sd' ')"
expect_eq "gzip: one member, fixed header (mtime 0, no name)" "1f8b080000000000" \
	"$(head -c 8 "$WORK/hello.img" | od -An -tx1 | tr -d ' \n')"
size=$(stat -c %s "$WORK/hello.img")
if [ "$size" -lt 65536 ]; then pass "hello initramfs is under 64 KiB gzip ($size bytes)"; else fail "hello initramfs is under 64 KiB gzip" "$size bytes"; fi

# --- options into /tinyinit.args ------------------------------------------------------
mk opts initramfs -o "$WORK/opts.img" --workdir /tmp --user 1:2 --env A=1 --env B=x --env A=2 \
	--as /bin/app "$HELLO" "a b" ""
expect_eq "--workdir, --user, --env (a later K wins), --as, arguments with spaces and empty ones" \
	"--workdir|/tmp|--user|1:2|--env|A=2|--env|B=x|--|/bin/app|a b||" "$(words "$WORK/opts.img")"
expect_eq "--as: the payload where asked, parents made" "bin 40755|bin/app 100755" \
	"$(ls_cpio "$WORK/opts.img" | awk '$1 ~ /^bin/ {print $1, $2}' | paste -sd'|')"
mk add initramfs -o "$WORK/add.img" --add "$L/00-base/etc:/etc" --add "$L/00-base/app/config:/opt/c:0600" "$HELLO"
expect_eq "--add: a directory and a file (with MODE) in the root" "etc/motd 100644|opt/c 100600" \
	"$(ls_cpio "$WORK/add.img" | awk '$1=="etc/motd" || $1=="opt/c" {print $1, $2}' | paste -sd'|')"

# --- boot layers --------------------------------------------------------------------
# a patch layer as a tarball with OCI whiteouts: deletes etc/secret, makes app opaque
mkdir -p "$WORK/patch/etc" "$WORK/patch/app"
echo "Welcome (patched)" >"$WORK/patch/etc/motd"
echo "new" >"$WORK/patch/app/config.new"
touch "$WORK/patch/etc/.wh.secret" "$WORK/patch/app/.wh..wh..opq"
tar -C "$WORK/patch" -czf "$WORK/patch.tar.gz" etc app
layered() { # OUT EXTRA-OPTIONS...
	local out=$1
	shift
	"$M" initramfs -o "$out" "$@" --layer "$L/00-base" --layer "$WORK/patch.tar.gz" \
		--as /bin/show "$L/00-base/bin/show" 2>"$WORK/layered.err"
}
layered "$WORK/lay.img"
expect_eq "layers: builds" 0 $?
expect_eq "layers: one warning line when overlay is not among --modules" \
	"mkrootfs: warning: --layer without --modules overlay: a kernel that builds overlay as a module (Debian's) cannot stack the layers" \
	"$(cat "$WORK/layered.err")"
ls_cpio "$WORK/lay.img" >"$WORK/lay.ls"
expect_eq "layers: /layers/NN-name, the payload the top layer, deletions beside their layer, the marker" \
	"layers|layers/.tinyinit-layers|layers/00-00-base|layers/01-patch|layers/01-patch.del|layers/02-show|layers/02-show/bin|layers/02-show/bin/show" \
	"$(awk '$1 ~ /^layers/ && $1 !~ /^layers\/0[01]-[a-z0-9-]*\// {print $1}' "$WORK/lay.ls" | paste -sd'|')"
expect_eq "layers: the deletion list (include/layers.h)" \
	"$(printf 'tinyinit-deletions 1\noapp\0wetc/secret\0' | od -An -c)" \
	"$(get "$WORK/lay.img" layers/01-patch.del | od -An -c)"
expect_eq "layers: the whiteouts themselves are not files" "" \
	"$(grep -E '\.wh\.' "$WORK/lay.ls")"
expect_eq "layers: the root holds init, the console, the mount points, the args and the layers" \
	"dev|dev/console|init|layers|proc|sys|tinyinit.args" \
	"$(awk '$1 !~ /^layers\// {print $1}' "$WORK/lay.ls" | paste -sd'|')"
expect_eq "layers: the payload runs from the assembled root" "--|/bin/show|" "$(words "$WORK/lay.img")"

# an image tarball as a layer: its WorkingDir, User and Env reach tinyinit
"$M" image -o "$WORK/base.tar" --env X=1 --env Z=0 --workdir /w --user 5 "$HELLO" 2>/dev/null
mk fromimg initramfs -o "$WORK/fromimg.img" --layer "$WORK/base.tar" --env X=2 "$HELLO"
expect_eq "an image as --layer: its workdir, user and env (--env wins) become tinyinit's" \
	"--workdir|/w|--user|5|--env|X=2|--env|Z=0|--|/hello|" "$(words "$WORK/fromimg.img")"
mkdir -p "$WORK/xa"
echo x >"$WORK/xa/f"
if python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.test", b"1")' "$WORK/xa/f" 2>/dev/null; then
	mk xattr initramfs -o "$WORK/xa.img" --layer "$WORK/xa" "$HELLO"
	expect_match "xattrs are left out with one warning line" \
		"^mkrootfs: warning: xattrs of 1 entries left out: cpio cannot carry them$" \
		"$(grep -v -- '--layer without' "$WORK/xattr.err")"
else
	skip "xattrs are left out with one warning line" "no user xattrs on $WORK"
fi

# --- every parent before its children ------------------------------------------------
bad=""
for f in hello opts add lay; do
	ls_cpio "$WORK/$f.img" | awk '{print $1}' | python3 -c '
import sys
seen = set()
for n in sys.stdin.read().split():
    d = n.rsplit("/", 1)[0] if "/" in n else ""
    if d and d not in seen: print(n); break
    seen.add(n)' | grep -q . && bad="$bad $f"
done
expect_eq "parents precede their children (every initramfs above)" "" "$bad"
order=$(unz "$WORK/lay.img" | cpio -it --quiet 2>/dev/null)
expect_eq "cpio -t lists in byte order" "$(printf '%s\n' "$order" | LC_ALL=C sort)" "$order"

# --- reproducible ---------------------------------------------------------------------
bad=""
for c in gzip zstd xz none; do
	"$M" initramfs -o "$WORK/r1.$c" --compress $c "$HELLO" 3 2>/dev/null
	touch "$L/00-base/etc/motd" # a newer mtime changes nothing
	MKROOTFS_THREADS=1 "$M" initramfs -o "$WORK/r2.$c" --compress $c "$HELLO" 3 2>/dev/null
	cmp -s "$WORK/r1.$c" "$WORK/r2.$c" || bad="$bad $c"
	unz "$WORK/r1.$c" | cmp -s - <(unz "$WORK/hello.img") || bad="$bad $c-content"
done
layered "$WORK/lay2.img"
cmp -s "$WORK/lay.img" "$WORK/lay2.img" || bad="$bad layers"
expect_eq "reproducible: same bytes twice (gzip, zstd, xz, none, layers); same cpio inside each" "" "$bad"
expect_eq "compressions: gzip, zstd, xz magic; none is the cpio itself" "1f8b08|28b52ffd|fd377a585a00|070701" \
	"$(for c in gzip zstd xz none; do head -c 6 "$WORK/r1.$c" | od -An -tx1 | tr -d ' \n' |
		sed 's/^\(1f8b08\|28b52ffd\).*/\1/; s/^303730373031$/070701/'; echo; done | paste -sd'|')"
expect_eq "xz: CRC32 check (the kernel refuses CRC64)" "0001" "$(head -c 8 "$WORK/r1.xz" | tail -c 2 | od -An -tx1 | tr -d ' \n')"
SOURCE_DATE_EPOCH=1700000000 "$M" initramfs -o "$WORK/sde.img" --compress none "$HELLO" 2>/dev/null
expect_eq "SOURCE_DATE_EPOCH sets every mtime" "1700000000" \
	"$(unz "$WORK/sde.img" | python3 -c '
import sys
b, i, t = sys.stdin.buffer.read(), 0, set()
while b[i:i+6] == b"070701":  # walk the headers (file data may hold the magic too)
    f = lambda k: int(b[i+6+8*k:i+14+8*k], 16)
    ns, fs = f(11), f(6)
    name = b[i+110:i+110+ns-1]
    if name == b"TRAILER!!!":
        break
    t.add(str(f(5)))
    i = (i + 110 + ns + 3) & ~3
    i = (i + fs + 3) & ~3
print(" ".join(sorted(t)))')"

# --- atomic output, clear errors ------------------------------------------------------
check_err() { # NAME REGEX ARGS...
	local name=$1 re=$2
	shift 2
	expect_fail "$name" "$WORK/bad.img" "$re" initramfs -o "$WORK/bad.img" "$@"
}
check_err "error: a missing layer" "^mkrootfs: $WORK/nolayer: No such file or directory$" \
	--layer "$WORK/nolayer" "$HELLO"
if [ -n "$KREL" ]; then
	check_err "error: a module that does not exist, naming the tree" \
		"^mkrootfs: module nosuchmod: not found in $KDIR$" \
		--kernel-release "$KREL" --modules overlay,nosuchmod "$HELLO"
else
	skip "error: a module that does not exist" "no /lib/modules/*-cloud-* (scripts/deps installs linux-image-cloud-amd64)"
fi
check_err "error: a kernel release with no modules tree" \
	"^mkrootfs: /lib/modules/0\.0-none: no modules.dep there" \
	--kernel-release 0.0-none --modules overlay "$HELLO"
check_err "error: --as on tinyinit's /init" "^mkrootfs: /init: the initramfs keeps its own files there" \
	--as /init "$HELLO"
check_err "error: --add into /modules" "^mkrootfs: /modules: the initramfs keeps its own files there" \
	--add "$L/00-base/etc/motd:/modules/x" "$HELLO"
check_err "error: --compress bzip2" "^mkrootfs: --compress bzip2: use gzip, zstd, xz or none$" \
	--compress bzip2 "$HELLO"
check_err "error: a dynamic payload" "is dynamically linked" /bin/true
echo "old" >"$WORK/keep.img"
"$M" initramfs -o "$WORK/keep.img" --layer "$WORK/nolayer" "$HELLO" 2>/dev/null
expect_eq "a failed build leaves an existing OUT as it was" "old" "$(cat "$WORK/keep.img")"

# --- --cmdline -----------------------------------------------------------------------------
out=$("$M" initramfs --cmdline "$HELLO" 3)
expect_eq "--cmdline without -o: the line, nothing written" \
	"console=ttyS0 panic=-1 quiet tinyinit.on_exit=poweroff" "$out"
out=$("$M" initramfs --cmdline -o "$WORK/cl.img" "$HELLO")
if [ -s "$WORK/cl.img" ] && [ "$out" = "console=ttyS0 panic=-1 quiet tinyinit.on_exit=poweroff" ]; then
	pass "--cmdline with -o: writes and prints"
else
	fail "--cmdline with -o: writes and prints" "got '$out'"
fi

# --- modules --------------------------------------------------------------------------------
if [ -z "$KREL" ] || [ ! -f "$KDIR/modules.dep" ]; then
	skip "modules: Debian's cloud kernel" "no /lib/modules/*-cloud-* (scripts/deps installs linux-image-cloud-amd64)"
else
	mk mods initramfs -o "$WORK/mods.img" --kernel-release "$KREL" \
		--modules overlay,virtio_blk,virtio-blk,ext4 "$HELLO"
	expect_eq "modules: overlay,virtio_blk build (ext4 is built in: skipped)" "0|" "$?|$(cat "$WORK/mods.err")"
	get "$WORK/mods.img" modules/order >"$WORK/order"
	expect_eq "modules/order: each module once, dependencies first" "ok" \
		"$(python3 - "$KDIR/modules.dep" "$WORK/order" <<'EOP'
import sys, os
dep = {}
for line in open(sys.argv[1]):
    m, _, d = line.partition(":")
    dep[os.path.basename(m)] = [os.path.basename(x) for x in d.split()]
order = open(sys.argv[2]).read().split("\n")
assert order[-1] == "", "no final newline"
order = order[:-1]
assert len(order) == len(set(order)), "twice: %s" % order
for i, m in enumerate(order):
    for d in dep[m]:
        assert d in order[:i], "%s before its dependency %s" % (m, d)
want = {"overlay.ko", "virtio_blk.ko"}
for m in list(want): want |= set(dep[m])
assert set(order) == want, "%s, not %s" % (order, sorted(want))
print("ok")
EOP
)"
	bad=""
	for m in $(cat "$WORK/order"); do
		src=$(grep -E "(^|/)$m:" "$KDIR/modules.dep" | cut -d: -f1)
		cmp -s <(get "$WORK/mods.img" "modules/$m") "$KDIR/$src" || bad="$bad $m"
	done
	expect_eq "modules: the files are the kernel's own" "" "$bad"

	# soft dependencies (modules.softdep, from the modules' modinfo): a
	# "pre:" one is loaded first, as modprobe does (main left it out)
	if sd=$(grep -E '^softdep libcrc32c pre: ' "$KDIR/modules.softdep" 2>/dev/null) &&
		sdm=$(modinfo -k "$KREL" -F filename crc32c 2>/dev/null | grep '\.ko' | head -n 1) && [ -n "$sdm" ]; then
		sdm=$(basename "$sdm")
		mk softdep initramfs -o "$WORK/sd.img" --kernel-release "$KREL" --modules libcrc32c "$HELLO"
		expect_eq "modules: a soft pre-dependency ($sd) is loaded first" "${sdm%%.ko*}.ko libcrc32c.ko" \
			"$(get "$WORK/sd.img" modules/order | paste -sd' ')"
	else
		skip "modules: a soft pre-dependency is loaded first" "no 'softdep libcrc32c pre:' module in $KDIR"
	fi

	# a tree with compressed modules (depmod makes its modules.dep)
	FT=$WORK/ft/lib/modules/9.9.9
	for m in kernel/fs/overlayfs/overlay.ko kernel/drivers/block/virtio_blk.ko \
		kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko; do
		mkdir -p "$FT/$(dirname $m)" && cp "$KDIR/$m" "$FT/$m"
	done
	xz --check=crc32 "$FT/kernel/drivers/virtio/virtio_ring.ko"
	zstd -q --rm "$FT/kernel/fs/overlayfs/overlay.ko"
	depmod -b "$WORK/ft" 9.9.9 2>/dev/null
	mk ftree initramfs -o "$WORK/ft.img" --modules-dir "$FT" --modules overlay,virtio_blk "$HELLO"
	rc=$?
	bad=""
	for m in overlay virtio_ring virtio_blk; do
		cmp -s <(get "$WORK/ft.img" "modules/$m.ko") "$(find "$KDIR" -name "$m.ko")" || bad="$bad $m"
	done
	expect_eq "--modules-dir: .ko.xz and .ko.zst stored decompressed as .ko" "0|" "$rc|$(cat "$WORK/ftree.err")$bad"
fi

# --- one real boot ----------------------------------------------------------------------------
# The boot-test suite (tests/qemu) boots for real; this is one smoke check of
# the hardest case: a layer with deletions and the overlay module, xz.
VMLINUZ=$(ls /boot/vmlinuz-"$KREL" 2>/dev/null)
if [ -z "$KREL" ] || [ -z "$VMLINUZ" ] || ! command -v qemu-system-x86_64 >/dev/null; then
	skip "boot: layers, deletions, overlay module" "no cloud kernel or no qemu-system-x86_64"
else
	layered "$WORK/boot.img" --compress xz --kernel-release "$KREL" --modules overlay
	timeout 60 qemu-system-x86_64 -kernel "$VMLINUZ" -initrd "$WORK/boot.img" \
		-append "$("$M" initramfs --cmdline "$HELLO")" -nographic -no-reboot -m 256 \
		-accel tcg </dev/null >"$WORK/boot.out" 2>&1
	tr -d '\r' <"$WORK/boot.out" | grep -E '^(  /|tinyinit: )' >"$WORK/boot.lines"
	expect_eq "boot: the payload sees the stacked layers and exits 0" \
		"  /etc/motd              Welcome (patched)|  /etc/os-release        base 1.0|  /app/config.new        new|tinyinit: payload exited with status 0" \
		"$(paste -sd'|' "$WORK/boot.lines")"
fi
