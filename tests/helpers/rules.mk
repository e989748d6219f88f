# tests/helpers: the payloads the suites build; most are musl-static (the
# pattern rule in the Makefile). tlscheck needs libcrypto: glibc-static.
$(B)/tests/tlscheck: tests/helpers/tlscheck.c
	@mkdir -p $(B)/tests
	$(CC) $(WARN) -O1 -static -o $@ $< -lcrypto -lpthread 2>$@.log || { cat $@.log; false; }

TEST_BINS += $(B)/tests/tlscheck
TEST_BINS += $(B)/tests/nopivot
