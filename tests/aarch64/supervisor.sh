# The supervisor parity tests (tests/integration/supervisor.sh) against the aarch64 tinyinit under
# qemu-aarch64 (binfmt); the payloads are the host's.
. "$(dirname "$0")/common.bash"
need_root "aarch64 supervisor tests" || exit 0
binfmt_ready || { fail "aarch64 binaries run under qemu-user (binfmt)" "$WHY"; exit 0; }
run_suite_aarch64 supervisor.sh
