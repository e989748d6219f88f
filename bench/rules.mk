# Benchmark helpers (built by `make bench`).
BENCH_BINS := $(B)/bench/rootfs-launch $(B)/bench/rootfs-baseline $(B)/bench/noop

$(B)/bench/rootfs-launch: bench/rootfs-launch.c
	@mkdir -p $(B)/bench
	$(CC) $(WARN) -O2 -o $@ $<

$(B)/bench/%: bench/%.c
	@mkdir -p $(B)/bench
	$(MUSLCC) $(WARN) -O2 -static -s -o $@ $<

$(B)/bench/noop: bench/noop.c
	@mkdir -p $(B)/bench
	$(MUSLCC) $(WARN) -Os -static -s -o $@ $<

bench-bins: $(BENCH_BINS)
