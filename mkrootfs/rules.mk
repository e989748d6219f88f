# mkrootfs: the host tool. Included by the top Makefile.
#   build/mkrootfs        optimised (release, bench)
#   build/mkrootfs-san    ASan+UBSan, used by the tests
MK_SRCS  := $(filter-out mkrootfs/main.c,$(wildcard mkrootfs/*.c))
MK_HDRS  := $(wildcard mkrootfs/*.h include/*.h)
MK_PKGS  := libarchive jansson libcrypto libzstd zlib liblzma libkmod
MK_CFLAGS = $(shell pkg-config --cflags $(MK_PKGS)) -Iinclude -Imkrootfs \
	-DTINYINIT_SBINDIR='"$(PREFIX)/sbin"' \
	-DTINYINIT_LIBDIR='"$(PREFIX)/lib/tinyinit"' -pthread
MK_LIBS   = $(shell pkg-config --libs $(MK_PKGS)) -ldeflate -pthread

$(B)/mkrootfs: $(MK_SRCS) mkrootfs/main.c $(MK_HDRS) mkrootfs/rules.mk
	@mkdir -p $(B)
	$(CC) $(WARN) -O2 -g $(MK_CFLAGS) -o $@ mkrootfs/main.c $(MK_SRCS) $(MK_LIBS)

$(B)/mkrootfs-san: $(MK_SRCS) mkrootfs/main.c $(MK_HDRS) mkrootfs/rules.mk
	@mkdir -p $(B)
	$(CC) $(HOST_CFLAGS) $(SAN) $(MK_CFLAGS) -o $@ mkrootfs/main.c $(MK_SRCS) $(MK_LIBS)

MK_UNITS := $(patsubst tests/unit/test_%.c,$(B)/tests/unit_%,$(wildcard tests/unit/test_mkrootfs*.c))

$(MK_UNITS): $(B)/tests/unit_%: tests/unit/test_%.c $(MK_SRCS) $(MK_HDRS)
	@mkdir -p $(B)/tests
	$(CC) $(HOST_CFLAGS) $(SAN) $(MK_CFLAGS) -o $@ $< $(MK_SRCS) $(MK_LIBS) -lcmocka

ALL       += $(B)/mkrootfs
TEST_BINS += $(B)/mkrootfs-san $(MK_UNITS)
INSTALL   += install-mkrootfs

.PHONY: install-mkrootfs
install-mkrootfs: $(B)/mkrootfs
	install -D -m 0755 $(B)/mkrootfs $(DESTDIR)$(PREFIX)/bin/mkrootfs
	install -D -m 0644 mkrootfs/mkrootfs.1 $(DESTDIR)$(PREFIX)/share/man/man1/mkrootfs.1
