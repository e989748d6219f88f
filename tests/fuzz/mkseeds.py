# Writes the seed corpora of mkrootfs's fuzz targets (tests/fuzz/corpus/mk_*).
# The seeds are committed; rerun this after changing it:
#   python3 tests/fuzz/mkseeds.py tests/fuzz/corpus [ELF...]
# ELF files given are copied into the mk_elf corpus as they are.
import gzip, hashlib, io, json, os, shutil, sys, tarfile

top = sys.argv[1]


def put(kind, name, data):
    d = os.path.join(top, "mk_" + kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def tar(entries, fmt=tarfile.GNU_FORMAT):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=fmt) as t:
        for e in entries:
            ti = tarfile.TarInfo(e[0])
            kind = e[1]
            ti.mtime = 1700000000
            if kind == "f":
                data = e[2] if len(e) > 2 else b"x"
                ti.size, ti.mode = len(data), 0o644
                if len(e) > 3:
                    ti.pax_headers = e[3]
                t.addfile(ti, io.BytesIO(data))
                continue
            ti.type = {"l": tarfile.SYMTYPE, "h": tarfile.LNKTYPE, "d": tarfile.DIRTYPE,
                       "c": tarfile.CHRTYPE, "p": tarfile.FIFOTYPE}[kind]
            ti.mode = 0o755 if kind == "d" else 0o777
            if kind in "lh":
                ti.linkname = e[2]
            t.addfile(ti)
    return b.getvalue()


def gz(b):
    return gzip.compress(b, mtime=0)


# --- layer tarballs ----------------------------------------------------------
plain = tar([("bin", "d"), ("bin/sh", "f", b"#!\n"), ("bin/ash", "h", "bin/sh"),
             ("lib", "l", "usr/lib"), ("usr", "d"), ("usr/lib", "d"), ("usr/lib/a.so", "f"),
             ("etc", "d"), ("etc/.wh.old", "f", b""), ("var", "d"), ("var/.wh..wh..opq", "f", b""),
             ("dev", "d"), ("dev/null", "c"), ("run", "d"), ("run/fifo", "p")])
put("tar", "plain", plain)
put("tar", "gzip", gz(plain))
put("tar", "pax", tar([("d" * 120 + "/long", "f", b"hello", {"SCHILY.xattr.user.k": "v"}),
                       ("s", "l", "x" * 200)], tarfile.PAX_FORMAT))
put("tar", "symrev", tar([("evil/init", "f"), ("evil", "l", "/")]))
put("tar", "hardrev", tar([("evil/x", "f"), ("h", "h", "evil/x"), ("evil", "l", "/etc")]))
put("tar", "whdot", tar([("a", "d"), ("a/.wh..", "f", b"")]))
put("tar", "dup", tar([("a", "d"), ("./a/", "d"), ("a/b", "f")]))

# --- image archives (see fuzz_mk_image.c for the input's form) ----------------
layer = tar([("etc", "d"), ("etc/hostname", "f", b"base\n"), ("bin", "d"), ("bin/x", "f")])
layer2 = tar([("etc", "d"), ("etc/.wh.hostname", "f", b""), ("home", "d")])
config = json.dumps({"architecture": "amd64", "os": "linux",
                     "config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/x"]},
                     "rootfs": {"type": "layers", "diff_ids": ["%2", "%3"]},
                     "history": [{"created_by": "one"}, {"created_by": "e", "empty_layer": True},
                                 {"created_by": "two"}]}).encode()
sep = b"\n--\n"
docker = json.dumps([{"Config": "#1", "RepoTags": ["base:1"], "Layers": ["#2", "#3"]}]).encode()
put("image", "docker", b"D" + docker + sep + config + sep + layer + sep + layer2)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": "@2", "size": 1},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                   "digest": "@3", "size": 1},
                                  {"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                   "digest": "@4", "size": 1}]}).encode()
index = json.dumps({"schemaVersion": 2, "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "@1", "size": 1,
     "annotations": {"io.containerd.image.name": "docker.io/library/base:1"}}]}).encode()
config_oci = config.replace(b'"%2", "%3"', b'"%3", "%4"')
put("image", "oci", b"O" + index + sep + manifest + sep + config_oci + sep + layer + sep + layer2)
# an index of two platforms, the first not ours, then a nested index
config_arm = config_oci.replace(b'"amd64"', b'"arm64"')
two = json.dumps({"schemaVersion": 2, "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "@1", "size": 1,
     "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "@1", "size": 1,
     "platform": {"os": "linux", "architecture": "amd64"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "@1", "size": 1,
     "platform": {"os": "unknown", "architecture": "unknown"},
     "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}]}).encode()
put("image", "platforms", b"o" + two + sep + manifest + sep + config_oci + sep + layer + sep + layer2)
put("image", "platforms-arm", b"O" + two + sep + manifest + sep + config_arm + sep + layer + sep + layer2)
nested = json.dumps({"schemaVersion": 2, "manifests": [
    {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "@1", "size": 1}]}).encode()
def shift(b):  # every placeholder k becomes k+1
    for k in range(8, 0, -1):
        for c in b"@#%":
            b = b.replace(bytes([c]) + str(k).encode(), bytes([c]) + str(k + 1).encode())
    return b


put("image", "nested", b"O" + nested + sep + shift(two) + sep + shift(manifest) + sep
    + shift(config_oci) + sep + layer + sep + layer2)
put("image", "both", b"B" + index + sep + manifest + sep + config_oci + sep + layer + sep + layer2)
put("image", "gzlayer", b"D" + docker + sep + config + sep + gz(layer) + sep + layer2)

# --- options (NUL-separated argument words) ----------------------------------
def words(*w):
    return b"\0".join(x.encode() for x in w)


put("opts", "all", words("-o", "out.tar", "--env", "A=b", "--env", "PATH=/bin:/usr/bin",
                         "--platform", "linux/arm64/v8", "--owner", "1000:1000", "--user", "app:app",
                         "--workdir", "/srv", "--add", "conf:/etc/app:0644", "--add", "a:b:c",
                         "--tag", "registry.example:5000/team/app:v1.2", "--as", "/bin/app",
                         "--copy-libs", "--layer", "base.tar", "--keep-owner", "--essentials",
                         "--ca-bundle", "ca.pem", "--tzdata", "payload", "arg"))
put("opts", "bad", words("--env", "=x", "--platform", "linux", "--owner", "x:1", "--add", ":/x",
                         "--tag", "UPPER/Case:", "--workdir", "rel", "p"))

# --- deletion lists -----------------------------------------------------------
put("dellist", "list", b"tinyinit-deletions 1\nwetc/old\0ovar\0wusr/lib/x.so\0")
put("dellist", "dotdot", b"tinyinit-deletions 1\nwa/..\0o\0")

# --- ELF files ----------------------------------------------------------------
os.makedirs(os.path.join(top, "mk_elf"), exist_ok=True)
for p in sys.argv[2:]:
    shutil.copyfile(p, os.path.join(top, "mk_elf", os.path.basename(p)))
