#!/bin/sh
# make bench, the roles' memory: each daemon role's RSS when idle, after
# one request of its kind, for the static build (the headless roles, as on
# an embedded image) and the dynamic one (all that run without a
# compositor: daemon-wm and daemon-clipboard need one, and sway will not
# run as root, where make bench usually runs).  Goal (issue 9): every
# role under 4 MiB.  Shared library text counts in RSS: a dynamic role
# carries libc, SQLite and libsodium pages that other processes share.
# Results: stdout and bench-results/roles.md.
bench_name=roles
. "$(dirname "$0")/common.sh"
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
unset NOTIFY_SOCKET WATCHDOG_USEC
static=$top/build/static/sesame
kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# measure BIN LABEL: start the hub and the roles with BIN, exercise each
# once, let them settle, print "LABEL role RSS-KiB" lines.
measure() {
	bin=$1 label=$2
	d=$T/$label
	export SESAME_RUNTIME_DIR=$d/run SESAME_CONFIG_DIR=$d/cfg SESAME_DATA_DIR=$d/data SESAME_CACHE_DIR=$d/cache
	mkdir -p "$d/cfg" "$d/apps/applications"
	printf '[Desktop Entry]\nType=Application\nName=Bench\nExec=true\n' >"$d/apps/applications/bench.desktop"
	printf '[profiles.default.input.bindings]\n"ctrl+alt+b" = "status"\n' >"$d/cfg/config.toml"
	SESAME_LOG=warn "$bin" daemon profile 2>"$d/hub.log" &
	hub=$!
	pids="$pids $hub"
	for i in $(seq 100); do [ -s "$d/run/bus.pub" ] && break; sleep 0.05; done
	roles="secrets launcher snippets"
	"$bin" daemon input --help 2>/dev/null | grep -q "no desktop roles" || roles="$roles input"
	for r in $roles; do
		case $r in
		input) mkfifo "$d/kbd"; set -- --event-pipe "$d/kbd" ;;
		*) set -- ;;
		esac
		XDG_DATA_DIRS=$d/apps XDG_DATA_HOME=$d/none SESAME_LOG=warn "$bin" daemon "$r" "$@" 2>"$d/$r.log" &
		eval "pid_$r=$!"
		pids="$pids $!"
	done
	for i in $(seq 100); do
		n=0
		for r in $roles; do "$bin" status 2>/dev/null | grep -q "roles:.* $r" && n=$((n + 1)); done
		[ "$n" -eq "$(echo $roles | wc -w)" ] && break
		sleep 0.05
	done
	printf 'pw\n' | "$bin" init >/dev/null 2>&1
	printf 'v' | "$bin" secret set k >/dev/null 2>&1
	"$bin" secret get k >/dev/null 2>&1
	"$bin" launch search bench >/dev/null 2>&1
	"$bin" snippet add s 'x ${date}' >/dev/null 2>&1
	"$bin" snippet expand s >/dev/null 2>&1
	case " $roles " in *" input "*) "$bin" input status >/dev/null 2>&1 ;; esac
	sleep 1
	echo "$label profile $(kb "$hub" VmRSS)"
	for r in $roles; do
		eval "p=\$pid_$r"
		echo "$label $r $(kb "$p" VmRSS)"
	done
}

{
	[ -x "$static" ] && measure "$static" static
	measure "$SESAME" dynamic
} >"$T/rss"
cat "$T/rss"
{
	echo "## Roles' idle RSS (KiB), after one request each"
	echo
	echo "| role | static | dynamic |"
	echo "|---|---|---|"
	for r in profile secrets launcher snippets input; do
		s=$(awk -v r="$r" '$1 == "static" && $2 == r { print $3 }' "$T/rss")
		y=$(awk -v r="$r" '$1 == "dynamic" && $2 == r { print $3 }' "$T/rss")
		[ -x "$static" ] || s="no static build"
		[ -n "$s$y" ] && echo "| daemon-$r | ${s:-not in the static build} | ${y:-n/a} |"
	done
	echo
	echo "Goal: each role under 4096 KiB.  daemon-wm and daemon-clipboard need a compositor and are not measured here."
} >"$out/roles.md"
cat "$out/roles.md"
