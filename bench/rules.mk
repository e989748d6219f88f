# bench/: the launcher, the no-op payload and the bare baseline init that
# bench/init.sh compares tinyinit with (static musl, like tinyinit).
BENCH_BINS := $(B)/bench/launch $(B)/bench/noop $(B)/bench/bare-init

$(B)/bench/%: bench/%.c bench/rules.mk
	@mkdir -p $(B)/bench
	$(MUSLCC) $(WARN) -O2 -static -s -o $@ $<

ALL += $(BENCH_BINS)
