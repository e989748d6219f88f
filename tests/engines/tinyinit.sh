# tinyinit assembling boot layers inside real engines: podman (runc), the
# docker engine (Debian's dockerd, default seccomp profile) and containerd
# (ctr run). Each runs a boot-layer image built with build/mkrootfs with a
# read-only volume on /data and /etc/resolv.conf: the payload sees both,
# cannot write the volume, holds no CAP_SYS_ADMIN and cannot unmount the
# masks or mount a proc. Docker gets only
# --cap-add SYS_ADMIN (its seccomp profile refuses pivot_root: tinyinit
# moves the root instead). Signals 1-64 (not KILL, STOP, CHLD) reach the
# payload through docker kill. A buildpacks-style /layers under podman's
# --init --init-path build/tinyinit is left alone.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/engines.bash"
. "$TOP/tests/image/common.bash"
need_root "tinyinit in engines" || exit 0
export SOURCE_DATE_EPOCH=0
TAG=tinyinit-engines-$$
BB=$(command -v busybox)
[ -n "$BB" ] && file -L "$BB" 2>/dev/null | grep -q 'statically linked' || BB=/bin/busybox

BASE=$WORK/base
mkdir -p "$BASE/bin" "$BASE/etc"
cp "$BB" "$BASE/bin/busybox"
ln -s busybox "$BASE/bin/sh"
echo base >"$BASE/etc/base.txt"
mkdir -p "$WORK/vol"
echo volume >"$WORK/vol/file"
echo "nameserver 192.0.2.53" >"$WORK/resolv.conf"

# What the payload reports: the base layer's file, the volume's, whether it
# can write the volume, whether /etc/resolv.conf is the runtime's (a mount
# point: the image has none), CAP_SYS_ADMIN in its effective and bounding sets,
# whether a root payload can unmount a mask or mount a proc (it cannot).
probe='cat /etc/base.txt /data/file; touch /data/new 2>/dev/null && echo writable || echo read-only
grep -q " /etc/resolv.conf " /proc/self/mountinfo && echo "resolv.conf:$(grep -c nameserver /etc/resolv.conf)" || echo no-resolv.conf
for k in CapEff CapBnd; do v=$(grep "^$k:" /proc/self/status | cut -f2); echo "$k=$(( (0x$v >> 21) & 1 ))"; done
umount /proc/timer_list 2>/dev/null || mount -t proc proc /etc 2>/dev/null || echo masks-held'
want_re='^base volume read-only resolv.conf:[1-9][0-9]* CapEff=0 CapBnd=0 masks-held$'

mk ti-probe image -o "$WORK/probe.tar" --tag "$TAG:probe" --boot-layer "$BASE" "$BB" sh -c "$probe"
expect_eq "mkrootfs builds the boot-layer image" 0 $?
cp "$B/tests/sigrecord" "$WORK/sigrecord"
mk ti-sig image -o "$WORK/sig.tar" --tag "$TAG:sig" --boot-layer "$BASE" "$WORK/sigrecord" 61
expect_eq "...and the signal recorder's" 0 $?

# podman (runc): the volume, its own /etc/resolv.conf (--dns), CAP_SYS_ADMIN
podman_setup
P() { timeout 120 podman "$@"; }
if P load -i "$WORK/probe.tar" >/dev/null 2>&1; then
	out=$(P run --rm --cap-add SYS_ADMIN --network none -v "$WORK/vol:/data:ro" \
		-v "$WORK/resolv.conf:/etc/resolv.conf:ro" "$TAG:probe" 2>&1)
	expect_match "podman: volume and resolv.conf carried over, volume read-only, no CAP_SYS_ADMIN, masks held" \
		"$want_re" "$(echo $out)"
else
	fail "podman loads the image" "$(P load -i "$WORK/probe.tar" 2>&1 | tail -n 2)"
fi
# A buildpacks-style /layers (no marker) under podman's --init: tinyinit is
# the engine's init, the image's own entrypoint runs with /layers untouched.
CNB=$WORK/cnb
mkdir -p "$CNB/layers/sample_buildpack/launch"
echo buildpack >"$CNB/layers/sample_buildpack/launch/env"
mk ti-cnb image --no-init -o "$WORK/cnb.tar" --tag "$TAG:cnb" --add "$CNB/layers:/layers" "$BB" \
	sh -c 'cat /layers/sample_buildpack/launch/env; grep -c " / .* - overlay " /proc/self/mountinfo'
if P load -i "$WORK/cnb.tar" >/dev/null 2>&1; then
	out=$(P run --rm --init --init-path "$T" -e TINYINIT_VERBOSE=1 --network none "$TAG:cnb" 2>&1)
	expect_match "podman --init --init-path tinyinit: a /layers without the marker is left alone" \
		"^tinyinit: started /busybox as pid [0-9]+ buildpack 1 " "$(echo $out)"
else
	fail "podman loads the buildpacks-style image" "$(P load -i "$WORK/cnb.tar" 2>&1 | tail -n 2)"
fi

# docker: default seccomp profile (and AppArmor where the kernel has it),
# only --cap-add SYS_ADMIN; /etc/resolv.conf is docker's own (--dns).
if docker_up; then
	docker_load "$WORK/probe.tar" >/dev/null && docker_load "$WORK/sig.tar" >/dev/null
	out=$(D run --rm --cap-add SYS_ADMIN --dns 192.0.2.53 -v "$WORK/vol:/data:ro" "$TAG:probe" 2>&1)
	expect_match "docker (default seccomp, --cap-add SYS_ADMIN): assembles; volume and resolv.conf carried over, read-only, no CAP_SYS_ADMIN, masks held" \
		"$want_re" "$(echo $out)"
	out=$(D run --rm --cap-add SYS_ADMIN -e TINYINIT_VERBOSE=1 "$TAG:probe" 2>&1)
	expect_match "docker: pivot_root refused by seccomp, the root moved onto / instead" \
		'pivot_root\("\.", "\."\) = -1 operation not permitted.*mount\("\.", "/", "", MS_MOVE' "$(echo $out)"
	out=$(D run --rm "$TAG:probe" 2>&1)
	rc=$?
	expect_eq "docker without SYS_ADMIN: exit 1, one line naming the flag" \
		"1 tinyinit: boot layers in /layers need CAP_SYS_ADMIN to be mounted: run the container with --cap-add SYS_ADMIN, or build the image without boot-time layers: operation not permitted" \
		"$rc $out"
	# Signals 1-64 but KILL, STOP and CHLD, through docker kill, reach the
	# payload of the assembled root (34 is docker's SIGRTMIN).
	name=tinyinit-sig-$$
	want=$(for s in $(seq 1 64); do case $s in 9 | 17 | 19) ;; *) echo "$s" ;; esac; done)
	if D run -d --name "$name" --cap-add SYS_ADMIN "$TAG:sig" >/dev/null 2>&1; then
		at_exit "D rm -f $name >/dev/null 2>&1"
		wait_until 100 sh -c "$DOCKER logs $name 2>&1 | grep -q ready"
		pid=$(D inspect -f '{{.State.Pid}}' "$name")
		for s in $want; do
			# The docker daemon refuses 32 and 33 ("does not support
			# signal 32"): those go from the host to the container's PID 1.
			case $s in
			32 | 33) kill -s "$s" "$pid" ;;
			*) D kill -s "$s" "$name" >/dev/null 2>&1 ;;
			esac
			wait_until 50 sh -c "$DOCKER logs $name 2>&1 | grep -qx $s" || break
		done
		rc=$(timeout 20 "$DOCKER" wait "$name")
		got=$(D logs "$name" 2>&1 | grep -vx ready | tr '\n' ' ' | sed 's/ $//')
		expect_eq "docker kill: signals 1-64 (not KILL, STOP, CHLD) reach the payload, in order; exit 0" \
			"0 $(echo $want)" "$rc $got"
	else
		fail "docker runs the signal recorder" "$(D logs "$name" 2>&1 | tail -n 2)"
	fi
else
	fail "docker engine" "did not start (see above)"
fi

# containerd: ctr run with CAP_SYS_ADMIN added, the volume and resolv.conf
# as read-only binds (ctr mounts nothing of its own there).
if containerd_up; then
	ctr_import "$WORK/probe.tar" >/dev/null 2>&1
	ref=$(C images ls -q | grep -m1 "$TAG:probe")
	out=$(C run --rm --cap-add CAP_SYS_ADMIN \
		--mount "type=bind,src=$WORK/vol,dst=/data,options=rbind:ro" \
		--mount "type=bind,src=$WORK/resolv.conf,dst=/etc/resolv.conf,options=rbind:ro" \
		"$ref" "ti-probe-$$" 2>&1)
	expect_match "containerd (ctr run --cap-add CAP_SYS_ADMIN): volume and resolv.conf carried over, read-only, no CAP_SYS_ADMIN, masks held" \
		"$want_re" "$(echo $out | tr -d '\r')"
else
	fail "containerd" "did not start (see above)"
fi
