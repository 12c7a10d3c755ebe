# common.sh - what every bench script starts with (sourced): where things
# are, how many runs, the results folder, a scratch directory $T (named
# after $bench_name, which the script sets first).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${SESAME_BUILD:-$top/build}
SESAME=${SESAME:-$top/sesame}
N=${BENCH_N:-300}
out=$top/bench-results
mkdir -p "$out"
T=$(mktemp -d "/tmp/sesame-$bench_name.XXXXXX")
# Every background process a script starts goes into $pids: at exit (or
# interrupt) they are stopped and $T removed, after the script's own
# bench_cleanup if it defines one.  (set -e would end a plain loop at the
# first pid already gone.)
pids=
bench_cleanup() { :; }
cleanup() {
	bench_cleanup
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
