# Appliance microVMs (issue 11): a network service booted by
# `mkrootfs initramfs --net` + `qemu/run --net/--forward` on Debian's cloud
# kernel, reached from the host; loopback, ip= and its errors.
. "$(dirname "$0")/../lib.sh"

RUN=$TOP/qemu/run
MK=$B/mkrootfs
# mkrootfs initramfs --net takes tinyinit-net beside mkrootfs, the network
# build that make builds (the path users get: no MKROOTFS_TINYINIT).
unset MKROOTFS_TINYINIT
[ -x "$B/tinyinit-net" ] || { fail "tinyinit-net is built" "no $B/tinyinit-net (make)"; exit 0; }
KREL=$(ls /lib/modules 2>/dev/null | grep -- '-cloud-' | sort -V | tail -n 1)
KERNEL=/boot/vmlinuz-$KREL
need_root "appliance VM tests (qemu)" || exit 0
[ -n "$KREL" ] && [ -r "$KERNEL" ] ||
	{ fail "appliance VM tests" "no Debian cloud kernel in /boot and /lib/modules (linux-image-cloud-amd64)"; exit 0; }
command -v curl >/dev/null || { fail "appliance VM tests" "no curl (scripts/deps installs it)"; exit 0; }

# mkinit NAME ARGS...: $WORK/NAME.img from mkrootfs initramfs ARGS.
mkinit() {
	local name=$1
	shift
	"$MK" initramfs -o "$WORK/$name.img" "$@" >"$WORK/$name.mk" 2>&1 ||
		{ fail "build $name" "$(cat "$WORK/$name.mk")"; return 1; }
}

# boot NAME [qemu/run options] [-- ARGS]: boots to the end; sets rc and out.
boot() {
	local name=$1
	shift
	timeout -s KILL 180 "$RUN" --kernel "$KERNEL" --timeout 90 "$WORK/$name.img" "$@" >"$WORK/$name.out" 2>&1
	rc=$?
	out=$(tr -d '\r' <"$WORK/$name.out")
}

# start NAME [qemu/run options]: boots in the background (vmpid, console
# in $WORK/NAME.out) and waits up to 90 s for the line "httpd: serving".
start() {
	local name=$1
	shift
	vmname=$name
	"$RUN" --kernel "$KERNEL" --timeout 150 "$WORK/$name.img" "$@" >"$WORK/$name.out" 2>&1 &
	vmpid=$!
	wait_for "$WORK/$name.out" "httpd: serving" 900 || {
		fail "$name: the service starts" "$(tail -n 5 "$WORK/$name.out")"
		return 1
	}
}

# finish [SIGNAL]: sends SIGNAL (default TERM) to qemu/run, waits (at most
# 60 s) for it to end; sets rc and out.
finish() {
	local n=600
	kill -"${1:-TERM}" "$vmpid" 2>/dev/null
	while kill -0 "$vmpid" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ $n -gt 0 ] || kill -KILL "$vmpid" 2>/dev/null
	wait "$vmpid"
	rc=$?
	out=$(tr -d '\r' <"$WORK/$vmname.out")
}

# A TCP port on the host nobody listens on.
free_port() {
	local p
	for p in $(shuf -i 20000-60000 -n 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}

# get PORT PATH: the body of http://127.0.0.1:PORT/PATH (5 tries: the
# forward is up as soon as QEMU is, the service a moment after its line).
get() {
	local i
	for i in 1 2 3 4 5; do
		curl -sf -m 10 "http://127.0.0.1:$1$2" && return 0
		sleep 1
	done
	return 1
}

# --- qemu/run's network options (no boot) ----------------------------------------
"$RUN" --forward 8080 "$0" 2>"$WORK/e"
expect_eq "--forward without a guest port exits 2" 2 $?
expect_match "...and names the value" "--forward: '8080' is not HOSTPORT:GUESTPORT" "$(cat "$WORK/e")"
"$RUN" --forward 70000:80 "$0" 2>"$WORK/e"
expect_eq "--forward with a port above 65535 exits 2" 2 $?
expect_match "qemu/run --help documents --net and --forward" "--forward H:G" "$("$RUN" --help)"

# --- a static ip= with a host name, in an assembled root whose lower layer
# has its own /etc/resolv.conf and /etc/hosts ----------------------------------
mkdir -p "$WORK/base/etc" "$WORK/base/srv"
echo "nameserver 192.0.2.53" >"$WORK/base/etc/resolv.conf"
echo "192.0.2.1 old-name" >"$WORK/base/etc/hosts"
echo "hello from the appliance" >"$WORK/base/srv/index.html"
port=$(free_port)
mkinit web --net --modules overlay --kernel-release "$KREL" --layer "$WORK/base" \
	--as /bin/httpd -- "$B/examples/httpd" --port 8080 / && {
	start web --forward "$port:8080" \
		--append "ip=10.0.2.15::10.0.2.2:255.255.255.0:appliance-test::off:10.0.2.3" && {
		expect_eq "static ip=: the host reaches the guest's service through --forward" \
			"hello from the appliance" "$(get "$port" /srv/index.html)"
		expect_eq "static ip=: the service sees its host name" "appliance-test" \
			"$(get "$port" /proc/sys/kernel/hostname)"
		expect_eq "static ip=: /etc/resolv.conf from DNS0 replaces the lower layer's" \
			"nameserver 10.0.2.3" "$(get "$port" /etc/resolv.conf)"
		expect_match "static ip=: /etc/hosts names localhost and the host" \
			"^127.0.0.1	localhost.*10.0.2.15	appliance-test$" "$(get "$port" /etc/hosts | tr '\n' ' ' | sed 's/ $//')"
		expect_eq "static ip=: the lower layer's /etc/hosts is gone from the root" "" \
			"$(get "$port" /etc/hosts | grep old-name)"
		route=$(get "$port" /proc/net/route | awk '$2 == "00000000" {print $1, $3}')
		expect_eq "static ip=: the default route via 10.0.2.2 on eth0" "eth0 0202000A" "$route"
		expect_match "cgroup2 on /sys/fs/cgroup in the assembled root" \
			"^cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec" "$(get "$port" /proc/mounts)"
		expect_match "...with its controllers (memory among them)" "(^| )memory( |$)" \
			"$(get "$port" /sys/fs/cgroup/cgroup.controllers)"
		finish
	}
}

# --- qemu/run --forward alone: the user-mode network's default ip= ---------------
port=$(free_port)
start web --forward "$port:8080" --append tinyinit.verbose=2 && {
	expect_eq "default ip=: the service is reachable" "hello from the appliance" \
		"$(get "$port" /srv/index.html)"
	finish
	expect_match "default ip=: qemu/run passed the user-mode network's ip=" \
		"netlink RTM_NEWADDR ifindex 2 10.0.2.15/24 = 0" "$out"
	expect_match "-vv traces each netlink call and its result" \
		"netlink RTM_NEWROUTE ifindex 2 via 10.0.2.2/0 = 0" "$out"
	expect_match "-vv traces loopback going up" "netlink RTM_NEWLINK ifindex 1 0.0.0.0/0 = 0" "$out"
}

# --- ip=dhcp against QEMU's user-mode DHCP server ----------------------------------
port=$(free_port)
start web --forward "$port:8080" --append "ip=dhcp tinyinit.verbose=2" && {
	expect_eq "ip=dhcp: the host reaches the guest's service" "hello from the appliance" \
		"$(get "$port" /srv/index.html)"
	expect_eq "ip=dhcp: /etc/resolv.conf names the server's DNS" "nameserver 10.0.2.3" \
		"$(get "$port" /etc/resolv.conf)"
	route=$(get "$port" /proc/net/route | awk '$2 == "00000000" {print $1, $3}')
	expect_eq "ip=dhcp: the default route via the server's router" "eth0 0202000A" "$route"
	finish
	expect_match "ip=dhcp: the lease is one console line" \
		"^tinyinit: dhcp: 10.0.2.15/255.255.255.0 via 10.0.2.2 on eth0, lease [0-9]+ s" "$out"
	expect_match "ip=dhcp: -vv traces DISCOVER and REQUEST" "dhcp: DISCOVER on eth0.*dhcp: REQUEST on eth0" \
		"$(echo "$out" | tr '\n' ' ')"
	expect_eq "ip=dhcp: stopped with status 0" 0 "$rc"
}
# a host name in ip= wins over DHCP's; the NIC named
start web --forward "$port:8080" --append "ip=::::dhcp-box:eth0:dhcp" && {
	expect_eq "ip=...:HOSTNAME:eth0:dhcp: the service sees its host name" "dhcp-box" \
		"$(get "$port" /proc/sys/kernel/hostname)"
	expect_match "...and /etc/hosts names it with the leased address" "10.0.2.15	dhcp-box" \
		"$(get "$port" /etc/hosts)"
	finish
}

# --- what --net puts in, and tinyinit-net outside a VM ------------------------------
mkinit webcheck --net --kernel-release "$KREL" "$B/tests/netcheck" &&
	expect_eq "initramfs --net: /init is tinyinit-net (beside mkrootfs)" "" \
		"$(cd "$WORK" && zcat webcheck.img | cpio -i --quiet --to-stdout init 2>/dev/null | cmp - "$B/tinyinit-net")"
"$B/tinyinit-net" -- /bin/true 2>"$WORK/e"
expect_eq "tinyinit-net outside a VM exits 2" 2 $?
expect_eq "...with one line" "tinyinit: this is tinyinit-net, the /init of a microVM's initramfs: use tinyinit" "$(cat "$WORK/e")"
expect_match "make size reports tinyinit-net against the budget" "^tinyinit-net \(network build\): [0-9]+ bytes \(budget 32768" \
	"$(make -s -C "$TOP" size 2>/dev/null)"

# --- the default build: loopback up, ip= named as not built in -------------------
MKROOTFS_TINYINIT=$T mkinit lodefault "$B/tests/netcheck" && {
	boot lodefault --append "ip=10.0.2.15"
	expect_eq "default build: status 0" 0 "$rc"
	expect_match "default build: loopback is up before the payload starts" "^netcheck: loopback ok" "$out"
	expect_match "default build: ip= is named as not built in" \
		"^tinyinit: ip= ignored: use tinyinit-net$" "$out"
}

# --- no ip= at all: loopback works; a bad ip=: one line, the payload runs -------
mkinit lo --init "$B/tinyinit-net" "$B/tests/netcheck" && {
	boot lo
	expect_eq "no ip=: status 0" 0 "$rc"
	expect_match "no ip=: loopback is up before the payload starts" "^netcheck: loopback ok" "$out"
	if echo "$out" | grep "^tinyinit: " | grep -qv "payload exited"; then
		fail "no ip=: tinyinit prints nothing but the status line" "$(echo "$out" | grep '^tinyinit: ' | head -n 3)"
	else
		pass "no ip=: tinyinit prints nothing but the status line"
	fi
	boot lo --append "ip=10.0.2::10.0.2.2"
	expect_eq "bad ip=: one console line names it" \
		"tinyinit: ip=: client 10.0.2: not an IPv4 address" "$(echo "$out" | grep '^tinyinit: ip=')"
	expect_eq "bad ip=: the payload still runs (status 0)" 0 "$rc"
	expect_match "bad ip=: loopback still works" "^netcheck: loopback ok" "$out"
	boot lo --append "ip=10.0.2.15:::::eth0:off"
	expect_match "ip= naming a missing interface: one line" \
		"^tinyinit: ip=: interface eth0: no such device" "$out"
	expect_eq "...and the payload still runs (status 0)" 0 "$rc"
	boot lo --append "ip=::::named-box::off"
	expect_match "ip= with only a host name and autoconf off: the name is set" \
		"^netcheck: hostname 'named-box'" "$out"
}

# --- stopping: SIGTERM/SIGINT to qemu/run is Ctrl-Alt-Del for the guest ----------
port=$(free_port)
start web --forward "$port:8080" && {
	expect_eq "stop: the service answers first" "hello from the appliance" "$(get "$port" /srv/index.html)"
	finish TERM
	expect_eq "stop: SIGTERM to qemu/run: it exits with the payload's status 0" 0 "$rc"
	expect_match "stop: the payload got SIGTERM" "httpd: got signal 15, exiting" "$out"
	expect_match "stop: the status line" "tinyinit: payload exited with status 0" "$out"
	expect_match "stop: the VM powers off" "reboot: Power down" "$out"
}

# A payload that ignores SIGTERM: killed after the grace, the VM still stops.
mkinit stubborn --as /bin/busybox /bin/busybox sh -c \
	'trap "" TERM INT; echo "httpd: serving (not really)"; while :; do /bin/busybox sleep 1; done' && {
	start stubborn --append tinyinit.grace=2 && {
		sleep 1
		finish TERM
		expect_eq "stop: a payload that ignores SIGTERM is killed after the grace (137)" 137 "$rc"
		expect_match "stop: ...and the VM still powers off" "reboot: Power down" "$out"
	}
	start stubborn --append tinyinit.grace=30 && {
		sleep 1
		kill -TERM "$vmpid"
		sleep 1
		finish TERM
		expect_eq "stop: a second signal ends QEMU at once (125)" 125 "$rc"
	}
}

# A persistent upper: what the payload writes while it stops is on the disk,
# and the file system is clean.
if command -v debugfs >/dev/null && command -v dumpe2fs >/dev/null; then
	truncate -s 64M "$WORK/disk.img" && mkfs.ext4 -q -F "$WORK/disk.img"
	mkdir -p "$WORK/base/data"
	mkinit persist --net --modules overlay,virtio_blk --kernel-release "$KREL" --layer "$WORK/base" \
		--as /bin/httpd -- "$B/examples/httpd" --port 8080 --write-on-stop /data/stopped / && {
		port=$(free_port)
		start persist --forward "$port:8080" --disk "$WORK/disk.img" --append tinyinit.upper=/dev/vda && {
			get "$port" /srv/index.html >/dev/null
			finish TERM
			expect_eq "persistent upper: stopped with status 0" 0 "$rc"
			expect_eq "persistent upper: the file written while stopping is on the disk" \
				"stopped cleanly" "$(debugfs -R "cat /upper/data/stopped" "$WORK/disk.img" 2>/dev/null)"
			expect_match "persistent upper: the file system was left clean" "state: +clean" \
				"$(dumpe2fs -h "$WORK/disk.img" 2>/dev/null | grep -i 'filesystem state')"
		}
	}
else
	fail "persistent upper" "no debugfs/dumpe2fs (e2fsprogs)"
fi
