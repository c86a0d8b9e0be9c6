#!/bin/sh
# Run every unit-test binary; print one total line CI can read.
# Each binary is a cmocka program (exit status = number of failed tests).
set -u
pass=0; fail=0; failed=""
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	n=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	pass=$((pass + ${n:-0}))
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out"
		fail=$((fail + ${f:-1}))
		failed="$failed $t"
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "failing:$failed" >&2; exit 1; }
