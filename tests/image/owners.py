# Helpers for tests/image/owners.sh.
#   owners.py mk DIR        writes DIR/owned.tar: files of uid 1000, a setgid
#                           root:42 file, a setuid 1000 file
#   owners.py ls IMAGE.tar  prints "path uid:gid mode" for every member of
#                           every layer of the image (an initramfs: its cpio)
import io, json, os, sys, tarfile

def mk(d):
    with tarfile.open(os.path.join(d, "owned.tar"), "w", format=tarfile.PAX_FORMAT) as t:
        for name, uid, gid, mode, kind in [
            ("home", 0, 0, 0o755, "d"), ("home/u", 1000, 1000, 0o750, "d"),
            ("home/u/notes", 1000, 1000, 0o640, "f"),
            ("usr", 0, 0, 0o755, "d"), ("usr/bin", 0, 0, 0o755, "d"),
            ("usr/bin/chage", 0, 42, 0o2755, "f"), ("usr/bin/mine", 1000, 1000, 0o4755, "f")]:
            ti = tarfile.TarInfo(name)
            ti.uid, ti.gid, ti.mode = uid, gid, mode
            if kind == "d":
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            else:
                ti.size = 2
                t.addfile(ti, io.BytesIO(b"x\n"))

def ls(img):
    with tarfile.open(img) as outer:
        idx = json.load(outer.extractfile("manifest.json"))
        for layer in idx[0]["Layers"]:
            with tarfile.open(fileobj=io.BytesIO(outer.extractfile(layer).read())) as t:
                for m in t.getmembers():
                    print("%s %d:%d %o" % (m.name.rstrip("/"), m.uid, m.gid, m.mode))

{"mk": mk, "ls": ls}[sys.argv[1]](sys.argv[2])
