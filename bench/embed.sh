#!/bin/bash
# bench/embed.sh: start-up of the single-file form (mkrootfs embed: the
# payload copied from the archive into a memfd and run from there) against
# `tinyinit -- PAYLOAD`, side by side in one run, for payloads of 1 MiB and
# 32 MiB (bench/noop padded to size). Target: at most 1.5x for 1 MiB.
# Reports and never fails on a missed target.
#
#   BENCH_N   launches per round (default 200)
#   BENCH_R   rounds; each figure is the median of the rounds (default 7)
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
