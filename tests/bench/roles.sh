#!/bin/sh
# make bench, the roles' memory: each daemon role's RSS when idle, after
# one request of its kind, for the static build (the headless roles, as on
# an embedded image) and the dynamic one; daemon-wm and daemon-clipboard
# under a headless sway, run as a session user like the tests do (nobody
# when make bench runs as root).  Goal (issue 9): every role under 4 MiB.
# Shared library text counts in RSS: a dynamic role carries libc and
# libsodium pages that other processes share (and SQLite's and libm's
# with SQLITE=system; the default vendored SQLite is in the binary).
# Results: stdout and bench-results/roles.md.
bench_name=roles
. "$(dirname "$0")/common.sh"
unset NOTIFY_SOCKET WATCHDOG_USEC
static=$top/build/static/sesame
kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# rss PID: "RSS USS" in KiB, USS being the pages no other process maps
# (smaps_rollup's Private_*; "-" where it cannot be read)
rss() {
	u=$(awk '$1 == "Private_Clean:" || $1 == "Private_Dirty:" { s += $2 } END { if (NR) print s }' \
		"/proc/$1/smaps_rollup" 2>/dev/null)
	echo "$(kb "$1" VmRSS) ${u:--}"
}

# measure BIN LABEL: start the hub and the roles with BIN, exercise each
# once, let them settle, print "LABEL role RSS USS" lines (KiB).
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
	echo "$label profile $(rss "$hub")"
	for r in $roles; do
		eval "p=\$pid_$r"
		echo "$label $r $(rss "$p")"
	done
}

# compositor: daemon-wm and daemon-clipboard (with the hub and
# daemon-secrets, which holds the clipboard's key) under headless sway;
# "dynamic wm|clipboard RSS USS" lines, or 1 with the reason in WHY.
compositor() {
	if "$SESAME" daemon wm --help 2>/dev/null | grep -q "no Wayland support"; then
		WHY="this build has no Wayland support (DESKTOP=0)"
		return 1
	fi
	for prog in sway wl-copy; do
		command -v "$prog" >/dev/null 2>&1 || { WHY="$prog is not installed (make deps installs it)"; return 1; }
	done
	. "$top/tests/wayland.sh"
	session_user || return 1
	sway_headless &
	pids="$pids $!"
	for i in $(seq 200); do [ -S "$U/xdg/wayland-1" ] && break; sleep 0.05; done
	[ -S "$U/xdg/wayland-1" ] || { WHY="sway did not start: $(tail -1 "$T/sway.log")"; return 1; }
	SESAME_LOG=warn "$T/as" "$SESAME" daemon profile 2>"$T/c-hub.log" &
	pids="$pids $!"
	for i in $(seq 100); do [ -s "$U/run/bus.pub" ] && break; sleep 0.05; done
	for r in secrets wm clipboard; do
		SESAME_LOG=warn "$T/as" "$SESAME" daemon "$r" 2>"$T/c-$r.log" &
		eval "pid_$r=$!"
		pids="$pids $!"
	done
	for i in $(seq 100); do
		"$T/as" "$SESAME" status 2>/dev/null | grep -q "roles:.* wm.* clipboard\|roles:.* clipboard.* wm" && break
		sleep 0.05
	done
	printf 'pw\n' | "$T/as" "$SESAME" init >/dev/null 2>&1
	"$T/as" wl-copy "bench text" 2>/dev/null
	sleep 0.5
	"$T/as" "$SESAME" clipboard history >/dev/null 2>&1
	"$T/as" "$SESAME" wm list >/dev/null 2>&1
	sleep 1
	echo "dynamic wm $(rss "$pid_wm")"
	echo "dynamic clipboard $(rss "$pid_clipboard")"
	# The overlay (issue 30, point 7): daemon-wm's RSS while it shows, and
	# its painter's (the child that draws: paint.h), and 6 s after it
	# closed (an overlay closed 5 s lets go of its painter); how
	# long `sesame wm overlay` takes with the fonts to load again (cold)
	# and with them still there (warm), best of 3 each.
	command -v wtype >/dev/null 2>&1 || { echo "# overlay not measured: wtype is not installed" >&2; return 0; }
	cold=999999 warm=999999
	for i in 1 2 3; do
		t0=$(date +%s%N); "$T/as" "$SESAME" wm overlay >/dev/null 2>&1; t1=$(date +%s%N)
		sleep 0.3
		if [ "$i" = 1 ]; then
			echo "dynamic wm-shown $(rss "$pid_wm")"
			painter=$(pgrep -P "$pid_wm" | head -1)
			echo "dynamic wm-painter $(rss "$painter")"
		fi
		"$T/as" wtype -s 200 -k Escape 2>/dev/null
		t2=$(date +%s%N); "$T/as" "$SESAME" wm overlay >/dev/null 2>&1; t3=$(date +%s%N)
		"$T/as" wtype -s 200 -k Escape 2>/dev/null
		[ $(( (t1 - t0) / 1000 )) -lt "$cold" ] && cold=$(( (t1 - t0) / 1000 ))
		[ $(( (t3 - t2) / 1000 )) -lt "$warm" ] && warm=$(( (t3 - t2) / 1000 ))
		sleep 6
	done
	echo "dynamic wm-closed $(rss "$pid_wm")"
	echo "dynamic wm-closed-painters $(pgrep -P "$pid_wm" | wc -l)"
	echo "overlay $cold $warm"
}

# floors: what a dynamic process holds here before doing anything of its
# own, measured in the same run: sleep(1) (glibc alone) and sqlfloor
# (glibc, libsodium and the build's SQLite with one database open and used
# once: what daemon-secrets, -launcher, -snippets and -clipboard load).
floors() {
	sleep 60 &
	sp=$!
	pids="$pids $sp"
	[ -x "$build/bench/sqlfloor" ] || { echo "# no $build/bench/sqlfloor (a static build has none)" >&2; return 0; }
	"$build/bench/sqlfloor" "$T/floor.db" >"$T/floor.out" &
	fp=$!
	pids="$pids $fp"
	for i in $(seq 100); do grep -q ready "$T/floor.out" 2>/dev/null && break; sleep 0.05; done
	sleep 0.5
	echo "floor sleep $(rss "$sp")"
	echo "floor sqlite $(rss "$fp")"
}

{
	[ -x "$static" ] && measure "$static" static
	measure "$SESAME" dynamic
	compositor || echo "# wm and clipboard not measured: $WHY" >&2
	floors	# last: its libraries' pages are then shared with the roles, as theirs are
} >"$T/rss"
cat "$T/rss"
{
	echo "## Roles' idle RSS (KiB), after one request each"
	echo
	echo "| role | static | dynamic | dynamic, private (USS) |"
	echo "|---|---|---|---|"
	for r in profile secrets launcher snippets input wm clipboard; do
		s=$(awk -v r="$r" '$1 == "static" && $2 == r { print $3 }' "$T/rss")
		y=$(awk -v r="$r" '$1 == "dynamic" && $2 == r { print $3 }' "$T/rss")
		u=$(awk -v r="$r" '$1 == "dynamic" && $2 == r { print $4 }' "$T/rss")
		[ -x "$static" ] || s="no static build"
		[ -n "$s$y" ] && echo "| daemon-$r | ${s:-not in the static build} | ${y:-n/a} | ${u:-n/a} |"
	done
	awk '$1 == "dynamic" && $2 == "wm-shown" { print "| daemon-wm, overlay shown | - | " $3 " | " $4 " |" }
	     $1 == "dynamic" && $2 == "wm-painter" { print "| its painter (a child), overlay shown | - | " $3 " | " $4 " |" }
	     $1 == "dynamic" && $2 == "wm-closed" { print "| daemon-wm, 6 s after the overlay closed | - | " $3 " | " $4 " |" }
	     $1 == "dynamic" && $2 == "wm-closed-painters" { print "| painters left 6 s after the overlay closed | - | " $3 " | - |" }' "$T/rss"
	awk '$1 == "floor" && $2 == "sleep" { print "| floor: sleep(1), glibc alone | - | " $3 " | " $4 " |" }
	     $1 == "floor" && $2 == "sqlite" { print "| floor: glibc + libsodium + SQLite, one database open (sqlfloor) | - | " $3 " | " $4 " |" }' "$T/rss"
	echo
	echo "Goal: each role under 4096 KiB.  daemon-wm and daemon-clipboard run under headless sway (wm after"
	echo "a window list, clipboard after recording one copy and a history request; no overlay drawn)."
	echo "RSS counts every page mapped, the shared libraries' text included (the kernel maps the page"
	echo "cache around each fault, 64 KiB or a whole large folio); USS only the pages no other process"
	echo "maps, as libc's are by every process.  The floor rows are processes that do nothing of"
	echo "sesame's, measured in the same run: a dynamic role that uses SQLite starts from the second."
	awk '$1 == "overlay" { printf "\nsesame wm overlay, best of 3: %d us with the fonts to load again (cold), %d us with them kept (warm); goal 50000 us.\n", $2, $3 }' "$T/rss"
} >"$out/roles.md"
cat "$out/roles.md"
