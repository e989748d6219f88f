# Inputs are read once, decompressed once, and copied to temporary files
# only where they must be (MKROOTFS_STATS counts the bytes mkrootfs wrote to
# its temporary file; TMPDIR is this test's own, and must be empty after):
# a directory and an uncompressed tarball: nothing; a compressed tarball:
# its files, once; an image given as a base: nothing (its layers go out as
# their blobs), but its files when they are written anew (--owner); and the
# results are the same layers as before.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

S=$WORK/stream
mkdir -p "$S/tree/d" "$S/tmp"
head -c 3000000 /dev/urandom >"$S/tree/d/rand"
seq 1 200000 >"$S/tree/d/text"
ln "$S/tree/d/text" "$S/tree/d/hard"
data=$(($(stat -c %s "$S/tree/d/rand") + $(stat -c %s "$S/tree/d/text")))
tar -C "$S/tree" -cf "$S/t.tar" .
gzip -6 -c "$S/t.tar" >"$S/t.tar.gz"
zstd -q -c "$S/t.tar" >"$S/t.tar.zst"

# tmpbytes NAME ARGS...: the temporary bytes of one mkrootfs image run
tmpbytes() {
	local name=$1
	shift
	MKROOTFS_STATS=1 TMPDIR=$S/tmp "$M" image "$@" 2>"$WORK/$name.err" || {
		echo "failed: $(tail -n 1 "$WORK/$name.err")"
		return
	}
	sed -n 's/.*temporary bytes \([0-9]*\).*/\1/p' "$WORK/$name.err"
}
expect_eq "directory: no temporary copy" 0 "$(tmpbytes dir -o "$S/a.tar" --layer "$S/tree" "$HELLO")"
expect_eq "uncompressed tarball: no temporary copy (files read in place)" 0 \
	"$(tmpbytes tar -o "$S/b.tar" --layer "$S/t.tar" "$HELLO")"
expect_eq "gzip tarball: its files copied once" "$data" \
	"$(tmpbytes gz -o "$S/c.tar" --layer "$S/t.tar.gz" "$HELLO")"
expect_eq "zstd tarball: its files copied once" "$data" \
	"$(tmpbytes zst -o "$S/d.tar" --layer "$S/t.tar.zst" "$HELLO")"
expect_eq "image as a base: no temporary copy (its blobs go out as they are)" 0 \
	"$(tmpbytes img -o "$S/e.tar" --layer "$S/c.tar" "$HELLO")"
# (its layers: the tree's, and the payload's with tinyinit)
expect_eq "image as a base, --owner: the files of its layers copied once" \
	$((data + $(stat -c %s "$HELLO") + $(stat -c %s "$MKROOTFS_TINYINIT"))) \
	"$(tmpbytes own -o "$S/f.tar" --owner 5:5 --layer "$S/c.tar" "$HELLO")"
expect_eq "the temporary directory is empty after every run" "" "$(ls -A "$S/tmp")"

# every input kind gives the same layer (the tree's, from the tarballs)
layer_of() { # IMAGE: the diff_id of its first layer
	tar -xOf "$1" manifest.json | python3 -c '
import json, sys, tarfile
m = json.load(sys.stdin)[0]
t = tarfile.open(sys.argv[1])
c = json.load(t.extractfile(m["Config"]))
print(c["rootfs"]["diff_ids"][0])' "$1"
}
b=$(layer_of "$S/b.tar")
expect_eq "the .tar.gz layer is the .tar layer" "$b" "$(layer_of "$S/c.tar")"
expect_eq "the .tar.zst layer is the .tar layer" "$b" "$(layer_of "$S/d.tar")"
expect_eq "the base image's layer is kept" "$(layer_of "$S/c.tar")" "$(layer_of "$S/e.tar")"
file_of() { # IMAGE PATH: the bytes of PATH in its first layer
	python3 -c '
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
m = json.load(t.extractfile("manifest.json"))[0]
l = tarfile.open(fileobj=t.extractfile(m["Layers"][0]))
sys.stdout.buffer.write(l.extractfile(sys.argv[2]).read())' "$1" "$2"
}
expect_eq "the files read in place are the tree's" "$(sha256sum <"$S/tree/d/rand")" \
	"$(file_of "$S/b.tar" d/rand | sha256sum)"

# damage anywhere in a compressed stream is found in the one pass
cp "$S/t.tar.gz" "$S/bad.tar.gz"
printf '\x00\x00\x00\x00' | dd of="$S/bad.tar.gz" bs=1 seek=$(($(stat -c %s "$S/bad.tar.gz") - 8)) conv=notrunc 2>/dev/null
expect_fail "a wrong gzip CRC at the very end" "$S/x.tar" "bad.tar.gz: corrupt or truncated compressed data" \
	image -o "$S/x.tar" --layer "$S/bad.tar.gz" "$HELLO"
head -c $(($(stat -c %s "$S/t.tar") - 20000)) "$S/t.tar" >"$S/short.tar"
expect_fail "a truncated uncompressed tarball" "$S/x.tar" "short.tar: " \
	image -o "$S/x.tar" --layer "$S/short.tar" "$HELLO"
