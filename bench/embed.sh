#!/bin/bash
# bench/embed.sh: start-up of the single-file form (mkrootfs embed: the
# payload copied from the archive into a memfd and run from there) against
# `tinyinit -- PAYLOAD`, side by side in one run, for payloads of 1 MiB and
# 32 MiB (bench/noop padded to size). Target: at most 1.5x for 1 MiB.
# Then the layered form's unpack (mkrootfs embed --layer: tinyinit verifies
# the archive's CRC and unpacks its layers into its tmpfs stage, then stacks
# them and runs the no-op) against `cpio -id` of the same archive (cut out of
# OUT) into a fresh tmpfs, both from a new mount namespace, rows interleaved;
# each row also without the tree (a one-file layer) to take off the fixed
# costs: unpack throughput = archive bytes / (time - time without the tree).
# Target: tinyinit's throughput at least cpio's (>= 1x).
# Reports and never fails on a missed target.
#
#   BENCH_N          launches per round (default 200)
#   BENCH_R          rounds; each figure is the median of the rounds (default 7)
#   BENCH_EMBED_MIB  the layer tree for the unpack rows (bench/gentree.py; default 128)
set -u

. "$(dirname "$0")/common"
bench_args "$@"

TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/build
N=${BENCH_N:-200}
R=${BENCH_R:-7}
LAUNCH=$B/bench/launch
for f in "$LAUNCH" "$B/bench/noop" "$B/tinyinit" "$B/mkrootfs"; do
	[ -x "$f" ] || { echo "bench/embed.sh: $f is missing: run make first" >&2; exit 1; }
done
TMP=$(mktemp -d /tmp/bench-embed.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1;
		if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

echo "# $N launches a round, $R rounds, the two forms interleaved; medians of the mean launch"
printf '%-9s %16s %16s %7s  %s\n' payload "tinyinit -- P" "embedded OUT" ratio target
for mib in 1 32; do
	p=$TMP/noop$mib
	cp "$B/bench/noop" "$p"
	truncate -s $((mib * 1048576)) "$p" # an ELF runs with bytes after its segments
	"$B/mkrootfs" embed --init "$B/tinyinit" -o "$TMP/out$mib" "$p" >/dev/null ||
		{ echo "bench/embed.sh: mkrootfs embed failed" >&2; exit 1; }
	n=$N
	[ "$mib" -gt 1 ] && n=$((N / 4 + 1))
	: >"$TMP/a" && : >"$TMP/b"
	for _ in $(seq "$R"); do
		"$LAUNCH" -n "$n" -- "$B/tinyinit" -- "$p" >>"$TMP/a" || exit 1
		"$LAUNCH" -n "$n" -- "$TMP/out$mib" >>"$TMP/b" || exit 1
	done
	a=$(median "$TMP/a") b=$(median "$TMP/b")
	target=""
	[ "$mib" = 1 ] && target="<= 1.5x"
	printf '%-9s %13d us %13d us %6.2fx  %s\n' "$mib MiB" $((a / 1000)) $((b / 1000)) \
		"$(echo "$b / $a" | bc -l)" "$target"
done
echo "# tinyinit with the reader: $(stat -c %s "$B/tinyinit") bytes (make size)"

# --- the layered form's unpack against cpio -id --------------------------------
MIB=${BENCH_EMBED_MIB:-128}
case $MIB in "" | *[!0-9]*) echo "bench/embed.sh: BENCH_EMBED_MIB is a whole number" >&2; exit 2 ;; esac
command -v cpio >/dev/null || { echo "bench/embed.sh: no cpio (scripts/deps installs it)" >&2; exit 1; }
python3 "$TOP/bench/gentree.py" "$TMP/tree" "$MIB" || exit 1
mkdir -p "$TMP/small" && echo one >"$TMP/small/file"
for t in tree small; do
	"$B/mkrootfs" embed --init "$B/tinyinit" --layer "$TMP/$t" -o "$TMP/lay-$t" "$B/bench/noop" >/dev/null ||
		{ echo "bench/embed.sh: mkrootfs embed --layer failed" >&2; exit 1; }
	# the archive, cut out of OUT by its trailer (offset and length, u64 LE at 16 and 24)
	python3 - "$TMP/lay-$t" "$TMP/arch-$t.cpio" <<'PY' || exit 1
import struct, sys
d = open(sys.argv[1], "rb").read()
off, n = struct.unpack_from("<QQ", d, len(d) - 16)
open(sys.argv[2], "wb").write(d[off:off + n])
PY
done
nfiles=$(cpio -it --quiet <"$TMP/arch-tree.cpio" | wc -l)
abytes=$(stat -c %s "$TMP/arch-tree.cpio")
mkdir -p "$TMP/mnt"
# us CMD...: microseconds the command took (it must succeed)
us() {
	local t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>"$TMP/err" || { echo "bench/embed.sh: $* failed: $(head -n 3 "$TMP/err")" >&2; exit 1; }
	echo $((${EPOCHREALTIME/./} - t0))
}
run_out() { unshare --mount --pid --fork "$1"; }
run_cpio() {
	unshare --mount sh -c 'mount -t tmpfs -o size=90% tinyinit-bench "$1" && cd "$1" &&
		cpio -id --quiet --no-absolute-filenames <"$2"' sh "$TMP/mnt" "$1"
}
run_out "$TMP/lay-tree" >/dev/null && run_cpio "$TMP/arch-tree.cpio" # warm the page cache
RU=${BENCH_R:-7}
: >"$TMP/ot" && : >"$TMP/os" && : >"$TMP/ct" && : >"$TMP/cs"
for _ in $(seq "$RU"); do
	us run_out "$TMP/lay-tree" >>"$TMP/ot"
	us run_cpio "$TMP/arch-tree.cpio" >>"$TMP/ct"
	us run_out "$TMP/lay-small" >>"$TMP/os"
	us run_cpio "$TMP/arch-small.cpio" >>"$TMP/cs"
done
ot=$(median "$TMP/ot") os=$(median "$TMP/os") ct=$(median "$TMP/ct") cs=$(median "$TMP/cs")
echo
echo "# unpack: a $MIB MiB tree (bench/gentree.py), archive $abytes bytes, $nfiles entries; $RU rounds interleaved, medians"
printf '%-44s %10s %14s %10s\n' row "total ms" "no tree ms" "MiB/s"
tp() { echo "$abytes / 1048576 / (($1 - $2) / 1000000)" | bc -l; }
to=$(tp "$ot" "$os") tc=$(tp "$ct" "$cs")
printf '%-44s %10.1f %14.1f %10.0f\n' "embedded OUT (CRC + unpack + stack + run)" "$(echo "$ot / 1000" | bc -l)" \
	"$(echo "$os / 1000" | bc -l)" "$to"
printf '%-44s %10.1f %14.1f %10.0f\n' "cpio -id into a tmpfs" "$(echo "$ct / 1000" | bc -l)" \
	"$(echo "$cs / 1000" | bc -l)" "$tc"
r=$(echo "$to / $tc" | bc -l)
printf 'unpack throughput, tinyinit / cpio = %.2f (target >= 1): %s\n' "$r" \
	"$(echo "$r >= 1" | bc -l | sed 's/1/PASS/;s/0/MISS/')"
