#!/usr/bin/env bash
# bench/store.sh - the store half of `make bench` (issue 5): store one
# synthetic run of 1M results (bench/storebench.c) in SQLite and in
# PostgreSQL (a throwaway server, scripts/pg-test.sh) and print results per
# second and bytes on disk per result.  See docs/store.md.
#
# Environment:
#   BENCH_STORE_RESULTS=1000000    results in the run
#   BENCH_DIR=/tmp/baseline-bench  where the stores live (store/ under it)
#   BUILD=build                    the build folder holding libbaseline.a
# Exit status: 0, or 1 when a store fails.  Without PostgreSQL server
# binaries its row says "skipped".
set -euo pipefail

cd "$(dirname "$0")/.."
N=${BENCH_STORE_RESULTS:-1000000}
DIR=${BENCH_DIR:-/tmp/baseline-bench}/store
BUILD=${BUILD:-build}
mkdir -p "$DIR"
PKGS=$(sed -n 's/^PKGS *:= //p' Makefile)
# shellcheck disable=SC2046,SC2086
cc -O2 -std=c11 -D_GNU_SOURCE -Isrc -I"$BUILD/gen" $(pkg-config --cflags $PKGS) \
	-o "$DIR/storebench" bench/storebench.c "$BUILD/libbaseline.a" \
	$(pkg-config --libs $PKGS) -lpthread -lm

echo "store: one run of $N results (N/10 assets x 10 controls, 1 in 5 failing with evidence)"
printf '%-12s %10s %9s %11s %13s\n' store results seconds results/s bytes/result

rm -f "$DIR/bench.db" "$DIR/bench.db-wal" "$DIR/bench.db-shm"
read -r n secs rate < <("$DIR/storebench" "$DIR/bench.db" "$N")
size=$(stat -c %s "$DIR/bench.db")
printf '%-12s %10s %9s %11s %13s\n' sqlite "$n" "$secs" "$rate" "$((size / n))"
rm -f "$DIR/bench.db"

pg=$(mktemp -d /tmp/bl-pg-bench-XXXXXX)
if url=$(scripts/pg-test.sh start "$pg" 2>/dev/null); then
	trap 'scripts/pg-test.sh stop "$pg"' EXIT
	read -r n secs rate < <("$DIR/storebench" "$url" "$N")
	size=$(psql "$url" -X -tA -c "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
		JOIN pg_namespace s ON s.oid=c.relnamespace
		WHERE s.nspname='public' AND c.relkind='r'")
	printf '%-12s %10s %9s %11s %13s\n' postgresql "$n" "$secs" "$rate" "$((size / n))"
else
	rm -rf "$pg"
	printf '%-12s %s\n' postgresql "skipped: no PostgreSQL server binaries (scripts/deps.sh)"
fi
