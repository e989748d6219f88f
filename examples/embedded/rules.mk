# examples/embedded: examples/hello as one file that is its own init
# (mkrootfs embed): tinyinit carrying hello, its default argument 3.
$(B)/examples/embedded/hello: $(B)/mkrootfs $(B)/tinyinit $(B)/examples/hello
	@mkdir -p $(dir $@)
	$(B)/mkrootfs embed --init $(B)/tinyinit -o $@ $(B)/examples/hello 3

ALL += $(B)/examples/embedded/hello

# examples/embedded/layered: examples/layered's layers in one file. The
# patch layer goes in as a tarball with OCI whiteouts (deleting
# /etc/secret, making /app opaque); the show payload is the top layer.
# Running it needs CAP_SYS_ADMIN (unshare --mount --pid --fork, or podman
# run --cap-add SYS_ADMIN).
EMB_PATCH := $(B)/examples/embedded/patch
$(B)/examples/embedded/layered: $(B)/mkrootfs $(B)/tinyinit $(B)/examples/layered/.stamp
	@rm -rf $(EMB_PATCH) && mkdir -p $(EMB_PATCH)/etc $(EMB_PATCH)/app
	cp examples/layered/layers/02-patch/etc/motd $(EMB_PATCH)/etc/
	cp examples/layered/layers/02-patch/app/config.new $(EMB_PATCH)/app/
	touch $(EMB_PATCH)/etc/.wh.secret $(EMB_PATCH)/app/.wh..wh..opq
	tar -C $(EMB_PATCH) --owner=0 --group=0 -cf $(EMB_PATCH).tar etc app
	$(B)/mkrootfs embed --init $(B)/tinyinit -o $@ --layer $(B)/examples/layered/00-base \
		--layer $(B)/examples/layered/01-app --layer $(EMB_PATCH).tar \
		--as /bin/show $(B)/examples/layered/00-base/bin/show

ALL += $(B)/examples/embedded/layered
