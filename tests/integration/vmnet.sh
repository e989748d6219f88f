# tinyinit-net's ip= in VM mode, without QEMU: PID 1 of new pid, mount and
# network namespaces on a tmpfs root without /proc (what tinyinit takes for
# a microVM's initial rootfs, as in vmend.sh), with a veth pair standing in
# for the NIC and ip= in the environment, as the kernel hands it to init.
# An interface that already has an address before /init (the kernel's own
# ip= with CONFIG_IP_PNP, which then also keeps ip= from init's
# environment) is left as it is: one line, no second address, no route.
. "$(dirname "$0")/../lib.sh"
need_root "tinyinit-net in a fake VM" || exit 0
NET=$B/tinyinit-net
[ -x "$NET" ] || { fail "tinyinit-net is built" "no $NET (make)"; exit 0; }
BB=$(command -v busybox)
[ -n "$BB" ] && file -L "$BB" 2>/dev/null | grep -q 'statically linked' || BB=/bin/busybox
unshare --net ip link add eth0 type veth peer name eth1 2>"$WORK/veth.err" ||
	{ fail "a veth pair can be made here" "$(cat "$WORK/veth.err")"; exit 0; }

mkdir -p "$WORK/vm"
cat >"$WORK/boot.sh" <<'EOF'
# boot.sh ROOT TINYINIT BUSYBOX PRE-ADDRESS IP: the NIC (eth0, with
# PRE-ADDRESS unless it is "-"), a tmpfs root, then chroot /init with ip=IP
r=$1 t=$2 bb=$3 pre=$4 ip=$5
shift 5
ip link add eth0 type veth peer name eth1 || exit 1
[ "$pre" = - ] || ip addr add "$pre" dev eth0 || exit 1
mount -t tmpfs -o mode=0755 fakevm "$r" || exit 1
mkdir -p "$r/bin" && cp "$t" "$r/init" && cp "$bb" "$r/bin/busybox" && ln -s busybox "$r/bin/sh" || exit 1
c=$(command -v chroot)
cd "$r" && exec env -i ip="$ip" "$c" . /init "$@"
EOF
# fakevm PRE-ADDRESS IP -- PAYLOAD...: bounded; nothing outlives it
fakevm() {
	local pre=$1 ip=$2
	shift 3
	timeout -s KILL 30 unshare --mount --pid --net --fork --kill-child --propagation private \
		sh "$WORK/boot.sh" "$WORK/vm" "$NET" "$BB" "$pre" "$ip" -- "$@"
}
IP=10.0.2.15::10.0.2.2:255.255.255.0:vm-box:eth0:off:10.0.2.3
SHOW='/bin/busybox ip -4 -o addr show dev eth0 | /bin/busybox awk "{print \"addr\", \$4}";
/bin/busybox ip -4 route | /bin/busybox grep -q "^default via 10.0.2.2" && echo route; cat /etc/resolv.conf; /bin/busybox hostname'

out=$(fakevm - "$IP" -- /bin/sh -c "$SHOW" 2>&1)
expect_match "ip= on an interface with no address: configured" "^addr 10.0.2.15/24$" "$out"
expect_match "...the default route" "^route$" "$out"
expect_match "...the resolver" "^nameserver 10.0.2.3$" "$out"
expect_match "...the host name" "^vm-box$" "$out"
if echo "$out" | grep -q "already has an address"; then fail "...and no 'already' line" "$out"; else pass "...and no 'already' line"; fi

out=$(fakevm 10.9.9.9/24 "$IP" -- /bin/sh -c "$SHOW" 2>&1)
expect_match "an interface that already has an address: one line" \
	"^tinyinit: ip=: eth0 already has an address: left as it is$" "$out"
expect_eq "...its address stays the only one" "addr 10.9.9.9/24" "$(echo "$out" | grep '^addr ')"
if echo "$out" | grep -q "^route$"; then fail "...no route added" "$out"; else pass "...no route added"; fi
expect_match "...the payload still runs (the host name from ip= still set)" "^vm-box$" "$out"
