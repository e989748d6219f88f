# Writes the hostile and edge-case tarballs the image suites feed mkrootfs.
# usage: python3 hostile.py DIR
import io, os, random, sys, tarfile

d = sys.argv[1]

def mk(name, entries, mode="w", fmt=tarfile.GNU_FORMAT):
    with tarfile.open(os.path.join(d, name), mode, format=fmt) as t:
        for e in entries:
            ti = tarfile.TarInfo(e[0])
            kind = e[1]
            if kind == "f":
                data = e[2] if len(e) > 2 else b"x"
                ti.size = len(data)
                ti.mode = 0o644
                t.addfile(ti, io.BytesIO(data))
                continue
            ti.type = {"l": tarfile.SYMTYPE, "h": tarfile.LNKTYPE, "d": tarfile.DIRTYPE}[kind]
            ti.mode = 0o755 if kind == "d" else 0o777
            if kind in "lh":
                ti.linkname = e[2]
            t.addfile(ti)

mk("dotdot.tar", [("a", "f"), ("../etc/passwd", "f")])
mk("abs.tar", [("/etc/passwd", "f")])
mk("symesc.tar", [("evil", "l", "/etc"), ("evil/passwd", "f")])
mk("symesc2.tar", [("d", "d"), ("d/up", "l", "../.."), ("d/up/x", "f")])
mk("hardesc.tar", [("a", "h", "../../etc/shadow")])
# the same escapes with the link AFTER what goes through it (the writers
# sort, so the output would have the link first)
mk("symrev.tar", [("evil/init", "f"), ("evil", "l", "/")])
mk("symrevrel.tar", [("a/x", "f"), ("a", "l", "b")])
mk("symchain.tar", [("p/q/r", "f"), ("p", "l", "s"), ("s", "l", "/")])
mk("hardrev.tar", [("evil/x", "f"), ("h", "h", "evil/x"), ("evil", "l", "/etc")])
mk("fileunder.tar", [("a", "f"), ("a/b", "f")])
# whiteout names that decode to . or ..
mk("whdot.tar", [("a", "d"), ("a/.wh..", "f", b"")])
mk("whdotdot.tar", [(".wh...", "f", b"")])
mk("hardmiss.tar", [("a", "h", "nothere")])
mk("dup.tar", [("a", "f", b"first"), ("./a", "f", b"second")])
# tar -r style: a directory listed twice, a file then a symlink of one name
mk("dupok.tar", [("d", "d"), ("d/x", "f", b"old"), ("./d", "d"), ("d/x", "f", b"new"), ("l", "f"), ("l", "l", "d/x")])
mk("dupdir.tar", [("a", "d"), ("a", "f")])
mk("duplinked.tar", [("a", "f", b"one"), ("h", "h", "a"), ("a", "f", b"two")])
# a base layer and an upper one that deletes and hides (OCI spelling)
mk("base.tar", [("etc", "d"), ("etc/base", "f", b"from base\n"), ("etc/gone", "f", b"x" * 1000),
                ("opq", "d"), ("opq/old", "f", b"old\n")])
mk("upper.tar", [("etc", "d"), ("etc/.wh.gone", "f", b""), ("etc/upper", "f", b"from upper\n"),
                 ("opq", "d"), ("opq/.wh..wh..opq", "f", b""), ("opq/new", "f", b"new\n")])
# big enough that truncating it cuts the compressed stream
big = random.Random(7).randbytes(256 * 1024)
mk("big.tar.gz", [("d", "d"), ("d/rand", "f", big)], "w:gz")
with open(os.path.join(d, "big.tar.gz"), "rb") as f:
    data = f.read()
with open(os.path.join(d, "trunc.tar.gz"), "wb") as f:
    f.write(data[: len(data) // 2])
corrupt = bytearray(data)
for i in range(2000, 2100):
    corrupt[i] ^= 0x5A
with open(os.path.join(d, "corrupt.tar.gz"), "wb") as f:
    f.write(corrupt)
with open(os.path.join(d, "notatar.tar"), "wb") as f:
    f.write(b"this is not a tar archive\n" * 40)
# claims to be an image (manifest.json beside the blobs a docker archive
# holds) but is not one
mk("badimg.tar", [("manifest.json", "f", b"{ not json"), ("abc/layer.tar", "f", b"")])
mk("noconfig.tar", [("manifest.json", "f", b'[{"Config":"blobs/sha256/' + b"0" * 64 + b'","Layers":[]}]'),
                    ("blobs/sha256/" + "1" * 64, "f", b"")])
