# mkrootfs embed --layer/--add: one executable carrying boot layers
# (include/embedded.h). tinyinit unpacks them into its stage and stacks them
# as it does /layers (deletions included), then drops CAP_SYS_ADMIN; a
# damaged layered archive gives one line naming the entry and runs nothing.
. "$(dirname "$0")/../lib.sh"
need_root "embedded layers tests" || exit 0

MK=$B/mkrootfs-san
L=$B/examples/layered
SHOW=$L/00-base/bin/show
export SOURCE_DATE_EPOCH=0

# The third layer as a tarball with OCI whiteouts: it deletes /etc/secret
# and makes /app opaque, like examples/layered's 02-patch.
mkdir -p "$WORK/patch/etc" "$WORK/patch/app"
echo "Welcome (patched)" >"$WORK/patch/etc/motd"
echo "new" >"$WORK/patch/app/config.new"
touch "$WORK/patch/etc/.wh.secret" "$WORK/patch/app/.wh..wh..opq"
tar -C "$WORK/patch" -cf "$WORK/patch.tar" etc app
# A layer with a hard link, a symbolic link and a file of another owner
mkdir -p "$WORK/extra/opt"
echo "linked" >"$WORK/extra/opt/a"
ln "$WORK/extra/opt/a" "$WORK/extra/opt/b"
ln -s a "$WORK/extra/opt/sym"
echo "owned" >"$WORK/extra/opt/owned" && chown 1234:5678 "$WORK/extra/opt/owned"
tar -C "$WORK/extra" -cf "$WORK/extra.tar" opt # a tarball keeps its owners
echo "added" >"$WORK/added.txt"

OUT=$WORK/lay
if ! "$MK" embed -o "$OUT" --layer "$L/00-base" --layer "$L/01-app" --layer "$WORK/patch.tar" \
	--layer "$WORK/extra.tar" --add "$WORK/added.txt:/etc/added.txt" --as /bin/show "$SHOW" /etc /app \
	>"$WORK/mk.out" 2>&1; then
	fail "mkrootfs embed --layer ... writes OUT" "$(cat "$WORK/mk.out")"
	exit 0
fi
pass "mkrootfs embed --layer ... writes OUT"
"$MK" embed -o "$WORK/lay.again" --layer "$L/00-base" --layer "$L/01-app" --layer "$WORK/patch.tar" \
	--layer "$WORK/extra.tar" --add "$WORK/added.txt:/etc/added.txt" --as /bin/show "$SHOW" /etc /app \
	>/dev/null 2>&1
cmp -s "$OUT" "$WORK/lay.again"
expect_eq "the layered OUT is reproducible" 0 $?

# The archive holds the layers as /layers would, the payload's on top
off=$(python3 -c "import struct,sys; print(struct.unpack('<QQ', open(sys.argv[1],'rb').read()[-16:])[0])" "$OUT")
tail -c +$((off + 1)) "$OUT" | cpio -it 2>/dev/null >"$WORK/list"
expect_eq "the archive: NN-name layers, the deletion list beside its layer, the marker, the args" \
	"layers|layers/.tinyinit-layers|layers/00-00-base|layers/01-01-app|layers/02-patch|layers/02-patch.del|layers/03-extra|layers/04-show|tinyinit.args" \
	"$(grep -vE '^layers/[^/]+/' "$WORK/list" | paste -sd'|')"
out=$("$MK" inspect "$OUT" 2>&1)
expect_match "inspect OUT: the layers" "layers +5" "$out"

# Stacked under unshare, as PID 1 of new namespaces
mkdir -p "$WORK/empty" && cp "$OUT" "$WORK/empty/lay"
out=$(cd "$WORK/empty" && timeout 60 unshare --mount --pid --fork ./lay 2>&1)
rc=$?
expect_eq "unshare --mount --pid --fork: exit status 0" 0 "$rc"
expect_match "the payload runs as tinyinit's child" "show: running as PID 2" "$out"
expect_match "a later layer overrides a file" "/etc/motd +Welcome \(patched\)" "$out"
expect_match "layer 01-app adds files" "/etc/app.conf +mode=production" "$out"
expect_match "--add puts a file in the payload's layer" "/etc/added.txt +added" "$out"
expect_match "an opaque directory keeps its own layer's files" "/app/config.new +new" "$out"
if grep -qE "/etc/secret|/app/config |/app/data.txt" <<<"$out"; then
	fail "deletions: /etc/secret deleted, /app opaque" "$out"
else
	pass "deletions: /etc/secret deleted, /app opaque"
fi
expect_match "the root is the overlay of the unpacked layers" \
	"root mount: overlay overlay .*lowerdir=4:3:2:d2:1:0" "$out"
out=$(cd "$WORK/empty" && timeout 60 unshare --mount --pid --fork ./lay /opt 2>&1)
expect_match "OUT's arguments replace the default ones" "/opt/a +linked" "$out"
expect_match "a hard link arrives (as a copy)" "/opt/b +linked" "$out"
expect_match "a symbolic link arrives" "/opt/sym +linked" "$out"

# examples/embedded/layered, as built by make
out=$(timeout 60 unshare --mount --pid --fork "$B/examples/embedded/layered" 2>&1)
expect_match "examples/embedded/layered: 02-patch overrides /etc/motd" \
	"/etc/motd +Welcome \(overridden by layer 02-patch\)" "$out"
if grep -qE "/etc/secret|/app/config |/app/data.txt" <<<"$out" || ! grep -q "/etc/app.conf" <<<"$out"; then
	fail "examples/embedded/layered: deletions apply, 01-app's files stay" "$out"
else
	pass "examples/embedded/layered: deletions apply, 01-app's files stay"
fi

# With busybox as the payload: links, owners, capabilities, the host untouched
"$MK" embed -o "$WORK/bb" --layer "$WORK/extra.tar" /bin/busybox sh -c \
	'readlink /opt/sym; stat -c "%u:%g" /opt/owned; grep CapBnd /proc/self/status' >/dev/null 2>&1
stages() { grep -c " - tmpfs tinyinit " /proc/self/mountinfo; }
before=$(stages)
out=$(timeout 60 unshare --mount --pid --fork "$WORK/bb" 2>&1)
expect_match "a symbolic link's target" "^a$" "$out"
expect_match "owners are kept" "^1234:5678$" "$out"
bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' <<<"$out")
if [ -n "$bnd" ] && [ $((0x$bnd >> 21 & 1)) = 0 ]; then
	pass "CAP_SYS_ADMIN is dropped before the payload runs"
else
	fail "CAP_SYS_ADMIN is dropped before the payload runs" "$out"
fi
expect_eq "the caller's mount table holds no stage" "$before" "$(stages)"
out=$(timeout 60 unshare --mount --pid --fork env TINYINIT_KEEP_CAPS=1 "$WORK/bb" 2>&1)
bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' <<<"$out")
expect_eq "TINYINIT_KEEP_CAPS=1 keeps it" 1 "$([ -n "$bnd" ] && echo $((0x$bnd >> 21 & 1)))"

# Without CAP_SYS_ADMIN: one line, nothing run
out=$(cd "$WORK/empty" && setpriv --reuid 1000 --regid 1000 --clear-groups --inh-caps=-all \
	--bounding-set=-all ./lay 2>&1)
rc=$?
if [ "$rc" = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && grep -q "need CAP_SYS_ADMIN" <<<"$out"; then
	pass "without CAP_SYS_ADMIN: one line, exit 1, nothing run"
else
	fail "without CAP_SYS_ADMIN: one line, exit 1, nothing run" "rc=$rc out: $out"
fi

# --- damage of the layered archive, made from the good file --------------
mkdir -p "$WORK/outside"
damage() { # HOW: a copy of OUT with crafted entries before the end record
	python3 - "$OUT" "$WORK/bad" "$1" "$WORK/outside" <<'EOF'
import struct, sys, zlib
src, dst, how, outside = sys.argv[1:5]
f = bytearray(open(src, 'rb').read())
magic, ver, crc, off, n = struct.unpack('<8sIIQQ', f[-32:])
a = bytes(f[off:off + n])
end = a.rindex(b'TRAILER!!!') - 110
assert a[end:end + 6] == b'070701'
def entry(name, data, mode=0o100644, size=None, ino=900):
    nb = name.encode() + b'\0'
    h = b'070701' + b''.join(b'%08x' % v for v in
        (ino, mode, 0, 0, 1, 0, len(data) if size is None else size, 0, 0, 0, 0, len(nb), 0))
    e = h + nb
    e += b'\0' * (-len(e) % 4) + data
    return e + b'\0' * (-len(e) % 4)
L = 'layers/04-show/'
if how == 'dotdot':
    extra = entry(L + '../../../x', b'x')
elif how == 'symlink':
    extra = entry(L + 'lnk', outside.encode(), mode=0o120777) + entry(L + 'lnk/planted', b'x', ino=901)
elif how == 'pastend':
    extra = entry(L + 'big', b'x', size=1 << 30)
elif how == 'big':
    extra = entry(L + 'big', b'\0' * (1 << 20))
a = a[:end] + extra + a[end:]
out = f[:off] + a + struct.pack('<8sIIQQ', magic, ver, zlib.crc32(a), off, len(a))
open(dst, 'wb').write(out)
EOF
	chmod 755 "$WORK/bad"
}
for case in "dotdot:embedded archive: layers/04-show/\.\./\.\./\.\./x: absolute or with \.\." \
	"symlink:layers/04-show/lnk/planted: not a directory" \
	"pastend:embedded archive: layers/04-show/big: size past the end" \
	"big:layers/04-show/big: no space left"; do
	how=${case%%:*} want=${case#*:}
	damage "$how"
	out=$(timeout 60 unshare --mount --pid --fork env TINYINIT_UPPER_SIZE=256k "$WORK/bad" 2>&1)
	rc=$?
	lines=$(printf '%s\n' "$out" | wc -l)
	if [ "$rc" = 1 ] && [ "$lines" = 1 ] && ! grep -q "show:" <<<"$out" &&
		grep -Eq "^tinyinit: $WORK/bad: $want" <<<"$out"; then
		pass "damage ($how): one line naming the entry, exit 1, nothing run"
	else
		fail "damage ($how): one line naming the entry, exit 1, nothing run" "rc=$rc out: $out"
	fi
done
expect_eq "nothing was written through the symbolic link" "" "$(ls -A "$WORK/outside")"
out=$(timeout 60 unshare --mount --pid --fork "$WORK/bad" 2>&1)
expect_match "the same archive fits the default tmpfs" "show: running as PID 2" "$out"
expect_eq "the caller's mount table holds no stage after the failures" "$before" "$(stages)"
