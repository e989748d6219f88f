# Owners and modes: host directories and --add files become 0:0 (as COPY
# does), tarball layers keep owners, modes and set-id bits (as ADD of a tar
# does), a set-id bit never survives a change of owner (dropped with a
# warning), --keep-owner and --owner UID:GID override; commit keeps owners.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

O=$WORK/own
mkdir -p "$O/host/bin"
python3 "$TOP/tests/image/owners.py" mk "$O" || { fail "owners" "owners.py failed"; exit 1; }
echo hi >"$O/host/bin/tool"
chown -R 1000:1000 "$O/host"
chmod 4755 "$O/host/bin/tool"
ls_img() { python3 "$TOP/tests/image/owners.py" ls "$1"; }
line() { grep "^$2 " <<<"$1" | head -1 | cut -d' ' -f2-; }

# a tarball layer keeps its owners and set-id bits
mk t image -o "$O/t.tar" --layer "$O/owned.tar" "$HELLO"
expect_eq "tarball layer: builds" 0 $?
l=$(ls_img "$O/t.tar")
expect_eq "tarball layer: uid 1000 files stay 1000:1000" "1000:1000 640" "$(line "$l" home/u/notes)"
expect_eq "tarball layer: setgid root:42 stays setgid root:42" "0:42 2755" "$(line "$l" usr/bin/chage)"
expect_eq "tarball layer: setuid 1000 stays setuid 1000" "1000:1000 4755" "$(line "$l" usr/bin/mine)"
expect_eq "tarball layer: no warning" "" "$(cat "$WORK/t.err")"

# host files: 0:0, and the setuid bit goes with the owner (a warning says so)
mk a image -o "$O/a.tar" --add "$O/host:/opt" "$HELLO"
l=$(ls_img "$O/a.tar")
expect_eq "--add: a uid 1000 file becomes 0:0, setuid dropped" "0:0 755" "$(line "$l" opt/bin/tool)"
expect_eq "--add: its directory becomes 0:0" "0:0 755" "$(line "$l" opt/bin)"
expect_match "--add: one warning names the file" "^mkrootfs: warning: hello: set-id bits dropped from 1 file whose owner changed to 0:0 \(first: opt/bin/tool\)$" "$(cat "$WORK/a.err")"
mk d image -o "$O/d.tar" --layer "$O/host" "$HELLO"
expect_eq "--layer DIR: 0:0, setuid dropped" "0:0 755" "$(line "$(ls_img "$O/d.tar")" bin/tool)"

# --keep-owner keeps host owners (and so the bit)
mk k image -o "$O/k.tar" --keep-owner --add "$O/host:/opt" "$HELLO"
expect_eq "--keep-owner: host owner and setuid kept" "1000:1000 4755" "$(line "$(ls_img "$O/k.tar")" opt/bin/tool)"
# --owner sets one owner everywhere, tarball layers included; set-id dropped
mk o image -o "$O/o.tar" --owner 5:6 --layer "$O/owned.tar" --add "$O/host:/opt" "$HELLO"
l=$(ls_img "$O/o.tar")
expect_eq "--owner: tarball files 5:6, setgid dropped" "5:6 755" "$(line "$l" usr/bin/chage)"
expect_eq "--owner: host files 5:6" "5:6 755" "$(line "$l" opt/bin/tool)"
expect_match "--owner: warns for the tarball layer" "owned.tar: set-id bits dropped from 2 files whose owner changed to 5:6" "$(cat "$WORK/o.err")"
expect_fail "--owner: bad spelling" "$O/bad.tar" "^mkrootfs: --owner root:root: use UID:GID \(numbers\)$" \
	image -o "$O/bad.tar" --owner root:root "$HELLO"

# initramfs: the same rules in the cpio (a boot layer keeps its owners)
mk i initramfs -o "$O/i.cpio" --compress none --layer "$O/owned.tar" --add "$O/host:/opt" "$HELLO"
expect_eq "initramfs: builds" 0 $?
c=$(cpio -itv --numeric-uid-gid --quiet <"$O/i.cpio" 2>/dev/null | awk '{print $9, $3":"$4, $1}')
expect_eq "initramfs: boot layer keeps setgid root:42" "0:42 -rwxr-sr-x" "$(grep 'usr/bin/chage ' <<<"$c" | cut -d' ' -f2-)"
expect_eq "initramfs: host file 0:0" "0:0 -rwxr-xr-x" "$(grep 'opt/bin/tool ' <<<"$c" | cut -d' ' -f2-)"

# commit keeps a container's owners
mkdir -p "$O/upper/var/lib/db"
echo x >"$O/upper/var/lib/db/f"
chown -R 999:999 "$O/upper/var/lib/db"
mk c commit -o "$O/c.tar" "$O/upper" >/dev/null
expect_eq "commit: owners kept" "999:999" "$(tar -tvf "$O/c.tar" --numeric-owner | awk '$6 == "var/lib/db/f" {print $2}' | tr / :)"
