# Helpers the integration and engines suites run (static, musl: they go into images too).
TEST_BINS += $(B)/tests/sigrecord
