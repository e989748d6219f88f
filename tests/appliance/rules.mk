# Appliance microVMs (issue 11): unit tests and libFuzzer targets of
# tinyinit's network readers (init/ipconf.c, the DHCP reply parser in init/dhcp.c).
UNIT_NET_SRCS := init/ipconf.c init/dhcp.c init/fmt.c

$(B)/tests/unit_net: tests/unit/test_net.c $(UNIT_NET_SRCS) $(INIT_HDRS)
	@mkdir -p $(B)/tests
	$(CC) $(HOST_CFLAGS) $(SAN) -o $@ tests/unit/test_net.c $(UNIT_NET_SRCS) -lcmocka

FUZZ_SRCS_ipconf := init/ipconf.c init/fmt.c
FUZZ_SRCS_dhcp := init/dhcp.c init/fmt.c
TEST_BINS += $(B)/tests/unit_net $(B)/fuzz/fuzz_ipconf $(B)/fuzz/fuzz_dhcp
TEST_BINS += $(B)/tests/netcheck
