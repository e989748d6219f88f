# bench/: the launchers, the no-op payload, the bare baseline init that
# bench/init.sh compares tinyinit with, and the hard-coded root-assembly
# baseline of bench/rootfs.sh (static musl, like tinyinit).
BENCH_BINS := $(B)/bench/launch $(B)/bench/noop $(B)/bench/bare-init \
	$(B)/bench/rootfs-launch $(B)/bench/rootfs-baseline $(B)/bench/vmmark \
	$(B)/bench/vminit-floor
# The aarch64 payloads of bench/vmboot.sh and bench/aarch64.sh.
BENCH_BINS += $(B)/aarch64/bench/vmmark $(B)/aarch64/bench/noop

$(B)/bench/rootfs-launch: bench/rootfs-launch.c bench/rules.mk
	@mkdir -p $(B)/bench
	$(CC) $(WARN) -O2 -o $@ $<

$(B)/bench/%: bench/%.c bench/rules.mk
	@mkdir -p $(B)/bench
	$(MUSLCC) $(WARN) -O2 -static -s -o $@ $<

ALL += $(BENCH_BINS)

.PHONY: bench-bins
bench-bins: $(BENCH_BINS)

$(B)/aarch64/bench/%: bench/%.c bench/rules.mk
	@mkdir -p $(B)/aarch64/bench
	$(A64CC) $(WARN) -O2 -static -s -o $@ $<
