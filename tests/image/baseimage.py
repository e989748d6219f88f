# Writes base images the way other tools do (Python's gzip, spaced JSON,
# keys in another order), for tests/image/baseimage.sh.
#   multi.tar  OCI layout, an index: arm64 first, then amd64, then an
#              attestation (unknown/unknown); each layer holds /which
#   arm.tar    docker-archive for linux/arm64 only
#   armidx.tar an index for linux/arm64 and linux/s390x only
#   both.tar   an OCI layout (amd64, /which = oci) that also carries a
#              manifest.json naming another image (/which = docker)
#   base.tar   docker-archive for linux/amd64: two gzip layers, history with
#              empty_layer entries, Env and WorkingDir
import gzip, hashlib, io, json, os, sys, tarfile

d = sys.argv[1]

def layer_tar(files):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, data in files:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mode, ti.mtime, ti.uid, ti.gid = len(data), 0o644, 1234567, 1000, 1000
            t.addfile(ti, io.BytesIO(data))
    return b.getvalue()

def gz(data):
    b = io.BytesIO()
    with gzip.GzipFile(fileobj=b, mode="wb", mtime=42, compresslevel=9) as g:
        g.write(data)
    return b.getvalue()

def sha(b):
    return hashlib.sha256(b).hexdigest()

def js(o):
    return json.dumps(o, indent=3).encode()  # spaced, insertion order

class Out:
    def __init__(self, name):
        self.t = tarfile.open(os.path.join(d, name if name.endswith(".tar") else name + ".tar"), "w", format=tarfile.GNU_FORMAT)
        self.seen = set()
    def add(self, name, data):
        if name in self.seen:
            return
        self.seen.add(name)
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        self.t.addfile(ti, io.BytesIO(data))
    def blob(self, data):
        h = sha(data)
        self.add("blobs/sha256/" + h, data)
        return h
    def close(self):
        self.t.close()

def config(arch, diff_ids, history=None, extra=None):
    c = {"rootfs": {"diff_ids": ["sha256:" + x for x in diff_ids], "type": "layers"},
         "os": "linux", "architecture": arch,
         "history": history or [{"created_by": "layer %d" % i} for i in range(len(diff_ids))],
         "config": extra or {"Env": ["PATH=/usr/bin"]}}
    if arch == "arm64":
        c["variant"] = "v8"
    return js(c)

def oci_manifest(o, arch, files):
    raw = layer_tar(files)
    lz = gz(raw)
    lh = o.blob(lz)
    ch = o.blob(config(arch, [sha(raw)]))
    m = js({"layers": [{"size": len(lz), "digest": "sha256:" + lh,
                        "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip"}],
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": "sha256:" + ch, "size": len(config(arch, [sha(raw)]))},
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "schemaVersion": 2})
    return o.blob(m), len(m)

# multi.tar
o = Out("multi.tar")
o.add("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
ms = []
for arch, plat in [("arm64", {"architecture": "arm64", "os": "linux", "variant": "v8"}),
                   ("amd64", {"architecture": "amd64", "os": "linux"}),
                   ("unknown", {"architecture": "unknown", "os": "unknown"})]:
    h, n = oci_manifest(o, arch, [("which", arch.encode() + b"\n")])
    ms.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
               "digest": "sha256:" + h, "size": n, "platform": plat})
o.add("index.json", js({"schemaVersion": 2, "manifests": ms}))
o.close()

def docker(name, arch, layers, history=None, extra=None, out=None):
    o = out or Out(name)
    raws = [layer_tar(f) for f in layers]
    lhs = [o.blob(gz(r)) for r in raws]
    ch = o.blob(config(arch, [sha(r) for r in raws], history, extra))
    o.add("manifest.json", js([{"Layers": ["blobs/sha256/" + h for h in lhs],
                                "Config": "blobs/sha256/" + ch, "RepoTags": [name + ":1"]}]))
    if not out:
        o.close()

docker("arm", "arm64", [[("which", b"arm64\n")]])
docker("base", "amd64", [[("etc/base", b"base\n"), ("etc/motd", b"hello\n")],
                          [("usr/share/data", b"x" * 5000)]],
       history=[{"created": "2020-01-01T00:00:00Z", "created_by": "ADD rootfs.tar /"},
                {"created": "2020-01-01T00:00:01Z", "created_by": "ENV A=1",
                 "empty_layer": True},
                {"created": "2020-01-01T00:00:02Z", "created_by": "RUN make data"},
                {"created": "2020-01-01T00:00:03Z", "created_by": "CMD [\"sh\"]",
                 "empty_layer": True}],
       extra={"Env": ["PATH=/usr/bin", "A=1"], "WorkingDir": "/srv"})

# armidx.tar: an index with no manifest for linux/amd64
o = Out("armidx.tar")
o.add("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
ms = []
for arch in ["arm64", "s390x"]:
    h, n = oci_manifest(o, arch, [("which", arch.encode() + b"\n")])
    ms.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
               "digest": "sha256:" + h, "size": n,
               "platform": {"architecture": arch, "os": "linux"}})
o.add("index.json", js({"schemaVersion": 2, "manifests": ms}))
o.close()

# both.tar: OCI layout (amd64, /which=oci) + a manifest.json naming another image
o = Out("both.tar")
o.add("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
h, n = oci_manifest(o, "amd64", [("which", b"oci\n")])
o.add("index.json", js({"schemaVersion": 2, "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + h,
     "size": n}]}))
docker("both", "amd64", [[("which", b"docker\n")]], out=o)
o.close()
