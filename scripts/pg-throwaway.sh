# Sourced by .ci/run and bench/run.sh: start a throwaway PostgreSQL cluster in
# a temporary folder, listening on a Unix socket there only (no port to
# collide with), and export TALKSTREAM_TEST_POSTGRES naming its database.
# PostgreSQL refuses to run as root: as root, the cluster belongs to the
# postgres user that Debian's package creates.

pg_throwaway_start() {
	local bin
	bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$bin" ]; then
		echo "pg-throwaway: no PostgreSQL server (apt-get install postgresql)" >&2
		return 1
	fi
	PG_DIR=$(mktemp -d /tmp/talkstream-pg.XXXXXX)
	chmod 755 "$PG_DIR"
	local as=()
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$PG_DIR"
		as=(runuser -u postgres --)
	fi
	PG_AS=("${as[@]}")
	PG_BIN=$bin
	"${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log" >&2; return 1; }
	"${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
		-o "-c listen_addresses='' -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null ||
		{ cat "$PG_DIR/server.log" >&2; return 1; }
	export TALKSTREAM_TEST_POSTGRES="postgres://postgres@/postgres?host=$PG_DIR"
	echo "pg-throwaway: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $PG_DIR"
}

pg_throwaway_stop() {
	[ -n "${PG_DIR:-}" ] || return 0
	"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$PG_DIR"
	PG_DIR=
}
