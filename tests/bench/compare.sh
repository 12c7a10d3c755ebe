#!/bin/sh
# make bench, part two: "fetch one secret by name from a fresh process",
# sesame against what a user would pick instead, all set up here in a
# temporary directory and measured in the same run:
#   - a static no-op binary (the exec floor)
#   - sesame secret get (the whole stack: exec, handshake, hub, vault)
#   - the kernel keyring: keyctl pipe on a key in the user keyring
#   - gnome-keyring over the Secret Service: secret-tool lookup, on a
#     private D-Bus session bus, keyring unlocked
#   - pass, with gpg-agent holding a passphrase-less key: pass show
# plus the daemons' idle and peak RSS and the binaries' sizes with their
# shared libraries.  Writes bench-results/compare.md, compare.png (gnuplot,
# when installed) and the raw samples; cleans up everything it started.
# A tool that is not installed is reported as skipped, with why.
bench_name=compare
. "$(dirname "$0")/common.sh"
keyid= gnupg=
bench_cleanup() {
	[ -n "$keyid" ] && keyctl unlink "$keyid" @u >/dev/null 2>&1 || true
	[ -n "$gnupg" ] && GNUPGHOME=$gnupg gpgconf --kill all >/dev/null 2>&1 || true
	[ -f "$T/gk.pid" ] && kill "$(cat "$T/gk.pid")" 2>/dev/null || true
}
timing=$build/bench/timing
static=$top/build/static/sesame
[ -x "$static" ] || static=$SESAME
: >"$T/skipped"
skipped() { echo "| $1 | skipped: $2 | | | | |" >>"$T/skipped"; }

rss() { # rss PID: "VmRSS VmHWM" in KiB
	awk '/^VmRSS/{r=$2} /^VmHWM/{h=$2} END{print r+0, h+0}' "/proc/$1/status" 2>/dev/null || echo "0 0"
}
# size FILE...: bytes of the files and every shared library they load, each once
size_with_libs() {
	for f in "$@"; do
		echo "$f"
		ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}'
	done | xargs -r readlink -f | sort -u | xargs -r stat -c %s | awk '{s+=$1} END{print s+0}'
}
# The path of a library sesame loads with dlopen (ldd cannot see those).
# (ldconfig is in /sbin, which a user's PATH may not have.)
dlopened() { PATH=$PATH:/sbin:/usr/sbin ldconfig -p | awk -v so="$1" '$1 == so { print $NF; exit }'; }
stats() { # stats FILE: "p50 p95" of its samples
	sort -n "$1" | awk '{v[NR]=$1} END{i50=int(NR*0.5); i95=int(NR*0.95); if(i50<1)i50=1; if(i95<1)i95=1; print v[i50], v[i95]}'
}

# --- sesame: its own daemons, a vault with the secret ---------------------
export SESAME_RUNTIME_DIR=$T/run SESAME_CONFIG_DIR=$T/cfg SESAME_DATA_DIR=$T/data SESAME_CACHE_DIR=$T/cache
unset NOTIFY_SOCKET WATCHDOG_USEC
SESAME_LOG=warn "$static" daemon profile 2>"$T/hub.log" &
hub=$!; pids="$pids $hub"
for i in $(seq 100); do [ -s "$T/run/bus.pub" ] && break; sleep 0.05; done
SESAME_LOG=warn "$static" daemon secrets 2>"$T/secrets.log" &
sec=$!; pids="$pids $sec"
for i in $(seq 100); do "$static" status 2>/dev/null | grep -q 'roles:.* secrets' && break; sleep 0.05; done
printf 'bench\n' | "$static" init -p bench >/dev/null
printf 'hunter2' | "$static" secret set -p bench k >/dev/null
sleep 0.5
hub_idle=$(rss "$hub"); sec_idle=$(rss "$sec")

# Each tool's command line, measured later in interleaved rounds.
tools=
: >"$T/commands"
add() { # add NAME CMD...: a line "NAME CMD..." (no spaces inside arguments)
	echo "$*" >>"$T/commands"
	tools="$tools${tools:+ }$1"
}
add floor "$build/bench/noop"
add sesame "$static" secret get -p bench k

# --- the kernel keyring ------------------------------------------------------
if command -v keyctl >/dev/null && keyid=$(keyctl add user sesame-bench-k hunter2 @u 2>/dev/null); then
	add keyctl "$(command -v keyctl)" pipe "$keyid"
else
	keyid=
	skipped keyctl "keyutils not installed, or keyrings unavailable here (make deps installs keyutils)"
fi

# --- pass with gpg-agent ------------------------------------------------------
if command -v pass >/dev/null && command -v gpg >/dev/null; then
	gnupg=$T/gnupg
	mkdir -m 700 "$gnupg"
	export GNUPGHOME=$gnupg PASSWORD_STORE_DIR=$T/store
	gpg --batch --passphrase '' --quick-gen-key 'sesame bench <bench@example.invalid>' default default never \
		>/dev/null 2>&1
	fpr=$(gpg --list-keys --with-colons 2>/dev/null | awk -F: '/^fpr/{print $10; exit}')
	pass init "$fpr" >/dev/null
	printf 'hunter2\n' | pass insert -e bench/k >/dev/null
	pass show bench/k >/dev/null	# starts gpg-agent, which keeps the key
	add pass "$(command -v pass)" show bench/k
else
	skipped pass "pass or gnupg not installed (make deps installs them)"
fi

# --- the measurement: every tool once per round, in an order shuffled each
# round, so that the machine's state falls on all of them alike.  What ran
# just before matters here: the no-op floor measured ~320 us in blocks of
# 30 and after pass in fixed rounds, ~235 us right after a sesame call
# (a CPU woken from idle costs a virtual machine tens of us), which moved
# every ratio to it by a third.  measure T TIMING N.
cat >"$T/measure.sh" <<'MEASURE'
T=$1 timing=$2 n=$3
"$timing" rounds "$n" "$T" "$T/commands" </dev/null
MEASURE

# --- gnome-keyring over the Secret Service: a private session bus, with
# the whole measurement inside it so the rounds stay interleaved ----------------
gk=0
if command -v secret-tool >/dev/null && command -v gnome-keyring-daemon >/dev/null &&
   command -v dbus-run-session >/dev/null; then
	mkdir -p "$T/home" "$T/xrd" && chmod 700 "$T/xrd"
	cp "$T/commands" "$T/commands.base"
	add gnome-keyring "$(command -v secret-tool)" lookup service sesame-bench key k
	cat >"$T/gk.sh" <<'GK'
T=$1
printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 1
pgrep -n -f "gnome-keyring-daemon --unlock" >"$T/gk.pid"
printf hunter2 | secret-tool store --label=bench service sesame-bench key k || exit 1
secret-tool lookup service sesame-bench key k >/dev/null || exit 1
sh "$T/measure.sh" "$@" || exit 1
awk '/^VmRSS/{r=$2} /^VmHWM/{h=$2} END{print r+0, h+0}' "/proc/$(cat "$T/gk.pid")/status" >"$T/gk.rss"
GK
	if HOME=$T/home XDG_RUNTIME_DIR=$T/xrd dbus-run-session -- sh "$T/gk.sh" "$T" "$timing" "$N" \
	    2>>"$T/gk.err"; then
		gk=1
	else
		skipped gnome-keyring "could not run the Secret Service here: $(tail -1 "$T/gk.err")"
		tools=$(echo "$tools" | sed 's/ gnome-keyring$//')
		cp "$T/commands.base" "$T/commands"
		for t in $tools; do : >"$T/$t.txt"; done
	fi
else
	skipped gnome-keyring "gnome-keyring, libsecret-tools or dbus not installed (make deps installs them)"
fi
[ $gk = 1 ] || sh "$T/measure.sh" "$T" "$timing" "$N"
hub_peak=$(rss "$hub"); sec_peak=$(rss "$sec")
agent=
[ -n "$gnupg" ] && agent=$(pgrep -f "gpg-agent --homedir $gnupg" | head -1 || true)
agent_rss=$([ -n "$agent" ] && rss "$agent" || echo "0 0")

# --- the table ---------------------------------------------------------------
set -- $(stats "$T/floor.txt"); floor50=$1
set -- $(stats "$T/sesame.txt"); sesame50=$1
{
	echo "# Fetch one secret from a fresh process ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $N runs each)"
	echo
	echo "| tool | p50 | p95 | ratio to the exec floor | ratio to sesame | daemon RSS idle / peak |"
	echo "|---|---|---|---|---|---|"
	for t in $tools; do
		set -- $(stats "$T/$t.txt")
		case $t in
		floor) name="static no-op exec (the floor)"; mem="-" ;;
		sesame) name="sesame secret get (static)"
			mem="daemon-profile $(echo $hub_idle | awk '{printf "%.1f", $1/1024}') / $(echo $hub_peak | awk '{printf "%.1f", $2/1024}') MiB, daemon-secrets $(echo $sec_idle | awk '{printf "%.1f", $1/1024}') / $(echo $sec_peak | awk '{printf "%.1f", $2/1024}') MiB" ;;
		keyctl) name="keyctl pipe (kernel keyring)"; mem="(in the kernel)" ;;
		pass) name="pass show (gpg-agent)"
			mem="gpg-agent $(echo $agent_rss | awk '{printf "%.1f / %.1f", $1/1024, $2/1024}') MiB" ;;
		gnome-keyring) name="secret-tool lookup (gnome-keyring)"
			mem="gnome-keyring-daemon $(awk '{printf "%.1f / %.1f", $1/1024, $2/1024}' "$T/gk.rss" 2>/dev/null) MiB" ;;
		esac
		echo "| $name | $1 us | $2 us | $(awk -v a="$1" -v b="$floor50" 'BEGIN{printf "%.2f", a/b}') | $(awk -v a="$1" -v b="$sesame50" 'BEGIN{printf "%.2f", a/b}') | $mem |"
	done
	cat "$T/skipped"
	echo
	echo "| binary (with its shared libraries) | bytes |"
	echo "|---|---|"
	if [ -x "$top/build/static/sesame" ]; then
		cp "$top/build/static/sesame" "$T/sesame.stripped" && strip "$T/sesame.stripped" 2>/dev/null || true
		echo "| sesame, static musl, stripped (the headless roles and every command; no Wayland roles) | $(stat -c %s "$T/sesame.stripped") |"
	fi
	# A headless role of the dynamic build loads libseccomp with dlopen,
	# and SQLite with its libm unless SQLite is linked in (SQLITE=vendored).
	cp "$SESAME" "$T/sesame-dyn.stripped" && strip "$T/sesame-dyn.stripped" 2>/dev/null || true
	if grep -q 'SESAME_SQLITE_VENDORED=1' "$build/config.flags" 2>/dev/null; then
		echo "| sesame, dynamic (glibc), stripped, SQLite linked in; with libsodium, libc and what a headless role loads (libseccomp) | $(size_with_libs "$T/sesame-dyn.stripped" $(dlopened libseccomp.so.2)) |"
	else
		echo "| sesame, dynamic (glibc), stripped; with libsodium, libc and what a headless role loads (libsqlite3, libm, libseccomp) | $(size_with_libs "$T/sesame-dyn.stripped" $(dlopened libsqlite3.so.0) $(dlopened libseccomp.so.2)) |"
	fi
	command -v keyctl >/dev/null && echo "| keyctl | $(size_with_libs "$(command -v keyctl)") |"
	command -v secret-tool >/dev/null && echo "| secret-tool + gnome-keyring-daemon | $(size_with_libs "$(command -v secret-tool)" "$(command -v gnome-keyring-daemon)") |"
	command -v pass >/dev/null && echo "| pass (bash script) + bash + gpg + gpg-agent | $(size_with_libs "$(command -v pass)" "$(command -v bash)" "$(command -v gpg)" "$(command -v gpg-agent)") |"
} | tee "$out/compare.md"

# --- the plot: latency distributions ------------------------------------------
for t in $tools; do
	sort -n "$T/$t.txt" | awk -v n="$N" '{print $1, NR/n}' >"$out/compare-$t.dat"
done
if command -v gnuplot >/dev/null; then
	plot=
	for t in $tools; do plot="$plot${plot:+, }'$out/compare-$t.dat' using 1:2 with lines lw 2 title '$t'"; done
	gnuplot <<EOF
set terminal pngcairo size 900,560 noenhanced
set output '$out/compare.png'
set title 'Fetch one secret from a fresh process: latency distribution ($N runs each)'
set xlabel 'microseconds (log scale)'
set ylabel 'fraction of runs done within this time'
set logscale x
set key bottom right
set grid
plot $plot
EOF
	echo "plot: $out/compare.png"
else
	echo "plot: skipped (gnuplot is not installed; make deps installs gnuplot-nox)"
fi
