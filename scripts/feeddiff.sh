#!/usr/bin/env bash
# Differential harness: serve each directory of feed files on 127.0.0.1,
# read every file with talkstream's fetcher and with Debian's
# python3-feedparser, print the disagreements and a score per directory.
#   scripts/feeddiff.sh [-show N] [-class rejected|count|title|link|date] DIR...
set -euo pipefail
# Debian's feedparser lives in the system python, not in a pyenv or venv.
PYTHON=${PYTHON:-/usr/bin/python3}
export PYTHON
if ! "$PYTHON" -c 'import feedparser' 2>/dev/null; then
	echo "feeddiff: needs python3-feedparser (apt-get install python3-feedparser)" >&2
	exit 1
fi
args=()
for a in "$@"; do
	# Directories are made absolute: the harness runs from the module root.
	if [ -d "$a" ]; then a=$(cd "$a" && pwd); fi
	args+=("$a")
done
cd "$(dirname "$0")/.."
exec "${GO:-go}" run ./bench/cmd/feeddiff "${args[@]}"
