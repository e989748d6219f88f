# --copy-libs resolves like the loader: payloads built here with an $ORIGIN
# DT_RUNPATH (not inherited) and an $ORIGIN DT_RPATH (inherited by the
# libraries it loads) are moved by --as and run in podman; a base whose
# /lib, /lib64 and /bin are merged-/usr symlinks keeps them; a library that
# cannot be found is a one-line error.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"
need_root "podman tests" || exit 0
podman_setup
P() { timeout 120 podman "$@"; }
# top_layer IMAGE: the names in the top (last) layer of an image tarball
top_layer() {
	local d=$WORK/u.$$ l
	rm -rf "$d" && mkdir -p "$d" && tar -xf "$1" -C "$d" 2>/dev/null &&
		l=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Layers"][-1])' "$d/manifest.json") &&
		tar -tzf "$d/$l"
}

C=$WORK/c
mkdir -p "$C/src" "$C/rp/bin" "$C/rp/lib" "$C/dt/bin" "$C/dt/lib2" "$C/gone"
cat >"$C/src/bar.c" <<'EOC'
int bar(void) { return 2; }
EOC
cat >"$C/src/foo.c" <<'EOC'
int bar(void);
int foo(void) { return bar() + 40; }
EOC
cat >"$C/src/app.c" <<'EOC'
#include <stdio.h>
#include <unistd.h>
int foo(void);
int main(int argc, char **argv)
{
	printf("foo=%d", foo());
	for (int i = 1; i < argc; i++)
		printf(" %s:%s", argv[i], access(argv[i], F_OK) == 0 ? "present" : "missing");
	printf("\n");
	return 0;
}
EOC
# DT_RUNPATH: the payload's $ORIGIN/../lib finds libfoo; libfoo's own
# $ORIGIN finds libbar (a RUNPATH is not inherited)
cc -shared -fPIC -o "$C/rp/lib/libbar.so" "$C/src/bar.c" &&
	cc -shared -fPIC -o "$C/rp/lib/libfoo.so" "$C/src/foo.c" -L"$C/rp/lib" -lbar -Wl,-rpath,'$ORIGIN' &&
	cc -o "$C/rp/bin/app" "$C/src/app.c" -L"$C/rp/lib" -lfoo -Wl,-rpath-link,"$C/rp/lib" \
		-Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN/../lib' &&
	# DT_RPATH: only the payload has one; libfoo's libbar is found through it
	cc -shared -fPIC -o "$C/dt/lib2/libbar.so" "$C/src/bar.c" &&
	cc -shared -fPIC -o "$C/dt/lib2/libfoo.so" "$C/src/foo.c" -L"$C/dt/lib2" -lbar &&
	cc -o "$C/dt/bin/app" "$C/src/app.c" -L"$C/dt/lib2" -lfoo -Wl,-rpath-link,"$C/dt/lib2" \
		-Wl,--disable-new-dtags -Wl,-rpath,'$ORIGIN/../lib2' &&
	# a library that is gone after the link
	cp "$C/rp/lib/libbar.so" "$C/gone/libgone.so" &&
	cc -o "$C/gone/app" -x c - -L"$C/gone" -lgone <<<'int bar(void); int main(void) { return bar(); }' ||
	{ fail "copy-libs payloads" "the compiler failed"; exit 1; }
rm "$C/gone/libgone.so"
expect_eq "the payloads carry the tags the test is about" \
	"RUNPATH [\$ORIGIN/../lib]|RUNPATH [\$ORIGIN]|RPATH [\$ORIGIN/../lib2]|none" \
	"$(for f in rp/bin/app rp/lib/libfoo.so dt/bin/app dt/lib2/libfoo.so; do
		readelf -d "$C/$f" | grep -oE '\((RUNPATH|RPATH)\).*' | sed -E 's/\((R[A-Z]*)\) *Library r[a-z]*: /\1 /' | grep . || echo none
	done | paste -sd'|')"

# --- $ORIGIN RUNPATH, moved by --as -------------------------------------------------
mk rp image -o "$WORK/rp.tar" --tag cl-rp:t --copy-libs --as /opt/app/bin/app "$C/rp/bin/app"
expect_eq "RUNPATH payload builds" 0 $?
l=$(top_layer "$WORK/rp.tar")
expect_eq "RUNPATH: libfoo and libbar beside --as's ../lib, not at their host paths" \
	"opt/app/lib/libbar.so opt/app/lib/libfoo.so 0" \
	"$(echo "$l" | grep -E '^opt/app/lib/lib' | sort | paste -sd' ') $(echo "$l" | grep -c "${C#/}")"
P load -i "$WORK/rp.tar" >/dev/null 2>&1
out=$(P run --rm cl-rp:t 2>&1)
expect_eq "RUNPATH payload runs in podman" "foo=42" "$out"

# --- $ORIGIN RPATH, inherited by libfoo ----------------------------------------------------
mk dt image -o "$WORK/dt.tar" --tag cl-dt:t --copy-libs --as /srv/x/app "$C/dt/bin/app"
expect_eq "RPATH payload builds" 0 $?
expect_eq "RPATH: libbar found through the payload's RPATH, both in /srv/lib2" \
	"srv/lib2/libbar.so srv/lib2/libfoo.so" \
	"$(top_layer "$WORK/dt.tar" | grep -E '^srv/lib2/lib' | sort | paste -sd' ')"
P load -i "$WORK/dt.tar" >/dev/null 2>&1
out=$(P run --rm cl-dt:t 2>&1)
expect_eq "RPATH payload runs in podman" "foo=42" "$out"

# --- a merged-/usr base: its symlinks stay ------------------------------------------------------
mkdir -p "$C/base/usr/lib/x86_64-linux-gnu" "$C/base/usr/lib64" "$C/base/usr/bin"
echo marker >"$C/base/usr/lib/marker"
ln -s usr/lib "$C/base/lib"
ln -s usr/lib64 "$C/base/lib64"
ln -s usr/bin "$C/base/bin"
tar -C "$C/base" -cf "$C/base.tar" .
mk mu image -o "$WORK/mu.tar" --tag cl-mu:t --layer "$C/base.tar" --copy-libs --as /bin/app \
	"$C/rp/bin/app" /lib/marker /bin/app /usr/lib/libfoo.so
expect_eq "merged /usr: builds" 0 $?
l=$(top_layer "$WORK/mu.tar")
expect_eq "merged /usr: no lib/, lib64/ or bin/ directory over the base's symlinks" "0 1" \
	"$(echo "$l" | grep -cE '^(lib|lib64|bin)/') $(echo "$l" | grep -c '^usr/bin/app$')"
expect_eq "merged /usr: libc, the loader, the payload and its \$ORIGIN libraries under usr/" \
	"usr/bin/app usr/lib/libbar.so usr/lib/libfoo.so usr/lib/x86_64-linux-gnu/libc.so.6 usr/lib64/ld-linux-x86-64.so.2" \
	"$(echo "$l" | grep -E '^usr/(bin/app|lib/libbar|lib/libfoo|lib/x86_64-linux-gnu/libc.so|lib64/ld-)' | sort | paste -sd' ')"
P load -i "$WORK/mu.tar" >/dev/null 2>&1
out=$(P run --rm cl-mu:t 2>&1)
expect_eq "merged /usr: runs, the base's files still reachable through /lib" \
	"foo=42 /lib/marker:present /bin/app:present /usr/lib/libfoo.so:present" "$out"

# --- errors ------------------------------------------------------------------------------------
expect_fail "a library that cannot be found: one line" "$WORK/gone.tar" \
	"^mkrootfs: .*/gone/app needs libgone.so, which cannot be found" \
	image -o "$WORK/gone.tar" --copy-libs "$C/gone/app"
