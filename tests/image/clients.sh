# skopeo (oci-archive: and docker-archive:), umoci, and a real registry
# (Debian's docker-registry on loopback) read what mkrootfs writes.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

py() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
S() { timeout 120 skopeo --tmpdir "$WORK" "$@"; }
mkdir -p "$WORK/tree/etc"
echo one >"$WORK/tree/etc/one"
mk img image -o "$WORK/img.tar" --tag demo/app:1.0 --layer "$WORK/tree" --env A=1 "$HELLO"
mkdir -p "$WORK/x" && tar -xf "$WORK/img.tar" -C "$WORK/x"
man=$(py "$WORK/x/index.json" 'j["manifests"][0]["digest"]')
cfg=$(py "$WORK/x/blobs/sha256/${man#sha256:}" 'j["config"]["digest"]')

# --- skopeo -------------------------------------------------------------------------
out=$(S inspect oci-archive:"$WORK/img.tar" 2>&1)
expect_match "skopeo inspect oci-archive:" '"Digest": "'"$man"'"' "$out"
expect_match "skopeo inspect oci-archive: sees the env" '"A=1"' "$out"
out=$(S inspect docker-archive:"$WORK/img.tar" 2>&1)
expect_match "skopeo inspect docker-archive:" '"Architecture": "amd64"' "$out"
expect_match "skopeo inspect docker-archive: the layers by diff_id" "$(py "$WORK/x/blobs/sha256/${cfg#sha256:}" 'j["rootfs"]["diff_ids"][1]')" "$out"
expect_eq "skopeo inspect --config: the config blob" "${cfg#sha256:}" \
	"$(S inspect --raw --config oci-archive:"$WORK/img.tar" 2>/dev/null | sha256sum | cut -c1-64)"

# --- umoci --------------------------------------------------------------------------
out=$(cd "$WORK" && timeout 120 umoci unpack --image x:1.0 bundle 2>&1)
rc=$?
expect_eq "umoci unpack (verifies digests and diff_ids)" 0 "$rc"
[ "$rc" = 0 ] || echo "# $out"
expect_eq "umoci: the rootfs holds the layers" "one" "$(cat "$WORK/bundle/rootfs/etc/one" 2>/dev/null)"
expect_match "umoci: the runtime config has the entrypoint" '"/tinyinit","--","/hello"' "$(tr -d ' \n\t' <"$WORK/bundle/config.json" 2>/dev/null)"

# --- a registry on loopback ---------------------------------------------------------------
port=$(free_port)
mkdir -p "$WORK/registry"
cat >"$WORK/registry.yml" <<EOC
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $WORK/registry
http:
  addr: 127.0.0.1:$port
EOC
/usr/bin/docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
reg=$!
at_exit 'kill $reg 2>/dev/null; wait $reg 2>/dev/null'
up=0
for _ in $(seq 1 100); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
	sleep 0.1
done
expect_eq "docker-registry starts on 127.0.0.1:$port" 1 "$up"
S copy --dest-tls-verify=false oci-archive:"$WORK/img.tar" "docker://127.0.0.1:$port/demo/app:1.0" >/dev/null 2>"$WORK/push.err"
expect_eq "skopeo copy: push to the registry" 0 $?
remote=$(S inspect --tls-verify=false "docker://127.0.0.1:$port/demo/app:1.0" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
expect_eq "registry: the manifest digest is ours" "$man" "$remote"
S copy --src-tls-verify=false "docker://127.0.0.1:$port/demo/app:1.0" "oci:$WORK/pulled:1.0" >/dev/null 2>"$WORK/pull.err"
expect_eq "skopeo copy: pull back" 0 $?
expect_eq "pulled: same manifest digest" "$man" "$(py "$WORK/pulled/index.json" 'j["manifests"][0]["digest"]')"
expect_eq "pulled: same layer and config blobs" \
	"$(cd "$WORK/x/blobs/sha256" && ls | sort | paste -sd' ')" "$(cd "$WORK/pulled/blobs/sha256" && ls | sort | paste -sd' ')"
S copy --dest-tls-verify=false docker-archive:"$WORK/img.tar" "docker://127.0.0.1:$port/demo/app:docker" >/dev/null 2>&1
expect_eq "skopeo copy: push from docker-archive: too" 0 $?
