#!/bin/sh
# Init files: systemd units verify, OpenRC and runit scripts parse, and a
# real runsvdir runs daemon-profile and daemon-secrets from the installed
# service directories, restarting a killed daemon.
. "$(dirname "$0")/lib.sh"

pfx=$T/usr
run make -C "$SESAME_SRC" install PREFIX="$pfx" OPENRCDIR="$T/etc/init.d" RUNITDIR="$T/etc/sv" SYSVINITDIR="$T/etc/init.d" LOGDIR="$T/log" \
	BIN="$SESAME" O="${SESAME_BUILD:-build}" INIT="systemd openrc runit busybox"
ok "$rc" "make install with a private PREFIX and SYSCONFDIR"
grep -q "ExecStart=$pfx/bin/daemon-secrets" "$pfx/lib/systemd/user/sesame-secrets.service"
ok $? "installed units point at the installed role symlinks"
if "$SESAME" daemon wm --help | grep -q "no Wayland support"; then
	# A build without the desktop roles installs none of their units.
	[ ! -e "$pfx/lib/systemd/user/sesame-desktop.target" ] &&
		grep -q "KillMode=process" "$SESAME_SRC/init/systemd/user/sesame-launcher.service" &&
		grep -q "Wants=sesame-launcher.service" "$SESAME_SRC/init/systemd/user/sesame-desktop.target"
	ok $? "the launcher's user unit never kills what it started and joins the desktop target (not installed: DESKTOP=0)"
else
	grep -q "KillMode=process" "$pfx/lib/systemd/user/sesame-launcher.service" &&
		grep -q "Wants=sesame-launcher.service" "$pfx/lib/systemd/user/sesame-desktop.target"
	ok $? "the launcher's user unit never kills what it started and joins the desktop target"
fi

if command -v systemd-analyze >/dev/null 2>&1; then
	for mode in user system; do
		for u in "$pfx/lib/systemd/$mode"/*; do
			# A user manager needs a runtime directory, even just to verify.
			mkdir -p "$T/xdg" && chmod 700 "$T/xdg"
			XDG_RUNTIME_DIR=$T/xdg systemd-analyze verify --man=no $([ $mode = user ] && echo --user) \
				"$u" >"$T/v.out" 2>&1
			rc=$?
			# Only our own units' lines count (the host's may complain too).
			bad=$(grep -i "$(basename "$u")" "$T/v.out" | grep -v -i 'not found\|no such' || true)
			[ "$rc" -eq 0 ] && [ -z "$bad" ]
			ok $? "systemd-analyze verify: $mode/$(basename "$u")"
			[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/v.out"
		done
	done
else
	skip "systemd-analyze is not installed (make deps installs systemd)"
fi

for f in "$T/etc/init.d"/sesame-* "$T/etc/sv"/*/run "$T/etc/sv"/*/finish "$T/etc/sv"/*/log/run; do
	sh -n "$f"; ok $? "sh -n ${f#$T/}"
done
grep -q "^command=\"$pfx/bin/daemon-profile\"" "$T/etc/init.d/sesame-profile"; ok $? "the OpenRC script runs the role symlink"
grep -q 'need localmount sesame-profile' "$T/etc/init.d/sesame-secrets"; ok $? "OpenRC starts daemon-secrets after daemon-profile"
grep -l '^supervisor=supervise-daemon' "$T/etc/init.d"/sesame-* | wc -l | grep -q '^ *3$'
ok $? "every OpenRC script runs its daemon under supervise-daemon, which restarts it"
grep -q "::respawn:.*$pfx/bin/daemon-secrets" "$pfx/share/sesame/inittab.sesame"; ok $? "the busybox inittab lines respawn the roles"
if command -v openrc-run >/dev/null 2>&1; then
	# OpenRC reads each script (description, depend, commands); starting
	# one needs OpenRC as init (/run/openrc/softlevel), which this machine
	# is not, and faking it would change the machine's state.
	for s in profile secrets snippets; do
		openrc-run "$T/etc/init.d/sesame-$s" describe >"$T/orc.out" 2>&1
		grep -q "sesame .*(daemon-$s)" "$T/orc.out"; ok $? "openrc-run reads sesame-$s (describe)"
	done
	skip "openrc-run start: needs OpenRC as init (/run/openrc/softlevel); not faked here"
else
	skip "openrc-run is not installed: scripts are only parsed (sh -n)"
fi

if ! command -v runsvdir >/dev/null 2>&1 || ! command -v sv >/dev/null 2>&1; then
	skip "runit is not installed (make deps installs it)"
	done_testing
	exit
fi
use_private_paths
mkdir -p "$T/service"
cp -R "$T/etc/sv/sesame-profile" "$T/etc/sv/sesame-secrets" "$T/etc/sv/sesame-snippets" "$T/service/"
# sv sends TERM and then CONT; in a sanitizer build, a CONT landing while
# LeakSanitizer stops the world at exit discards the SIGSTOP its ptrace
# attach queued and the daemon hangs for ever.  Leaks are checked by every
# other test that stops these daemons; not under a supervisor's signals.
spawn env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" runsvdir -P "$T/service" </dev/null >/dev/null 2>&1
RUNSVDIR=$spawned
# runsv processes outlive runsvdir, which would restart them: stop
# runsvdir first, then make each runsv stop its service and exit.
stop_runit() {
	kill "$RUNSVDIR" 2>/dev/null; wait "$RUNSVDIR" 2>/dev/null
	sv -w 10 down "$T/service/sesame-snippets" "$T/service/sesame-secrets" "$T/service/sesame-profile" >/dev/null 2>&1
	r=$?
	sv exit "$T/service/sesame-snippets" "$T/service/sesame-secrets" "$T/service/sesame-profile" >/dev/null 2>&1
	return $r
}
trap 'stop_runit; cleanup' EXIT
wait_for 15 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* secrets.* snippets'"
ok $? "runsvdir starts daemon-profile, daemon-secrets and daemon-snippets from the installed service directories"
printf 'pw\n' | "$SESAME" init -p dev >/dev/null && printf 'psk' | "$SESAME" secret set -p dev wifi >/dev/null
run "$SESAME" secret get -p dev wifi
is "$(cat "$T/out")" "psk" "sesame secret get works through the supervised daemons"

pid=$(sv status "$T/service/sesame-secrets" | sed -n 's/.*(pid \([0-9]*\)).*/\1/p')
[ -n "$pid" ] && kill -9 "$pid"
ok $? "daemon-secrets (pid $pid) killed with SIGKILL"
wait_for 15 sh -c "sv status '$T/service/sesame-secrets' | grep -q '^run:' &&
	! sv status '$T/service/sesame-secrets' | grep -q '(pid $pid)' &&
	'$SESAME' status 2>/dev/null | grep -q 'roles:.* secrets'"
ok $? "runit brings it back and it rejoins the bus"
printf 'pw\n' | "$SESAME" unlock -p dev >/dev/null
run "$SESAME" secret get -p dev wifi
is "$(cat "$T/out")" "psk" "after the restart (and an unlock) the secret is still there"
wait_for 5 test -s "$T/log/sesame-secrets/current"
grep -q "serving vaults" "$T/log/sesame-secrets/current"
ok $? "the daemon's log lands in LOGDIR/sesame-secrets (svlogd), not in the service directory"
# sv reload sends SIGHUP: each daemon reloads its configuration and stays.
for s in profile secrets snippets; do
	eval "pid_$s=\$(sv status '$T/service/sesame-$s' | sed -n 's/.*(pid \([0-9]*\)).*/\1/p')"
done
sv reload "$T/service/sesame-profile" "$T/service/sesame-secrets" "$T/service/sesame-snippets" >/dev/null
for s in profile secrets snippets; do
	wait_for 10 grep -q "signal 1: reloading the configuration" "$T/log/sesame-$s/current"
	ok $? "sv reload: daemon-$s reloads its configuration"
	sv status "$T/service/sesame-$s" | grep -q "(pid $(eval echo \$pid_$s))"
	ok $? "and keeps running (pid $(eval echo \$pid_$s))"
done
stop_runit
ok $? "sv down stops both"
# Asked of this test's own service directories (another test run may have
# supervisors of the same names): sv status fails once runsv is gone.
wait_for 10 sh -c "! sv status '$T/service/sesame-profile' >/dev/null 2>&1 &&
	! sv status '$T/service/sesame-secrets' >/dev/null 2>&1"
ok $? "and the supervisors exit"

done_testing
