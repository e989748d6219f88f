# mkrootfs image/inspect/commit without a container engine: the tarball's
# structure, reproducibility, the hostile inputs, boot layers, long names.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

D=$WORK/in
mkdir -p "$D"
python3 "$TOP/tests/image/hostile.py" "$D" || { fail "hostile inputs" "hostile.py failed"; exit 1; }

# py FILE EXPR: evaluates EXPR with j = the JSON document in FILE
py() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
# unpack IMAGE DIR: extracts an image tarball
unpack() { rm -rf "$2"; mkdir -p "$2" && tar -xf "$1" -C "$2"; }

# --- a plain image ----------------------------------------------------------
mk plain image -o "$WORK/hello.tar" "$HELLO" 3
expect_eq "image: hello builds" "0" "$?"
unpack "$WORK/hello.tar" "$WORK/h"
expect_eq "oci-layout" '{"imageLayoutVersion":"1.0.0"}' "$(cat "$WORK/h/oci-layout")"
expect_eq "index.json: exactly one manifest" 1 "$(py "$WORK/h/index.json" 'len(j["manifests"])')"
expect_eq "index.json: containerd name" "docker.io/library/hello:latest" \
	"$(py "$WORK/h/index.json" 'j["manifests"][0]["annotations"]["io.containerd.image.name"]')"
expect_eq "index.json: ref name" "latest" \
	"$(py "$WORK/h/index.json" 'j["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"]')"
man=$(py "$WORK/h/index.json" 'j["manifests"][0]["digest"].split(":")[1]')
M_=$WORK/h/blobs/sha256/$man
expect_eq "manifest blob matches its digest" "$man" "$(sha256sum <"$M_" | cut -c1-64)"
expect_eq "manifest: OCI media type" "application/vnd.oci.image.manifest.v1+json" "$(py "$M_" 'j["mediaType"]')"
cfg=$(py "$M_" 'j["config"]["digest"].split(":")[1]')
C_=$WORK/h/blobs/sha256/$cfg
expect_eq "docker manifest.json: same config" "blobs/sha256/$cfg" "$(py "$WORK/h/manifest.json" 'j[0]["Config"]')"
expect_eq "docker manifest.json: RepoTags" "['hello:latest']" "$(py "$WORK/h/manifest.json" 'j[0]["RepoTags"]')"
expect_eq "docker manifest.json: same layers" "$(py "$M_" '[l["digest"].replace("sha256:","blobs/sha256/") for l in j["layers"]]')" \
	"$(py "$WORK/h/manifest.json" 'j[0]["Layers"]')"
expect_eq "config: architecture/os from the ELF header" "amd64 linux" "$(py "$C_" 'j["architecture"]+" "+j["os"]')"
expect_eq "config: entrypoint" "['/tinyinit', '--', '/hello']" "$(py "$C_" 'j["config"]["Entrypoint"]')"
expect_eq "config: cmd holds the arguments" "['3']" "$(py "$C_" 'j["config"]["Cmd"]')"
bad=""
n=$(py "$M_" 'len(j["layers"])')
for i in $(seq 0 $((n - 1))); do
	l=$(py "$M_" "j['layers'][$i]['digest'].split(':')[1]")
	[ "$(sha256sum <"$WORK/h/blobs/sha256/$l" | cut -c1-64)" = "$l" ] || bad="$bad layer$i-digest"
	[ "$(gzip -dc <"$WORK/h/blobs/sha256/$l" | sha256sum | cut -c1-64)" = "$(py "$C_" "j['rootfs']['diff_ids'][$i].split(':')[1]")" ] || bad="$bad layer$i-diffid"
done
expect_eq "layer digests and diff_ids verify" "" "$bad"
expect_eq "one history entry per layer" "$n" "$(py "$C_" 'len(j["history"])')"
l=$(py "$M_" 'j["layers"][0]["digest"].split(":")[1]')
expect_eq "layer holds tinyinit and the payload, owned by 0:0 at time 0" \
	"-rwxr-xr-x 0/0 1970-01-01 00:00 hello|-rwxr-xr-x 0/0 1970-01-01 00:00 tinyinit" \
	"$(tar -tvzf "$WORK/h/blobs/sha256/$l" | awk '{print $1, $2, $4, $5, $6}' | paste -sd'|')"
expect_eq "gzip header is fixed (no name, mtime 0)" "1f8b0800000000000" \
	"$(head -c 9 "$WORK/h/blobs/sha256/$l" | od -An -tx1 | tr -d ' \n' | cut -c1-17)"

# --- reproducible -------------------------------------------------------------
mk plain2 image -o "$WORK/hello2.tar" "$HELLO" 3
cmp -s "$WORK/hello.tar" "$WORK/hello2.tar"
expect_eq "reproducible: two builds, same bytes" 0 $?
MKROOTFS_THREADS=1 "$M" image -o "$WORK/hello3.tar" "$HELLO" 3 2>/dev/null
cmp -s "$WORK/hello.tar" "$WORK/hello3.tar"
expect_eq "reproducible: one thread or two, same bytes" 0 $?
# compression threads follow the CPUs the process may use (review P2: all
# online CPUs, whatever taskset, a cpuset or a cgroup quota said)
th=$(MKROOTFS_STATS=1 taskset -c 0 "$M" image -o "$WORK/hello5.tar" "$HELLO" 3 2>&1 | sed -n 's/.*compression threads \([0-9]*\).*/\1/p')
expect_eq "compression threads: one under taskset -c 0" 1 "$th"
th=$(MKROOTFS_STATS=1 "$M" image -o "$WORK/hello5.tar" "$HELLO" 3 2>&1 | sed -n 's/.*compression threads \([0-9]*\).*/\1/p')
n=$(nproc)
expect_eq "compression threads: the CPUs it may use otherwise (nproc, 16 at most)" "$((n > 16 ? 16 : n))" "$th"
cmp -s "$WORK/hello.tar" "$WORK/hello5.tar"
expect_eq "reproducible: one CPU or all, same bytes" 0 $?
SOURCE_DATE_EPOCH=1700000000 "$M" image -o "$WORK/hello4.tar" "$HELLO" 3 2>/dev/null
expect_match "SOURCE_DATE_EPOCH sets the timestamps" "2023-11-14" "$(tar -tvf "$WORK/hello4.tar" oci-layout)"
# a bigger tree: many gzip members, hardlinks, symlinks, sorted entries
mkdir -p "$WORK/tree/a/b" "$WORK/tree/z"
head -c 3000000 /dev/urandom >"$WORK/tree/z/rand"
seq 1 400000 >"$WORK/tree/a/seq"
ln "$WORK/tree/z/rand" "$WORK/tree/a/b/hard"
ln -s ../a/seq "$WORK/tree/z/link"
mk tree1 image -o "$WORK/t1.tar" --layer "$WORK/tree" "$HELLO"
touch "$WORK/tree/a/seq"
mk tree2 image -o "$WORK/t2.tar" --layer "$WORK/tree" "$HELLO"
cmp -s "$WORK/t1.tar" "$WORK/t2.tar"
expect_eq "reproducible: a tree with a newer mtime, same bytes" 0 $?
# the same inputs somewhere else (another checkout, another user's home) and
# named another way (./x, x/): the same image; no host path in its history
# (review P2: created_by held the paths as typed)
mkdir -p "$WORK/elsewhere/deeper"
cp -a "$WORK/tree" "$WORK/elsewhere/deeper/tree"
cp "$HELLO" "$WORK/elsewhere/hello"
(cd "$WORK/elsewhere" && "$M" image -o "$WORK/t3.tar" --layer deeper/tree/ ./hello 2>"$WORK/t3.err")
cmp -s "$WORK/t1.tar" "$WORK/t3.tar"
expect_eq "reproducible: the same inputs under other paths, same bytes" "0|" "$?|$(cat "$WORK/t3.err")"
if grep -aq "$WORK" "$WORK/t1.tar"; then fail "no host path in the image" "$WORK appears in t1.tar"; else
	pass "no host path in the image"; fi
unpack "$WORK/t1.tar" "$WORK/t1"
l=$(py "$WORK/t1/manifest.json" 'j[0]["Layers"][0]')
gzip -t "$WORK/t1/$l" 2>/dev/null
expect_eq "multi-member gzip layer passes gzip -t" 0 $?
expect_eq "tree layer: sorted, hardlink to the first in order" \
	"a/|a/b/|a/b/hard|a/seq|z/|z/link -> ../a/seq|z/rand link to a/b/hard" \
	"$(tar -tvzf "$WORK/t1/$l" | sed 's/^.*00:00 //' | paste -sd'|')"

# --- options ---------------------------------------------------------------------
mk opts image -o "$WORK/o.tar" --tag example.com/team/app:v1 --env A=1 --env PATH=/bin \
	--workdir /srv --user 1000:1000 --label org.example=yes --stop-signal SIGINT \
	--as /usr/local/bin/app --compress zstd "$HELLO" x y
unpack "$WORK/o.tar" "$WORK/o"
C_=$WORK/o/$(py "$WORK/o/manifest.json" 'j[0]["Config"]')
expect_eq "options land in the config" \
	"['A=1', 'PATH=/bin'] /srv 1000:1000 {'org.example': 'yes'} SIGINT ['/tinyinit', '--', '/usr/local/bin/app'] ['x', 'y']" \
	"$(py "$C_" '" ".join(str(j["config"][k]) for k in ["Env","WorkingDir","User","Labels","StopSignal","Entrypoint","Cmd"])')"
expect_eq "--tag: names in both indexes" "example.com/team/app:v1 example.com/team/app:v1" \
	"$(py "$WORK/o/index.json" 'j["manifests"][0]["annotations"]["io.containerd.image.name"]') $(py "$WORK/o/manifest.json" 'j[0]["RepoTags"][0]')"
M_=$WORK/o/blobs/sha256/$(py "$WORK/o/index.json" 'j["manifests"][0]["digest"].split(":")[1]')
expect_eq "--compress zstd: media type" "application/vnd.oci.image.layer.v1.tar+zstd" "$(py "$M_" 'j["layers"][0]["mediaType"]')"
l=$WORK/o/$(py "$WORK/o/manifest.json" 'j[0]["Layers"][0]')
expect_eq "--compress zstd: a zstd stream with the parents of --as" "tinyinit|usr/|usr/local/|usr/local/bin/|usr/local/bin/app" \
	"$(zstd -dc <"$l" | tar -t | paste -sd'|')"
mk noinit image -o "$WORK/n.tar" --no-init --compress none "$HELLO"
unpack "$WORK/n.tar" "$WORK/n"
expect_eq "--no-init: the payload is the entrypoint" "['/hello']" \
	"$(py "$WORK/n/$(py "$WORK/n/manifest.json" 'j[0]["Config"]')" 'j["config"]["Entrypoint"]')"
l=$(py "$WORK/n/manifest.json" 'j[0]["Layers"][0]')
expect_eq "--compress none: the blob is the diff" "${l#blobs/sha256/}" \
	"$(py "$WORK/n/$(py "$WORK/n/manifest.json" 'j[0]["Config"]')" 'j["rootfs"]["diff_ids"][0].split(":")[1]')"
mk add image -o "$WORK/a.tar" --add "$WORK/tree/a:/opt/a:0700" --add "$D/base.tar:/data/base.tar" "$HELLO"
unpack "$WORK/a.tar" "$WORK/a"
expect_eq "--add: a directory (with MODE) and a file" "-rw-r--r-- data/base.tar|drwx------ opt/a/" \
	"$(tar -tvzf "$WORK/a/$(py "$WORK/a/manifest.json" 'j[0]["Layers"][0]')" | awk '$6=="opt/a/" || $6=="data/base.tar" {print $1, $6}' | paste -sd'|')"

# --- payloads ----------------------------------------------------------------------
out=$(mk dyn image -o "$WORK/d.tar" /bin/true; cat "$WORK/dyn.err")
expect_match "dynamic payload refused, naming its interpreter" "/bin/true is dynamically linked \(interpreter /lib64/ld-linux-x86-64.so.2\)" "$out"
[ ! -e "$WORK/d.tar" ]; expect_eq "dynamic payload: nothing written" 0 $?
mk cl image -o "$WORK/cl.tar" --copy-libs /bin/true
expect_eq "--copy-libs builds" 0 $?
unpack "$WORK/cl.tar" "$WORK/cl"
expect_match "--copy-libs adds libc and the loader" "lib/x86_64-linux-gnu/libc.so.6.*lib64/ld-linux-x86-64.so.2|lib64/ld-linux-x86-64.so.2.*libc.so.6" \
	"$(tar -tzf "$WORK/cl/$(py "$WORK/cl/manifest.json" 'j[0]["Layers"][0]')" | paste -sd' ')"
mk notelf image -o "$WORK/ne.tar" /etc/passwd
expect_match "a payload that is not an ELF" "^mkrootfs: /etc/passwd is not an ELF executable$" "$(cat "$WORK/notelf.err")"

# --- hostile and broken inputs: one line naming input and entry, nothing written ---
check_bad() { # NAME INPUT REGEX
	expect_fail "$1" "$WORK/bad.tar" "$3" image -o "$WORK/bad.tar" --layer "$2" "$HELLO"
}
check_bad "bad: .. entry" "$D/dotdot.tar" "^mkrootfs: $D/dotdot.tar: entry ../etc/passwd escapes the layer$"
check_bad "bad: absolute entry" "$D/abs.tar" "^mkrootfs: $D/abs.tar: entry /etc/passwd is an absolute path$"
check_bad "bad: through an absolute symlink" "$D/symesc.tar" "^mkrootfs: $D/symesc.tar: entry evil/passwd escapes the layer through symlink evil$"
check_bad "bad: through a climbing symlink" "$D/symesc2.tar" "entry d/up/x escapes the layer through symlink d/up$"
check_bad "bad: hardlink outside" "$D/hardesc.tar" "hardlink a -> ../../etc/shadow points outside the layer$"
check_bad "bad: symlink after the file through it" "$D/symrev.tar" "^mkrootfs: $D/symrev.tar: entry evil/init escapes the layer through symlink evil -> /$"
check_bad "bad: relative symlink after the file through it" "$D/symrevrel.tar" "^mkrootfs: $D/symrevrel.tar: entry a/x escapes the layer through symlink a -> b$"
check_bad "bad: chain of symlinks after the file" "$D/symchain.tar" "^mkrootfs: $D/symchain.tar: entry p/q/r escapes the layer through symlink p -> s$"
check_bad "bad: hardlink through a later symlink" "$D/hardrev.tar" "^mkrootfs: $D/hardrev.tar: entry evil/x escapes the layer through symlink evil -> /etc$"
check_bad "bad: file beneath a file" "$D/fileunder.tar" "^mkrootfs: $D/fileunder.tar: entry a/b lies beneath file a, which is not a directory$"
check_bad "bad: whiteout of .." "$D/whdot.tar" "^mkrootfs: $D/whdot.tar: entry a/.wh.. is a whiteout of . or ..$"
check_bad "bad: whiteout of ..." "$D/whdotdot.tar" "^mkrootfs: $D/whdotdot.tar: entry .wh... is a whiteout of . or ..$"
for k in symrev hardrev fileunder; do
	expect_fail "bad initramfs: $k" "$WORK/bad.cpio" "^mkrootfs: $D/$k.tar: entry " \
		initramfs -o "$WORK/bad.cpio" --layer "$D/$k.tar" "$HELLO"
done
mkdir -p "$WORK/whadd/x" && : >"$WORK/whadd/x/.wh.foo"
expect_fail "bad: --add tree with a .wh. file" "$WORK/bad.tar" "entry x/.wh.foo: names starting with .wh. are reserved for whiteouts \(OCI\)" \
	image -o "$WORK/bad.tar" --add "$WORK/whadd:/" "$HELLO"
mkdir -p "$WORK/symadd" && ln -sfn / "$WORK/symadd/evil"
expect_fail "bad: --add a symlink, then a file beneath it" "$WORK/bad.tar" "evil/init escapes the layer through symlink evil" \
	image -o "$WORK/bad.tar" --add "$WORK/symadd:/" --add "$HELLO:/evil/init" "$HELLO"
check_bad "bad: hardlink to nothing" "$D/hardmiss.tar" "hardlink a -> nothere: target is not in the layer$"
# A name listed again in a tarball: the later entry wins, as tar and the
# runtimes apply it (review P2: main refused every duplicate, repeated
# directory entries of tar -r archives too); a directory against a file, or
# a file a hardlink points at, stays an error.
mk dup image -o "$WORK/dup.tar" --layer "$D/dup.tar" --layer "$D/dupok.tar" "$HELLO"
expect_eq "a duplicate entry: the later one wins" "0|" "$?|$(cat "$WORK/dup.err")"
unpack "$WORK/dup.tar" "$WORK/dupu"
got=""
for l in $(py "$WORK/dupu/manifest.json" '" ".join(j[0]["Layers"][:2])'); do
	got="$got$(tar -tzvf "$WORK/dupu/$l" | awk '{print substr($1,1,1) $6 $7 $8}' | paste -sd' ') | "
done
expect_eq "...each name once, with the later content (a, d/x) or kind (l)" \
	"-a | dd/ -d/x ll->d/x | " "$got"
expect_eq "...the later bytes" "second new" \
	"$(tar -xzOf "$WORK/dupu/$(py "$WORK/dupu/manifest.json" 'j[0]["Layers"][0]')" a) $(tar -xzOf "$WORK/dupu/$(py "$WORK/dupu/manifest.json" 'j[0]["Layers"][1]')" d/x)"
check_bad "bad: duplicate entry, a directory and a file" "$D/dupdir.tar" \
	"^mkrootfs: $D/dupdir.tar: duplicate entry a \(a directory and a non-directory\)$"
check_bad "bad: duplicate entry of a file a hardlink points at" "$D/duplinked.tar" \
	"^mkrootfs: $D/duplinked.tar: duplicate entry a \(a hardlink points at the first\)$"
check_bad "bad: truncated gzip" "$D/trunc.tar.gz" "^mkrootfs: $D/trunc.tar.gz: .*(runcated|premature|EOF)"
check_bad "bad: corrupt gzip" "$D/corrupt.tar.gz" "^mkrootfs: $D/corrupt.tar.gz: corrupt or truncated compressed data: "
check_bad "bad: missing input" "$D/missing.tar" "^mkrootfs: $D/missing.tar: No such file or directory$"
# root reads mode-000 files: read it as nobody
chmod 000 "$D/base.tar"
chmod 711 "$WORK" "$D"
rm -f "$WORK/bad.tar"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$M" image -o /tmp/mkrootfs-nobody-$$.tar --layer "$D/base.tar" "$HELLO" 2>&1)
rc=$?
[ -e /tmp/mkrootfs-nobody-$$.tar ] && rc=0
rm -f /tmp/mkrootfs-nobody-$$.tar
expect_eq "bad: unreadable input" "1 mkrootfs: $D/base.tar: Permission denied" "$rc $out"
chmod 644 "$D/base.tar"
chmod 700 "$WORK"
check_bad "bad: not a tar" "$D/notatar.tar" "^mkrootfs: $D/notatar.tar: not a tar archive$"
check_bad "bad: image that is not one (bad JSON)" "$D/badimg.tar" "^mkrootfs: $D/badimg.tar: not an image: manifest.json: "
check_bad "bad: image that is not one (no config)" "$D/noconfig.tar" "^mkrootfs: $D/noconfig.tar: not an image: blobs/sha256/0+ is missing$"

# --- long and non-ASCII names round-trip ------------------------------------------------
L=$WORK/long
long100=$(printf 'n%.0s' $(seq 1 120))
seg=$(printf 'd%.0s' $(seq 1 90))
mkdir -p "$L/$seg/$seg/$seg" "$L/ünïcødé-日本"
echo a >"$L/$long100"
echo b >"$L/$seg/$seg/$seg/$long100"
echo c >"$L/ünïcødé-日本/файл"
echo d >"$L/$(printf 'latin1-\xe9')"
ln -s "$seg/$seg/$seg/$long100" "$L/longlink"
mk long image -o "$WORK/long.tar" --layer "$L" "$HELLO"
unpack "$WORK/long.tar" "$WORK/lo"
mkdir -p "$WORK/lx"
tar --warning=no-unknown-keyword -xzf "$WORK/lo/$(py "$WORK/lo/manifest.json" 'j[0]["Layers"][0]')" -C "$WORK/lx"
expect_eq "long (>100, >256) and non-ASCII names round-trip through tar" \
	"$(cd "$L" && find . | LC_ALL=C sort | md5sum)" "$(cd "$WORK/lx" && find . ! -name hello ! -name tinyinit | LC_ALL=C sort | md5sum)"
expect_eq "a long symlink target round-trips" "$seg/$seg/$seg/$long100" "$(readlink "$WORK/lx/longlink")"
# and through mkrootfs itself: an image read back gives the same layer
mk reimport image -o "$WORK/long2.tar" --layer "$WORK/long.tar" --no-init "$HELLO"
unpack "$WORK/long2.tar" "$WORK/lo2"
expect_eq "an image read back as --layer keeps its layers' diff_ids" \
	"$(py "$WORK/lo/$(py "$WORK/lo/manifest.json" 'j[0]["Config"]')" 'j["rootfs"]["diff_ids"][0]')" \
	"$(py "$WORK/lo2/$(py "$WORK/lo2/manifest.json" 'j[0]["Config"]')" 'j["rootfs"]["diff_ids"][0]')"

# --- runtime layers and inspect's waste --------------------------------------------
mk layers image -o "$WORK/ly.tar" --layer "$D/base.tar" --layer "$D/upper.tar" "$HELLO"
expect_eq "--layer base --layer upper builds" 0 $?
unpack "$WORK/ly.tar" "$WORK/ly"
l=$(py "$WORK/ly/manifest.json" 'j[0]["Layers"][1]')
expect_eq "whiteouts keep their OCI spelling" "etc/|etc/.wh.gone|etc/upper|opq/|opq/.wh..wh..opq|opq/new" \
	"$(tar -tzf "$WORK/ly/$l" | paste -sd'|')"
js=$("$M" inspect --json "$WORK/ly.tar" 2>/dev/null)
expect_eq "inspect --json: layers, created_by, waste" \
	"3 mkrootfs --layer base.tar 1004 2 0" \
	"$(printf '%s' "$js" | python3 -c 'import json,sys; j=json.load(sys.stdin); l=j["layers"]; print(len(l), l[0]["created_by"], l[0]["wasted_bytes"], l[0]["wasted_files"], l[1]["wasted_bytes"])')"
# Waste the review found miscounted: a file replaced by an opaque directory
# of the same name is hidden (main: not counted); a hidden file whose other
# name (a hardlink) is still visible wastes nothing (main: its bytes counted).
python3 - "$WORK" <<'PY'
import io, sys, tarfile
def tar(path, items):
    with tarfile.open(path, "w") as t:
        for name, kind, data in items:
            i = tarfile.TarInfo(name)
            if kind == "dir": i.type = tarfile.DIRTYPE; i.mode = 0o755; t.addfile(i)
            elif kind == "link": i.type = tarfile.LNKTYPE; i.linkname = data; t.addfile(i)
            else: i.size = len(data); i.mode = 0o644; t.addfile(i, io.BytesIO(data))
tar(sys.argv[1] + "/w0.tar", [("x", "file", b"x" * 100), ("h1", "file", b"h" * 1000), ("h2", "link", "h1"), ("gone", "file", b"g" * 10)])
tar(sys.argv[1] + "/w1.tar", [("x", "dir", None), ("x/.wh..wh..opq", "file", b""), (".wh.h1", "file", b""), (".wh.gone", "file", b"")])
PY
mk waste image -o "$WORK/waste.tar" --layer "$WORK/w0.tar" --layer "$WORK/w1.tar" "$HELLO"
expect_eq "inspect: a file replaced by an opaque directory is waste; a hidden name of a file still linked elsewhere is not" \
	"110 3" "$("$M" inspect --json "$WORK/waste.tar" | python3 -c 'import json,sys; l=json.load(sys.stdin)["layers"][0]; print(l["wasted_bytes"], l["wasted_files"])')"
txt=$("$M" inspect "$WORK/ly.tar" 2>&1)
expect_match "inspect: text summary" "platform +linux/amd64.*entrypoint +/tinyinit -- /hello" "$(printf '%s' "$txt" | paste -sd' ')"

# --- boot layers ---------------------------------------------------------------------------
U=$WORK/upperdir
mkdir -p "$U/etc" "$U/opq"
echo "from dir" >"$U/etc/dirfile"
mknod "$U/etc/base" c 0 0
setfattr -n trusted.overlay.opaque -v y "$U/opq" 2>/dev/null || python3 -c 'import os,sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")' "$U/opq"
mk boot image -o "$WORK/b.tar" --boot-layer "$D/base.tar" --boot-layer "$D/upper.tar" \
	--boot-layer "$U" --workdir /etc --user 0:0 "$HELLO"
expect_eq "--boot-layer: builds" 0 $?
unpack "$WORK/b.tar" "$WORK/b"
C_=$WORK/b/$(py "$WORK/b/manifest.json" 'j[0]["Config"]')
expect_eq "--boot-layer: workdir and user go to tinyinit" \
	"['/tinyinit', '--workdir', '/etc', '--user', '0:0', '--', '/hello'] None None" \
	"$(py "$C_" 'str(j["config"]["Entrypoint"])+" "+str(j["config"].get("WorkingDir"))+" "+str(j["config"].get("User"))')"
all=""
for l in $(py "$WORK/b/manifest.json" '" ".join(j[0]["Layers"])'); do all="$all $(tar -tzvf "$WORK/b/$l" | awk '{print substr($1,1,1) $6}' | paste -sd' ')"; done
expect_eq "--boot-layer: one image layer each, under /layers/NN-name; the marker in the bottom one" \
	" dlayers/ -layers/.tinyinit-layers dlayers/00-base/ dlayers/00-base/etc/ -layers/00-base/etc/base -layers/00-base/etc/gone dlayers/00-base/opq/ -layers/00-base/opq/old dlayers/ dlayers/01-upper/ -layers/01-upper.del dlayers/01-upper/etc/ -layers/01-upper/etc/upper dlayers/01-upper/opq/ -layers/01-upper/opq/new dlayers/ dlayers/02-upperdir/ -layers/02-upperdir.del dlayers/02-upperdir/etc/ -layers/02-upperdir/etc/dirfile dlayers/02-upperdir/opq/ dlayers/ dlayers/03-hello/ -layers/03-hello/hello -tinyinit" \
	"$all"
getdel() { for l in $(py "$WORK/b/manifest.json" '" ".join(j[0]["Layers"])'); do tar -xzOf "$WORK/b/$l" "layers/$1.del" 2>/dev/null; done | od -An -c | tr -s ' ' | tr -d '\n'; }
expect_eq "--boot-layer: OCI whiteouts become the deletion list" \
	" t i n y i n i t - d e l e t i o n s 1 \n w e t c / g o n e \0 o o p q \0" "$(getdel 01-upper)"
expect_eq "--boot-layer: 0/0 devices and opaque xattrs become the deletion list" \
	" t i n y i n i t - d e l e t i o n s 1 \n w e t c / b a s e \0 o o p q \0" "$(getdel 02-upperdir)"

# --- xattr names a pax record cannot hold ---------------------------------------------------
# A pax record is KEY=VALUE: main wrote user.a=b as the xattr user.a with the
# value "b=val". From a directory and from a tar (libarchive decodes
# LIBARCHIVE.xattr names), such a name is one line; a plain one is kept.
mkdir -p "$WORK/xa"
echo x >"$WORK/xa/f"
if python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.a=b", b"val")' "$WORK/xa/f" 2>/dev/null; then
	expect_fail "an xattr name with '=' from a directory" "$WORK/bad.tar" \
		"xa: f: xattr user.a=b: a layer cannot carry it \('=' in its name\)" \
		image -o "$WORK/bad.tar" --layer "$WORK/xa" "$HELLO"
else
	skip "an xattr name with '=' from a directory" "no user xattrs on $WORK"
fi
python3 - "$WORK" <<'PY'
import io, sys, tarfile
for name, key in (("xeq", "LIBARCHIVE.xattr.user.a%3Db"), ("xok", "SCHILY.xattr.user.ok")):
    with tarfile.open(sys.argv[1] + "/" + name + ".tar", "w", format=tarfile.PAX_FORMAT) as t:
        i = tarfile.TarInfo("f"); i.size = 1; i.pax_headers = {key: "val"}
        t.addfile(i, io.BytesIO(b"x"))
PY
expect_fail "an xattr name with '=' from a tar" "$WORK/bad.tar" "xeq.tar: f: xattr user.a=b: a layer cannot carry it" \
	image -o "$WORK/bad.tar" --layer "$WORK/xeq.tar" "$HELLO"
mk xok image -o "$WORK/xok.tar" --layer "$WORK/xok.tar" "$HELLO"
expect_eq "a plain xattr from a tar is kept (pax SCHILY.xattr)" "{'SCHILY.xattr.user.ok': 'val'}" \
	"$(python3 -c '
import gzip, io, json, sys, tarfile
t = tarfile.open(sys.argv[1])
m = json.load(t.extractfile("blobs/sha256/" + json.load(t.extractfile("index.json"))["manifests"][0]["digest"][7:]))
l = tarfile.open(fileobj=io.BytesIO(gzip.decompress(t.extractfile("blobs/sha256/" + m["layers"][0]["digest"][7:]).read())))
print({k: v for k, v in l.getmember("f").pax_headers.items() if k.startswith("SCHILY")})' "$WORK/xok.tar")"

# --- commit --------------------------------------------------------------------------------
mk commit commit -o "$WORK/c.tar" "$U" >"$WORK/commit.out"
expect_eq "commit: builds and prints the diff_id" "sha256:$(sha256sum <"$WORK/c.tar" | cut -c1-64)" "$(cat "$WORK/commit.out")"
expect_eq "commit: overlay deletions become .wh. entries" "etc/|etc/.wh.base|etc/dirfile|opq/|opq/.wh..wh..opq" \
	"$(tar -tf "$WORK/c.tar" | paste -sd'|')"
mk commit2 image -o "$WORK/c2.tar" --layer "$D/base.tar" --layer "$WORK/c.tar" "$HELLO"
expect_eq "commit: the layer is usable as --layer" 0 $?
expect_eq "commit: inspect counts what the upper deletes and hides as waste" "14" \
	"$("$M" inspect --json "$WORK/c2.tar" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["wasted_bytes"])')"
