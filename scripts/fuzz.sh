#!/bin/sh
# Build every fuzz target against build-fuzz/libbaseline.a (ASan+UBSan,
# libFuzzer) and run each for SECONDS, starting from its seed corpus in
# fuzz/corpus/NAME (copied, so the committed corpus only grows by hand).
# Prints executions and findings per target; exits 1 if any target crashed.
# The diffjson target is differential: after fuzzing, its grown corpus goes
# through scripts/json-diff-oracle.py (our reader vs python3's json), and a
# disagreement is a finding too.
#   scripts/fuzz.sh SECONDS fuzz/fuzz_a.c fuzz/fuzz_b.c ...
set -u
secs=$1; shift
out=build-fuzz/run
mkdir -p "$out"
# the Makefile passes its link libraries and include flags (one list, kept there)
libs=${FUZZ_LIBS:-$(pkg-config --libs yaml-0.1 libpcre2-8 libsodium liblz4 zlib liblzma)}
cflags=${FUZZ_CFLAGS:-}
status=0
for src in "$@"; do
	name=$(basename "$src" .c); name=${name#fuzz_}
	bin=build-fuzz/fuzz_$name
	clang -g -O1 -std=c11 -D_GNU_SOURCE -Isrc -Ibuild-fuzz/gen $cflags \
		-fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
		-o "$bin" "$src" build-fuzz/libbaseline.a $libs -lpthread -lm || { status=1; continue; }
	corpus=$out/corpus-$name
	mkdir -p "$corpus"
	[ -d "fuzz/corpus/$name" ] && cp -n fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
	dict=""
	[ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
	log=$out/$name.log
	# -rss_limit_mb keeps a hostile input from eating the machine
	"$bin" $dict -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="$out/$name-" -print_final_stats=1 "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		echo "fuzz $name: ${execs:-?} executions, no findings"
	else
		echo "fuzz $name: FINDING after ${execs:-?} executions (see $log)"
		tail -30 "$log"
		status=1
	fi
	if [ "$name" = diffjson ]; then
		dump=build-fuzz/diffjson-dump
		if clang -g -O1 -std=c11 -D_GNU_SOURCE -Isrc -Ibuild-fuzz/gen -DBL_DIFFJSON_MAIN \
			-fsanitize=address,undefined -fno-omit-frame-pointer -o "$dump" "$src" \
			build-fuzz/libbaseline.a $libs -lpthread -lm &&
			python3 scripts/json-diff-oracle.py "$dump" "$corpus" >"$out/diffjson-oracle.log" 2>&1; then
			echo "fuzz diffjson: $(tail -1 "$out/diffjson-oracle.log")"
		else
			echo "fuzz diffjson: DISAGREEMENT with python's json (see $out/diffjson-oracle.log)"
			head -20 "$out/diffjson-oracle.log"
			status=1
		fi
	fi
done
exit $status
