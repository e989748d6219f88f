# --essentials, --ca-bundle, --tzdata: a payload in podman verifies a TLS
# certificate chain offline against the image's CA bundle (a test CA made
# here), finds nonroot in /etc/passwd and runs as it by name; the files are
# reproducible and root's; initramfs gets them too.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"
need_root "essentials tests" || exit 0
podman_setup
P() { timeout 120 podman "$@"; }
py() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
TLS=$B/tests/tlscheck
BB=/bin/busybox
C=$WORK/ca
mkdir -p "$C"

# a test CA and a server certificate it signs
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/ca.key" -out "$C/ca.pem" -days 3650 \
	-subj "/CN=scratch test CA $$" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout "$C/srv.key" -out "$C/srv.csr" -subj "/CN=srv.test" \
	>/dev/null 2>&1
printf 'subjectAltName=DNS:srv.test\nbasicConstraints=CA:FALSE\n' >"$C/ext"
openssl x509 -req -in "$C/srv.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" -CAcreateserial \
	-out "$C/srv.pem" -days 365 -extfile "$C/ext" >/dev/null 2>&1
cat /etc/ssl/certs/ca-certificates.crt "$C/ca.pem" >"$C/bundle.crt"
[ -s "$C/srv.pem" ] || { fail "test CA" "openssl made no certificate"; exit 1; }

# --- podman: the bundle, the users, --user by name ----------------------------------------
mk ess image -o "$WORK/ess.tar" --tag ess:t --essentials --ca-bundle "$C/bundle.crt" \
	--user nonroot --add "$C/srv.pem:/srv.pem" "$TLS" /srv.pem nonroot
expect_eq "image --essentials --ca-bundle builds" 0 $?
"$M" inspect --json "$WORK/ess.tar" >"$WORK/ess.json" 2>/dev/null
expect_eq "--user nonroot is 65532:65532 in the config" "65532:65532" \
	"$(py "$WORK/ess.json" 'j["config"]["config"]["User"]')"
expect_eq "the essentials are a layer of their own beneath the payload's" \
	"mkrootfs --essentials|mkrootfs image" \
	"$(py "$WORK/ess.json" '"|".join(h["created_by"].split(" ")[0]+" "+h["created_by"].split(" ")[1] for h in j["config"]["history"])')"
P load -i "$WORK/ess.tar" >/dev/null 2>&1
out=$(P run --rm ess:t 2>&1)
expect_eq "podman: the chain verifies against the bundle, nonroot is found, runs as 65532, /tmp 1777" \
	"verify=ok user=nonroot:65532:65532:/home/nonroot uid=65532 tmp=1777" "$out"

mk host image -o "$WORK/host.tar" --tag host:t --essentials --add "$C/srv.pem:/srv.pem" "$TLS" /srv.pem root
P load -i "$WORK/host.tar" >/dev/null 2>&1
out=$(P run --rm host:t 2>&1)
expect_eq "podman: the host's bundle (no test CA) rejects the chain; root is uid 0" \
	"verify=FAIL:unable to get local issuer certificate user=root:0:0:/root uid=0 tmp=1777" "$out"

mk bare image -o "$WORK/bare.tar" --tag bare:t --add "$C/srv.pem:/srv.pem" "$TLS" /srv.pem nonroot
P load -i "$WORK/bare.tar" >/dev/null 2>&1
out=$(P run --rm bare:t 2>&1)
expect_eq "podman: without --essentials there is no bundle and no nonroot" \
	"verify=FAIL:no bundle user=none uid=0 tmp=0" "$out"

# --- --tzdata ---------------------------------------------------------------------------
mk tz image -o "$WORK/tz.tar" --tag tz:t --tzdata --essentials --user nonroot:root "$BB" sh -c \
	'TZ=Europe/Paris date -d @0 +%H:%M; id -u; id -g; stat -L -c "%u:%g %a" /usr/share/zoneinfo/UTC; stat -c "%u:%g %a" /home/nonroot /etc/passwd'
P load -i "$WORK/tz.tar" >/dev/null 2>&1
out=$(P run --rm tz:t 2>&1 | paste -sd'|')
expect_eq "podman --tzdata: Europe/Paris at epoch 0 is 01:00; nonroot:root is 65532:0; root's files" \
	"01:00|65532|0|0:0 644|65532:65532 700|0:0 644" "$out"

# --- reproducible ----------------------------------------------------------------------
SOURCE_DATE_EPOCH=1700000000 "$M" image -o "$WORK/r1.tar" --essentials --tzdata "$HELLO" 2>/dev/null
touch "$C/bundle.crt"
SOURCE_DATE_EPOCH=1700000000 "$M" image -o "$WORK/r2.tar" --essentials --tzdata "$HELLO" 2>/dev/null
expect_eq "--essentials --tzdata: the same image twice, byte for byte" \
	"$(sha256sum <"$WORK/r1.tar")" "$(sha256sum <"$WORK/r2.tar")"

# --- bad input ------------------------------------------------------------------------
expect_fail "--ca-bundle with no certificate" "$WORK/bad.tar" "/etc/hostname: not a CA bundle" \
	image -o "$WORK/bad.tar" --ca-bundle /etc/hostname "$HELLO"
expect_fail "--ca-bundle missing" "$WORK/bad.tar" "/nonexistent.crt: No such file" \
	image -o "$WORK/bad.tar" --ca-bundle /nonexistent.crt "$HELLO"
expect_fail "--user of an unknown name with --essentials" "$WORK/bad.tar" \
	"--user daemon: daemon is not a user of --essentials" \
	image -o "$WORK/bad.tar" --essentials --user daemon "$HELLO"

# --- initramfs ---------------------------------------------------------------------------
mk irfs initramfs -o "$WORK/e.cpio.gz" --essentials --user nonroot "$HELLO"
expect_eq "initramfs --essentials builds" 0 $?
list=$(zcat "$WORK/e.cpio.gz" | cpio -itv --numeric-uid-gid 2>/dev/null | awk '{print $1, $3":"$4, $NF}' |
	grep -E ' (etc/passwd|etc/group|etc/nsswitch.conf|etc/ssl/certs/ca-certificates.crt|tmp|home/nonroot)$' | sort -k3 | paste -sd'|')
expect_eq "initramfs: the essentials, root's, /tmp sticky, nonroot's home" \
	"-rw-r--r-- 0:0 etc/group|-rw-r--r-- 0:0 etc/nsswitch.conf|-rw-r--r-- 0:0 etc/passwd|-rw-r--r-- 0:0 etc/ssl/certs/ca-certificates.crt|drwx------ 65532:65532 home/nonroot|drwxrwxrwt 0:0 tmp" \
	"$list"
args=$(zcat "$WORK/e.cpio.gz" | cpio -i --to-stdout tinyinit.args 2>/dev/null | tr '\0' ' ')
expect_match "initramfs: tinyinit gets --user 65532:65532" "--user 65532:65532 -- /hello" "$args"
