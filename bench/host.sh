#!/usr/bin/env bash
# bench/host.sh - the host-scan half of `make bench` (issue 3, issue 9 item 4):
# time `baseline assess --host` on this machine, with and without the
# filesystem walk, against `find / -xdev` over the same tree and against the
# peers OpenSCAP (SCAP Security Guide, CIS Level 1 Server) and Lynis, and print
# the ratios the issues set as targets.  See bench/HOST.md.
#
# Environment:
#   BENCH_HOST=0                   skip this bench entirely
#   BENCH_HOST_RUNS=3              runs of find and of each Baseline row (median)
#   BENCH_HOST_PEER_RUNS=1         runs of oscap (~90 s each) and lynis (~50 s)
#   BENCH_HOST_PEERS="oscap lynis" which peers to time ("" for none)
#   BENCH_HOST_INSTALL=1           apt-get install missing peers (openscap-scanner,
#                                  ssg-debderived, lynis) when root or with sudo
#   BENCH_DIR=/tmp/baseline-bench  where tools and temporary copies live
#   BASELINE_BIN=./baseline
# Exit status: 0, or 1 when Baseline or find fails or the no-walk baseline
# does not have the expected controls.  A missed target is printed, not fatal
# (the machine is shared: see the load average printed with the table).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
[ "${BENCH_HOST:-1}" = 0 ] && exit 0
BIN=${BASELINE_BIN:-$ROOT/baseline}
RUNS=${BENCH_HOST_RUNS:-3}
PEER_RUNS=${BENCH_HOST_PEER_RUNS:-1}
PEERS=${BENCH_HOST_PEERS-"oscap lynis"}
INSTALL=${BENCH_HOST_INSTALL:-1}
DIR=${BENCH_DIR:-/tmp/baseline-bench}
NPROC=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
CONTENT=$ROOT/content/baselines/linux-host.yaml
SSG_DS=/usr/share/xml/scap/ssg/content/ssg-ubuntu2204-ds.xml
SSG_PROFILE=xccdf_org.ssgproject.content_profile_cis_level1_server
export LC_ALL=C

die() { echo "bench-host: $*" >&2; exit 1; }
say() { echo "bench-host: $*" >&2; }

[ -x "$BIN" ] || die "$BIN not found: run make first"
for t in cc jq find awk; do
	command -v "$t" >/dev/null || die "$t not found (scripts/deps.sh installs it)"
done
mkdir -p "$DIR"

# The timer from bench/timeit.c, rebuilt when its source changes (as run.sh does).
tag=$(sha256sum "$ROOT/bench/timeit.c" | cut -c1-12)
TIMEIT=$DIR/timeit-$tag
if [ ! -x "$TIMEIT" ]; then
	cc -O2 -std=c11 -Wall -o "$TIMEIT.tmp" "$ROOT/bench/timeit.c" && mv "$TIMEIT.tmp" "$TIMEIT"
fi

# ---- peers: installed on demand, never needed by `make check` ---------------------
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
install_peers() {
	local missing="" p sudo=""
	for p in "$@"; do have_pkg "$p" || missing="$missing $p"; done
	[ -z "$missing" ] && return 0
	[ "$INSTALL" = 1 ] || { say "not installing$missing (BENCH_HOST_INSTALL=0)"; return 1; }
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || { say "need root or sudo to install$missing"; return 1; }
		sudo=sudo
	fi
	say "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 && return 0
	$sudo apt-get update -qq >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1
}

OSCAP_DS=""
case " $PEERS " in *" oscap "*)
	if install_peers openscap-scanner ssg-debderived && [ -s "$SSG_DS" ]; then
		# The data stream targets Ubuntu 22.04: its benchmark-level platform
		# (the Ubuntu CPE) makes every rule notapplicable on Debian.  Drop
		# that one line in a copy; rule-level platforms (#machine, #sudo...)
		# stay.
		OSCAP_DS=$DIR/ssg-ubuntu2204-ds-noplatform.xml
		sed '/<xccdf-1\.2:platform idref="cpe:\/o:canonical:ubuntu_linux:[^"]*"\/>/d' \
			"$SSG_DS" > "$OSCAP_DS.tmp"
		cmp -s "$SSG_DS" "$OSCAP_DS.tmp" && die "no Ubuntu platform line found in $SSG_DS"
		mv "$OSCAP_DS.tmp" "$OSCAP_DS"
	else
		say "oscap or the SSG content is not available: its row is skipped"
	fi ;;
esac
LYNIS=""
case " $PEERS " in *" lynis "*)
	if install_peers lynis; then
		LYNIS=$(command -v lynis || echo /usr/sbin/lynis)
	else
		say "lynis is not available: its row is skipped"
	fi ;;
esac

# ---- the baseline without the walk: generated from the shipped content ------------
# Every control whose text reads walk.* is excluded through tailoring, so the
# copy follows the content as it changes.
WALK_IDS=$(awk '/^  - id:/ { id = $3 } /walk\./ && id != "" { print id }' "$CONTENT" | sort -u)
[ -n "$WALK_IDS" ] || die "no control of $CONTENT reads walk.*"
NOWALK=$DIR/linux-host-nowalk.yaml
{
	echo "baseline: linux-host-nowalk"
	echo "version: 1.0.0"
	echo "title: builtin:linux-host without the filesystem walk (bench/host.sh)"
	echo "extends: [builtin:linux-host]"
	echo "tailor:"
	echo "  exclude: [$(echo $WALK_IDS | sed 's/ /, /g')]"
} > "$NOWALK"
controls() { "$BIN" assess --no-store --host -b "$1" -f json | jq '.summary.controls'; }
n_all=$(controls builtin:linux-host) || die "baseline assess --host failed"
n_nowalk=$(controls "$NOWALK") || die "baseline assess --host -b $NOWALK failed"
n_walk=$(echo "$WALK_IDS" | wc -l)
[ "$n_nowalk" -eq $((n_all - n_walk)) ] ||
	die "the no-walk baseline has $n_nowalk controls, expected $n_all - $n_walk"
say "builtin:linux-host: $n_all controls; without the walk: $n_nowalk" \
    "(excluded: $(echo $WALK_IDS))"

# ---- timings -------------------------------------------------------------------------
RESULTS=$DIR/host-results.tsv
: > "$RESULTS"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# run_once NAME CMD...: one timed run appended to $DIR/host-raw-NAME.
# Exit codes: Baseline must succeed; find (1 when a file vanishes under it:
# the machine is shared), oscap (2: some rule failed) and lynis may exit
# non-zero after a complete run; a signal or a failure to start (125) is
# fatal for everyone.
run_once() {
	local name=$1 line rc=0
	shift
	line=$("$TIMEIT" -- "$@") || rc=$?
	if [ "$rc" -ge 125 ] || { [ "$rc" != 0 ] && [ "${name#find}" = "$name" ] && [ "${name#peer-}" = "$name" ]; }; then
		die "$name failed (exit $rc): $*"
	fi
	echo "$line" >> "$DIR/host-raw-$name"
}

# median NAME LABEL: the median of each column of the raw runs into $RESULTS.
median() {
	local col out=""
	for col in 1 2 3 4; do
		out="$out	$(cut -d' ' -f$col "$DIR/host-raw-$1" | sort -g |
			awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
	done
	printf '%s\t%s%s\n' "$1" "$2" "$out" >> "$RESULTS"
}

# The walk's own question asked of find, for reference: find must then
# lstat every entry, as the walk does (plain `find -xdev` stats directories
# only, the dirent type telling it the rest).
FIND_SAME='\( -nouser -o -nogroup -o \( -perm -0002 ! -type l \) -o -perm -4000 -o -perm -2000 \) -print'
rm -f "$DIR"/host-raw-*
say "warming the caches (one untimed run of find and of baseline)"
find / -xdev > /dev/null 2>&1 || true
"$BIN" assess --no-store --host -f json > /dev/null

# Interleaved, so that a burst of load from elsewhere hits every row alike.
say "timing find and baseline: $RUNS runs each"
for ((i = 0; i < RUNS; i++)); do
	run_once find sh -c 'exec find / -xdev 2>/dev/null'
	run_once find-same sh -c "exec find / -xdev $FIND_SAME 2>/dev/null"
	run_once all "$BIN" assess --no-store --host -f json
	run_once nowalk "$BIN" assess --no-store --host -b "$NOWALK" -f json
	run_once walk "$BIN" facts walk
done
median find "find / -xdev"
median find-same "find, the walk's checks"
median all "baseline --host (all)"
median nowalk "baseline --host (no walk)"
median walk "baseline facts walk"

if [ -n "$OSCAP_DS" ]; then
	say "timing oscap (CIS Level 1 Server, Ubuntu 22.04 SSG): $PEER_RUNS runs"
	for ((i = 0; i < PEER_RUNS; i++)); do
		run_once peer-oscap oscap xccdf eval --profile "$SSG_PROFILE" "$OSCAP_DS"
	done
	median peer-oscap "oscap xccdf eval"
fi
if [ -n "$LYNIS" ]; then
	say "timing lynis audit system --quick: $PEER_RUNS runs"
	for ((i = 0; i < PEER_RUNS; i++)); do
		run_once peer-lynis "$LYNIS" audit system --quick --no-colors
	done
	median peer-lynis "lynis --quick"
fi

# ---- the table -------------------------------------------------------------------------
echo
printf 'Host bench  (%s, %s cores, load %s at start; medians of %s runs, peers %s)\n' \
	"$(uname -m)" "$NPROC" "$LOAD0" "$RUNS" "$PEER_RUNS"
awk -F'\t' -v nall="$n_all" -v nnowalk="$n_nowalk" '
	{ name[NR] = $1; label[NR] = $2; wall[$1] = $3; cpu[$1] = $4 + $5; rss[$1] = $6
	  user[$1] = $4; sys[$1] = $5 }
	END {
		printf "%-28s %8s %8s %8s %8s %10s\n", "row", "wall s", "user s", "sys s", "RSS MB", "vs oscap"
		for (i = 1; i <= NR; i++) {
			n = name[i]
			vs = ("peer-oscap" in wall) && wall[n] > 0 ? sprintf("%.0fx", wall["peer-oscap"] / wall[n]) : "-"
			printf "%-28s %8.3f %8.3f %8.3f %8.1f %10s\n", label[i], wall[n], user[n], sys[n], \
				rss[n] / 1024, vs
		}
		print ""
		r = wall["all"] / wall["find"]
		printf "baseline with walk / find (wall):  %5.2fx   target <= 1.5x   %s\n", r, r <= 1.5 ? "met" : "MISSED"
		printf "baseline with walk / find (cpu):   %5.2fx   (user+sys: what the load on a shared machine does not change)\n", \
			cpu["all"] / cpu["find"]
		printf "baseline with walk / find with the walk'"'"'s checks (wall): %.2fx\n", wall["all"] / wall["find-same"]
		ms = wall["nowalk"] * 1000
		printf "baseline without walk:           %5.0f ms   target < 150 ms  %s   (%d of %d controls)\n", \
			ms, ms < 150 ? "met" : "MISSED", nnowalk, nall
		mb = rss["all"] / 1024
		printf "peak RSS, with walk:              %5.1f MB   target < 32 MB   %s\n", mb, mb < 32 ? "met" : "MISSED"
		if ("peer-oscap" in wall)
			printf "oscap / baseline (wall):          %6.0fx   (oscap peak RSS %.0f MB)\n", \
				wall["peer-oscap"] / wall["all"], rss["peer-oscap"] / 1024
		if ("peer-lynis" in wall)
			printf "lynis / baseline (wall):          %6.0fx   (lynis peak RSS %.0f MB)\n", \
				wall["peer-lynis"] / wall["all"], rss["peer-lynis"] / 1024
	}' "$RESULTS"
echo "raw results: $RESULTS, $DIR/host-raw-*"
