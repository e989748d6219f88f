# Shared helpers for the shell test suites. Each suite prints one TAP-style
# line per test ("ok - NAME", "not ok - NAME: why", "ok - NAME # SKIP why");
# tests/run counts them.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$TOP/build
T=${TINYINIT:-$B/tinyinit} # TINYINIT=build/aarch64/tinyinit: the same suites for aarch64 (tests/aarch64)
WORK=$(mktemp -d /tmp/tinyinit-test.XXXXXX)

# at_exit CMD: runs CMD when the suite ends (last registered first), before
# the processes it started are ended and $WORK is removed.
AT_EXIT=()
at_exit() { AT_EXIT=("$1" "${AT_EXIT[@]}"); }
run_exit() {
	local c
	for c in "${AT_EXIT[@]}"; do eval "$c"; done
	[ -n "${KEEP_WORK:-}" ] && echo "kept $WORK" >&2 || cleanup_work
}
trap run_exit EXIT

# The pids of every live descendant of process $1 (children first found,
# grandchildren after), by /proc: no name matching.
descendants() {
	local p c
	for p in $(pgrep -P "$1"); do
		echo "$p"
		descendants "$p"
	done
}

cleanup_work() {
	# No process a test started may outlive it either: end this suite's
	# own descendants, by pid (never by name: other users of the same
	# binaries, a concurrent make bench say, are left alone).
	local mine
	mine=$(descendants $$ | grep -vx "$BASHPID")
	# shellcheck disable=SC2086
	[ -n "$mine" ] && kill -KILL $mine 2>/dev/null
	# Nothing a test mounted may outlive it.
	grep -F " $WORK" /proc/self/mountinfo | awk '{print $5}' | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$WORK"
}

pass() { echo "ok - $1"; }
fail() { echo "not ok - $1: $2"; }
skip() { echo "ok - $1 # SKIP $2"; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# expect_match NAME REGEX TEXT
expect_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1" "no match for /$2/ in: $(printf '%s' "$3" | head -c 300)"; fi
}

# Runs tinyinit as PID 1 in new pid + mount namespaces with a fresh /proc.
pid1() { timeout 30 unshare --pid --fork --mount-proc "$T" "$@"; }

# wait_for FILE PATTERN [TENTHS]: polls until FILE contains PATTERN.
wait_for() {
	local n=${3:-100}
	while [ "$n" -gt 0 ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# The tinyinit process started (as PID 1) by an `unshare --fork` of pid $1.
init_of() {
	local n=50 p
	while [ "$n" -gt 0 ]; do
		p=$(pgrep -P "$1" | head -n 1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

need_root() {
	[ "$(id -u)" = 0 ] || { skip "$1" "needs root"; return 1; }
}
