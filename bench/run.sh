#!/usr/bin/env bash
# bench/run.sh - `make bench`: generate synthetic snapshots, check that
# Baseline, jq and python agree on the failing (asset, control) pairs, then
# time them and print a table.  See bench/README.md.
#
# Environment:
#   BENCH_SIZES="100000 1000000"   snapshot sizes (resources) to time
#   BENCH_RUNS=5                   runs per Baseline measurement (median)
#   BENCH_PEER_RUNS=3              runs per jq/python measurement (median)
#   BENCH_PEERS="jq python"        which peers to time ("" for none)
#   BENCH_SEED=42                  generator seed
#   BENCH_CHECK_SIZE=100000        size of the equality check
#   BENCH_DIR=/tmp/baseline-bench  where snapshots and tools live (reused)
#   BENCH_THREADS=$(nproc)         the "all cores" thread count
#   BASELINE_BIN=./baseline
# Exit status: 0, or 1 when the equality check fails or a tool fails.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${BASELINE_BIN:-$ROOT/baseline}
SIZES=${BENCH_SIZES:-"100000 1000000"}
RUNS=${BENCH_RUNS:-5}
PEER_RUNS=${BENCH_PEER_RUNS:-$(( RUNS < 3 ? RUNS : 3 ))}
PEERS=${BENCH_PEERS-"jq python"}
SEED=${BENCH_SEED:-42}
CHECK_N=${BENCH_CHECK_SIZE:-100000}
DIR=${BENCH_DIR:-/tmp/baseline-bench}
NPROC=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
THREADS=${BENCH_THREADS:-$NPROC}
B10=$ROOT/bench/baseline-10.yaml
B100=$ROOT/bench/baseline-100.yaml
BPARSE=$ROOT/bench/baseline-parse.yaml
export LC_ALL=C

die() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

[ -x "$BIN" ] || die "$BIN not found: run make first"
for t in jq python3 cc; do
	command -v "$t" >/dev/null || die "$t not found (scripts/deps.sh installs it)"
done
mkdir -p "$DIR"

# ---- tools: built from bench/*.c, rebuilt when the source changes ----------
build_tool() { # name -> path
	local src=$ROOT/bench/$1.c tag
	tag=$(sha256sum "$src" | cut -c1-12)
	local exe=$DIR/$1-$tag
	if [ ! -x "$exe" ]; then
		cc -O2 -std=c11 -Wall -o "$exe.tmp" "$src" && mv "$exe.tmp" "$exe"
	fi
	echo "$exe"
}
GEN=$(build_tool gen)
TIMEIT=$(build_tool timeit)
GENTAG=$(basename "$GEN" | sed 's/^gen-//')

# ---- snapshots: reused when the generator and seed are the same -------------
snapshot() { # n shape -> path
	local n=$1 shape=$2 ext
	case $shape in lines) ext=jsonl ;; array) ext=json ;; wrapped) ext=arg.json ;; esac
	local f=$DIR/snap-$GENTAG-s$SEED-n$n.$ext
	if [ ! -s "$f" ]; then
		say "generating $n resources ($shape) -> $f"
		"$GEN" -n "$n" -s "$SEED" -f "$shape" -o "$f.tmp" && mv "$f.tmp" "$f"
	fi
	echo "$f"
}

# ---- 1. equality check ---------------------------------------------------------
# Baseline's report goes to stdout, never -o: -o writes a temporary file next
# to the target and renames it over the target.
baseline_pairs() { # snapshot out_pairs
	local json=$DIR/check-result.json
	"$BIN" assess --no-store -q -b "$B10" -s "$1" -f json > "$json" ||
		die "baseline assess failed on $1 (exit $?)"
	# One jq pass: failures and errors (an error where the references say
	# pass would otherwise slip through the comparison).
	jq -r '.results[] | select(.status == "fail" or .status == "error")
	       | "\(.status)\t\(.asset)\t\(.control)"' "$json" > "$json.pairs"
	local errs
	errs=$(grep -c '^error' "$json.pairs" || true)
	[ "$errs" = 0 ] || die "baseline reported $errs error results on $1 (see $json.pairs)"
	sed 's/^fail\t//' "$json.pairs" | sort > "$2"
	rm -f "$json" "$json.pairs"
}

same_or_die() { # a b what
	if ! cmp -s "$1" "$2"; then
		echo "bench: MISMATCH: $3" >&2
		diff "$1" "$2" | head -20 >&2
		echo "bench: ($(diff "$1" "$2" | grep -c '^[<>]') differing lines; files in $DIR)" >&2
		exit 1
	fi
}

say "equality check on $CHECK_N resources"
CL=$(snapshot "$CHECK_N" lines)
CA=$(snapshot "$CHECK_N" array)
CW=$(snapshot "$CHECK_N" wrapped)
jq -r -f "$ROOT/bench/rules.jq" "$CL" | sort > "$DIR/pairs.jq"
python3 "$ROOT/bench/ref.py" "$CL" | sort > "$DIR/pairs.py"
python3 "$ROOT/bench/ref.py" "$CW" | sort > "$DIR/pairs.py.wrapped"
baseline_pairs "$CL" "$DIR/pairs.baseline"
baseline_pairs "$CA" "$DIR/pairs.baseline.array"
baseline_pairs "$CW" "$DIR/pairs.baseline.wrapped"
same_or_die "$DIR/pairs.jq" "$DIR/pairs.py" "jq (<) vs python (>)"
same_or_die "$DIR/pairs.py" "$DIR/pairs.py.wrapped" "python: lines (<) vs wrapped (>)"
same_or_die "$DIR/pairs.jq" "$DIR/pairs.baseline" "jq (<) vs baseline (>), JSON lines"
same_or_die "$DIR/pairs.baseline" "$DIR/pairs.baseline.array" "baseline: lines (<) vs array (>)"
same_or_die "$DIR/pairs.baseline" "$DIR/pairs.baseline.wrapped" "baseline: lines (<) vs wrapped (>)"
say "equality check ok: $(wc -l < "$DIR/pairs.jq") failing pairs agree" \
    "(jq, python, baseline on lines/array/wrapped)"

# ---- 2. timings ------------------------------------------------------------------
RESULTS=$DIR/results.tsv
: > "$RESULTS"

# measure TOOL SHAPE N FILE RUNS CMD...: median wall/user/sys/rss of RUNS runs.
measure() {
	local tool=$1 shape=$2 n=$3 file=$4 runs=$5
	shift 5
	local raw=$DIR/raw.txt r line
	: > "$raw"
	for ((r = 0; r < runs; r++)); do
		line=$("$TIMEIT" -- "$@") || die "$tool failed on $file"
		echo "$line" >> "$raw"
	done
	local bytes
	bytes=$(stat -c %s "$file")
	# median of each column independently
	local med=()
	for col in 1 2 3 4; do
		med+=("$(awk -v c=$col '{print $c}' "$raw" | sort -g |
			awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')")
	done
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$shape" "$n" "${med[0]}" "${med[1]}" \
		"${med[2]}" "${med[3]}" "$bytes" >> "$RESULTS"
	printf 'bench:   %-24s %-6s %8s  %7.2fs  %6.0f MB\n' "$tool" "$shape" "$n" "${med[0]}" \
		"$(awk -v k="${med[3]}" 'BEGIN{print k/1024}')" >&2
}

has_peer() { case " $PEERS " in *" $1 "*) return 0 ;; esac; return 1; }

for n in $SIZES; do
	for shape in lines array; do
		f=$(snapshot "$n" "$shape")
		say "timing $n resources, $shape ($(( $(stat -c %s "$f") / 1000000 )) MB)"
		measure "floor (wc -l)" "$shape" "$n" "$f" "$RUNS" wc -l "$f"
		if has_peer jq; then
			measure "jq" "$shape" "$n" "$f" "$PEER_RUNS" jq -r -f "$ROOT/bench/rules.jq" "$f"
		fi
		if has_peer python; then
			measure "python3" "$shape" "$n" "$f" "$PEER_RUNS" python3 "$ROOT/bench/ref.py" "$f"
		fi
		measure "baseline parse-only t1" "$shape" "$n" "$f" "$RUNS" \
			"$BIN" assess --no-store -q -b "$BPARSE" -s "$f" -f json --threads 1
		measure "baseline parse-only t$THREADS" "$shape" "$n" "$f" "$RUNS" \
			"$BIN" assess --no-store -q -b "$BPARSE" -s "$f" -f json --threads "$THREADS"
		measure "baseline 10 rules t1" "$shape" "$n" "$f" "$RUNS" \
			"$BIN" assess --no-store -q -b "$B10" -s "$f" -f json --threads 1
		measure "baseline 10 rules t$THREADS" "$shape" "$n" "$f" "$RUNS" \
			"$BIN" assess --no-store -q -b "$B10" -s "$f" -f json --threads "$THREADS"
		measure "baseline 100 rules t1" "$shape" "$n" "$f" "$RUNS" \
			"$BIN" assess --no-store -q -b "$B100" -s "$f" -f json --threads 1
		measure "baseline 100 rules t$THREADS" "$shape" "$n" "$f" "$RUNS" \
			"$BIN" assess --no-store -q -b "$B100" -s "$f" -f json --threads "$THREADS"
	done
done

# Startup: load and compile the 100-control baseline, assess one resource.
one=$DIR/one.jsonl
"$GEN" -n 1 -s "$SEED" -o "$one"
# start_ms BASELINE: "WALL ms wall, CPU ms CPU", medians of 21 runs (CPU = user + sys, which
# the load of a shared machine changes less than wall time).
start_ms() {
	local i reps=21 raw=$DIR/start.txt
	: > "$raw"
	for ((i = 0; i < reps; i++)); do
		"$TIMEIT" -- "$BIN" assess --no-store -q -b "$1" -s "$one" -f json >> "$raw" ||
			die "baseline assess -b $1 failed"
	done
	local wall cpu
	wall=$(awk '{print $1 * 1000}' "$raw" | sort -g | awk '{v[NR]=$1} END {print v[(NR+1)/2]}')
	cpu=$(awk '{print ($2 + $3) * 1000}' "$raw" | sort -g | awk '{v[NR]=$1} END {print v[(NR+1)/2]}')
	printf '%.1f ms wall, %.1f ms CPU' "$wall" "$cpu"
}
STARTUP10=$(start_ms "$B10")
STARTUP100=$(start_ms "$B100")

# ---- 3. the table ----------------------------------------------------------------
echo
printf 'Baseline bench  (%s, %s cores, seed %s, medians of %s runs; peers %s runs)\n' \
	"$(uname -m)" "$NPROC" "$SEED" "$RUNS" "$PEER_RUNS"
awk -F'\t' '
	$1 == "jq" { jq[$2 "/" $3] = $4 }
	{ row[NR] = $0 }
	END {
		printf "%-24s %-6s %8s %8s %8s %7s %8s %8s %10s %8s\n", "tool", "shape", "size", \
			"wall s", "user s", "sys s", "RSS MB", "MB/s", "res/s", "vs jq"
		for (i = 1; i <= NR; i++) {
			split(row[i], f, "\t")
			ratio = (f[2] "/" f[3]) in jq && f[4] > 0 ? sprintf("%.1fx", jq[f[2] "/" f[3]] / f[4]) : "-"
			mbs = f[4] > 0 ? sprintf("%.0f", f[8] / 1e6 / f[4]) : "-"
			rps = f[4] > 0 ? sprintf("%.0f", f[3] / f[4]) : "-"
			printf "%-24s %-6s %8s %8.2f %8.2f %7.2f %8.1f %8s %10s %8s\n", f[1], f[2], f[3], \
				f[4], f[5], f[6], f[7] / 1024, mbs, rps, ratio
		}
	}' "$RESULTS"
printf 'startup (load + compile + 1 resource, medians of 21): 10 controls %s; 100 controls %s\n' \
	"$STARTUP10" "$STARTUP100"
echo "raw results: $RESULTS"
