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
