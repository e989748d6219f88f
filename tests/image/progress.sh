# mkrootfs's progress line: shown on a terminal when the work takes more
# than a moment (bytes done of total), never when stderr is not one.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

mkdir -p "$WORK/big"
head -c 160000000 /dev/urandom >"$WORK/big/blob"
# A terminal: script(1) gives mkrootfs a pseudo-terminal for stderr.
out=$(timeout 120 script -qec "\"$B/mkrootfs\" image -o \"$WORK/big.tar\" --add \"$WORK/big:/data\" \"$HELLO\"" /dev/null | tr '\r' '\n')
expect_match "on a terminal a slow build shows bytes done of total" "mkrootfs: writing [0-9.]+ of [0-9.]+ MiB \([0-9]+%\)" "$out"
expect_eq "...and the image is complete" 0 "$(tar -tf "$WORK/big.tar" >/dev/null; echo $?)"
rm -f "$WORK/big.tar"
err=$("$B/mkrootfs" image -o "$WORK/big.tar" --add "$WORK/big:/data" "$HELLO" 2>&1 >/dev/null)
expect_eq "no progress line when stderr is not a terminal" "" "$err"
