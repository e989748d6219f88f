# The rootfs tests (tests/integration/rootfs.sh: layers, overlay, pivot) against the aarch64
# tinyinit under qemu-aarch64 (binfmt).
. "$(dirname "$0")/common.bash"
need_root "aarch64 rootfs tests" || exit 0
binfmt_ready || { fail "aarch64 binaries run under qemu-user (binfmt)" "$WHY"; exit 0; }
run_suite_aarch64 rootfs.sh
