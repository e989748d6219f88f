#!/bin/sh
# The tutorial's run-container.sh, extended to stack two layers: what a
# user writes by hand with unshare, mount and pivot_root. Run inside
# `unshare --mount --pid --fork`. Arguments: LAYERS STAGE PROGRAM.
set -e
L=$1 S=$2
mount --make-rprivate /
mount -t tmpfs tmpfs "$S"
mkdir "$S/u" "$S/w" "$S/root"
mount -t overlay overlay -o "lowerdir=$L/01-app:$L/00-base,upperdir=$S/u,workdir=$S/w" "$S/root"
cd "$S/root"
mkdir -p old-root proc dev
mount -t proc proc proc
mount -t tmpfs -o mode=0755 tmpfs dev
pivot_root . old-root
umount -l /old-root
exec "$3"
