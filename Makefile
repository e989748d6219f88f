# tinyinit + mkrootfs
#   make            build tinyinit, mkrootfs and the examples into build/
#   make demo       run examples/hello under tinyinit as PID 1 (new pid+mount namespaces)
#   make check      build everything and run every test
#   make bench      side-by-side benchmarks against the peers
#   make size       tinyinit's size against its budget
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
DESTDIR ?=
B       := build

MUSLCC  ?= musl-gcc
CC      ?= cc
WARN    := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE

# tinyinit: static musl, optimised for size; every byte is on the bill.
INIT_CFLAGS  := $(WARN) -Os -fno-pie -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-ffunction-sections -fdata-sections -fno-stack-protector -fomit-frame-pointer \
	-fno-ident -fno-plt -mgeneral-regs-only
INIT_LDFLAGS := -static -no-pie -s -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,norelro \
	-Wl,-z,noseparate-code -Wl,-z,common-page-size=16
# -fconserve-stack: 288 bytes less on x86-64, 288 more on aarch64;
# -mgeneral-regs-only (no SSE moves for small copies) helps both.
INIT_X86     := -fconserve-stack
INIT_BUDGET  := 32768
INIT_SRCS    := $(wildcard init/*.c)
INIT_OBJS    := $(INIT_SRCS:init/%.c=$(B)/init/%.o)
INIT_HDRS    := $(wildcard init/*.h include/*.h)

# Host-side code and tests: sanitizers on.
HOST_CFLAGS  := $(WARN) -O1 -g -fno-omit-frame-pointer
SAN          := -fsanitize=address,undefined -fno-sanitize-recover=all

EXAMPLES := hello zombies graceful

# Each part adds to these from its own rules.mk.
ALL       := $(B)/tinyinit $(B)/tinyinit-net examples
TEST_BINS :=
INSTALL   :=

# tinyinit for aarch64: the same sources and flags, cross-compiled against the
# arm64 musl (scripts/aarch64-linux-musl-gcc); its own budget.
A64CC         ?= scripts/aarch64-linux-musl-gcc
A64           := $(B)/aarch64
A64_BUDGET    := 36864
A64_EXAMPLES  := $(EXAMPLES:%=$(A64)/examples/%)
A64_TEST_BINS := $(A64)/tests/sigexec $(A64)/tests/orphans $(A64)/tests/rootcheck $(A64)/tests/crash
ALL           += $(A64)/tinyinit $(A64)/tinyinit-net $(A64_EXAMPLES) $(A64)/examples/httpd
TEST_BINS     += $(A64_TEST_BINS)

.PHONY: all build-all test-bins fuzz deps demo check test bench size install uninstall clean format examples

all: build-all

-include mkrootfs/rules.mk
-include bench/rules.mk
# Further parts (examples, tests, qemu) may bring their own rules.
-include $(wildcard examples/*/rules.mk tests/*/rules.mk qemu/rules.mk)

build-all: $(ALL)

# tinyinit is optimised at link time, all sources at once (-flto: about 500
# bytes less than linking the objects). The objects, one a source file, link a
# twin whose map bills each file (make size); they also keep the build checking
# each file on its own.
$(B)/tinyinit: $(INIT_SRCS) $(INIT_HDRS) Makefile $(B)/tinyinit.map
	@mkdir -p $(B)
	$(MUSLCC) $(INIT_CFLAGS) $(INIT_X86) -flto $(filter-out -s,$(INIT_LDFLAGS)) -o $(B)/tinyinit.full \
		$(INIT_SRCS)
	llvm-objcopy-14 --strip-all --remove-section=.comment --strip-sections $(B)/tinyinit.full $@.tmp
	@mv $@.tmp $@

$(B)/tinyinit.map: $(INIT_OBJS)
	$(MUSLCC) $(INIT_CFLAGS) $(filter-out -s,$(INIT_LDFLAGS)) -Wl,-Map=$@ \
		-o $(B)/tinyinit.twin $(INIT_OBJS)

# One object a source file, so that the link map bills each file.
$(B)/init/%.o: init/%.c $(INIT_HDRS) Makefile
	@mkdir -p $(B)/init
	$(MUSLCC) $(INIT_CFLAGS) -c -o $@ $<

# The network build, for microVM appliances (README "Appliances"): ip= with
# DHCP (-DTINYINIT_NET), without the embedded-archive reader (mkrootfs embed
# takes the default build). mkrootfs initramfs --net takes it; same budget.
$(B)/tinyinit-net: $(INIT_SRCS) $(INIT_HDRS) Makefile
	@mkdir -p $(B)
	$(MUSLCC) $(INIT_CFLAGS) -DTINYINIT_NET -flto $(filter-out -s,$(INIT_LDFLAGS)) \
		-o $(B)/tinyinit-net.full $(INIT_SRCS)
	llvm-objcopy-14 --strip-all --remove-section=.comment --strip-sections $(B)/tinyinit-net.full $@.tmp
	@mv $@.tmp $@


# aarch64 builds (variables above)
$(A64)/tinyinit: $(INIT_SRCS) $(INIT_HDRS) Makefile scripts/aarch64-musl-gcc.specs
	@mkdir -p $(A64)
	$(A64CC) $(INIT_CFLAGS) -flto $(INIT_LDFLAGS) -o $@.tmp $(INIT_SRCS)
	llvm-objcopy-14 --strip-all --remove-section=.comment --strip-sections $@.tmp
	@mv $@.tmp $@

# The aarch64 network build: an aarch64 appliance's /init (mkrootfs initramfs
# --net of an aarch64 payload); the aarch64 budget.
$(A64)/tinyinit-net: $(INIT_SRCS) $(INIT_HDRS) Makefile scripts/aarch64-musl-gcc.specs
	@mkdir -p $(A64)
	$(A64CC) $(INIT_CFLAGS) -DTINYINIT_NET -flto $(INIT_LDFLAGS) -o $@.tmp $(INIT_SRCS)
	llvm-objcopy-14 --strip-all --remove-section=.comment --strip-sections $@.tmp
	@mv $@.tmp $@

$(A64)/examples/%: examples/%/*.c
	@mkdir -p $(A64)/examples
	$(A64CC) $(WARN) -Os -static -s -o $@ $<

$(A64)/tests/%: tests/helpers/%.c
	@mkdir -p $(A64)/tests
	$(A64CC) $(WARN) -Os -static -o $@ $<

examples: $(EXAMPLES:%=$(B)/examples/%) $(B)/examples/layered/.stamp

# examples/layered: the layer directories, with the show payload built into
# the base layer (binaries stay out of the source tree).
$(B)/examples/layered/.stamp: examples/layered/show.c $(shell find examples/layered/layers)
	@rm -rf $(B)/examples/layered
	@mkdir -p $(B)/examples
	cp -a examples/layered/layers $(B)/examples/layered
	find $(B)/examples/layered -name .keep -delete
	$(MUSLCC) $(WARN) -Os -static -s -o $(B)/examples/layered/00-base/bin/show examples/layered/show.c
	@touch $@

$(B)/examples/%: examples/%/*.c
	@mkdir -p $(B)/examples
	$(MUSLCC) $(WARN) -Os -static -s -o $@ $<

# --- tests -----------------------------------------------------------------
UNIT_INIT_SRCS := init/config.c init/signames.c init/fmt.c init/help.c init/layers.c init/cmdline.c \
	init/steps.c

$(B)/tests/unit_init: tests/unit/test_init.c $(UNIT_INIT_SRCS) $(INIT_HDRS)
	@mkdir -p $(B)/tests
	$(CC) $(HOST_CFLAGS) $(SAN) -o $@ tests/unit/test_init.c $(UNIT_INIT_SRCS) -lcmocka

$(B)/tests/%: tests/helpers/%.c
	@mkdir -p $(B)/tests
	$(MUSLCC) $(WARN) -Os -static -o $@ $<

TEST_BINS += $(B)/tests/unit_init $(B)/tests/sigexec $(B)/tests/orphans $(B)/tests/rootcheck \
	$(B)/tests/crash

# libFuzzer targets for tinyinit's readers (run by tests/fuzz/run.sh).
FUZZ_TARGETS := deletions config cmdline embedded mountinfo
FUZZ_SRCS_deletions := init/layers.c init/steps.c init/fmt.c
FUZZ_SRCS_config := init/config.c init/signames.c init/fmt.c
FUZZ_SRCS_cmdline := init/cmdline.c init/config.c init/signames.c init/fmt.c
FUZZ_SRCS_embedded := init/embedded.c init/fmt.c
FUZZ_SRCS_mountinfo := init/mountinfo.c init/apifs.c init/steps.c init/fmt.c
FUZZ_BINS := $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
TEST_BINS += $(FUZZ_BINS)

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(INIT_SRCS) $(INIT_HDRS)
	@mkdir -p $(B)/fuzz
	clang $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(FUZZ_SRCS_$*)

fuzz: $(FUZZ_BINS)
	FUZZ_SECONDS=$${FUZZ_SECONDS:-300} tests/run fuzz

deps:
	@scripts/deps

# Everything the tests run (make check builds it before tests/run).
test-bins: $(TEST_BINS)

check: deps
	@$(MAKE) --no-print-directory all test-bins
	@tests/run

test: check

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo

bench: deps
	@$(MAKE) --no-print-directory all bench-bins
	@bench/run

size: $(B)/tinyinit $(B)/tinyinit-net $(A64)/tinyinit $(A64)/tinyinit-net
	@s=$$(stat -c %s $(B)/tinyinit); \
	echo "tinyinit: $$s bytes (budget $(INIT_BUDGET), $$((s * 100 / $(INIT_BUDGET)))% used)"
	@echo "sections (of the unstripped twin $(B)/tinyinit.full; the file has no section headers):"
	@size -A $(B)/tinyinit.full 2>/dev/null | awk '$$2 > 0 && /^\.(text|rodata|data|bss)/ {printf "  %-20s %6d\n", $$1, $$2}'
	@echo "loaded bytes by source file (link map of the twin $(B)/tinyinit.twin, linked without -flto):"
	@python3 scripts/sizebill $(B)/tinyinit.map
	@s=$$(stat -c %s $(B)/tinyinit-net); \
	echo "tinyinit-net (network build): $$s bytes (budget $(INIT_BUDGET), $$((s * 100 / $(INIT_BUDGET)))% used)"
	@s=$$(stat -c %s $(A64)/tinyinit); \
	echo "tinyinit (aarch64): $$s bytes (budget $(A64_BUDGET), $$((s * 100 / $(A64_BUDGET)))% used)"
	@s=$$(stat -c %s $(A64)/tinyinit-net); \
	echo "tinyinit-net (aarch64 network build): $$s bytes (budget $(A64_BUDGET), $$((s * 100 / $(A64_BUDGET)))% used)"

# Every tinyinit built goes to $(PREFIX)/lib/tinyinit/<arch>/ (uname -m's name),
# where mkrootfs looks for the one of a payload's architecture; the host's
# is also $(PREFIX)/sbin/tinyinit.
HOST_ARCH := $(shell uname -m)
TI_LIB     = $(DESTDIR)$(PREFIX)/lib/tinyinit

install: all $(INSTALL)
	install -D -m 0755 $(B)/tinyinit $(DESTDIR)$(PREFIX)/sbin/tinyinit
	install -D -m 0755 $(B)/tinyinit-net $(DESTDIR)$(PREFIX)/sbin/tinyinit-net
	install -D -m 0755 $(B)/tinyinit $(TI_LIB)/$(HOST_ARCH)/tinyinit
	install -D -m 0755 $(B)/tinyinit-net $(TI_LIB)/$(HOST_ARCH)/tinyinit-net
	install -D -m 0755 $(A64)/tinyinit $(TI_LIB)/aarch64/tinyinit
	$(if $(wildcard $(A64)/tinyinit-net),install -D -m 0755 $(A64)/tinyinit-net $(TI_LIB)/aarch64/tinyinit-net)
	install -D -m 0644 init/tinyinit.8 $(DESTDIR)$(PREFIX)/share/man/man8/tinyinit.8

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/tinyinit $(DESTDIR)$(PREFIX)/sbin/tinyinit-net \
		$(DESTDIR)$(PREFIX)/share/man/man8/tinyinit.8
	rm -rf $(TI_LIB)
	rm -f $(DESTDIR)$(PREFIX)/bin/mkrootfs $(DESTDIR)$(PREFIX)/share/man/man1/mkrootfs.1

format:
	clang-format -i init/*.c init/*.h include/*.h mkrootfs/*.c mkrootfs/*.h tests/unit/*.c \
		tests/helpers/*.c tests/fuzz/*.c examples/*/*.c bench/*.c

clean:
	rm -rf $(B)
