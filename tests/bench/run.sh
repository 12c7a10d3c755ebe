#!/bin/sh
# make bench: the bus's costs, each next to a baseline from the same run.
#   - whole CLI call (sesame status: exec + handshake + request) over the
#     exec of a static no-op binary;
#   - a request over a persistent connection (ping) over a raw Unix-socket
#     echo round trip;
#   - throughput with 1, 8 and 64 concurrent clients.
# Results: stdout and bench-results/bus.md.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${SESAME_BUILD:-$top/build}
SESAME=${SESAME:-$top/sesame}
N=${BENCH_N:-300}
out=$top/bench-results
mkdir -p "$out"
T=$(mktemp -d /tmp/sesame-bench.XXXXXX)
hub=
cleanup() { [ -n "$hub" ] && kill "$hub" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
export SESAME_RUNTIME_DIR=$T/run SESAME_CONFIG_DIR=$T/cfg SESAME_DATA_DIR=$T/data SESAME_CACHE_DIR=$T/cache
unset NOTIFY_SOCKET WATCHDOG_USEC

SESAME_LOG=warn "$SESAME" daemon profile 2>"$T/hub.log" &
hub=$!
for i in $(seq 100); do [ -s "$T/run/bus.pub" ] && break; sleep 0.05; done

val() { echo "$2" | sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

exec_line=$("$build/bench/timing" exec "$N" "$build/bench/noop" -- "$SESAME" status)
dyn_line=$("$build/bench/timing" exec "$N" "$build/bench/noop-dyn" -- "$SESAME" status)
static_bin=$top/build/static/sesame
if [ -x "$static_bin" ]; then
	static_line=$("$build/bench/timing" exec "$N" "$build/bench/noop" -- "$static_bin" status)
else
	static_line=
fi
echo_line=$("$build/bench/timing" echo 20000)
ping_line=$("$build/tests/buspeer" ping 20000)

# Throughput: K clients pinging for 2 s; sets tp_K (requests per second).
# (No command substitution: a subshell would run the EXIT trap.)
tp() {
	k=$1 pids=
	for i in $(seq "$k"); do
		"$build/tests/buspeer" ping-for 2000 >"$T/tp.$i" &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || { echo "bench: a client failed" >&2; exit 1; }; done
	total=0
	for i in $(seq "$k"); do total=$((total + $(sed -n 's/.*pings=\([0-9]*\).*/\1/p' "$T/tp.$i"))); done
	eval "tp_$k=$((total / 2))"
}
tp 1; tp 8; tp 64
tp1=$tp_1 tp8=$tp_8 tp64=$tp_64

noop50=$(val a_p50_us "$exec_line"); cli50=$(val b_p50_us "$exec_line"); cli95=$(val b_p95_us "$exec_line")
ratio_cli=$(val ratio_p50 "$exec_line")
echo50=$(val p50_us "$echo_line"); ping50=$(val p50_us "$ping_line"); ping99=$(val p99_us "$ping_line")
ratio_ping=$(awk -v a="$ping50" -v b="$echo50" 'BEGIN { printf "%.2f", a / b }')

{
	echo "# sesame bench: the bus ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores)"
	echo
	echo "| measurement | p50 | other | baseline (same run) | ratio (goal) |"
	echo "|---|---|---|---|---|"
	echo "| CLI call \`sesame status\` (exec + handshake + request), dynamic build, $N runs | ${cli50} us | p95 ${cli95} us | static no-op exec: ${noop50} us | ${ratio_cli} (< 3) |"
	echo "| the same, dynamic build | $(val b_p50_us "$dyn_line") us | p95 $(val b_p95_us "$dyn_line") us | dynamic (glibc) no-op exec: $(val a_p50_us "$dyn_line") us | $(val ratio_p50 "$dyn_line") |"
	if [ -n "$static_line" ]; then
		echo "| the same, static musl build | $(val b_p50_us "$static_line") us | p95 $(val b_p95_us "$static_line") us | static no-op exec: $(val a_p50_us "$static_line") us | $(val ratio_p50 "$static_line") (< 3) |"
	else
		echo "| the same, static musl build | not built (make static) | | | |"
	fi
	echo "| request over a persistent connection (ping), 20000 | ${ping50} us | p99 ${ping99} us | Unix-socket echo: ${echo50} us | ${ratio_ping} (< 3) |"
	echo "| throughput, 1 client | ${tp1} req/s | | | |"
	echo "| throughput, 8 clients | ${tp8} req/s | | | |"
	echo "| throughput, 64 clients | ${tp64} req/s | | | |"
} | tee "$out/bus.md"
