# Real container engines for the suites (sourced after tests/lib.sh):
# containerd and the docker engine from Debian's containerd and docker.io.
#
# A daemon that already answers on its default socket is used as it is. One
# that does not is started here (as root, no systemd: `containerd &`, then
# `dockerd --containerd=...`), and stopped when the suite ends, by the pid
# this suite got for it: nothing else is ever stopped.
#
#   containerd_up || skip ...    docker_up || skip ...
#   D run --rm IMAGE ...         docker (Debian's client, never another on PATH)
#   C run --rm REF ID ...        ctr in this suite's own containerd namespace
#   docker_load FILE             docker load, the image removed at exit
#   ctr_import FILE              ctr images import, removed with the namespace
DOCKER=/usr/bin/docker
CTR=/usr/bin/ctr
CONTAINERD_SOCK=/run/containerd/containerd.sock
CTR_NS=tinyinit-test-$$

D() { timeout 120 "$DOCKER" "$@"; }
C() { timeout 120 "$CTR" --address "$CONTAINERD_SOCK" -n "$CTR_NS" "$@"; }

# stop_daemon PID NAME: SIGTERM, up to 30 s to exit, then SIGKILL.
stop_daemon() {
	local n=300
	kill -TERM "$1" 2>/dev/null || return 0
	while [ "$n" -gt 0 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "# $2 (pid $1) ignored SIGTERM for 30 s: killed" >&2
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
	return 0
}

# wait_until TENTHS CMD...: polls CMD until it succeeds.
wait_until() {
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

ctr_answers() { timeout 10 "$CTR" --address "$CONTAINERD_SOCK" version; }
docker_answers() { timeout 10 "$DOCKER" info; }

containerd_up() {
	[ -x /usr/bin/containerd ] && [ -x "$CTR" ] || {
		echo "# containerd is not installed (scripts/deps installs it)" >&2
		return 1
	}
	[ -n "${CONTAINERD_UP:-}" ] && return 0
	if ! ctr_answers >/dev/null 2>&1; then
		/usr/bin/containerd >"$WORK/containerd.log" 2>&1 &
		local pid=$!
		at_exit "stop_daemon $pid containerd"
		if ! wait_until 300 ctr_answers; then
			echo "# containerd did not answer within 30 s: $(tail -n 3 "$WORK/containerd.log")" >&2
			return 1
		fi
	fi
	at_exit "ctr_forget"
	CONTAINERD_UP=1
	return 0
}

# Removes what this suite left in its containerd namespace, then the namespace.
ctr_forget() {
	local x
	for x in $(C tasks ls -q 2>/dev/null); do C tasks kill -s KILL "$x" >/dev/null 2>&1; done
	for x in $(C containers ls -q 2>/dev/null); do
		C tasks rm -f "$x" >/dev/null 2>&1
		C containers rm "$x" >/dev/null 2>&1
	done
	for x in $(C images ls -q 2>/dev/null); do C images rm "$x" >/dev/null 2>&1; done
	C namespaces rm "$CTR_NS" >/dev/null 2>&1
	return 0
}

docker_up() {
	containerd_up || return 1
	[ -x /usr/sbin/dockerd ] && [ -x "$DOCKER" ] || {
		echo "# dockerd is not installed (scripts/deps installs docker.io)" >&2
		return 1
	}
	if ! docker_answers >/dev/null 2>&1; then
		/usr/sbin/dockerd --containerd="$CONTAINERD_SOCK" >"$WORK/dockerd.log" 2>&1 &
		local pid=$!
		at_exit "stop_daemon $pid dockerd"
		if ! wait_until 600 docker_answers; then
			echo "# dockerd did not answer within 60 s: $(tail -n 3 "$WORK/dockerd.log")" >&2
			return 1
		fi
	fi
	return 0
}

# docker_load FILE: loads an image archive; what it loaded is removed at exit.
docker_load() {
	local out ref
	out=$(D load -i "$1" 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	ref=$(printf '%s\n' "$out" | sed -n 's/^Loaded image: //p; s/^Loaded image ID: //p' | tail -n 1)
	[ -n "$ref" ] && at_exit "D rmi -f '$ref' >/dev/null 2>&1"
	return 0
}

# ctr_import FILE [ARGS...]: imports an image archive into this suite's namespace.
ctr_import() {
	local f=$1
	shift
	C images import "$@" "$f"
}
