#!/usr/bin/env bash
# bench/serve.sh - the decision endpoint under load (`make bench`): start
# `baseline serve` on a free loopback port with bench/baseline-20.yaml (20
# controls, all applying), load POST /v1/decide with wrk and a 1 KB resource
# (tests/fixtures/serve/resource-1k.json), print requests/s and latency
# percentiles, and the server's RSS before, after a warm-up and after the
# run (no growth expected).  Targets on a 2-core machine: >= 20,000
# decisions/s, p99 < 5 ms.  See docs/server.md.
#
# Environment:
#   SERVE_SECONDS=60       length of the measured run
#   SERVE_WARMUP=30        length of the unmeasured warm-up before it
#   SERVE_CONNS=16         wrk connections
#   SERVE_WRK_THREADS=1    wrk threads (the server keeps the other core)
#   SERVE_THREADS=2        server worker threads
#   BASELINE_BIN=./baseline
# Exit status: 0, or 1 when wrk is missing, the server does not start, or a
# request is answered other than 200.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${BASELINE_BIN:-$ROOT/baseline}
SECS=${SERVE_SECONDS:-60}
CONNS=${SERVE_CONNS:-16}
WRK_THREADS=${SERVE_WRK_THREADS:-1}
THREADS=${SERVE_THREADS:-2}
command -v wrk >/dev/null || { echo "bench/serve.sh: wrk is not installed (scripts/deps.sh)" >&2; exit 1; }

DIR=$(mktemp -d /tmp/bl-serve-bench-XXXXXX)
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
export BASELINE_STORE=$DIR/store.db
TOKEN=$("$BIN" token create --role viewer --name bench | tail -1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve -b bench/baseline-20.yaml --listen "127.0.0.1:$PORT" --threads "$THREADS" \
	>"$DIR/serve.out" 2>"$DIR/serve.err" &
PID=$!
for _ in $(seq 50); do
	curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }

cat >"$DIR/post.lua" <<EOF
wrk.method = "POST"
wrk.body = io.open("$ROOT/tests/fixtures/serve/resource-1k.json"):read("*a")
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  io.write(string.format("non-200: %d\n", summary.errors.status))
end
EOF
URL="http://127.0.0.1:$PORT/v1/decide"
BYTES=$(wc -c <tests/fixtures/serve/resource-1k.json)
echo "serve bench: 20 controls, ${BYTES}-byte resource, $CONNS connections, $THREADS server threads"
RSS0=$(rss)
# Warm-up long enough for the allocator's per-thread arenas to reach their
# working size (RSS then stays flat: docs/server.md, "Performance").
wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SERVE_WARMUP:-30}s" -s "$DIR/post.lua" "$URL" >/dev/null
RSS1=$(rss)
wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECS}s" --latency -s "$DIR/post.lua" "$URL" >"$DIR/wrk.out"
RSS2=$(rss)
rps=$(awk '/^Requests\/sec/ {print $2}' "$DIR/wrk.out")
pct() { awk -v p="$1" '$1 == p {print $2}' "$DIR/wrk.out"; }
printf '%-14s %12s %9s %9s %9s %9s\n' "run" "decisions/s" "p50" "p90" "p99" "max"
printf '%-14s %12s %9s %9s %9s %9s\n' "${SECS}s" "$rps" "$(pct 50%)" "$(pct 90%)" "$(pct 99%)" \
	"$(awk '/^    Latency/ {print $4}' "$DIR/wrk.out")"
echo "RSS: start ${RSS0} kB, after warm-up ${RSS1} kB, after the run ${RSS2} kB"
nonok=$(awk '/^non-200:/ {print $2}' "$DIR/wrk.out")
if [ "${nonok:-0}" != 0 ] || grep -q "Socket errors" "$DIR/wrk.out"; then
	grep -E "non-200|Socket errors" "$DIR/wrk.out"
	exit 1
fi
