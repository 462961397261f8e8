#!/usr/bin/env bash
# Runs every `go test -fuzz` target in the module for a short time each
# (FUZZTIME, default 10s). Targets are found, not listed, so a new Fuzz
# function is fuzzed in CI without touching this script. A failure leaves
# the crashing input under the package's testdata/fuzz/, where `go test`
# then replays it on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}
GO=${GO:-go}
status=0
while IFS= read -r line; do
	file=${line%%:*}
	name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"${line#*:}")
	pkg=./$(dirname "$file")
	echo "fuzz $pkg $name ($FUZZTIME)"
	if ! "$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 5s "$pkg" >/tmp/fuzz.$$.log 2>&1; then
		cat /tmp/fuzz.$$.log
		status=1
	fi
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' . | grep -v '^./node_modules/' | sed -E 's/^\.\///; s/^([^:]*):[0-9]+:/\1:/' | sort)
rm -f /tmp/fuzz.$$.log
exit $status
