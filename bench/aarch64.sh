#!/bin/bash
# bench/aarch64.sh: the aarch64 tinyinit's size and its added start-up under qemu-aarch64 user-mode
# emulation (binfmt), as a ratio to tini's arm64 static build (Debian's tini:arm64, fetched with
# `apt-get download` + `dpkg -x` into /var/cache/tinyinit/arm64/tini, never installed) run the same
# way. Each init runs as PID 1 of a new pid namespace (qemu-user 7.2 has no
# PR_SET_CHILD_SUBREAPER, so neither init can run as a subreaper there) and starts the aarch64
# no-op payload; the floor is the no-op alone in the same namespace. hyperfine, BENCH_RUNS each.
# Run by `make bench` (bench/run aarch64 runs only this one); reports, never fails on a target.
set -u

. "$(dirname "$0")/common"
bench_args "$@"

TOP=$(cd "$(dirname "$0")/.." && pwd)
A64=$TOP/build/aarch64
RUNS=${BENCH_RUNS:-200}
CACHE=${TINYINIT_ARM64:-/var/cache/tinyinit/arm64}
case $RUNS in "" | *[!0-9]*) echo "bench/aarch64.sh: BENCH_RUNS is a whole number" >&2; exit 2 ;; esac
for f in "$A64/tinyinit" "$A64/bench/noop"; do
	[ -x "$f" ] || { echo "bench/aarch64.sh: $f is missing: run make bench-bins" >&2; exit 1; }
done
"$TOP"/scripts/binfmt || exit 1

size=$(stat -c %s "$A64/tinyinit")
echo "aarch64 tinyinit: $size bytes (budget 36864, $((size * 100 / 36864))% used)"

tini=$CACHE/tini/usr/bin/tini-static
if [ ! -x "$tini" ]; then
	tmp=$(mktemp -d /tmp/bench-aarch64.XXXXXX)
	chmod 755 "$tmp"
	if (cd "$tmp" && apt-get download -q tini:arm64 >/dev/null 2>&1) && mkdir -p "$CACHE/tini.new" &&
		dpkg -x "$tmp"/tini_*_arm64.deb "$CACHE/tini.new"; then
		rm -rf "$CACHE/tini" && mv "$CACHE/tini.new" "$CACHE/tini"
	fi
	rm -rf "$tmp" "$CACHE/tini.new"
fi
[ -x "$tini" ] || { echo "bench/aarch64.sh: no arm64 tini-static (apt-get download tini:arm64 failed)" >&2; exit 1; }
echo "arm64 tini-static: $(stat -c %s "$tini") bytes"
echo

ns="unshare --pid --fork"
out=$(mktemp /tmp/bench-aarch64.XXXXXX.json)
trap 'rm -f "$out"' EXIT
hyperfine -N -w 10 -r "$RUNS" --export-json "$out" \
	-n floor "$ns $A64/bench/noop" \
	-n tinyinit "$ns $A64/tinyinit $A64/bench/noop" \
	-n tini-static "$ns $tini -- $A64/bench/noop" >/dev/null 2>&1 ||
	{ echo "bench/aarch64.sh: hyperfine failed" >&2; exit 1; }
python3 - "$out" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
m = {k: v["median"] * 1e6 for k, v in r.items()}
f = m["floor"]
print("| under qemu-aarch64, PID 1 | median (µs) | added over the floor (µs) |")
print("|---|---:|---:|")
for k in ("floor", "tinyinit", "tini-static"):
    print(f"| {k} | {m[k]:.0f} | {m[k] - f:.0f} |")
t, s = m["tinyinit"] - f, m["tini-static"] - f
if s > 0:
    print(f"\ntinyinit's added start-up is {t / s:.2f}x tini-static's (arm64, both emulated)")
PY
