# podman (with runc) loads and runs what mkrootfs makes; an image saved by
# podman comes back through mkrootfs with its layers and config.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"
need_root "podman tests" || exit 0
podman_setup

D=$WORK/in
mkdir -p "$D"
python3 "$TOP/tests/image/hostile.py" "$D" || { fail "inputs" "hostile.py failed"; exit 1; }
BB=/bin/busybox
py() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
P() { timeout 120 podman "$@"; }

# --- load and run -----------------------------------------------------------------
mk hello image -o "$WORK/hello.tar" --tag hello:t "$HELLO" 3
out=$(P load -i "$WORK/hello.tar" 2>&1)
expect_match "podman load" "Loaded image.*hello:t" "$out"
out=$(P run --rm hello:t 2>"$WORK/run.err"); rc=$?
expect_eq "podman run: the payload's output" "Hello from a tinyinit payload" "$out"
expect_eq "podman run: the payload's exit code (Cmd 3)" 3 "$rc"
P run --rm hello:t 0 >/dev/null 2>&1
expect_eq "podman run: arguments replace Cmd" 0 $?

# a bigger layer: many gzip members, a hardlink, read back inside the container
mkdir -p "$WORK/tree/z" "$WORK/tree/a"
head -c 5000000 /dev/urandom >"$WORK/tree/z/rand"
seq 1 300000 >"$WORK/tree/a/seq"
ln "$WORK/tree/z/rand" "$WORK/tree/a/hard"
want="$(sha256sum <"$WORK/tree/z/rand" | cut -c1-64) $(sha256sum <"$WORK/tree/a/seq" | cut -c1-64)"
for c in gzip zstd none; do
	mk "big-$c" image -o "$WORK/big-$c.tar" --compress "$c" --tag "big:$c" --layer "$WORK/tree" "$BB" \
		sh -c 'echo $(sha256sum /a/hard /a/seq | cut -c1-64)'
	P load -i "$WORK/big-$c.tar" >/dev/null 2>&1
	out=$(P run --rm "big:$c" 2>&1)
	expect_eq "podman: --compress $c layer loads and reads back" "$want" "$out"
done

# --- boot layers, stacked by tinyinit ----------------------------------------------------
mk boot image -o "$WORK/boot.tar" --tag boot:t --boot-layer "$D/base.tar" --boot-layer "$D/upper.tar" \
	"$BB" sh -c 'cat /etc/base /etc/upper; [ -e /etc/gone ] || echo gone; ls /opq'
P load -i "$WORK/boot.tar" >/dev/null 2>&1
out=$(P run --rm --cap-add SYS_ADMIN boot:t 2>&1)
expect_eq "podman: the payload sees the boot layers stacked, deletions honoured" \
	"from base|from upper|gone|new" "$(printf '%s\n' "$out" | paste -sd'|')"

# --- podman save -> mkrootfs -> podman ----------------------------------------------------
mk base image -o "$WORK/base.tar" --tag base:1 --layer "$D/base.tar" --env BASE=1 --label tier=base "$HELLO"
P load -i "$WORK/base.tar" >/dev/null 2>&1
P save -o "$WORK/saved.tar" base:1 >/dev/null 2>&1
expect_eq "podman save" 0 $?
mk rebuilt image -o "$WORK/rebuilt.tar" --tag rebuilt:1 --layer "$WORK/saved.tar" "$BB" cat /etc/base
expect_eq "mkrootfs reads a podman save archive" 0 $?
"$M" inspect --json "$WORK/saved.tar" >"$WORK/saved.json" 2>/dev/null
"$M" inspect --json "$WORK/rebuilt.tar" >"$WORK/rebuilt.json" 2>/dev/null
"$M" inspect --json "$WORK/base.tar" >"$WORK/base.json" 2>/dev/null
expect_eq "inspect reads podman's archive" "docker-archive 2" "$(py "$WORK/saved.json" 'j["format"]+" "+str(len(j["layers"]))')"
expect_eq "rebuilt: the saved layers, in order, then the new one" \
	"$(py "$WORK/base.json" 'j["config"]["rootfs"]["diff_ids"]') 3" \
	"$(py "$WORK/rebuilt.json" 'j["config"]["rootfs"]["diff_ids"][:2]') $(py "$WORK/rebuilt.json" 'len(j["layers"])')"
expect_eq "rebuilt: the saved config is the base" "['BASE=1'] {'tier': 'base'}" \
	"$(py "$WORK/rebuilt.json" 'str(j["config"]["config"]["Env"])+" "+str(j["config"]["config"]["Labels"])')"
P load -i "$WORK/rebuilt.tar" >/dev/null 2>&1
out=$(P run --rm rebuilt:1 2>&1)
expect_eq "rebuilt image runs with the saved layers" "from base" "$out"
