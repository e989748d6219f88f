# mkrootfs embed: one executable that is tinyinit carrying its payload
# (include/embedded.h). It runs from an empty directory as an unprivileged
# user, passes status and arguments through, reaps as PID 1, and refuses
# every kind of damage with one line, running nothing.
. "$(dirname "$0")/../lib.sh"
need_root "embed tests" || exit 0

MK=$B/mkrootfs-san
HELLO=$B/examples/hello
OUT=$WORK/hello
export SOURCE_DATE_EPOCH=0

if ! "$MK" embed -o "$OUT" "$HELLO" 3 >"$WORK/mk.out" 2>&1; then
	fail "mkrootfs embed writes OUT" "$(cat "$WORK/mk.out")"
	exit 0
fi
pass "mkrootfs embed writes OUT"
expect_eq "OUT has mode 0755" 755 "$(stat -c %a "$OUT")"
"$MK" embed -o "$WORK/hello.again" "$HELLO" 3 >/dev/null 2>&1
cmp -s "$OUT" "$WORK/hello.again"
expect_eq "OUT is reproducible (byte for byte)" 0 $?

# A single file, run from an empty directory as a user with no capabilities
mkdir -p "$WORK/empty" && cp "$OUT" "$WORK/empty/hello" && chmod 755 "$WORK" "$WORK/empty"
user() { (cd "$WORK/empty" && setpriv --reuid 1000 --regid 1000 --clear-groups --inh-caps=-all \
	--bounding-set=-all "$@"); }
out=$(user ./hello 2>&1)
rc=$?
expect_eq "default arguments: exit status 3 as user 1000 with no capabilities" 3 "$rc"
expect_eq "the payload prints" "Hello from a tinyinit payload" "$out"
user ./hello 42 >/dev/null 2>&1
expect_eq "OUT's arguments replace the default ones" 42 $?
user ./hello 0 >/dev/null 2>&1
expect_eq "status 0 passes through" 0 $?
out=$(cd "$WORK/empty" && TINYINIT_VERBOSE=1 ./hello 0 2>&1)
expect_match "TINYINIT_* variables apply" "tinyinit: started /hello as pid" "$out"
pid1 "$WORK/empty/hello" 9 >/dev/null 2>&1
expect_eq "as PID 1 (unshare --pid --fork --mount-proc)" 9 $?

# The payload's argv: the recorded arguments, and --env recorded
"$MK" embed -o "$WORK/bb" --env EMBED_TEST=recorded /bin/busybox sh -c 'echo "$0 $EMBED_TEST"' >/dev/null 2>&1
out=$("$WORK/bb" 2>&1)
expect_eq "recorded arguments and --env reach the payload" "sh recorded" "$out"
out=$("$WORK/bb" sh -c 'echo "$*"' x a b 2>&1)
expect_eq "all of OUT's arguments reach the payload" "a b" "$out"
out=$("$WORK/bb" sh -c 'ls -l /proc/$PPID/fd /proc/$$/fd | grep -cE "bb|memfd"' 2>&1)
expect_eq "neither tinyinit nor the payload keeps OUT or the memfd open" 0 "$out"

count_zombies='n=0; for s in /proc/[0-9]*/stat; do read -r l < "$s" 2>/dev/null || continue; case ${l##*) } in Z*) n=$((n+1));; esac; done; echo "zombies=$n"'
out=$(timeout 30 unshare --pid --fork --mount-proc "$WORK/bb" sh -c "$B/examples/zombies 50 1 >/dev/null; sleep 2; $count_zombies" 2>&1)
expect_eq "orphans are reaped by the embedded init as PID 1" "zombies=0" "$out"

# vm.memfd_noexec=2 (per pid namespace): one clear line, nothing run
out=$(timeout 30 unshare --pid --fork sh -c 'echo 2 >/proc/sys/vm/memfd_noexec && exec "$0"' "$OUT" 2>&1)
rc=$?
if [ -e /proc/sys/vm/memfd_noexec ]; then
	expect_eq "vm.memfd_noexec=2: exit 1" 1 "$rc"
	expect_match "vm.memfd_noexec=2: one line says so" \
		"^tinyinit: .*memfd execution is forbidden \(vm.memfd_noexec=2\)" "$out"
	expect_eq "vm.memfd_noexec=2: one line" 1 "$(printf '%s\n' "$out" | wc -l)"
else
	skip "vm.memfd_noexec=2" "this kernel has no vm.memfd_noexec (before 6.3)"
fi

# --- damage: each from a good file; one line, nonzero, nothing run -------
damage() { # NAME PYTHON-EXPR-ON-(f: bytearray, arch: archive slice helpers)
	python3 - "$OUT" "$WORK/bad" "$1" <<'EOF'
import struct, sys, zlib
src, dst, how = sys.argv[1:4]
f = bytearray(open(src, 'rb').read())
magic, ver, crc, off, n = struct.unpack('<8sIIQQ', f[-32:])
a = bytearray(f[off:off + n])
def retrail(a, off=off, n=None, crc=None, ver=ver):
    n = len(a) if n is None else n
    crc = zlib.crc32(a) if crc is None else crc
    return f[:off] + a + struct.pack('<8sIIQQ', magic, ver, crc, off, n)
def entry(name, data, mode=0o100755, size=None):
    nb = name.encode() + b'\0'
    h = b'070701' + b''.join(b'%08x' % v for v in
        (1, mode, 0, 0, 1, 0, len(data) if size is None else size, 0, 0, 0, 0, len(nb), 0))
    e = h + nb
    e += b'\0' * (-len(e) % 4) + data
    return e + b'\0' * (-len(e) % 4)
args = b'--\0/hello\0'
trailer = entry('TRAILER!!!', b'', mode=0)
if how == 'flip':      out = f[:]; out[off + 200] ^= 0x40
elif how == 'cut':     out = f[:-100]
elif how == 'middle':  out = f[:off + 100] + f[off + 200:]
elif how == 'offset':  out = f[:-32] + struct.pack('<8sIIQQ', magic, ver, crc, off + 4, n)
elif how == 'length':  out = f[:-32] + struct.pack('<8sIIQQ', magic, ver, crc, off, n - 4)
elif how == 'crc':     out = f[:-32] + struct.pack('<8sIIQQ', magic, ver, crc ^ 1, off, n)
elif how == 'version': out = f[:-32] + struct.pack('<8sIIQQ', magic, 99, crc, off, n)
elif how == 'dotdot':  out = retrail(entry('../hello', b'x') + entry('tinyinit.args', args) + trailer)
elif how == 'absolute':out = retrail(entry('/hello', b'x') + entry('tinyinit.args', args) + trailer)
elif how == 'pastend': out = retrail(entry('tinyinit.args', args) + entry('hello', b'xx', size=1 << 30) + trailer)
elif how == 'noend':   out = retrail(entry('tinyinit.args', args) + entry('hello', b'xx'))
elif how == 'header':  a[0:6] = b'070707'; out = retrail(a)
elif how == 'nopayload': out = retrail(entry('tinyinit.args', args) + trailer)
open(dst, 'wb').write(out)
EOF
	chmod 755 "$WORK/bad"
}
for case in "flip:CRC mismatch" "middle:bad trailer" "offset:bad trailer" "length:bad trailer" "crc:CRC mismatch" \
	"version:bad trailer" "dotdot:\.\./hello: absolute or with \.\." \
	"absolute:/hello: absolute or with \.\." "pastend:hello: size past the end" \
	"noend:bad entry header" "header:bad entry header" "nopayload:no payload"; do
	how=${case%%:*} want=${case#*:}
	damage "$how"
	out=$("$WORK/bad" 2>&1)
	rc=$?
	lines=$(printf '%s\n' "$out" | wc -l)
	if [ "$rc" = 1 ] && [ "$lines" = 1 ] && ! grep -q Hello <<<"$out" &&
		grep -Eq "^tinyinit: $WORK/bad: (embedded archive: )?$want" <<<"$out"; then
		pass "damage ($how): one line, exit 1, nothing run"
	else
		fail "damage ($how): one line, exit 1, nothing run" "rc=$rc out: $out"
	fi
done
# A cut file has lost its trailer: it is a plain tinyinit, and nothing of
# the archive runs.
damage cut
out=$("$WORK/bad" 2>&1)
rc=$?
if [ "$rc" != 0 ] && ! grep -q Hello <<<"$out"; then
	pass "damage (cut): nonzero, nothing of the archive run"
else
	fail "damage (cut): nonzero, nothing of the archive run" "rc=$rc out: $out"
fi

# mkrootfs refuses to embed into a tinyinit that already carries an archive
out=$("$MK" embed --init "$OUT" -o "$WORK/twice" "$HELLO" 2>&1)
rc=$?
expect_match "an embedded tinyinit is refused as --init" "already carries an embedded archive" "$out"
[ "$rc" != 0 ] && [ ! -e "$WORK/twice" ]
expect_eq "... nonzero, nothing written" 0 $?

# The archive is a plain newc cpio
off=$(python3 -c "import struct,sys; print(struct.unpack('<QQ', open(sys.argv[1],'rb').read()[-16:])[0])" "$OUT")
list=$(tail -c +$((off + 1)) "$OUT" | cpio -it 2>/dev/null | sort | tr '\n' ' ')
expect_eq "the archive lists with cpio -it" "hello tinyinit.args " "$list"

# mkrootfs inspect OUT: payload, arguments, options, sizes, checked like tinyinit
"$MK" embed -o "$WORK/insp" --env A=1 --workdir /tmp "$HELLO" 3 x >/dev/null 2>&1
out=$("$MK" inspect "$WORK/insp" 2>&1)
expect_match "inspect OUT: the payload" "payload +/hello" "$out"
expect_match "inspect OUT: its arguments" "args +3 x" "$out"
expect_match "inspect OUT: the recorded options" "options +--workdir /tmp --env A=1" "$out"
expect_match "inspect OUT: the files and sizes" "hello" "$(printf '%s\n' "$out" | grep -E '^  [0-7]{4} ')"
json=$("$MK" inspect --json "$WORK/insp" 2>&1 | python3 -c '
import json, sys
o = json.load(sys.stdin)
print(o["payload"], o["args"], o["archive_size"] > 0, sorted(f["name"] for f in o["files"]))')
expect_eq "inspect --json OUT" "/hello ['3', 'x'] True ['hello', 'tinyinit.args']" "$json"
damage flip
out=$("$MK" inspect "$WORK/bad" 2>&1)
rc=$?
expect_match "inspect of a damaged OUT: one line, nonzero" "^1 mkrootfs: .*CRC mismatch" "$rc $out"
