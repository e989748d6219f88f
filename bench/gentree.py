# Writes a deterministic 64 MiB tree of mixed files: many small text-like
# files, a few large compressible ones, some incompressible ones.
# usage: python3 gentree.py DIR [MIB]
# With MIB (other than 64), a tree of that size in the same proportions
# (small text files 40%, large text 30%, incompressible 30%), its text cut
# from one generated corpus so that gigabytes take seconds, not minutes.
import os, random, sys

root = sys.argv[1]
mib = int(sys.argv[2]) if len(sys.argv) > 2 else 64
rng = random.Random(20240229)
words = [("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))))
         for _ in range(4000)]

def text(n):
    out, size = [], 0
    while size < n:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(4, 14))) + "\n"
        out.append(line)
        size += len(line)
    return "".join(out).encode()[:n]

def put(rel, data):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)

if mib != 64:
    corpus = text(16 << 20)
    def cut(n):
        o = rng.randrange(0, len(corpus) - n)
        return corpus[o:o + n]
    want = mib << 20
    small, i = 0, 0
    while small < want * 4 // 10:
        n = rng.randint(1024, 16384)
        put(f"small/d{i % 997:03d}/f{i:07d}.txt", cut(n))
        small += n
        i += 1
    for k in range(max(1, want * 3 // 10 // (64 << 20))):
        put(f"large/text{k}.log", b"".join(cut(1 << 20) for _ in range(64)))
    left = want - small - max(1, want * 3 // 10 // (64 << 20)) * (64 << 20)
    k = 0
    while left > 0:
        n = min(left, 32 << 20)
        put(f"random/blob{k}.bin", rng.randbytes(n))
        left -= n
        k += 1
    sys.exit(0)

total = 0
# 6000 small files (1-8 KiB) in 60 directories: ~27 MiB
for i in range(6000):
    n = rng.randint(1024, 8192)
    put(f"small/d{i % 60:02d}/f{i:05d}.txt", text(n))
    total += n
# large compressible files: 3 x 6 MiB
for i in range(3):
    n = 6 << 20
    put(f"large/text{i}.log", text(n))
    total += n
# incompressible: fill up to 64 MiB
left = (64 << 20) - total
for i in range(4):
    n = left // 4
    put(f"random/blob{i}.bin", rng.randbytes(n))
