# An all-aarch64 process tree under qemu-aarch64 (binfmt): the aarch64 tinyinit as PID 1 of new
# pid + mount namespaces runs aarch64 payloads (build/aarch64/examples, build/aarch64/tests).
. "$(dirname "$0")/common.bash"
need_root "aarch64 native tests" || exit 0
binfmt_ready || { fail "aarch64 binaries run under qemu-user (binfmt)" "$WHY"; exit 0; }
T=$A64/tinyinit

expect_match "build/aarch64/tinyinit is a static aarch64 ELF" "ARM aarch64.*statically linked" "$(file -b "$T")"
expect_match "the aarch64 test payloads are aarch64" "ARM aarch64" "$(file -b "$A64/examples/hello")"

bad=""
for code in 0 1 42 128 255; do
	pid1 "$A64/examples/hello" "$code" >/dev/null
	rc=$?
	[ "$rc" = "$code" ] || bad="$bad $code->$rc"
done
expect_eq "aarch64 payload exit codes pass through aarch64 PID 1" "" "$bad"
pid1 -e 42 "$A64/examples/hello" 42 >/dev/null
expect_eq "-e 42 maps 42 to 0 (aarch64)" 0 $?
out=$(pid1 "$A64/tests/crash" 2>&1); rc=$?
expect_eq "a payload dying of SIGSEGV gives 139 (aarch64)" 139 "$rc"
expect_match "the crashing payload ran" "crash: about to fault" "$out"
pid1 "$WORK/nonexistent" 2>/dev/null
expect_eq "missing program exits 127 (aarch64)" 127 $?
pid1 /etc 2>/dev/null
expect_eq "/etc as program exits 126 (aarch64)" 126 $?

# Reaping: aarch64 orphans of an aarch64 payload, reaped by the aarch64 PID 1.
count_zombies='n=0; for s in /proc/[0-9]*/stat; do read -r l < "$s" 2>/dev/null || continue; case ${l##*) } in Z*) n=$((n+1));; esac; done; echo "zombies=$n"'
out=$(pid1 sh -c "$A64/examples/zombies 50 0 >/dev/null; sleep 2; $count_zombies")
expect_eq "50 exited aarch64 orphans are reaped by the aarch64 PID 1" "zombies=0" "$out"

# Signals: SIGTERM to the aarch64 PID 1 reaches the aarch64 payload, which dies of it.
unshare --pid --fork --mount-proc "$T" "$A64/tests/orphans" wait-signal >"$WORK/sig.out" 2>&1 &
upid=$!
if wait_for "$WORK/sig.out" ready 300; then
	ipid=$(init_of "$upid")
	kill -TERM "$ipid"
	wait "$upid"
	expect_eq "SIGTERM to the aarch64 PID 1 is forwarded (143)" 143 $?
else
	fail "SIGTERM to the aarch64 PID 1 is forwarded (143)" "payload never ready: $(cat "$WORK/sig.out")"
fi

# Why the subreaper-mode tests of the x86-64 suites are skipped under emulation: either this qemu
# passes PR_SET_CHILD_SUBREAPER through (then the mode works), or tinyinit names the refusal.
out=$("$T" "$A64/examples/hello" 3 2>&1); rc=$?
if [ "$rc" = 3 ]; then
	pass "subreaper mode works under this qemu-user"
else
	expect_match "subreaper mode: the emulator's refusal is named, exit 1" \
		"^tinyinit: cannot become a child subreaper \(PR_SET_CHILD_SUBREAPER\): invalid argument$" "$out"
	expect_eq "subreaper mode refused: exit 1" 1 "$rc"
fi

# Why the many-layers tests are skipped under emulation: qemu-user has no fsopen, and tinyinit
# says so (or, with a qemu that has it, the layers assemble).
M=$WORK/many
mkdir -p "$M"
for i in $(seq 0 40); do
	n=$(printf '%03d' "$i")-$(printf 'x%.0s' $(seq 1 120))
	mkdir -p "$M/$n/etc"
	echo "$i" >"$M/$n/etc/level"
done
cp "$A64/examples/hello" "$M/000-$(printf 'x%.0s' $(seq 1 120))/hello"
out=$(timeout 60 unshare --mount --pid --fork "$T" --layers "$M" -- /hello 5 2>&1); rc=$?
if [ "$rc" = 5 ]; then
	pass "layers beyond one page of overlay options assemble under this qemu-user"
else
	expect_match "layers beyond one page: the emulator's missing fsopen is named" \
		"fsopen overlay \(needed for 41 lowers\): not supported by kernel" "$out"
fi
