# Runs each libFuzzer target of tinyinit's and mkrootfs's readers for a
# short while (FUZZ_SECONDS; by default 20 for tinyinit's, 10 for
# mkrootfs's fuzz_mk_*) from its seed corpus. A crash, leak or sanitizer
# report fails the test and leaves the input in build/fuzz/.
. "$(dirname "$0")/../lib.sh"
for f in "$B"/fuzz/fuzz_*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	name=$(basename "$f")
	case $name in
	fuzz_mk_*) secs=${FUZZ_SECONDS:-10} ;;
	*) secs=${FUZZ_SECONDS:-20} ;;
	esac
	corpus=$TOP/tests/fuzz/corpus/${name#fuzz_}
	mkdir -p "$B/fuzz/$name.corpus"
	if (cd "$B/fuzz" && "$f" -max_total_time="$secs" -timeout=5 -rss_limit_mb=1024 \
		-print_final_stats=1 "$B/fuzz/$name.corpus" "$corpus" >"$B/fuzz/$name.log" 2>&1); then
		pass "$name: ${secs}s of fuzzing, $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$B/fuzz/$name.log" | awk '{print $2}') runs, no finding"
	else
		fail "$name" "$(grep -m1 -E 'ERROR|SUMMARY' "$B/fuzz/$name.log") (log: $B/fuzz/$name.log)"
	fi
done
