# Shared by tests/aarch64/*.sh: run a suite of tests/integration against the aarch64 tinyinit
# (build/aarch64/tinyinit) under qemu-aarch64 user-mode emulation through binfmt_misc.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

A64=$B/aarch64

# binfmt_ready: 0 when an aarch64 ELF runs here (binfmt_misc mounted and qemu-aarch64 registered;
# scripts/binfmt does both), else 1 with the reason in $WHY.
binfmt_ready() {
	WHY=""
	[ -x "$A64/tinyinit" ] || { WHY="$A64/tinyinit is not built (make)"; return 1; }
	"$TOP"/scripts/binfmt >/dev/null 2>"$WORK/binfmt.err" || {
		WHY="scripts/binfmt: $(head -n 1 "$WORK/binfmt.err")"
		return 1
	}
	local out
	out=$("$A64/examples/hello" 7 2>&1)
	[ $? = 7 ] || { WHY="an aarch64 program does not run here: $out"; return 1; }
}

# Tests of the x86-64 suites that cannot pass under qemu-aarch64 7.2 (Debian 12) user-mode
# emulation, whatever tinyinit does, with the reason. A listed test that passes is reported as
# passed; only its failure becomes a SKIP naming the emulator's limit. Everything else must pass.
declare -A EMU_LIMIT
subreaper="qemu-user 7.2 rejects prctl(PR_SET_CHILD_SUBREAPER) with EINVAL, so tinyinit (not PID 1) stops at start-up, as documented (checked by tests/aarch64/native.sh)"
vfork="qemu-user runs vfork as fork: the exec error tinyinit's vfork child leaves in shared memory never reaches the parent (the status 126/127 does, checked)"
mask="qemu-user's execve hands on its own host signal mask, not the emulated program's"
newmount="qemu-user 7.2 does not implement fsopen/fsconfig (ENOSYS), which tinyinit needs when the overlay options exceed one page (checked: the error names it)"
for t in "exit codes pass through as a subreaper" \
	"unset PATH uses a default PATH (missing: 127)" "unset PATH uses a default PATH (true found)" \
	"SIGTSTP/SIGTTIN/SIGTTOU do not stop tinyinit" "SIGTSTP reaches (and stops) the child" \
	"the child continues and ends after SIGCONT+SIGTERM" \
	"100 orphans are reaped by tinyinit as a subreaper" \
	"child gets the caller's SigBlk and SigIgn (subreaper)" \
	"child gets an empty mask when the caller had one" \
	"control: the child's mask follows the caller's" \
	"ignored SIGCHLD in the caller: exit status still collected" \
	"--dry-run exits 0" "--dry-run prints the overlay mount" "--dry-run prints the pivot" \
	"--dry-run prints what -v traces" "...with a reason"; do
	EMU_LIMIT[$t]=$subreaper
done
rtsig="qemu-user 7.2 keeps the host's real-time signals for itself and cannot deliver guest signals 32-64 (the x86-64 run checks all 64)"
EMU_LIMIT["signals 1-64 (not KILL, STOP, CHLD) reach the payload of PID 1: exit 0"]=$rtsig
EMU_LIMIT["...each of them, in order"]=$rtsig
EMU_LIMIT["a subreaper forwards 34 and 33 (exit 0)"]=$subreaper
EMU_LIMIT["SIGPIPE from tinyinit's own stderr is not forwarded (payload exits 4)"]=$subreaper
EMU_LIMIT["a subreaper in the host's mount namespace assembles in its own"]=$subreaper
EMU_LIMIT["without a pid namespace, /proc/PID/root reaches the host"]=$subreaper
EMU_LIMIT["a deletion list's memory is returned after the build"]="under qemu-user PID 1 is the emulator: /proc/1/status shows its own data segment (150 MB), not the guest's"
EMU_LIMIT["missing program is named"]=$vfork
EMU_LIMIT["...named: expected 'tinyinit: cannot run /no/such/payload"]=$vfork
EMU_LIMIT["500 layers assemble"]=$newmount
EMU_LIMIT["layers whose options overflow one page assemble (top wins)"]=$newmount
EMU_LIMIT["/etc is named"]=$vfork
EMU_LIMIT["child gets the caller's SigBlk and SigIgn (PID 1)"]=$mask

# run_suite_aarch64 FILE: runs tests/integration/FILE with TINYINIT=build/aarch64/tinyinit and
# prints its TAP lines, a failure of an EMU_LIMIT test turned into a SKIP with the reason (a key
# matches a failure line "not ok - KEY" or "not ok - KEY...", so a key can hold the start of the
# expected text where test names repeat).
run_suite_aarch64() {
	local line rest key why
	TINYINIT=$A64/tinyinit bash "$TOP/tests/integration/$1" 2>"$WORK/suite.err" | while IFS= read -r line; do
		case $line in
		"not ok - "*)
			rest=${line#not ok - } why=""
			for key in "${!EMU_LIMIT[@]}"; do
				[[ $rest == "$key" || $rest == "$key: "* || $rest == "$key"* && $key == *": "* ]] &&
					{ why=${EMU_LIMIT[$key]}; break; }
			done
			if [ -n "$why" ]; then
				skip "aarch64: ${rest%%: expected*}" "$why"
			else
				echo "not ok - aarch64: $rest"
			fi
			;;
		"ok - "*) echo "ok - aarch64: ${line#ok - }" ;;
		*) echo "$line" ;;
		esac
	done
	# The suite's own exit status is that of its last command (a test that may be an EMU_LIMIT one):
	# not a verdict. A suite that stops early shows in the count of its lines in tests/run's log.
}
