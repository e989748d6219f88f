# libFuzzer targets for mkrootfs's readers (tests/fuzz/fuzz_mk_*.c), run by
# tests/fuzz/run.sh like tinyinit's. mkrootfs's sources are compiled once
# with the fuzzer's instrumentation into build/fuzz/mk/, and each target
# links them with the libraries mkrootfs uses.
MKFUZZ_TARGETS := tar image opts elf dellist
MKFUZZ_BINS    := $(MKFUZZ_TARGETS:%=$(B)/fuzz/fuzz_mk_%)
MKFUZZ_OBJS    := $(MK_SRCS:mkrootfs/%.c=$(B)/fuzz/mk/%.o)
MKFUZZ_FLAGS   := -Wno-string-plus-int -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all

$(B)/fuzz/mk/%.o: mkrootfs/%.c $(MK_HDRS) tests/fuzz/rules.mk
	@mkdir -p $(B)/fuzz/mk
	clang $(WARN) $(MKFUZZ_FLAGS) -fsanitize=fuzzer-no-link $(MK_CFLAGS) -c -o $@ $<

$(MKFUZZ_BINS): $(B)/fuzz/fuzz_mk_%: tests/fuzz/fuzz_mk_%.c tests/fuzz/fuzz_mk.h $(MKFUZZ_OBJS)
	@mkdir -p $(B)/fuzz
	clang $(WARN) $(MKFUZZ_FLAGS) -fsanitize=fuzzer $(MK_CFLAGS) -o $@ $< $(MKFUZZ_OBJS) \
		$(MK_LIBS)

TEST_BINS += $(MKFUZZ_BINS)
fuzz: $(MKFUZZ_BINS)
