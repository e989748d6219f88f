#!/bin/bash
# bench/init.sh: tinyinit's start-up cost, size and memory against its peers
# (tini, tini-static, catatonit, dumb-init from Debian, and bench/bare-init,
# a bare vfork+exec+wait init that is the floor). Run by `make bench`
# (bench/run init runs only this one); it reports and never fails on a
# missed target.
#
#   BENCH_N   launches per round (default 1000)
#   BENCH_R   rounds; each figure is the median of the rounds (default 15)
set -u

. "$(dirname "$0")/common"
bench_args "$@"

TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/build
N=${BENCH_N:-1000}
R=${BENCH_R:-15}
LAUNCH=$B/bench/launch
NOOP=$B/bench/noop

for f in "$LAUNCH" "$NOOP" "$B/bench/bare-init" "$B/tinyinit"; do
	[ -x "$f" ] || { echo "bench/init.sh: $f is missing: run make first" >&2; exit 1; }
done
case $N$R in *[!0-9]*) echo "bench/init.sh: BENCH_N and BENCH_R are whole numbers" >&2; exit 2 ;; esac

TMP=$(mktemp -d /tmp/bench-init.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# name | label | command before the payload. Each init runs as it would
# outside a pid namespace, as a child subreaper where it can be one (tini
# needs -s for that; tinyinit and catatonit do it by themselves).
peers=(
	"bare-init|bare-init (floor)|$B/bench/bare-init"
	"tinyinit|tinyinit|$B/tinyinit"
	"tini-static|tini-static|/usr/bin/tini-static -s"
	"tini|tini (dynamic)|/usr/bin/tini -s"
	"catatonit|catatonit|/usr/bin/catatonit"
	"dumb-init|dumb-init (dynamic)|/usr/bin/dumb-init"
)

declare -A label cmd missing
names=()
for p in "${peers[@]}"; do
	IFS='|' read -r name lab c <<<"$p"
	names+=("$name")
	label[$name]=$lab
	cmd[$name]=$c
	[ -x "${c%% *}" ] || missing[$name]=1
done

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1;
		if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

echo "# $N launches a round, $R rounds, peers interleaved within each round; medians"
# Rounds interleave the peers, each round in a rotated order, so load from
# elsewhere on the machine spreads over all of them instead of falling on
# one. A first, shorter round only warms up (page cache, CPU) and counts not.
timed=(direct)
cmd[direct]=""
for name in "${names[@]}"; do [ -n "${missing[$name]:-}" ] || timed+=("$name"); done
for ((r = -1; r < R; r++)); do
	n=$N out=/dev/null
	[ $r -lt 0 ] && n=$((N / 10 + 1))
	for ((i = 0; i < ${#timed[@]}; i++)); do
		name=${timed[(i + r + 1) % ${#timed[@]}]}
		[ $r -ge 0 ] && out=$TMP/$name.ns
		# shellcheck disable=SC2086 # the commands are word lists on purpose
		"$LAUNCH" -n "$n" -- ${cmd[$name]} "$NOOP" >>"$out" || {
			echo "bench/init.sh: ${cmd[$name]:+${cmd[$name]} }$NOOP failed" >&2
			exit 1
		}
	done
done

# Peak RSS: the init supervises a payload that sleeps 300 ms; 100 ms after
# the payload reports that it runs, VmHWM (the high-water mark of the init's
# own resident set since its exec) is read. Median of 3.
for name in "${names[@]}"; do
	[ -n "${missing[$name]:-}" ] && continue
	for _ in 1 2 3; do
		# shellcheck disable=SC2086
		"$LAUNCH" -m 100 -- ${cmd[$name]} "$NOOP" ready 300 >>"$TMP/$name.rss" || exit 1
	done
done

direct=$(median "$TMP/direct.ns")
ts_added=""
[ -z "${missing[tini-static]:-}" ] && ts_added=$(($(median "$TMP/tini-static.ns") - direct))
ts_size=$(stat -c %s /usr/bin/tini-static 2>/dev/null || echo "")

# range FILE: the fastest and slowest round, in µs per launch.
range() {
	sort -n "$1" | awk 'NR == 1 { lo = $1 } END { printf "%.1f-%.1f", lo / 1000, $1 / 1000 }'
}

printf '\ndirect launch of a static no-op: %s µs (median; rounds %s µs), subtracted below\n\n' \
	"$(awk -v d="$direct" 'BEGIN { printf "%.1f", d / 1000 }')" "$(range "$TMP/direct.ns")"
# (µs is two bytes: one more column of width keeps the header in line.)
printf '| %-20s | %12s | %17s | %15s | %13s |\n' peer "size (bytes)" "added µs/launch" "vs tini-static" "peak RSS KiB"
printf '|%s|%s|%s|%s|%s|\n' ---------------------- -------------: -----------------: ----------------: --------------:
declare -A added size
for name in "${names[@]}"; do
	exe=${cmd[$name]%% *}
	if [ -n "${missing[$name]:-}" ]; then
		printf '| %-20s | %12s | %16s | %15s | %13s |\n' "${label[$name]}" - "not installed" - -
		continue
	fi
	size[$name]=$(stat -L -c %s "$exe")
	added[$name]=$(($(median "$TMP/$name.ns") - direct))
	ratio=-
	[ -n "$ts_added" ] && [ "$ts_added" -gt 0 ] &&
		ratio=$(awk -v a="${added[$name]}" -v t="$ts_added" 'BEGIN { printf "%.2f", a / t }')
	us=$(awk -v a="${added[$name]}" 'BEGIN { printf "%.1f", a / 1000 }')
	printf '| %-20s | %12d | %16s | %15s | %13d |\n' "${label[$name]}" "${size[$name]}" "$us" "$ratio" \
		"$(median "$TMP/$name.rss")"
done

printf '\nrounds (µs per launch, including the direct launch):'
for name in "${names[@]}"; do
	[ -n "${missing[$name]:-}" ] || printf ' %s %s;' "$name" "$(range "$TMP/$name.ns")"
done
printf '\n\n'
# Targets (issue 2): added cost at most 40% of tini-static's; size at most
# a twentieth of tini-static's.
if [ -z "$ts_added" ] || [ -z "${added[tinyinit]:-}" ]; then
	echo "MISS added cost: tini-static or tinyinit was not measured"
elif [ "$ts_added" -le 0 ]; then
	echo "MISS added cost: tini-static's added cost came out at $ts_added ns: too noisy to compare (raise BENCH_N, BENCH_R)"
else
	verdict=MISS
	[ $((added[tinyinit] * 100)) -le $((ts_added * 40)) ] && verdict=PASS
	echo "$verdict added cost: tinyinit $(awk -v a="${added[tinyinit]}" -v t="$ts_added" \
		'BEGIN { printf "%.0f%%", 100 * a / t }') of tini-static's (target <= 40%)"
fi
if [ -z "$ts_size" ]; then
	echo "MISS size: tini-static is not installed"
else
	verdict=MISS
	[ $((size[tinyinit] * 20)) -le "$ts_size" ] && verdict=PASS
	echo "$verdict size: tinyinit ${size[tinyinit]} bytes, tini-static/20 = $((ts_size / 20)) bytes"
fi
