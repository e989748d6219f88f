# tinyinit assembling its own root from layers, as a real PID 1 under
# unshare --mount --pid --fork, on fixtures built here.
. "$(dirname "$0")/../lib.sh"
need_root "rootfs tests" || exit 0

BUSYBOX=$(command -v busybox)
[ -n "$BUSYBOX" ] && file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || BUSYBOX=/bin/busybox
CHECK=$B/tests/rootcheck
# What tinyinit could leave on the host: its stage, the overlay root, the
# fixtures under WORK, a change of /. (Other suites running at the same time
# mount their own containers; those are not compared.)
host_mounts() { grep -E " / / | - tmpfs tinyinit |$WORK" /proc/self/mountinfo; }

# base layer: a static shell and the probes; then an app layer that
# overrides a file; then a top layer that deletes and hides.
mkbase() {
	local d=$1/00-base
	mkdir -p "$d/bin" "$d/etc/conf.d" "$d/tmp" "$d/run" "$d/home/app"
	cp "$BUSYBOX" "$d/bin/busybox"
	cp "$CHECK" "$d/bin/rootcheck"
	ln -s busybox "$d/bin/sh"
	echo base >"$d/etc/base.txt"
	echo "from base" >"$d/etc/shared.txt"
	echo a >"$d/etc/conf.d/a"
	echo b >"$d/etc/conf.d/b"
	mkdir -p "$1/01-app/etc"
	echo app >"$1/01-app/etc/app.txt"
	echo "from app" >"$1/01-app/etc/shared.txt"
	mkdir -p "$1/02-top/etc/conf.d"
	echo top >"$1/02-top/etc/top.txt"
	echo c >"$1/02-top/etc/conf.d/c"
}
L=$WORK/layers
mkbase "$L"
printf 'tinyinit-deletions 1\nwetc/base.txt\0oetc/conf.d\0' >"$L/02-top.del"

# overlay's own encoding in another copy: a 0/0 device and an opaque xattr.
N=$WORK/native
mkbase "$N"
mknod "$N/02-top/etc/base.txt" c 0 0
setfattr -n trusted.overlay.opaque -v y "$N/02-top/etc/conf.d" 2>/dev/null ||
	python3 -c 'import os,sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")' "$N/02-top/etc/conf.d"

inroot() { # LAYERS [tinyinit options] -- command
	local l=$1
	shift
	timeout 60 unshare --mount --pid --fork "$T" --layers "$l" "$@"
}

before=$(host_mounts)
show='for f in /etc/base.txt /etc/app.txt /etc/top.txt /etc/shared.txt; do [ -e $f ] && echo "$f=$(cat $f)" || echo "$f=-"; done; echo conf.d: $(ls /etc/conf.d)'
for enc in list native; do
	[ $enc = list ] && dir=$L || dir=$N
	out=$(inroot "$dir" -- /bin/sh -c "$show" 2>&1)
	expect_match "$enc: a file from layer 2 is visible" "/etc/app.txt=app" "$out"
	expect_match "$enc: a file from layer 3 is visible" "/etc/top.txt=top" "$out"
	expect_match "$enc: layer 2 overrides layer 1" "/etc/shared.txt=from app" "$out"
	expect_match "$enc: a deletion in layer 3 hides a layer-1 file" "/etc/base.txt=-" "$out"
	expect_eq "$enc: an opaque directory hides its lower children" "conf.d: c" "$(echo "$out" | grep conf.d:)"
done
out=$(inroot "$L" -- /bin/sh -c 'cat /bin/busybox >/dev/null && echo base-visible')
expect_eq "a file of layer 1 is visible" "base-visible" "$out"

# Writes land in the upper only.
U=$WORK/volume
mkdir -p "$U"
out=$(inroot "$L" --upper "$U" -- /bin/sh -c 'echo modified >/etc/shared.txt; echo new >/etc/new.txt; cat /etc/shared.txt')
expect_eq "a write to a lower file is seen in the merged root" "modified" "$out"
expect_eq "the write lands in the upper (--upper)" "modified" "$(cat "$U/upper/etc/shared.txt" 2>&1)"
expect_eq "the lower file is unchanged" "from app" "$(cat "$L/01-app/etc/shared.txt")"
expect_eq "a new file lands in the upper" "new" "$(cat "$U/upper/etc/new.txt" 2>&1)"
out=$(inroot "$L" -- /bin/sh -c 'rm /etc/app.txt && echo x >/etc/shared.txt && echo ok')
expect_eq "writes and deletes on the tmpfs upper succeed" "ok" "$out"
expect_eq "...and leave the lowers unchanged" "app from app" "$(cat "$L/01-app/etc/app.txt" "$L/01-app/etc/shared.txt" | tr '\n' ' ' | sed 's/ $//')"
out=$(inroot "$L" --upper "$U" -- /bin/sh -c 'cat /etc/new.txt')
expect_eq "--upper keeps the upper across runs" "new" "$out"
missing_in_lowers=$(for d in proc sys dev; do for l in "$L"/0*; do [ -e "$l/$d" ] && echo "$l/$d"; done; done)
expect_eq "mount points were made in the upper, never in a lower" "" "$missing_in_lowers"
expect_eq "...the upper holds them" "dev proc sys" "$(cd "$U/upper" && ls -d dev proc sys 2>&1 | tr '\n' ' ' | sed 's/ $//')"

# The old root is gone.
hostdev=$(awk '$5 == "/" {print $3; exit}' /proc/self/mountinfo)
mi=$(inroot "$L" -- /bin/sh -c 'cat /proc/self/mountinfo')
expect_match "the merged root is an overlay" "^[0-9]+ [0-9]+ [0-9:]+ / / .* - overlay " "$mi"
# (Mounts the caller had under its root are carried over, and a bind from
# the root's file system names its device too: the old root is the whole
# file system, root "/", mounted.)
if echo "$mi" | awk -v d="$hostdev" '$3 == d && $4 == "/" {found=1} END {exit !found}'; then
	fail "the old root is absent from /proc/self/mountinfo" "host root device $hostdev still mounted inside"
else
	pass "the old root is absent from /proc/self/mountinfo"
fi
if echo "$mi" | grep -q "$WORK"; then fail "no host path in the new mount table" "$WORK appears"; else pass "no host path in the new mount table"; fi
touch /escape-marker-$$
out=$(inroot "$L" -- /bin/rootcheck escape 2>&1)
rm -f /escape-marker-$$
expect_match "chroot escape: still in the merged root" "^busybox$|^bin$" "$out"
if echo "$out" | grep -q "escape-marker-$$"; then fail "chroot escape finds none of the host's files" "found the host's /"; else pass "chroot escape finds none of the host's files"; fi
# Control: the same escape from a plain chroot reaches the host's root.
mkdir -p "$WORK/plain/bin"
cp "$CHECK" "$WORK/plain/bin/rootcheck"
touch /escape-marker-$$
out=$(chroot "$WORK/plain" /bin/rootcheck escape 2>&1)
rm -f /escape-marker-$$
expect_match "control: the escape works from a plain chroot" "escape-marker-$$" "$out"

# Where a seccomp filter refuses pivot_root (docker's default profile),
# the new root is moved onto / and chrooted into: the escape still ends in
# the merged root, and finds nothing of the host's.
trace=$(timeout 60 unshare --mount --pid --fork "$B/tests/nopivot" "$T" --layers "$L" -v -- /bin/true 2>&1)
expect_match "seccomp refuses pivot_root: traced" 'pivot_root\("\.", "\."\) = -1 operation not permitted' "$trace"
expect_match "...the new root moves onto / instead" 'mount\("\.", "/", "", MS_MOVE, ""\) = 0' "$trace"
expect_match "...and tinyinit chroots into it" 'chroot\("\."\) = 0' "$trace"
touch /escape-marker-$$
out=$(timeout 60 unshare --mount --pid --fork "$B/tests/nopivot" "$T" --layers "$L" -- /bin/rootcheck escape 2>&1)
merged=$(timeout 60 unshare --mount --pid --fork "$B/tests/nopivot" "$T" --layers "$L" -- /bin/busybox ls / 2>&1)
rm -f /escape-marker-$$
expect_match "without pivot_root: the chroot escape stays in the merged root" "^busybox$|^bin$" "$out"
expect_eq "...and reaches exactly the merged root's files" "$(echo "$merged" | sort | tr '\n' ' ')" "$(echo "$out" | grep -vx escape-dir | sort | tr '\n' ' ')"
if echo "$out" | grep -q "escape-marker-$$"; then fail "...never a host file" "found the host's /"; else pass "...never a host file"; fi
out=$(timeout 60 unshare --mount --pid --fork "$B/tests/nopivot" "$T" --layers "$L" -- /bin/sh -c 'cat /etc/app.txt; umount -l / >/dev/null 2>&1 || echo refused')
expect_eq "...the payload runs, and cannot unmount its root to see the old one" "app refused" "$(echo $out)"

# Without a pid namespace the pivot is no boundary: as a subreaper in the
# host's pid namespace (own mount namespace, host pids), the payload's /proc
# lists the host's processes and /proc/PID/root of this shell is the host's
# root. In a pid namespace of its own no /proc/PID/root leads there.
echo "host-secret-$$" >"$WORK/hostfile"
out=$(timeout 60 "$T" --layers "$L" -- /bin/sh -c "cat /proc/$$/root$WORK/hostfile" 2>&1)
expect_eq "without a pid namespace, /proc/PID/root reaches the host" "host-secret-$$" "$out"
out=$(timeout 60 unshare --pid --fork "$T" --layers "$L" -- /bin/sh -c \
	"n=0; for r in /proc/[0-9]*/root; do n=\$((n + 1)); cat \$r$WORK/hostfile 2>/dev/null; done; echo \$n" 2>&1)
expect_match "...in a pid namespace of its own, no /proc/PID/root leads to the host file (tinyinit's and the payload's looked at)" "^[2-9]$" "$out"

# /proc, /dev, the payload's process.
out=$(inroot "$L" -- /bin/sh -c 'wc -c </proc/keys; { echo 1 >/proc/sys/kernel/domainname; } 2>/dev/null && echo writable || echo readonly; grep -c . /proc/timer_list')
expect_eq "/proc/keys is masked (empty)" "0" "$(echo "$out" | sed -n 1p | tr -d ' ')"
expect_eq "/proc/sys is read-only" "readonly" "$(echo "$out" | sed -n 2p)"
expect_eq "/proc/timer_list is masked" "0" "$(echo "$out" | sed -n 3p)"
mnt=$(inroot "$L" -- /bin/sh -c 'cat /proc/self/mountinfo')
expect_match "/proc is nosuid,nodev,noexec" " /proc rw,nosuid,nodev,noexec" "$mnt"
# Docker's list of masked paths (2025): each one this kernel has is a mount
# of its own in the payload's table (dev/null or an empty read-only tmpfs).
unmasked=""
for p in /proc/acpi /proc/asound /proc/interrupts /proc/kcore /proc/keys /proc/latency_stats \
	/proc/timer_list /proc/timer_stats /proc/sched_debug /proc/scsi /sys/firmware \
	/sys/devices/virtual/powercap; do
	[ -e "$p" ] || continue
	echo "$mnt" | awk -v p="$p" '$5 == p {f=1} END {exit !f}' || unmasked="$unmasked $p"
done
expect_eq "every masked path this kernel has is masked (/proc/interrupts included)" "" "$unmasked"
ro=""
for p in /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger; do
	[ -e "$p" ] || continue
	echo "$mnt" | awk -v p="$p" '$5 == p && $6 ~ /^ro,/ {f=1} END {exit !f}' || ro="$ro $p"
done
expect_eq "every read-only path is a read-only mount" "" "$ro"
thermal=$(ls -d /sys/devices/system/cpu/cpu[0-9]*/thermal_throttle 2>/dev/null)
if [ -n "$thermal" ]; then
	missing=$(for p in $thermal; do echo "$mnt" | awk -v p="$p" '$5 == p {f=1} END {exit !f}' || echo "$p"; done)
	expect_eq "each CPU's thermal_throttle is masked" "" "$missing"
else
	skip "each CPU's thermal_throttle is masked" "this machine's CPUs have no thermal_throttle in sysfs"
fi
expect_match "/sys is read-only" " /sys ro," "$mnt"
expect_match "/dev is a tmpfs" " /dev rw,nosuid[^ ]* - tmpfs " "$mnt"
if echo "$mnt" | grep -q ' - devtmpfs '; then fail "no devtmpfs in a container" "$(echo "$mnt" | grep devtmpfs)"; else pass "no devtmpfs in a container"; fi
expect_match "devpts is a new instance with ptmxmode=0666" " /dev/pts .* - devpts devpts .*ptmxmode=666" "$mnt"
expect_match "/dev/shm is a tmpfs" " /dev/shm .* - tmpfs " "$mnt"
expect_match "/tmp is a tmpfs where the image has it" " /tmp rw,nosuid,nodev.* - tmpfs " "$mnt"
expect_match "/run is a tmpfs where the image has it" " /run rw,nosuid,nodev.* - tmpfs " "$mnt"
expect_eq "devices work" "devices ok" "$(inroot "$L" -- /bin/rootcheck devices 2>&1)"
expect_match "a pty can be opened" "^pty ok" "$(inroot "$L" -- /bin/rootcheck pty 2>&1)"
out=$(inroot "$L" -- /bin/sh -c 'for f in fd stdin stdout stderr ptmx; do printf "%s->%s " $f $(readlink /dev/$f); done')
expect_eq "/dev links" "fd->/proc/self/fd stdin->/proc/self/fd/0 stdout->/proc/self/fd/1 stderr->/proc/self/fd/2 ptmx->pts/ptmx " "$out"

out=$(inroot "$L" --workdir /home/app --env GREETING=hi --env PATH=/bin --user 1000:1001 --no-new-privs -- \
	/bin/sh -c 'echo "cwd=$(pwd) greeting=$GREETING path=$PATH id=$(id -u):$(id -g) groups=$(id -G)"; grep NoNewPrivs /proc/self/status')
expect_match "--workdir sets the payload's cwd" "cwd=/home/app " "$out"
expect_match "--env sets and overrides variables" "greeting=hi path=/bin " "$out"
expect_match "--user sets uid and gid, drops groups" "id=1000:1001 groups=1001$" "$(echo "$out" | head -1)"
expect_match "--no-new-privs sets no_new_privs" "NoNewPrivs:[[:space:]]+1" "$out"
out=$(inroot "$L" -- /bin/sh -c 'grep NoNewPrivs /proc/self/status')
expect_match "no_new_privs is off unless asked" "NoNewPrivs:[[:space:]]+0" "$out"
out=$(TINYINIT_WORKDIR=/etc TINYINIT_LAYERS=$L timeout 60 unshare --mount --pid --fork "$T" /bin/sh -c pwd)
expect_eq "TINYINIT_LAYERS and TINYINIT_WORKDIR" "/etc" "$out"

# -v traces every mount, the pivot and the unmount; --dry-run prints the
# same plan and changes nothing.
trace=$(inroot "$L" -v -- /bin/sh -c true 2>&1 >/dev/null)
expect_match "-v traces the overlay mount with its options (each lower a numbered link on the stage)" 'mount\("overlay", "root", "overlay", 0, "lowerdir=2:d2:1:0,upperdir=u,workdir=w"\) = 0' "$trace"
trace2=$(inroot "$L" -vv -- /bin/true 2>&1 >/dev/null)
expect_match "-vv traces the links" 'symlink\("l/02-top", "2"\) = 0' "$trace2"
expect_match "-v traces the pivot" 'pivot_root\("\.", "\."\) = 0' "$trace"
expect_match "-v traces the detach of the old root" 'umount2\("\.", MNT_DETACH\) = 0' "$trace"
dry=$(timeout 30 unshare --mount "$T" --dry-run --layers "$L" -- /bin/sh -c 'echo ran' 2>&1)
rc=$?
expect_eq "--dry-run exits 0" 0 "$rc"
expect_match "--dry-run prints the overlay mount" 'mount\("overlay", "root", "overlay"' "$dry"
expect_match "--dry-run prints the pivot" 'pivot_root\("\.", "\."\)' "$dry"
if echo "$dry" | grep -q '^ran$'; then fail "--dry-run runs nothing" "the payload ran"; else pass "--dry-run runs nothing"; fi
expect_eq "--dry-run prints what -v traces" "$(echo "$trace" | grep -E '^tinyinit: (mount|chdir|pivot|umount2)' | sed 's/ = 0$//')" "$(echo "$dry" | grep -E '^tinyinit: (mount|chdir|pivot|umount2)')"

# Many and long layers, awkward names.
M=$WORK/many
mkdir -p "$M"
cp -r "$L/00-base" "$M/000-base"
for i in $(seq 1 499); do
	n=$(printf '%03d' "$i")
	mkdir -p "$M/$n-layer/etc/many"
	echo "$i" >"$M/$n-layer/etc/many/$n"
done
echo top >"$M/499-layer/etc/top"
out=$(inroot "$M" -- /bin/sh -c 'ls /etc/many | wc -l; cat /etc/top')
expect_eq "500 layers assemble" "499 top" "$(echo $out)"
ls "$M" >/dev/null
mkdir -p "$M/500-one-too-many"
out=$(inroot "$M" -- /bin/true 2>&1); rc=$?
expect_eq "501 layers: exit 1" 1 "$rc"
expect_match "501 layers: named" "tinyinit: $M: more than 500 layers" "$out"
rmdir "$M/500-one-too-many"

long=$WORK/$(printf 'd%.0s' $(seq 1 200))/$(printf 'e%.0s' $(seq 1 200))/$(printf 'f%.0s' $(seq 1 200))
mkdir -p "$long"
cp -r "$L/00-base" "$long/"
for i in $(seq 1 30); do
	n=$(printf '%02d' "$i")-$(printf 'x%.0s' $(seq 1 150))
	mkdir -p "$long/$n/etc"
	echo "$i" >"$long/$n/etc/level"
done
out=$(inroot "$long" -v -- /bin/sh -c 'cat /etc/level' 2>"$WORK/long.err")
expect_eq "layers with long names under a long path assemble (top wins)" "30" "$out"
expect_match "...in one mount(2) page of short options" 'mount\("overlay", "root", "overlay", 0, "lowerdir=30:29:28:[0-9:]*:0,upperdir=u,workdir=w"\) = 0' "$(cat "$WORK/long.err")"

W=$WORK/weird,dir:name
mkdir -p "$W"
cp -r "$L/00-base" "$W/00-base"
mkdir -p "$W/01-a,b:c\\d/etc"
echo weird >"$W/01-a,b:c\\d/etc/weird"
printf 'tinyinit-deletions 1\nwetc/shared.txt\0' >"$W/01-a,b:c\\d.del"
out=$(inroot "$W" -- /bin/sh -c 'cat /etc/weird; [ -e /etc/shared.txt ] && echo present || echo deleted')
expect_eq "paths with , : and \\ work" "weird deleted" "$(echo $out)"

# Errors: a line naming the object, a nonzero exit, no mount left behind.
E=$WORK/errors
mkdir -p "$E/ok/00-base" "$E/empty"
cp -r "$L/00-base/." "$E/ok/00-base/"
echo not-a-dir >"$E/ok/01-file"
out=$(inroot "$E/ok" -- /bin/true 2>&1); rc=$?
expect_eq "a layer that is not a directory: exit 1" 1 "$rc"
expect_eq "...named" "tinyinit: layer $E/ok/01-file: not a directory" "$out"
rm "$E/ok/01-file"
out=$(inroot "$E/empty" -- /bin/true 2>&1); rc=$?
expect_eq "--layers with no layers: exit 1" 1 "$rc"
expect_eq "...named" "tinyinit: --layers $E/empty: no layers in it" "$out"
out=$(inroot "$E/missing" -- /bin/true 2>&1); rc=$?
expect_eq "--layers that does not exist: exit 1" 1 "$rc"
expect_eq "...named" "tinyinit: --layers $E/missing: not found" "$out"
out=$(inroot "$E/ok" -- /no/such/payload 2>&1); rc=$?
expect_eq "a payload missing from the merged root: exit 127" 127 "$rc"
expect_eq "...named" "tinyinit: cannot run /no/such/payload (in the assembled root): not found" "$out"
out=$(inroot "$E/ok" --workdir /nowhere -- /bin/true 2>&1); rc=$?
expect_eq "a missing --workdir: exit 1" 1 "$rc"
expect_match "...named" "^tinyinit: --workdir /nowhere: chdir /nowhere: not found" "$out"
printf 'tinyinit-deletions 1\nw../escape\0' >"$E/ok/00-base.del"
mkdir -p "$E/ok/01-x"
mv "$E/ok/00-base.del" "$E/ok/01-x.del"
out=$(inroot "$E/ok" -- /bin/true 2>&1); rc=$?
expect_eq "a deletion list with .. is refused: exit 1" 1 "$rc"
expect_eq "...named with its offset" "tinyinit: deletion list 01-x.del: bad record at byte 21" "$out"
printf 'garbage\n' >"$E/ok/01-x.del"
out=$(inroot "$E/ok" -- /bin/true 2>&1)
expect_eq "a deletion list with a bad header is refused" "tinyinit: deletion list 01-x.del: bad header" "$out"
rm "$E/ok/01-x.del"
# Not a regular file: refused before it is opened (a FIFO would block PID 1).
mkfifo "$E/ok/01-x.del"
out=$(inroot "$E/ok" -- /bin/true 2>&1); rc=$?
expect_eq "a FIFO named *.del is refused without opening it (no hang)" \
	"1 tinyinit: deletion list $E/ok/01-x.del: not a regular file of 1 to 4194304 bytes" "$rc $out"
rm "$E/ok/01-x.del"
# Duplicate records are accepted, as the contract says.
mkdir -p "$E/ok/01-x/etc"
printf 'tinyinit-deletions 1\nwetc/base.txt\0wetc/base.txt\0oetc\0oetc\0' >"$E/ok/01-x.del"
out=$(inroot "$E/ok" -- /bin/sh -c '[ -e /etc/base.txt ] && echo present || echo deleted' 2>&1)
expect_eq "duplicate records are accepted" "deleted" "$out"
# A component longer than a file name can be: refused at check time.
printf 'tinyinit-deletions 1\nw%s\0' "$(printf 'n%.0s' $(seq 1 256))" >"$E/ok/01-x.del"
out=$(inroot "$E/ok" -- /bin/true 2>&1)
expect_eq "a path component over 255 bytes is refused when the list is checked" \
	"tinyinit: deletion list 01-x.del: bad record at byte 21" "$out"
rm -r "$E/ok/01-x.del" "$E/ok/01-x"
printf 'tinyinit-deletions 1\nwetc\0' >"$E/ok/99-orphan.del"
out=$(inroot "$E/ok" -- /bin/true 2>&1)
expect_eq "a deletion list without its layer is refused" "tinyinit: $E/ok/99-orphan.del: no layer of that name beside it" "$out"
rm "$E/ok/99-orphan.del"
out=$(timeout 30 unshare --mount --pid --fork setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin "$T" --layers "$E/ok" -- /bin/true 2>&1); rc=$?
expect_eq "no CAP_SYS_ADMIN with layers: exit 1" 1 "$rc"
expect_match "...names the capability and how to grant it" "need CAP_SYS_ADMIN .*--cap-add SYS_ADMIN, or build the image without boot-time layers" "$out"
# Never the caller's mount namespace: tinyinit unshares its own, as a
# subreaper in the host's namespace, as PID 1 of a pid namespace that shares
# its caller's mounts, and in a namespace shared with a sibling shell;
# failed assemblies (here: --upper that cannot hold an upper, after the
# stage is mounted) included.
out=$("$T" --layers "$E/ok" -- /bin/busybox echo assembled 2>&1); rc=$?
expect_eq "a subreaper in the host's mount namespace assembles in its own" "0 assembled" "$rc $out"
out=$(timeout 60 unshare --pid --fork "$T" --layers "$E/ok" -- /bin/busybox echo assembled 2>&1); rc=$?
expect_eq "PID 1 sharing its caller's mount namespace assembles in its own" "0 assembled" "$rc $out"
out=$(timeout 60 unshare --pid --fork "$T" --layers "$E/ok" --upper /dev/null -- /bin/true 2>&1); rc=$?
expect_eq "a failed assembly (PID 1, shared namespace): exit 1" 1 "$rc"
expect_eq "...named" "tinyinit: --upper /dev/null: not a directory" "$out"
out=$(timeout 60 unshare --mount --pid --fork "$T" --layers "$E/ok" --upper vol -- /bin/true 2>&1); rc=$?
expect_eq "a relative --upper is refused (it would land on the stage's tmpfs)" "1 tinyinit: --upper vol: not an absolute path" "$rc $out"
out=$(timeout 60 unshare --mount sh -c 'a=$(cat /proc/self/mountinfo); "$0" --layers "$1" -- /bin/busybox true; "$0" --layers "$1" --upper /dev/null -- /bin/true 2>/dev/null; b=$(cat /proc/self/mountinfo); [ "$a" = "$b" ] && echo unchanged || { echo changed; echo "$b"; }' "$T" "$E/ok")
expect_eq "a sibling sharing the mount namespace sees no change (success and failure)" "unchanged" "$out"
# CAP_SYS_ADMIN was for the assembly: the payload holds none of it, in any set.
caps='for k in CapInh CapPrm CapEff CapBnd CapAmb; do v=$(grep "^$k:" /proc/self/status | cut -f2); echo "$k=$(( (0x$v >> 21) & 1 ))"; done | tr "\n" " "'
out=$(inroot "$E/ok" -- /bin/sh -c "$caps")
expect_eq "the payload holds no CAP_SYS_ADMIN (/proc/self/status)" "CapInh=0 CapPrm=0 CapEff=0 CapBnd=0 CapAmb=0 " "$out"
out=$(inroot "$E/ok" -- /bin/sh -c 'grep ^CapEff: /proc/self/status | cut -f2')
expect_eq "...and keeps the rest (CapEff without bit 21)" "$(printf '%016x' $((0x$(grep ^CapEff: /proc/self/status | cut -f2) & ~(1 << 21))))" "$out"
out=$(inroot "$E/ok" -- /bin/sh -c 'umount /proc/sys 2>&1 || echo refused; mount -t proc proc /mnt 2>&1 || echo refused')
expect_eq "a root payload cannot unmount the masks or mount a proc" "2" "$(echo "$out" | grep -c refused)"
out=$(inroot "$E/ok" --keep-caps -- /bin/sh -c "$caps")
expect_eq "--keep-caps keeps CAP_SYS_ADMIN" "CapInh=0 CapPrm=1 CapEff=1 CapBnd=1 CapAmb=0 " "$out"
out=$(inroot "$E/ok" --keep-caps -- /bin/sh -c 'umount /proc/timer_list && echo unmasked; mount -t proc proc /tmp && echo mounted' 2>&1)
expect_eq "...and gives up the masks: a root payload unmounts one and mounts a proc" "unmasked mounted" "$(echo $out)"
touch /escape-marker-$$
out=$(timeout 60 unshare --mount --pid --fork "$B/tests/nopivot" "$T" --layers "$E/ok" --keep-caps -- \
	/bin/sh -c 'umount -l / && echo detached; read x </etc/base.txt; echo $x; /bin/rootcheck escape' 2>&1)
rm -f /escape-marker-$$
expect_match "...after the move (no pivot_root), detaching / leaves the payload in the merged root" "^detached base (.* )?bin( |$)" "$(echo $out)"
if echo "$out" | grep -q "escape-marker-$$"; then fail "...where the chroot escape finds no host file" "found the host's /"; else pass "...where the chroot escape finds no host file"; fi
out=$(TINYINIT_KEEP_CAPS=1 inroot "$E/ok" -- /bin/sh -c "grep -c TINYINIT_ /proc/self/environ; $caps")
expect_eq "TINYINIT_KEEP_CAPS=1 keeps it; TINYINIT_* do not reach the payload" "0 CapInh=0 CapPrm=1 CapEff=1 CapBnd=1 CapAmb=0 " "$(echo $out) "
out=$(inroot "$E/ok" --no-rootfs -- /bin/sh -c "$caps" 2>&1)
expect_match "no assembly, no change: --no-rootfs keeps the caller's capabilities" "CapEff=1 CapBnd=1" "$out"
# Whose /layers: without --layers, only a /layers with the marker is stacked.
R=$WORK/ctr
mkdir -p "$R/bin" "$R/proc" "$R/layers/00-cnb/app"
cp "$BUSYBOX" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
cp "$T" "$R/tinyinit"
cp -r "$L/00-base" "$R/layers/00-base"
echo "buildpack" >"$R/layers/00-cnb/app/launch"
inctr() { timeout 60 unshare --mount --pid --fork sh -c 'mount --bind "$0" "$0" && mount -t proc proc "$0/proc" && exec chroot "$0" /tinyinit "$@"' "$R" "$@"; }
out=$(inctr -- /bin/sh -c 'cat /layers/00-cnb/app/launch; [ -e /etc/base.txt ] && echo stacked || echo alone' 2>&1)
expect_eq "a /layers without the marker (buildpacks) is left alone" "buildpack alone" "$(echo $out)"
printf 'tinyinit boot layers 1\n' >"$R/layers/.tinyinit-layers"
out=$(inctr -- /bin/sh -c 'cat /etc/base.txt; [ -e /layers ] && echo layers-visible || echo stacked' 2>&1)
expect_eq "a /layers with the marker is stacked" "base stacked" "$(echo $out)"
rm "$R/layers/.tinyinit-layers"
out=$(inctr --layers /layers -- /bin/sh -c 'cat /etc/base.txt' 2>&1)
expect_eq "an explicit --layers needs no marker" "base" "$out"
out=$(inroot "$E/ok" --no-rootfs -- /bin/echo plain 2>&1)
expect_eq "--no-rootfs skips assembly" "plain" "$out"
expect_eq "the host's mount table is unchanged after all runs, failed ones included" "$before" "$(host_mounts)"

# A relative --layers path, and examples/layered as shipped.
out=$(cd "$B/examples" && timeout 60 unshare --mount --pid --fork "$T" --layers layered -- /bin/show 2>&1)
expect_match "relative --layers works (examples/layered)" "/etc/motd +Welcome \(overridden by layer 02-patch\)" "$out"
expect_match "examples/layered: layer 01-app adds files" "/app/data.txt|/etc/app.conf +mode=production" "$out"
if echo "$out" | grep -qE "/etc/secret|/app/config |/app/data.txt"; then
	fail "examples/layered: 02-patch deletes /etc/secret and makes /app opaque" "$out"
else
	pass "examples/layered: 02-patch deletes /etc/secret and makes /app opaque"
fi
expect_match "examples/layered: 02-patch's own /app files stay" "/app/config.new +new config from 02-patch" "$out"

# A deletion list's memory goes back once its whiteouts are built (review
# P2-25): with a 2.7 MB list, PID 1's data segment stays below 2 MB while
# the payload runs (3.4 MB before: the list stayed mapped for PID 1's life).
BIG=$WORK/biglist
mkdir -p "$BIG/00-base/bin" "$BIG/01-top/etc"
cp "$BUSYBOX" "$BIG/00-base/bin/busybox"
ln -s busybox "$BIG/00-base/bin/sh"
python3 -c 'import sys; sys.stdout.buffer.write(b"tinyinit-deletions 1\n" + b"".join(b"wetc/x%07d\0" % i for i in range(200000)))' >"$BIG/01-top.del"
out=$(inroot "$BIG" -- /bin/sh -c 'awk "/^VmData/ {print \$2}" /proc/1/status' 2>&1)
if [ -n "$out" ] && [ "$out" -lt 2048 ] 2>/dev/null; then
	pass "a deletion list's memory is returned after the build (PID 1 VmData ${out} kB)"
else
	fail "a deletion list's memory is returned after the build" "PID 1 VmData: $out kB (expected under 2048)"
fi
