# tinyinit as a supervisor: a real PID 1 in new pid + mount namespaces
# (unshare --pid --fork --mount-proc), and a child subreaper when not PID 1.
. "$(dirname "$0")/../lib.sh"
need_root "supervisor tests" || exit 0

HELLO=$B/examples/hello
ORPH=$B/tests/orphans
SIGEXEC=$B/tests/sigexec

# --- exit status --------------------------------------------------------
bad=""
for code in $(seq 0 255); do
	pid1 "$HELLO" "$code" >/dev/null
	rc=$?
	[ "$rc" = "$code" ] || bad="$bad $code->$rc"
done
expect_eq "exit codes 0..255 pass through as PID 1" "" "$bad"

bad=""
for code in 0 1 42 255; do
	"$T" "$HELLO" "$code" >/dev/null
	rc=$?
	[ "$rc" = "$code" ] || bad="$bad $code->$rc"
done
expect_eq "exit codes pass through as a subreaper" "" "$bad"

pid1 -e 3 "$HELLO" 3 >/dev/null; expect_eq "-e 3 maps 3 to 0" 0 $?
pid1 -e 3 "$HELLO" 4 >/dev/null; expect_eq "-e 3 leaves 4 alone" 4 $?
pid1 -e 3 -e 4 "$HELLO" 4 >/dev/null; expect_eq "-e is repeatable" 0 $?
pid1 --expect=5,6 "$HELLO" 6 >/dev/null; expect_eq "--expect takes a list" 0 $?
TINYINIT_EXPECT=7 pid1 "$HELLO" 7 >/dev/null; expect_eq "TINYINIT_EXPECT maps 7 to 0" 0 $?
pid1 -e 143 sh -c 'kill -TERM $$' >/dev/null; expect_eq "-e 143 maps death by SIGTERM to 0" 0 $?

out=$(pid1 "$WORK/nonexistent-program" 2>&1); rc=$?
expect_eq "missing program exits 127" 127 "$rc"
expect_match "missing program is named" "tinyinit: cannot run $WORK/nonexistent-program: not found" "$out"
out=$(pid1 no-such-program-anywhere 2>&1); rc=$?
expect_eq "program not on PATH exits 127" 127 "$rc"
out=$(pid1 /etc 2>&1); rc=$?
expect_eq "/etc as program exits 126" 126 "$rc"
expect_match "/etc is named" "tinyinit: cannot run /etc: permission denied" "$out"
printf 'no shebang\n' >"$WORK/notexec"; chmod 644 "$WORK/notexec"
out=$(pid1 "$WORK/notexec" 2>&1); rc=$?
expect_eq "non-executable file exits 126" 126 "$rc"
out=$(env -u PATH "$T" hello-not-here 2>&1); rc=$?
expect_eq "unset PATH uses a default PATH (missing: 127)" 127 "$rc"
out=$(env -u PATH "$T" true 2>&1); rc=$?
expect_eq "unset PATH uses a default PATH (true found)" 0 "$rc"

# --- usage ----------------------------------------------------------------
out=$("$T" 2>&1 >/dev/null); rc=$?
expect_eq "no program is a usage error (exit 1)" 1 "$rc"
expect_match "usage error prints usage on stderr" "^tinyinit: no program given.*Usage: tinyinit" "$(echo $out)"
out=$("$T" --frobnicate true 2>&1 >/dev/null); rc=$?
expect_eq "unknown option exits 1" 1 "$rc"
expect_match "unknown option is named" "unknown option --frobnicate" "$out"
out=$(TINYINIT_GRACE=soon "$T" true 2>&1); rc=$?
expect_eq "bad TINYINIT_GRACE exits 1" 1 "$rc"
expect_match "bad variable is named" "TINYINIT_GRACE: 'soon' is not a number of seconds" "$out"
out=$("$T" --help); rc=$?
expect_eq "--help exits 0" 0 "$rc"
expect_match "--help lists the environment" "TINYINIT_KILL_GROUP" "$out"
expect_match "--version prints the version" "^tinyinit [0-9]+\.[0-9]+\.[0-9]+$" "$("$T" --version)"

# --- signals ----------------------------------------------------------------
# start_pid1 OUT ARGS...: tinyinit as PID 1 in the background; sets UPID
# (the unshare process) and IPID (tinyinit, as the host sees it).
start_pid1() {
	local out=$1
	shift
	rm -f "$out"
	unshare --pid --fork --mount-proc "$T" "$@" >"$out" 2>&1 &
	UPID=$!
	IPID=$(init_of "$UPID")
}

for sig in TERM INT HUP QUIT USR1 USR2; do
	num=$(kill -l "$sig")
	start_pid1 "$WORK/sig.out" "$ORPH" wait-signal
	if ! wait_for "$WORK/sig.out" ready; then
		fail "SIG$sig reaches the child" "payload never got ready"
		kill -KILL "$UPID" 2>/dev/null
		continue
	fi
	kill -"$sig" "$IPID"
	timeout 10 tail --pid="$UPID" -f /dev/null
	wait "$UPID"
	expect_eq "SIG$sig sent to PID 1 reaches the child (exit 128+$num)" $((128 + num)) $?
done

# Every signal 1-64 but KILL, STOP and CHLD reaches the payload, 32-34
# included (musl's sigfillset leaves them out; 34 is docker's SIGRTMIN).
SIGREC=$B/tests/sigrecord
want=$(for s in $(seq 1 64); do case $s in 9 | 17 | 19) ;; *) echo "$s" ;; esac; done)
start_pid1 "$WORK/rec.out" "$SIGREC" 61
if wait_for "$WORK/rec.out" ready; then
	for s in $want; do
		kill -s "$s" "$IPID"
		wait_for "$WORK/rec.out" "^$s\$" || break
	done
fi
timeout 10 tail --pid="$UPID" -f /dev/null || kill -KILL "$IPID" 2>/dev/null
wait "$UPID"
expect_eq "signals 1-64 (not KILL, STOP, CHLD) reach the payload of PID 1: exit 0" 0 $?
expect_eq "...each of them, in order" "$(echo $want)" "$(grep -v ready "$WORK/rec.out" | tr '\n' ' ' | sed 's/ $//')"
# As a subreaper too: signal 34 no longer kills tinyinit.
"$T" "$SIGREC" 2 >"$WORK/rec2.out" 2>&1 &
SPID=$!
wait_for "$WORK/rec2.out" ready && kill -34 "$SPID" && wait_for "$WORK/rec2.out" '^34$' && kill -33 "$SPID"
timeout 10 tail --pid="$SPID" -f /dev/null || kill -KILL "$SPID" 2>/dev/null
wait "$SPID"
expect_eq "a subreaper forwards 34 and 33 (exit 0)" "0 34 33" "$? $(grep -v ready "$WORK/rec2.out" | tr '\n' ' ' | sed 's/ $//')"
# tinyinit's own SIGPIPE (its stderr is a closed pipe) is not forwarded.
# (the reader is gone before tinyinit starts, so its -v line meets EPIPE).
pipe_rc=$(
	bash -c 'sleep 0.3; exec "$0" "$@"' "$T" -v sh -c 'sleep 0.3; exit 4' 2> >(true) >/dev/null
	echo $?
)
expect_eq "SIGPIPE from tinyinit's own stderr is not forwarded (payload exits 4)" 4 "$pipe_rc"

start_pid1 "$WORK/sig.out" --rewrite TERM:USR1 "$ORPH" wait-signal
wait_for "$WORK/sig.out" ready
kill -TERM "$IPID"; wait "$UPID"
rc=$?
expect_eq "--rewrite TERM:USR1 forwards SIGUSR1" $((128 + $(kill -l USR1))) $rc

start_pid1 "$WORK/sig.out" --rewrite TERM:0 "$ORPH" wait-signal
wait_for "$WORK/sig.out" ready
kill -TERM "$IPID"; sleep 0.3; kill -HUP "$IPID"; wait "$UPID"
expect_eq "--rewrite TERM:0 drops SIGTERM" $((128 + 1)) $?

# Stop signals never stop tinyinit; they reach the child.
rm -f "$WORK/stop.out"
"$T" "$ORPH" wait-signal >"$WORK/stop.out" 2>&1 &
IPID=$!
wait_for "$WORK/stop.out" ready
kill -TSTP "$IPID"; kill -TTIN "$IPID"; kill -TTOU "$IPID"
sleep 0.3
istate=$(awk '{print $3}' "/proc/$IPID/stat")
cpid=$(pgrep -P "$IPID")
cstate=$(awk '{print $3}' "/proc/$cpid/stat")
expect_eq "SIGTSTP/SIGTTIN/SIGTTOU do not stop tinyinit" "S" "$istate"
expect_eq "SIGTSTP reaches (and stops) the child" "T" "$cstate"
kill -CONT "$IPID"; kill -TERM "$IPID"; wait "$IPID"
expect_eq "the child continues and ends after SIGCONT+SIGTERM" 143 $?

# -g: the child ignores SIGTERM; its child (same process group) does not.
start_pid1 "$WORK/g.out" -g "$ORPH" ignore-term
wait_for "$WORK/g.out" ready
kill -TERM "$IPID"
timeout 10 tail --pid="$UPID" -f /dev/null
wait "$UPID"; rc=$?
expect_match "-g delivers SIGTERM to a grandchild" "grandchild got 15" "$(cat "$WORK/g.out")"
expect_eq "-g: the child exits 0 after its grandchild" 0 "$rc"

rm -f "$WORK/g.out"
TINYINIT_KILL_GROUP=1 unshare --pid --fork --mount-proc "$T" "$ORPH" ignore-term >"$WORK/g.out" 2>&1 &
UPID=$!; IPID=$(init_of "$UPID")
wait_for "$WORK/g.out" ready
kill -TERM "$IPID"
timeout 10 tail --pid="$UPID" -f /dev/null
expect_match "TINYINIT_KILL_GROUP=1 acts like -g" "grandchild got 15" "$(cat "$WORK/g.out")"

start_pid1 "$WORK/g.out" "$ORPH" ignore-term
wait_for "$WORK/g.out" ready
kill -TERM "$IPID"; sleep 0.5
if grep -q "grandchild got" "$WORK/g.out"; then
	fail "without -g only the child is signalled" "grandchild got the signal"
else
	pass "without -g only the child is signalled"
fi
kill -KILL "$IPID" "$UPID"; wait "$UPID" 2>/dev/null

# --- reaping ------------------------------------------------------------------
# The payload leaves 100 orphans behind (immediately exiting, then sleeping
# ones); as PID 1 tinyinit must reap them all while the payload still runs.
count_zombies='n=0; for s in /proc/[0-9]*/stat; do read -r l < "$s" 2>/dev/null || continue; case ${l##*) } in Z*) n=$((n+1));; esac; done; echo "zombies=$n"'
out=$(pid1 sh -c "$B/examples/zombies 100 0 >/dev/null; sleep 1; $count_zombies")
expect_eq "100 exited orphans are reaped by PID 1" "zombies=0" "$out"
out=$(pid1 sh -c "$B/examples/zombies 100 1 >/dev/null; sleep 2; $count_zombies")
expect_eq "100 orphaned sleepers are reaped by PID 1" "zombies=0" "$out"
out=$(pid1 sh -c "$B/examples/zombies 100 5 >/dev/null; sleep 0.3; $count_zombies")
expect_eq "sleepers still running are not zombies yet" "zombies=0" "$out"

# Control: without an init that reaps, the same payload leaves zombies
# (proves the count above can fail).
# perl's waitpid(PID) reaps only its own child, as a naive init would.
out=$(timeout 30 unshare --pid --fork --mount-proc perl -e 'my $p = fork; if (!$p) { exec @ARGV } waitpid($p, 0)' sh -c "$B/examples/zombies 20 0 >/dev/null; sleep 1; $count_zombies")
expect_eq "control: sh as PID 1 leaves zombies" "zombies=20" "$out"

# As a subreaper (not PID 1): orphans re-parent to tinyinit and are reaped.
out=$("$T" sh -c "$B/examples/zombies 100 0 >/dev/null; sleep 1; grep -l '^PPid:[[:space:]]*'\$PPID'\$' /proc/[0-9]*/status 2>/dev/null | while read -r f; do grep -q '^State:.*Z' \$f && echo Z; done | wc -l")
expect_eq "100 orphans are reaped by tinyinit as a subreaper" "0" "$(echo $out)"

# --- --grace --------------------------------------------------------------------
start=$(date +%s%N)
out=$(pid1 -v --grace 5 "$ORPH" leftover 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "--grace: payload status is kept" 0 "$rc"
expect_match "--grace sends SIGTERM to leftovers" "sleeper got TERM" "$out"
if [ "$ms" -lt 4000 ]; then pass "--grace ends early once leftovers exit (${ms} ms)"; else fail "--grace ends early once leftovers exit" "${ms} ms"; fi

start=$(date +%s%N)
out=$(pid1 -v --grace 1 "$ORPH" stubborn 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_match "--grace: SIGKILL after the grace period" "grace period over: sent SIGKILL" "$out"
if [ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ]; then pass "--grace 1 waits about a second (${ms} ms)"; else fail "--grace 1 waits about a second" "${ms} ms"; fi

out=$(pid1 "$ORPH" leftover 2>&1)
if echo "$out" | grep -q "sleeper got TERM"; then fail "no --grace: exit at once" "leftover got SIGTERM"; else pass "no --grace: exit at once, leftovers are not signalled"; fi

# --- signal mask and dispositions handed to the child -----------------------
want=$("$SIGEXEC" 10,12,15 1,3,17 cat /proc/self/status | grep -E '^Sig(Blk|Ign)')
got=$("$SIGEXEC" 10,12,15 1,3,17 "$T" cat /proc/self/status | grep -E '^Sig(Blk|Ign)')
expect_eq "child gets the caller's SigBlk and SigIgn (subreaper)" "$want" "$got"
# unshare itself changes some dispositions: compare with what it hands on.
want1=$("$SIGEXEC" 10,12,15 1,3,17 unshare --pid --fork --mount-proc cat /proc/self/status | grep -E '^Sig(Blk|Ign)')
got=$("$SIGEXEC" 10,12,15 1,3,17 unshare --pid --fork --mount-proc "$T" cat /proc/self/status | grep -E '^Sig(Blk|Ign)')
expect_eq "child gets the caller's SigBlk and SigIgn (PID 1)" "$want1" "$got"
want=$("$SIGEXEC" - - cat /proc/self/status | grep -E '^Sig(Blk|Ign)')
got=$("$SIGEXEC" - - "$T" cat /proc/self/status | grep -E '^Sig(Blk|Ign)')
expect_eq "child gets an empty mask when the caller had one" "$want" "$got"
# Control: a different caller mask gives a different child mask, so the
# comparisons above can fail.
other=$("$SIGEXEC" 2 - "$T" cat /proc/self/status | grep -E '^SigBlk')
expect_eq "control: the child's mask follows the caller's" "SigBlk:	0000000000000002" "$other"
# An ignored SIGCHLD is restored for the child, yet tinyinit still reaps.
got=$("$SIGEXEC" - 17 "$T" "$HELLO" 5 >/dev/null; echo $?)
expect_eq "ignored SIGCHLD in the caller: exit status still collected" 5 "$got"

# --- process group and terminal ----------------------------------------------
stat=$("$T" cat /proc/self/stat)
set -- ${stat##*) }
expect_eq "the child leads its own process group" "$(echo "$stat" | awk '{print $1}')" "$3"
out=$(timeout 20 script -qec "$T cat /proc/self/stat" /dev/null | tr -d '\r')
set -- ${out##*) }
pgrp=$3 tpgid=$6
expect_eq "on a terminal the child is the foreground process group" "$pgrp" "$tpgid"

# --- --pause -------------------------------------------------------------------
start_pid1 "$WORK/pause.out" --pause
sleep 0.2
kill -USR1 "$IPID"; sleep 0.2
if kill -0 "$IPID" 2>/dev/null; then pass "--pause ignores other signals"; else fail "--pause ignores other signals" "it exited"; fi
kill -TERM "$IPID"; wait "$UPID"
expect_eq "--pause exits 0 on SIGTERM" 0 $?
start_pid1 "$WORK/pause.out" -P
sleep 0.2
kill -INT "$IPID"; wait "$UPID"
expect_eq "-P exits 0 on SIGINT" 0 $?

# --- parent-death signal ----------------------------------------------------------
setsid sh -c "\"$T\" -p TERM \"$ORPH\" wait-signal >\"$WORK/pd.out\" 2>&1 & echo \$! >\"$WORK/pd.pid\"; sleep 0.5" &
wait $!
ipid=$(cat "$WORK/pd.pid")
n=50; while [ $n -gt 0 ] && kill -0 "$ipid" 2>/dev/null; do sleep 0.1; n=$((n - 1)); done
if kill -0 "$ipid" 2>/dev/null; then fail "-p TERM: tinyinit ends when its parent dies" "still running"; kill -KILL "$ipid"; else pass "-p TERM: tinyinit ends when its parent dies"; fi
