# Base images: an index picks the manifest for the payload's platform (or
# --platform), an architecture mismatch is an error, the OCI layout wins
# over manifest.json, and inspect names the format it read.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

G=$WORK/base
mkdir -p "$G"
python3 "$TOP/tests/image/baseimage.py" "$G" || { fail "base images" "baseimage.py failed"; exit 1; }
py() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
# which IMAGE: the /which file of the lowest layer of IMAGE
which_of() {
	rm -rf "$WORK/u" && mkdir -p "$WORK/u" && tar -xf "$1" -C "$WORK/u" &&
		tar -xOzf "$WORK/u/$(py "$WORK/u/manifest.json" 'j[0]["Layers"][0]')" which
}

mk multi image -o "$G/m.tar" --layer "$G/multi.tar" "$HELLO"
expect_eq "index: builds (arm64 listed first)" 0 $?
expect_eq "index: the manifest for the payload's platform (linux/amd64)" amd64 "$(which_of "$G/m.tar")"
expect_fail "index: --platform for another architecture than the payload's" "$G/bad.tar" \
	"^mkrootfs: --platform linux/arm64/v8: the payload is for linux/amd64$" \
	image -o "$G/bad.tar" --platform linux/arm64/v8 --layer "$G/multi.tar" "$HELLO"
expect_fail "index: no manifest for the payload's platform" "$G/bad.tar" \
	"^mkrootfs: $G/armidx.tar: the index has no manifest for linux/amd64 \(give --platform\)$" \
	image -o "$G/bad.tar" --layer "$G/armidx.tar" "$HELLO"
expect_fail "architecture mismatch: arm64 base, amd64 payload" "$G/bad.tar" \
	"^mkrootfs: $G/arm.tar: the image is for linux/arm64/v8 but the payload is for linux/amd64$" \
	image -o "$G/bad.tar" --layer "$G/arm.tar" "$HELLO"
expect_fail "architecture mismatch: initramfs boot layer too" "$G/bad.cpio" \
	"the image is for linux/arm64/v8 but the payload is for linux/amd64$" \
	initramfs -o "$G/bad.cpio" --layer "$G/arm.tar" "$HELLO"

mk both image -o "$G/b.tar" --layer "$G/both.tar" "$HELLO"
expect_eq "OCI layout and manifest.json: the OCI layout wins" oci "$(which_of "$G/b.tar")"
expect_match "inspect names the format it read" "both.tar: oci-archive\+manifest.json, 1 layer" \
	"$("$M" inspect "$G/both.tar" 2>&1)"

# A base image written by another tool (Python's gzip, spaced JSON) goes out
# byte for byte: same blobs, digests, diff_ids, order, history kept.
mk keep image -o "$G/k.tar" --layer "$G/base.tar" "$HELLO"
expect_eq "base image: builds" 0 $?
rm -rf "$G/in" "$G/out" && mkdir -p "$G/in" "$G/out" && tar -xf "$G/base.tar" -C "$G/in" && tar -xf "$G/k.tar" -C "$G/out"
inl=$(py "$G/in/manifest.json" '" ".join(j[0]["Layers"])')
outl=$(py "$G/out/manifest.json" '" ".join(j[0]["Layers"][:2])')
expect_eq "base image: the same blobs, in order" "$inl" "$outl"
same=1
for b in $inl; do cmp -s "$G/in/$b" "$G/out/$b" || same=0; done
expect_eq "base image: the blobs are byte for byte the same" 1 $same
incfg=$G/in/$(py "$G/in/manifest.json" 'j[0]["Config"]')
outcfg=$G/out/$(py "$G/out/manifest.json" 'j[0]["Config"]')
expect_eq "base image: the same diff_ids first" "$(py "$incfg" 'j["rootfs"]["diff_ids"]')" \
	"$(py "$outcfg" 'j["rootfs"]["diff_ids"][:2]')"
expect_eq "base image: its history kept (empty_layer entries too), then ours" \
	"ADD rootfs.tar /|ENV A=1|RUN make data|CMD [\"sh\"]|mkrootfs image hello as /hello" \
	"$(py "$outcfg" '"|".join(h["created_by"] for h in j["history"])')"
expect_eq "base image: the created times kept" "2020-01-01T00:00:00Z" "$(py "$outcfg" 'j["history"][0]["created"]')"
man=$(py "$G/out/index.json" 'j["manifests"][0]["digest"].split(":")[1]')
expect_eq "base image: the OCI manifest names the same layer digests" \
	"$(py "$G/in/manifest.json" '" ".join("sha256:" + l.split("/")[-1] for l in j[0]["Layers"])')" \
	"$(py "$G/out/blobs/sha256/$man" '" ".join(l["digest"] for l in j["layers"][:2])')"
# the owners of the base (uid 1000) stay, as the blob is unchanged
expect_eq "base image: owners inside the blob unchanged" "1000/1000" \
	"$(tar -tvzf "$G/out/$(py "$G/out/manifest.json" 'j[0]["Layers"][0]')" --numeric-owner | awk 'NR==1 {print $2}')"

# a docker archive whose layer does not match its config's diff_id
python3 - "$G" <<'PY'
import io, json, os, sys, tarfile
d = sys.argv[1]
src = tarfile.open(os.path.join(d, "base.tar"))
out = tarfile.open(os.path.join(d, "baddiff.tar"), "w")
for m in src.getmembers():
    data = src.extractfile(m).read()
    try:
        j = json.loads(data)
        if isinstance(j, dict) and "rootfs" in j:
            j["rootfs"]["diff_ids"][1] = "sha256:" + "0" * 64
            data = json.dumps(j).encode()
            import hashlib
            newname = "blobs/sha256/" + hashlib.sha256(data).hexdigest()
            cfgname, m.name = m.name, newname
    except Exception:
        pass
    if m.name == "manifest.json":
        continue
    m.size = len(data)
    out.addfile(m, io.BytesIO(data))
man = json.loads(src.extractfile("manifest.json").read())
man[0]["Config"] = newname
data = json.dumps(man).encode()
ti = tarfile.TarInfo("manifest.json"); ti.size = len(data)
out.addfile(ti, io.BytesIO(data))
out.close()
PY
expect_fail "docker archive: a layer that does not match its diff_id" "$G/bad.tar" \
	"^mkrootfs: $G/baddiff.tar layer 2: its diff_id is sha256:[0-9a-f]{64} but the config says sha256:0{64}$" \
	image -o "$G/bad.tar" --layer "$G/baddiff.tar" "$HELLO"
# --owner rewrites the base layers (new blobs)
mk kown image -o "$G/ko.tar" --owner 0:0 --layer "$G/base.tar" "$HELLO"
rm -rf "$G/ko" && mkdir -p "$G/ko" && tar -xf "$G/ko.tar" -C "$G/ko"
expect_eq "--owner: the base layers are rewritten" 0:0 \
	"$(tar -tvzf "$G/ko/$(py "$G/ko/manifest.json" 'j[0]["Layers"][0]')" --numeric-owner | awk 'NR==1 {print $2}' | tr / :)"

# Older docker save archives store a layer shared by two images once and link
# the other name to it (ID2/layer.tar -> ../ID1/layer.tar): read through the
# link (main: "is missing"); a link that leaves the archive is refused.
python3 - "$G/base.tar" "$G" <<'PY'
import io, json, sys, tarfile
src = tarfile.open(sys.argv[1])
man = json.loads(src.extractfile("manifest.json").read())
for name, target in (("linked", "../real/layer.tar"), ("escape", "../../real/layer.tar")):
    out = tarfile.open(sys.argv[2] + "/" + name + ".tar", "w")
    layers = []
    for i, l in enumerate(man[0]["Layers"]):
        data = src.extractfile(l).read()
        for n in ("real%d/layer.tar" % i,):
            ti = tarfile.TarInfo(n); ti.size = len(data); out.addfile(ti, io.BytesIO(data))
        ti = tarfile.TarInfo("id%d/layer.tar" % i); ti.type = tarfile.SYMTYPE
        ti.linkname = target.replace("real", "real%d" % i); out.addfile(ti)
        layers.append("id%d/layer.tar" % i)
    m = [dict(man[0], Layers=layers)]
    for mem in src.getmembers():
        if mem.name == man[0]["Config"]:
            out.addfile(mem, src.extractfile(mem))
    data = json.dumps(m).encode()
    ti = tarfile.TarInfo("manifest.json"); ti.size = len(data); out.addfile(ti, io.BytesIO(data))
    out.close()
PY
mk linked image -o "$G/linked.out.tar" --layer "$G/linked.tar" "$HELLO"
expect_eq "docker archive: a layer.tar that is a symlink to another member is read" "0|" \
	"$?|$(cat "$WORK/linked.err")"
expect_eq "docker archive through links: the same layers as the archive itself" \
	"$("$M" inspect --json "$G/base.tar" | python3 -c 'import json,sys; print([l["digest"] for l in json.load(sys.stdin)["layers"]])')" \
	"$("$M" inspect --json "$G/linked.tar" | python3 -c 'import json,sys; print([l["digest"] for l in json.load(sys.stdin)["layers"]])')"
expect_fail "docker archive: a layer.tar linked out of the archive" "$G/bad.tar" \
	"escape.tar: not an image: layer id0/layer.tar is missing" \
	image -o "$G/bad.tar" --layer "$G/escape.tar" "$HELLO"

# A rootfs tarball that has a manifest.json of its own (a web app's) is a
# layer, not an image (main: "not an image: manifest.json lacks Config").
mkdir -p "$WORK/web/static"
echo '{"name": "app", "start_url": "/"}' >"$WORK/web/manifest.json"
echo hi >"$WORK/web/static/index.html"
tar -C "$WORK/web" -cf "$G/web.tar" .
mk web image -o "$G/web.out.tar" --layer "$G/web.tar" "$HELLO"
expect_eq "a tarball with its own manifest.json (and no layer blobs) is a layer" "0|" "$?|$(cat "$WORK/web.err")"
