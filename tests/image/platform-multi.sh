# Multi-platform images: --platform-payload adds the same program built for another
# architecture. The index lists one manifest a platform, shared layers are one blob; skopeo copy
# --all pushes the whole index to a real registry (Debian's docker-registry on a loopback port of
# this suite) and --override-arch / podman pull --platform get each platform back; podman runs
# the arm64 one under emulation; docker loads the manifest.json part (the host's platform);
# mkrootfs inspect shows every platform; a base image contributes each platform's own manifest.
. "$(dirname "$0")/../aarch64/common.bash" # tests/lib.sh, A64, binfmt_ready
. "$(dirname "$0")/common.bash"
. "$(dirname "$0")/../engines.bash"
need_root "multi-platform tests (podman, registry, binfmt)" || exit 0
binfmt_ready || { fail "aarch64 binaries run under qemu-user (binfmt)" "$WHY"; exit 0; }

py() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
P() { timeout 300 podman "$@"; }
blob() { tar -xOf "$1" "blobs/sha256/${2#sha256:}"; }

# The payload, for both architectures: reports the machine it runs on.
cat >"$WORK/machine.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
int main(int argc, char **argv)
{
	struct utsname u;
	uname(&u);
	printf("machine=%s\n", u.machine);
	return argc > 1 ? atoi(argv[1]) : 0;
}
EOF
mkdir -p "$WORK/amd64" "$WORK/arm64"
musl-gcc -std=c11 -Os -static -s -o "$WORK/amd64/machine" "$WORK/machine.c" &&
	"$TOP/scripts/aarch64-linux-musl-gcc" -std=c11 -Os -static -s -o "$WORK/arm64/machine" "$WORK/machine.c" ||
	{ fail "build the payloads" "cc failed"; exit 1; }
mkdir -p "$WORK/tree/etc"
echo shared >"$WORK/tree/etc/shared"

# --- the archive ------------------------------------------------------------------------------
mk multi image -o "$WORK/multi.tar" --tag multi:t --layer "$WORK/tree" --essentials \
	--annotation org.example.k=v --sbom "$WORK/multi.spdx.json" \
	--platform-payload "$WORK/arm64/machine" "$WORK/amd64/machine" 7
expect_eq "mkrootfs image --platform-payload" "0 " "$? $(cat "$WORK/multi.err")"
tar -xOf "$WORK/multi.tar" index.json >"$WORK/index.json"
expect_eq "index.json names one image index (the tag's)" \
	"1 application/vnd.oci.image.index.v1+json t" \
	"$(py "$WORK/index.json" 'str(len(j["manifests"]))+" "+j["manifests"][0]["mediaType"]+" "+j["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"]')"
blob "$WORK/multi.tar" "$(py "$WORK/index.json" 'j["manifests"][0]["digest"]')" >"$WORK/inner.json"
expect_eq "the image index lists one manifest a platform, with platform fields" \
	"linux/amd64/- linux/arm64/v8" \
	"$(py "$WORK/inner.json" '" ".join(m["platform"]["os"]+"/"+m["platform"]["architecture"]+"/"+m["platform"].get("variant","-") for m in j["manifests"])')"
expect_eq "the index carries the --annotation" "v" "$(py "$WORK/inner.json" 'j["annotations"]["org.example.k"]')"
for i in 0 1; do
	blob "$WORK/multi.tar" "$(py "$WORK/inner.json" "j['manifests'][$i]['digest']")" >"$WORK/m$i.json"
	blob "$WORK/multi.tar" "$(py "$WORK/m$i.json" 'j["config"]["digest"]')" >"$WORK/c$i.json"
done
expect_eq "each manifest's config says its platform" "amd64 arm64/v8" \
	"$(py "$WORK/c0.json" 'j["architecture"]') $(py "$WORK/c1.json" 'j["architecture"]+"/"+j["variant"]')"
expect_eq "the shared layers (--layer, --essentials) are the same blobs, the payload layers differ" \
	"True True False" \
	"$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["layers"]; b=json.load(open(sys.argv[2]))["layers"]; print(a[0]==b[0], a[1]==b[1], a[2]==b[2])' "$WORK/m0.json" "$WORK/m1.json")"
n=$(tar -tf "$WORK/multi.tar" | grep -c '^blobs/sha256/.')
u=$(tar -tf "$WORK/multi.tar" | grep '^blobs/sha256/.' | sort -u | wc -l)
# 3 shared+own layers: 2 shared + 2 payload layers, 2 configs, 2 manifests, 1 index
expect_eq "every blob is written once (9 blobs, no duplicate member)" "9 9" "$n $u"
tar -xOf "$WORK/multi.tar" manifest.json >"$WORK/dm.json"
expect_eq "manifest.json: both images, the host's (amd64) first and only it tagged" \
	"2 ['multi:t'] []" "$(py "$WORK/dm.json" 'str(len(j))+" "+str(j[0]["RepoTags"])+" "+str(j[1]["RepoTags"])')"
expect_eq "manifest.json's first entry is the amd64 config" \
	"$(py "$WORK/m0.json" 'j["config"]["digest"][7:]')" "$(py "$WORK/dm.json" 'j[0]["Config"].split("/")[-1]')"
expect_eq "--sbom: one document a platform" "ok ok" \
	"$([ -s "$WORK/multi.spdx.json" ] && echo ok) $([ -s "$WORK/multi.linux-arm64-v8.spdx.json" ] && echo ok)"
expect_match "the arm64 SBOM describes the aarch64 tinyinit" \
	"$(sha256sum <"$A64/tinyinit" | cut -c1-64)" "$(cat "$WORK/multi.linux-arm64-v8.spdx.json")"
mk multi2 image -o "$WORK/multi2.tar" --tag multi:t --layer "$WORK/tree" --essentials \
	--annotation org.example.k=v --platform-payload "$WORK/arm64/machine" "$WORK/amd64/machine" 7
expect_eq "reproducible: the same inputs give the same archive" "$(sha256sum <"$WORK/multi.tar")" "$(sha256sum <"$WORK/multi2.tar")"

out=$("$M" inspect "$WORK/multi.tar" 2>&1)
expect_match "mkrootfs inspect names every platform" "an image index of 2 platforms: linux/amd64 linux/arm64/v8" "$out"
expect_eq "mkrootfs inspect shows each platform's image" "2" "$(printf '%s\n' "$out" | grep -c '^  entrypoint  /tinyinit -- /machine$')"
"$M" inspect --json "$WORK/multi.tar" >"$WORK/inspect.json" 2>&1
expect_eq "mkrootfs inspect --json: platforms[]" "amd64 arm64" \
	"$(py "$WORK/inspect.json" '" ".join(p["config"]["architecture"] for p in j["platforms"])')"

# --- errors -----------------------------------------------------------------------------------
expect_fail "two payloads of one platform" "$WORK/bad.tar" \
	"^mkrootfs: --platform-payload $HELLO: linux/amd64 is $WORK/amd64/machine's platform too$" \
	image -o "$WORK/bad.tar" --platform-payload "$HELLO" "$WORK/amd64/machine"
expect_fail "--platform with --platform-payload" "$WORK/bad.tar" "^mkrootfs: image: --platform or --platform-payload, not both" \
	image -o "$WORK/bad.tar" --platform linux/amd64 --platform-payload "$WORK/arm64/machine" "$WORK/amd64/machine"
mk amdbase image -o "$WORK/amdbase.tar" --tag amdbase:1 "$HELLO"
expect_fail "a single-platform base image for a two-platform image" "$WORK/bad.tar" \
	"^mkrootfs: $WORK/amdbase.tar: the image is for linux/amd64 but the payload is for linux/arm64/v8$" \
	image -o "$WORK/bad.tar" --layer "$WORK/amdbase.tar" --platform-payload "$WORK/arm64/machine" "$WORK/amd64/machine"

# --- a multi-platform base: each platform gets its own manifest's layers ---------------------
mk top image -o "$WORK/top.tar" --tag top:1 --layer "$WORK/multi.tar" --as /bin/m2 \
	--platform-payload "$WORK/arm64/machine" "$WORK/amd64/machine"
expect_eq "a two-platform image on a two-platform base" 0 $?
"$M" inspect --json "$WORK/top.tar" >"$WORK/top.json" 2>&1
expect_eq "each platform's base layers are that platform's (amd64, then arm64)" \
	"$(py "$WORK/m0.json" '[l["digest"] for l in j["layers"]]') $(py "$WORK/m1.json" '[l["digest"] for l in j["layers"]]')" \
	"$(py "$WORK/top.json" '[l["digest"] for l in j["platforms"][0]["layers"][:3]]') $(py "$WORK/top.json" '[l["digest"] for l in j["platforms"][1]["layers"][:3]]')"
expect_eq "each platform's base.digest annotation is that platform's base manifest" \
	"$(py "$WORK/inner.json" 'j["manifests"][0]["digest"]+" "+j["manifests"][1]["digest"]')" \
	"$(tar -xOf "$WORK/top.tar" index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"])' |
		{ read -r d; blob "$WORK/top.tar" "$d"; } | python3 -c '
import json, sys, subprocess
ix = json.load(sys.stdin)
out = []
for m in ix["manifests"]:
    b = subprocess.run(["tar", "-xOf", sys.argv[1], "blobs/sha256/" + m["digest"][7:]], capture_output=True).stdout
    out.append(json.loads(b)["annotations"]["org.opencontainers.image.base.digest"])
print(" ".join(out))' "$WORK/top.tar")"

# --- a real registry: skopeo copy --all, then each platform back ------------------------------
PORT=$(free_port)
mkdir -p "$WORK/registry"
cat >"$WORK/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $WORK/registry
http:
  addr: 127.0.0.1:$PORT
EOF
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
RPID=$!
at_exit "stop_daemon $RPID docker-registry"
REG=127.0.0.1:$PORT
wait_until 300 curl -sf "http://$REG/v2/" || fail "docker-registry answers on $REG" "$(tail -n 3 "$WORK/registry.log")"
S() { timeout 300 skopeo "$@"; }
S copy --all --dest-tls-verify=false "oci-archive:$WORK/multi.tar" "docker://$REG/plat/multi:t" >"$WORK/push.out" 2>&1
expect_eq "skopeo copy --all pushes the index to the registry" "0" "$?$(grep -i error "$WORK/push.out")"
S inspect --raw --tls-verify=false "docker://$REG/plat/multi:t" >"$WORK/remote.json" 2>&1
expect_eq "the registry serves the same image index" "$(py "$WORK/index.json" 'j["manifests"][0]["digest"]')" \
	"sha256:$(sha256sum <"$WORK/remote.json" | cut -c1-64)"
for a in amd64 arm64; do
	S --override-arch "$a" inspect --tls-verify=false "docker://$REG/plat/multi:t" >"$WORK/ri-$a.json" 2>&1
	expect_eq "skopeo --override-arch $a gets the $a image" "$a" "$(py "$WORK/ri-$a.json" 'j["Architecture"]')"
done
S --override-arch arm64 copy --src-tls-verify=false "docker://$REG/plat/multi:t" "oci-archive:$WORK/back-arm64.tar" >/dev/null 2>&1
"$M" inspect --json "$WORK/back-arm64.tar" >"$WORK/back.json" 2>&1
expect_eq "skopeo --override-arch arm64 copy: the arm64 config, byte for byte" \
	"$(py "$WORK/m1.json" 'j["config"]["digest"]')" "$(py "$WORK/back.json" 'j["config_digest"]')"

podman_setup
for a in amd64 arm64; do
	P pull -q --tls-verify=false --platform "linux/$a" "$REG/plat/multi:t" >"$WORK/pull-$a.out" 2>&1
	expect_eq "podman pull --platform linux/$a" "0 linux/$a" \
		"$? $(P image inspect --format '{{.Os}}/{{.Architecture}}' "$REG/plat/multi:t" 2>&1)"
	out=$(P run --rm --platform "linux/$a" "$REG/plat/multi:t" 2>&1); rc=$?
	want=x86_64
	[ $a = arm64 ] && want=aarch64
	expect_eq "podman run --platform linux/$a: the $a payload under its tinyinit (status 7)" \
		"7 machine=$want" "$rc $out"
done
P rmi -a -f >/dev/null 2>&1

# podman load takes the host's platform; podman pull --platform takes the other from the file
out=$(P load -i "$WORK/multi.tar" 2>&1)
expect_match "podman load of the two-platform archive" "Loaded image.*multi:t" "$out"
expect_eq "podman load: the host's platform" "linux/amd64" "$(P image inspect --format '{{.Os}}/{{.Architecture}}' multi:t 2>&1)"
P pull -q --platform linux/arm64 "oci-archive:$WORK/multi.tar" >"$WORK/pull-file.out" 2>&1
img=$(tail -n 1 "$WORK/pull-file.out")
out=$(P run --rm --platform linux/arm64 "$img" 2>&1); rc=$?
expect_eq "podman pull --platform linux/arm64 oci-archive: runs the arm64 payload" "7 machine=aarch64" "$rc $out"

# --- docker load: the manifest.json part -------------------------------------------------------
if docker_up 2>"$WORK/docker.err"; then
	out=$(docker_load "$WORK/multi.tar")
	expect_match "docker load of the two-platform archive" "Loaded image: multi:t" "$out"
	out=$(D run --rm multi:t 2>&1); rc=$?
	expect_eq "docker run: the host's payload (status 7)" "7 machine=x86_64" "$rc $out"
	D rmi -f multi:t >/dev/null 2>&1
else
	skip "docker load of the two-platform archive" "dockerd is not available: $(head -n 1 "$WORK/docker.err")"
fi
