# The size gate: build/tinyinit, build/tinyinit-net, build/aarch64/tinyinit and -net
# within their budgets. The sizes and budgets are read from `make size`
# itself (the Makefile's INIT_BUDGET and A64_BUDGET: one source of truth),
# and the gate is shown to fail when a budget is lowered below a size.
. "$(dirname "$0")/../lib.sh"

# over OUTPUT: one line per binary over its budget; "missing" unless all
# four lines of `make size` were found.
over() {
	printf '%s\n' "$1" | awk '
		/^tinyinit(-net)?( \([a-z0-9 ]+\))?: [0-9]+ bytes \(budget [0-9]+,/ {
			n++; name = $0; sub(/: [0-9]+ bytes.*/, "", name)
			s = $0; sub(/^[^:]*: /, "", s); split(s, w, " ")
			b = $0; sub(/.*\(budget /, "", b); sub(/,.*/, "", b)
			if (w[1] + 0 > b + 0) print name ": " w[1] " > " b
		}
		END { if (n != 4) print "missing: " n " of 4 size lines" }'
}

out=$(make -C "$TOP" --no-print-directory -s size 2>&1)
rc=$?
expect_eq "make size runs" 0 "$rc"
expect_eq "tinyinit, tinyinit-net and the aarch64 builds are within their budgets" "" "$(over "$out")"
echo "$out" | grep -E '^tinyinit.*bytes' | sed 's/^/# /'
# The gate can fail: the same binaries against a budget of 1000 bytes.
out=$(make -C "$TOP" --no-print-directory -s size INIT_BUDGET=1000 A64_BUDGET=1000 2>&1)
expect_eq "the gate fails each binary over a lowered budget" \
	"tinyinit|tinyinit-net (network build)|tinyinit (aarch64)|tinyinit-net (aarch64 network build)" \
	"$(over "$out" | sed 's/: [0-9]* > 1000$//' | paste -sd'|')"
