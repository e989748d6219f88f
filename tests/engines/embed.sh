# One executable as a whole image: `mkrootfs image --embed` (the image's
# only file is tinyinit carrying the payload) and `mkrootfs image --no-init
# -- OUT`, run by podman, the docker engine and containerd read-only, as
# user 1000:1000, with every capability dropped.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/engines.bash"
. "$TOP/tests/image/common.bash"
need_root "embed in engines" || exit 0
export SOURCE_DATE_EPOCH=0
TAG=tinyinit-embed-$$

mk embed-img image --embed --tag "$TAG:a" --user 1000:1000 -o "$WORK/a.tar" "$HELLO" 3
expect_eq "image --embed writes the image" 0 $?
files=$(tar -xOf "$WORK/a.tar" manifest.json | python3 -c '
import json, sys, tarfile
m = json.load(sys.stdin)[0]
t = tarfile.open(sys.argv[1])
cfg = json.load(t.extractfile(m["Config"]))
names = []
for l in m["Layers"]:
    lt = tarfile.open(fileobj=t.extractfile(l))
    names += [x.name for x in lt.getmembers()]
print(" ".join(sorted(names)), cfg["config"]["Entrypoint"], cfg["config"].get("User"))' "$WORK/a.tar")
expect_eq "its only file is /hello, its entrypoint [\"/hello\"]" "hello ['/hello'] 1000:1000" "$files"
mk embed-img2 image --embed --tag "$TAG:a" --user 1000:1000 -o "$WORK/a2.tar" "$HELLO" 3
cmp -s "$WORK/a.tar" "$WORK/a2.tar"
expect_eq "image --embed is reproducible" 0 $?

mk embed-out embed -o "$WORK/hello" "$HELLO" 5 &&
	mk embed-noinit image --no-init --tag "$TAG:b" -o "$WORK/b.tar" -- "$WORK/hello"
expect_eq "image --no-init -- OUT writes the image" 0 $?

# podman
podman_setup
if timeout 120 podman load -i "$WORK/a.tar" >/dev/null 2>&1 &&
	timeout 120 podman load -i "$WORK/b.tar" >/dev/null 2>&1; then
	run=(timeout 120 podman run --rm --read-only --user 1000:1000 --cap-drop ALL --network none)
	out=$("${run[@]}" "$TAG:a" 2>&1)
	rc=$?
	expect_eq "podman, read-only, user 1000, no capabilities: default status 3" 3 "$rc"
	expect_eq "... the payload's line" "Hello from a tinyinit payload" "$out"
	"${run[@]}" "$TAG:a" 42 >/dev/null 2>&1
	expect_eq "podman: arguments replace the defaults" 42 $?
	out=$("${run[@]}" "$TAG:b" 2>&1)
	expect_eq "podman: image --no-init -- OUT (status 5)" "5 Hello from a tinyinit payload" "$? $out"
	out=$("${run[@]}" -e TINYINIT_VERBOSE=1 "$TAG:a" 0 2>&1)
	expect_match "podman: tinyinit starts the payload" \
		"started /hello as pid [0-9]+" "$out"
else
	fail "podman loads the images" "$(timeout 60 podman load -i "$WORK/a.tar" 2>&1 | tail -n 2)"
fi

# The layered form: OUT carrying boot layers, packed with image --no-init.
# podman (runc) with --cap-add SYS_ADMIN: tinyinit unpacks and stacks them
# (a deletion included) and the payload runs without CAP_SYS_ADMIN.
L=$B/examples/layered
mkdir -p "$WORK/patch/etc"
echo "patched" >"$WORK/patch/etc/motd" && touch "$WORK/patch/etc/.wh.secret"
tar -C "$WORK/patch" -cf "$WORK/patch.tar" etc
mk embed-lay embed -o "$WORK/lay" --layer "$L/00-base" --layer "$WORK/patch.tar" \
	/bin/busybox sh -c 'cat /etc/motd; ls /etc; grep CapBnd /proc/self/status' &&
	mk embed-lay-img image --no-init --tag "$TAG:lay" -o "$WORK/lay.tar" -- "$WORK/lay"
expect_eq "a layered OUT packs as an image" 0 $?
if timeout 120 podman load -i "$WORK/lay.tar" >/dev/null 2>&1; then
	out=$(timeout 120 podman run --rm --cap-add SYS_ADMIN --network none "$TAG:lay" 2>&1)
	rc=$?
	expect_eq "podman --cap-add SYS_ADMIN: the layered OUT exits 0" 0 "$rc"
	expect_match "... its layers are stacked (the later one wins)" "^patched" "$out"
	if grep -qx secret <<<"$out" || ! grep -qx os-release <<<"$out"; then
		fail "... the deletion applies, the rest of the base is there" "$out"
	else
		pass "... the deletion applies, the rest of the base is there"
	fi
	bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' <<<"$out")
	expect_eq "... the payload runs without CAP_SYS_ADMIN" 0 \
		"$([ -n "$bnd" ] && echo $((0x$bnd >> 21 & 1)))"
	out=$(timeout 120 podman run --rm --network none "$TAG:lay" 2>&1)
	expect_match "podman without SYS_ADMIN: one line naming the capability, exit 1" \
		"^1 tinyinit: .*need CAP_SYS_ADMIN" "$? $out"
else
	fail "podman loads the layered image" "$(timeout 60 podman load -i "$WORK/lay.tar" 2>&1 | tail -n 2)"
fi

# docker
if docker_up; then
	docker_load "$WORK/a.tar" >/dev/null && docker_load "$WORK/b.tar" >/dev/null
	run=(D run --rm --read-only --user 1000:1000 --cap-drop ALL --network none)
	out=$("${run[@]}" "$TAG:a" 2>&1)
	expect_eq "docker, read-only, user 1000, no capabilities: status 3" \
		"3 Hello from a tinyinit payload" "$? $out"
	"${run[@]}" "$TAG:a" 7 >/dev/null 2>&1
	expect_eq "docker: arguments replace the defaults" 7 $?
	out=$("${run[@]}" "$TAG:b" 2>&1)
	expect_eq "docker: image --no-init -- OUT (status 5)" "5 Hello from a tinyinit payload" "$? $out"
else
	fail "docker engine" "did not start (see above)"
fi

# containerd (ctr: its own client, the image's user from the config)
if containerd_up; then
	ctr_import "$WORK/a.tar" >/dev/null 2>&1
	ref=$(C images ls -q | grep -m1 "$TAG:a")
	# ctr takes no "ALL": drop each capability of its default set
	drop=()
	for cap in CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP \
		NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE; do drop+=(--cap-drop "CAP_$cap"); done
	out=$(C run --rm --read-only "${drop[@]}" "$ref" "embed-$$" 2>&1)
	expect_eq "containerd, read-only, user 1000 (config), no capabilities: status 3" \
		"3 Hello from a tinyinit payload" "$? $(printf '%s' "$out" | tr -d '\r')"
else
	fail "containerd" "did not start (see above)"
fi
