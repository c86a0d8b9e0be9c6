#!/bin/sh
# pg-test.sh - a throwaway PostgreSQL server for the tests and the bench.
#
#   scripts/pg-test.sh start DIR   initdb into DIR, start the server, print its URL
#   scripts/pg-test.sh stop DIR    stop it and remove DIR
#   scripts/pg-test.sh with CMD... run CMD with BL_TEST_PG_URL set to a fresh
#                                  server, stopped afterwards (`make unit` and
#                                  `make e2e`); without server binaries CMD
#                                  runs without it and the PostgreSQL tests
#                                  say they are skipped
#
# The server listens only on a Unix socket inside DIR (no TCP port, so
# nothing to collide with), trusts local connections, and has a database
# "baseline" owned by the role "baseline".  As root it runs as the
# "postgres" user (initdb refuses root).  The binaries are Debian's
# (/usr/lib/postgresql/N/bin, the newest N); scripts/deps.sh installs them.
set -eu

usage() { echo "usage: $0 start|stop DIR | with CMD..." >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$2

bin=""
for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/initdb" ] && bin=$d
done
if [ -z "$bin" ] && command -v initdb >/dev/null 2>&1; then
	bin=$(dirname "$(command -v initdb)")
fi

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	[ -n "$bin" ] || { echo "pg-test: no PostgreSQL server binaries (run scripts/deps.sh)" >&2; exit 1; }
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 ||
			useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
		chown postgres "$dir"
		# the folder's parents must let postgres reach the socket
		chmod 0755 "$dir"
	fi
	as_owner "$bin/initdb" -D "$dir/data" -A trust -U baseline -E UTF8 --locale=C.UTF-8 \
		--no-sync >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=64" \
		start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	as_owner "$bin/createdb" -h "$dir" -U baseline baseline
	echo "postgresql://baseline@/baseline?host=$dir"
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ] && [ -n "$bin" ]; then
		as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
with)
	shift
	if [ -n "${BL_TEST_PG_URL:-}" ]; then
		exec "$@"
	fi
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/bl-pg-XXXXXX")
	if url=$("$0" start "$tmp" 2>"$tmp.err"); then
		rm -f "$tmp.err"
		trap '"$0" stop "$tmp"' EXIT
		trap 'exit 130' INT TERM
		BL_TEST_PG_URL=$url "$@"
		exit $?
	fi
	echo "pg-test: no PostgreSQL server for the tests: $(cat "$tmp.err")" >&2
	rm -rf "$tmp" "$tmp.err"
	exec "$@"
	;;
*)
	usage
	;;
esac
