#!/bin/sh
# Stand-in for ./baseline that runs it under valgrind memcheck, for
# `make valgrind` (BASELINE_BIN points here while tests/e2e runs).  Any
# memory error or definite/possible leak makes the command exit 99, which no
# e2e test expects, so the test fails and the log names the problem.
#   BASELINE_REAL  the binary to run (default: ./baseline next to scripts/)
here=$(cd "$(dirname "$0")/.." && pwd)
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible \
	--show-leak-kinds=definite,possible --track-fds=no \
	--suppressions="$here/scripts/valgrind.supp" \
	"${BASELINE_REAL:-$here/baseline}" "$@"
