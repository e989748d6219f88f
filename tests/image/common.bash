# Helpers for the image suites (sourced after tests/lib.sh).
M=${MKROOTFS:-$B/mkrootfs-san}
export MKROOTFS_TINYINIT=$B/tinyinit
HELLO=$B/examples/hello
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# mk NAME ARGS...: runs mkrootfs, keeping stderr in $WORK/NAME.err
mk() {
	local name=$1
	shift
	"$M" "$@" 2>"$WORK/$name.err"
}

# expect_fail NAME OUT REGEX ARGS...: mkrootfs ARGS fails with one line of
# stderr matching REGEX and leaves nothing at OUT (nor its temporary file).
expect_fail() {
	local name=$1 out=$2 re=$3 rc
	shift 3
	rm -f "$out"
	"$M" "$@" 2>"$WORK/fail.err"
	rc=$?
	if [ "$rc" = 0 ]; then
		fail "$name" "accepted"
	elif [ -e "$out" ] || ls -a "$(dirname "$out")" | grep -qF ".$(basename "$out")."; then
		fail "$name" "left a file behind"
	elif [ "$(wc -l <"$WORK/fail.err")" != 1 ]; then
		fail "$name" "not one line: $(head -c 300 "$WORK/fail.err")"
	else
		expect_match "$name" "$re" "$(cat "$WORK/fail.err")"
	fi
}

# A test-local podman: runc, the current nofile limits, a lowered nproc
# (raising it is refused here), storage under $WORK. Nothing global changes.
podman_setup() {
	mkdir -p "$WORK/podman/store" "$WORK/podman/run" "$WORK/podman/tmp"
	cat >"$WORK/podman/containers.conf" <<EOC
[containers]
default_ulimits = ["nofile=$(ulimit -Sn):$(ulimit -Hn)", "nproc=4096:4096"]
netns = "none"
cgroupns = "host"
log_driver = "k8s-file"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "none"
tmp_dir = "$WORK/podman/tmp"
EOC
	cat >"$WORK/podman/storage.conf" <<EOC
[storage]
driver = "overlay"
graphroot = "$WORK/podman/store"
runroot = "$WORK/podman/run"
EOC
	export CONTAINERS_CONF=$WORK/podman/containers.conf
	export CONTAINERS_STORAGE_CONF=$WORK/podman/storage.conf
	at_exit podman_cleanup
}

podman_cleanup() {
	[ -n "${CONTAINERS_STORAGE_CONF:-}" ] || return 0
	timeout 60 podman rm -a -f >/dev/null 2>&1
	timeout 60 podman system reset -f >/dev/null 2>&1
	grep -F " $WORK/podman" /proc/self/mountinfo | awk '{print $5}' | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
