# wayland.sh - sourced by tests that need a compositor (after lib.sh).
# start_sway: headless sway (pixman renderer) as a non-root user (nobody
# when run as root) with its own XDG_RUNTIME_DIR under $T/u; sets U, SWAY
# (its pid) and writes $T/as, which runs a command as that user in the
# session's environment (SESAME_*_DIR under $U).  Skips the whole test,
# with the reason, when that cannot be done.

as() { "$T/as" "$@"; }

# need_sway ROLE PROG...: skip the whole test, saying why, if this build
# lacks daemon-ROLE (DESKTOP=0) or a program is missing (sway and swaymsg
# are always needed).
need_sway() {
	if "$SESAME" daemon "$1" --help | grep -q "no Wayland support"; then
		skip "this build has no Wayland support (DESKTOP=0)"
		done_testing
		exit
	fi
	shift
	for prog in sway swaymsg "$@"; do
		if ! command -v "$prog" >/dev/null 2>&1; then
			skip "$prog is not installed (make deps installs it)"
			done_testing
			exit
		fi
	done
}

# session_user: make $T/u (U) the home of a session user and write $T/as.
# Everything runs as one non-root user: sway refuses root, and the bus
# wants the CLI and the daemons under one uid.  As root: nobody.  Returns
# 1, with the reason in WHY, when that cannot be done.  (Also used by
# tests/bench/roles.sh, which has no TAP functions.)
session_user() {
	chmod 755 "$T"
	U="$T/u"
	mkdir -p "$U/xdg" "$U/home"
	chmod 700 "$U/xdg"
	if [ "$(id -u)" = 0 ]; then
		if ! command -v setpriv >/dev/null 2>&1; then
			WHY="running as root without setpriv: no way to run sway as another user"
			return 1
		fi
		chown -R 65534:65534 "$U"
		AS="setpriv --reuid 65534 --regid 65534 --clear-groups"
	else
		AS=
	fi
	# as CMD...: run as the test user, in the session's environment.  A
	# script that execs, so that a spawned command keeps the pid spawn saw.
	{
		echo '#!/bin/sh'
		printf 'exec %s env -i PATH="%s" HOME="%s/home" SHELL=/bin/sh LANG=C.UTF-8 ' "$AS" "$PATH" "$U"
		printf 'XDG_RUNTIME_DIR="%s/xdg" WAYLAND_DISPLAY=wayland-1 SWAYSOCK="%s/xdg/sway.sock" ' "$U" "$U"
		printf 'SESAME_RUNTIME_DIR="%s/run" SESAME_CONFIG_DIR="%s/cfg" ' "$U" "$U"
		printf 'SESAME_DATA_DIR="%s/data" SESAME_CACHE_DIR="%s/cache" ' "$U" "$U"
		[ -n "${ASAN_OPTIONS:-}" ] && printf 'ASAN_OPTIONS="%s" ' "$ASAN_OPTIONS"
		echo '"$@"'
	} >"$T/as"
	chmod 755 "$T/as"
	printf 'output HEADLESS-1 resolution 1280x720\n' >"$T/sway.conf"
	chmod 644 "$T/sway.conf"
}

# The headless compositor, as the session user: run it in the background
# (`sway_headless &`); it execs, so $! is sway's pid.
sway_headless() {
	exec "$T/as" env WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
		WLR_HEADLESS_OUTPUTS=1 sway -c "$T/sway.conf" 2>"$T/sway.log"
}

start_sway() {
	if ! session_user; then
		skip "$WHY"
		done_testing
		exit
	fi
	spawn sway_headless
	SWAY=$spawned
	# sway puts its IPC socket where SWAYSOCK says.
	wait_for 10 sh -c "test -S '$U/xdg/sway.sock' && test -S '$U/xdg/wayland-1'"
	ok $? "headless sway starts as uid $(as id -u)"
}
