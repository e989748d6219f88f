# Base images: an index picks the manifest for the payload's platform (or
# --platform), an architecture mismatch is an error, the OCI layout wins
# over manifest.json, and inspect names the format it read.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

G=$WORK/base
mkdir -p "$G"
python3 "$TOP/tests/image/baseimage.py" "$G" || { fail "base images" "baseimage.py failed"; exit 1; }
py() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
# which IMAGE: the /which file of the lowest layer of IMAGE
which_of() {
	rm -rf "$WORK/u" && mkdir -p "$WORK/u" && tar -xf "$1" -C "$WORK/u" &&
		tar -xOzf "$WORK/u/$(py "$WORK/u/manifest.json" 'j[0]["Layers"][0]')" which
}

mk multi image -o "$G/m.tar" --layer "$G/multi.tar" "$HELLO"
expect_eq "index: builds (arm64 listed first)" 0 $?
expect_eq "index: the manifest for the payload's platform (linux/amd64)" amd64 "$(which_of "$G/m.tar")"
expect_fail "index: --platform for another architecture than the payload's" "$G/bad.tar" \
	"^mkrootfs: --platform linux/arm64/v8: the payload is for linux/amd64$" \
	image -o "$G/bad.tar" --platform linux/arm64/v8 --layer "$G/multi.tar" "$HELLO"
expect_fail "index: no manifest for the payload's platform" "$G/bad.tar" \
	"^mkrootfs: $G/armidx.tar: the index has no manifest for linux/amd64 \(give --platform\)$" \
	image -o "$G/bad.tar" --layer "$G/armidx.tar" "$HELLO"
expect_fail "architecture mismatch: arm64 base, amd64 payload" "$G/bad.tar" \
	"^mkrootfs: $G/arm.tar: the image is for linux/arm64/v8 but the payload is for linux/amd64$" \
	image -o "$G/bad.tar" --layer "$G/arm.tar" "$HELLO"
expect_fail "architecture mismatch: initramfs boot layer too" "$G/bad.cpio" \
	"the image is for linux/arm64/v8 but the payload is for linux/amd64$" \
	initramfs -o "$G/bad.cpio" --layer "$G/arm.tar" "$HELLO"

mk both image -o "$G/b.tar" --layer "$G/both.tar" "$HELLO"
expect_eq "OCI layout and manifest.json: the OCI layout wins" oci "$(which_of "$G/b.tar")"
expect_match "inspect names the format it read" "both.tar: oci-archive\+manifest.json, 1 layer" \
	"$("$M" inspect "$G/both.tar" 2>&1)"
