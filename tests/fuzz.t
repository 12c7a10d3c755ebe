#!/bin/sh
# Every fuzz target replays its seed corpus and runs a short bounded
# session (make fuzz builds them; long runs: build/fuzz/NAME corpus/ -max_total_time=600).
. "$(dirname "$0")/lib.sh"

found=0 missing=0
for src in "$SESAME_SRC"/tests/fuzz/*.c; do
	name=$(basename "$src" .c)
	bin=$SESAME_SRC/build/fuzz/$name
	if [ ! -x "$bin" ]; then
		skip "fuzz target $name not built (needs clang with libFuzzer: make fuzz)"
		missing=$((missing + 1))
		continue
	fi
	found=1
	mkdir -p "$T/$name"
	run "$bin" -runs=20000 -max_total_time=30 "$T/$name" "$SESAME_SRC/tests/fuzz/corpus/$name"
	ok "$rc" "fuzz target $name: seed corpus and 20000 runs without a finding"
	[ "$rc" -eq 0 ] || tail -20 "$T/err" | sed 's/^/#   /'
done
# make check builds every target wherever clang is there (the Makefile's
# HAVE_FUZZ_CC): then none may be missing.
if command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
	is "$found:$missing" "1:0" "every fuzz target was built (clang is here)"
fi
done_testing
