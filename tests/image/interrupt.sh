# SIGINT, SIGTERM and SIGHUP during a build leave nothing beside the output
# (an existing OUT stays as it was), and the process ends by that signal;
# a finished output is complete (fsync'ed before the rename: not testable
# without a crash, so only the result is checked here).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

I=$WORK/intr
mkdir -p "$I/big" "$I/out"
head -c 400000000 /dev/urandom >"$I/big/blob"
echo "the old output" >"$I/out/img.tar"
n=0
for sig in INT TERM HUP; do
	for cmd in image initramfs; do
		n=$((n + 1))
		out=$I/out/img.tar
		[ $cmd = initramfs ] && out=$I/out/img.cpio && echo "the old output" >"$out"
		# a background job starts with SIGINT ignored (and mkrootfs keeps a
		# signal ignored): give it the default action, as a terminal would
		env --default-signal=INT "$M" $cmd -o "$out" --add "$I/big:/data" "$HELLO" 2>"$WORK/intr.err" &
		pid=$!
		# wait until the temporary file exists and has grown
		for _ in $(seq 1 200); do
			t=$(ls -a "$I/out" | grep -F ".$(basename "$out")." | head -1)
			[ -n "$t" ] && [ "$(stat -c %s "$I/out/$t" 2>/dev/null || echo 0)" -gt 1000000 ] && break
			sleep 0.05
		done
		kill -s $sig $pid
		wait $pid
		rc=$?
		expect_eq "$cmd, SIG$sig: ends by the signal" $((128 + $(kill -l $sig))) $rc
		expect_eq "$cmd, SIG$sig: nothing left beside the output" "" \
			"$(ls -a "$I/out" | grep -vxF -e . -e .. -e img.tar -e img.cpio)"
		expect_eq "$cmd, SIG$sig: the existing output is untouched" "the old output" "$(head -c 40 "$out" | tr -cd '[:print:]')"
	done
done
rm -f "$I/out/img.cpio"
# and a build that is not interrupted replaces it
"$M" image -o "$I/out/img.tar" --add "$I/big:/data" "$HELLO" 2>/dev/null
expect_eq "uninterrupted: the new image is complete" 0 "$(tar -tf "$I/out/img.tar" >/dev/null 2>&1; echo $?)"
