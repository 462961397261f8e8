#!/bin/sh
# make bench: install the peers (wrk, nginx, python3-feedparser) when they are
# missing, run the Go benchmarks, then the loopback harness (bench/cmd/talkbench),
# which writes BENCHMARKS.md. Everything takes about 25 minutes on 2 cores:
# the harness gets what the Go benchmarks left of BENCH_MINUTES and runs the
# full cycle of its 1,000-source world fewer times (at least once; never on a
# smaller world) when three would not fit (BENCHMARKS.md says so).
#
# Environment: GO (default go), BENCH_MINUTES (default 22), BENCH_COUNT
# (Go benchmark runs, default 6), BENCH_INSTANCES_SOURCES (the world of the
# several-instances run, default 100 sources), BENCH_HEAVY (regexp of the Go benchmarks that
# build large stores: run once each, default SQLite), BENCH_FLAGS (extra flags
# for `talkbench run`, e.g. "-sources 20 -entries 10" for a quick check).
set -eu
cd "$(dirname "$0")/.."
GO=${GO:-go}
BENCH_MINUTES=${BENCH_MINUTES:-22}
BENCH_COUNT=${BENCH_COUNT:-6}
BENCH_HEAVY=${BENCH_HEAVY:-SQLite}
start=$(date +%s)

need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need="$need nginx"
/usr/bin/python3 -c 'import feedparser' >/dev/null 2>&1 || need="$need python3-feedparser"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$need postgresql"
if [ -n "$need" ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "bench: installing$need"
	$sudo apt-get update -qq
	# The harness runs nginx itself, with its own config, on a free loopback port.
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pkgs=$(grep -rl --include='*_test.go' '^func Benchmark' . | xargs -n1 dirname | sort -u)

echo "bench: Go benchmarks ($BENCH_COUNT runs each) in:" $pkgs
$GO test -run '^$' -bench . -skip "$BENCH_HEAVY" -benchmem -count "$BENCH_COUNT" -benchtime 200ms -timeout 10m $pkgs | tee "$tmp/gobench.txt"
heavy=$(grep -l --include='*_test.go' -rE "^func Benchmark[A-Za-z0-9_]*($BENCH_HEAVY)" . | xargs -r -n1 dirname | sort -u)
if [ -n "$heavy" ]; then
	echo "bench: Go benchmarks matching $BENCH_HEAVY (once each) in:" $heavy
	$GO test -run '^$' -bench "$BENCH_HEAVY" -benchmem -count 1 -benchtime 1x -timeout 6m $heavy | tee -a "$tmp/gobench.txt" ||
		echo "bench: the $BENCH_HEAVY benchmarks failed or timed out; BENCHMARKS.md has the others"
fi

$GO build -o "$tmp/talkbench" ./bench/cmd/talkbench
left=$(awk -v m="$BENCH_MINUTES" -v s="$start" -v now="$(date +%s)" 'BEGIN { l = m * 60 - (now - s) - 20 - 240; if (l < 240) l = 240; printf "%ds", l }')
echo "bench: harness with a budget of $left"
# shellcheck disable=SC2086
"$tmp/talkbench" run -gobench "$tmp/gobench.txt" -deadline "$left" ${BENCH_FLAGS:-}

# Several instances on PostgreSQL (about 4 minutes, kept out of the harness's
# budget above): a throwaway cluster, as .ci/run starts one, then the world
# ingested by 1, 2 and 3 serve processes on it and by one on SQLite.
$GO build -o "$tmp/talkstream" ./cmd/talkstream
bash -c '. scripts/pg-throwaway.sh && pg_throwaway_start && trap pg_throwaway_stop EXIT &&
	"$0" instances -bin "$1" -md BENCHMARKS.md -sources "$2"' \
	"$tmp/talkbench" "$tmp/talkstream" "${BENCH_INSTANCES_SOURCES:-100}" ||
	echo "bench: the several-instances run failed; BENCHMARKS.md has the rest"
