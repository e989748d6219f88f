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
if [ -n "${SRV:-}" ]; then
	# a DHCP server (busybox udhcpd, config $SRV) behind eth1, in a network
	# namespace of its own: the host side of the NIC; its pid in /server.pid
	unshare --net sh -c 'while ! ip link show eth1 >/dev/null 2>&1; do sleep 0.05; done
		ip addr add 10.0.3.1/24 dev eth1 && ip link set eth1 up &&
		exec "$0" udhcpd -f "$1"' "$bb" "$SRV" >"$SRV.log" 2>&1 &
	s=$!
	n=0
	while [ "$(readlink /proc/$s/ns/net)" = "$(readlink /proc/self/ns/net)" ] && [ $n -lt 100 ]; do
		sleep 0.02
		n=$((n + 1))
	done
	ip link set eth1 netns "$s" || exit 1
	echo "$s" >"$r/server.pid"
fi
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

# --- DHCP lease renewal (issue 11): a 6 s lease from busybox udhcpd ----------
# tinyinit-net renews at half the lease with a REQUEST from its address to
# the server; while the server answers, each renewal is one line; when it
# stops answering (stopped: its end of the NIC must stay), one line says so
# and the address is kept to the end.
cat >"$WORK/udhcpd.conf" <<EOF
start 10.0.3.15
end 10.0.3.20
interface eth1
lease_file $WORK/leases
min_lease 4
auto_time 0
option subnet 255.255.255.0
option router 10.0.3.1
option dns 10.0.3.1
option lease 6
EOF
: >"$WORK/leases"
dhcpvm() { SRV=$WORK/udhcpd.conf fakevm - dhcp -- /bin/sh -c "$1" 2>&1; }
ADDR='/bin/busybox ip -4 -o addr show dev eth0 | /bin/busybox awk "{print \"addr\", \$4}"'
out=$(dhcpvm "/bin/busybox sleep 8; $ADDR")
expect_match "ip=dhcp: a lease of 6 s from the server" \
	"^tinyinit: dhcp: 10\.0\.3\.[0-9]+/255\.255\.255\.0 via 10\.0\.3\.1 on eth0, lease 6 s$" "$out"
expect_match "...renewed before it runs out, one line each" "^tinyinit: dhcp: 10\.0\.3\.[0-9]+ on eth0 renewed, lease 6 s$" "$out"
acks=$(grep -c "sending ACK" "$WORK/udhcpd.conf.log")
if [ "$acks" -ge 3 ]; then
	pass "...the server acknowledged the first lease and at least two renewals (8 s)"
else
	fail "...the server acknowledged the first lease and at least two renewals (8 s)" \
		"$acks ACKs: $(cat "$WORK/udhcpd.conf.log") $out"
fi
expect_match "...the payload keeps the address" "^addr 10\.0\.3\.[0-9]+/24$" "$out"

out=$(dhcpvm "kill -STOP \$(cat /server.pid); /bin/busybox sleep 9; $ADDR")
expect_match "a server that stops answering: one line, the address kept" \
	"^tinyinit: dhcp on eth0: no renewal: .*; the lease has run out, 10\.0\.3\.[0-9]+ kept$" "$out"
expect_match "...the payload keeps its address" "^addr 10\.0\.3\.[0-9]+/24$" "$out"
