# examples/embedded: examples/hello as one file that is its own init
# (mkrootfs embed): tinyinit carrying hello, its default argument 3.
$(B)/examples/embedded/hello: $(B)/mkrootfs $(B)/tinyinit $(B)/examples/hello
	@mkdir -p $(dir $@)
	$(B)/mkrootfs embed --init $(B)/tinyinit -o $@ $(B)/examples/hello 3

ALL += $(B)/examples/embedded/hello
