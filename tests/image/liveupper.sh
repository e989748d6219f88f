# A live tree (review P1-9): mkrootfs commit of an upper directory that a
# running container keeps changing. Here the "container" swaps a directory of
# the tree for a symbolic link to a directory outside it (holding a secret)
# and back, as fast as it can, while commit and image read the tree, many
# times. Whatever the timing, the layer never holds a file from outside the
# tree: a run either writes the tree's own files or fails with one line
# naming what changed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"
need_root "live upper tests (reads as root, like commit of a container's upper)" || exit 0
M=${MKROOTFS_LIVE:-$M}

U=$WORK/upper S=$WORK/outside
mkdir -p "$U/d" "$S"
for i in $(seq 1 300); do
	# the same sizes inside and out: a size check alone cannot tell them apart
	{ printf 'inside-%08d-%06d\n' $$ "$i"; head -c 65536 /dev/zero; } >"$U/d/f$i"
	{ printf 'secret-%08d-%06d\n' $$ "$i"; head -c 65536 /dev/zero; } >"$S/f$i"
done
python3 - "$U" "$S" "$WORK/swapper.pid" <<'EOF' &
import os, sys, time
u, s, pidf = sys.argv[1:]
open(pidf, "w").write(str(os.getpid()))
d, real = os.path.join(u, "d"), os.path.join(u, ".d")
end = time.time() + 120
# d is the tree's own directory most of the time, a link out of it now and
# then: long enough for a walk to see the directory and a write to meet the link
while time.time() < end:
    time.sleep(0.03)
    os.rename(d, real)
    os.symlink(s, d)
    time.sleep(0.01)
    os.unlink(d)
    os.rename(real, d)
EOF
swapper=$!
SECRET=$(printf "secret-%08d" $$)
leaks=0 ok=0 refused=0 other=""
for i in $(seq 1 60); do
	rm -f "$WORK/l.tar"
	if "$M" commit -o "$WORK/l.tar" "$U" >/dev/null 2>"$WORK/c.err"; then
		ok=$((ok + 1))
		tar -xOf "$WORK/l.tar" 2>/dev/null | grep -q "$SECRET" && leaks=$((leaks + 1))
	elif grep -Eq "changed while being read|changed size|a symbolic link is on its path now|not the file it was|No such file|not a directory" "$WORK/c.err" &&
		[ "$(wc -l <"$WORK/c.err")" = 1 ]; then
		refused=$((refused + 1))
	else
		other="$(head -c 300 "$WORK/c.err")"
	fi
done
kill "$swapper" 2>/dev/null
wait "$swapper" 2>/dev/null
# leave the tree as it was
[ -L "$U/d" ] && rm -f "$U/d"
[ -d "$U/.d" ] && mv "$U/.d" "$U/d"
echo "# 60 commits of a tree being swapped: $ok written, $refused refused"
expect_eq "commit of a live tree: no run put a file from outside the tree in the layer" 0 "$leaks"
expect_eq "...every failed run is one line naming the change" "" "$other"
