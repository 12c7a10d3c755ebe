#!/bin/sh
# The SysV script (init/sysv/S50sesame) for real: busybox init as PID 1 in
# a private PID and mount namespace, with an inittab whose rcS runs the
# installed /etc/init.d/S??* scripts; then, inside that namespace, the
# script's status, a daemon killed with SIGKILL, status again, restart.
. "$(dirname "$0")/lib.sh"

if ! command -v busybox >/dev/null 2>&1; then
	skip "busybox is not installed (make deps installs busybox-static)"
	done_testing
	exit
fi
if ! unshare -fpm --mount-proc true 2>/dev/null; then
	skip "cannot make a PID and mount namespace here (unshare -fpm needs root)"
	done_testing
	exit
fi

use_private_paths	# the same directories as the defaults file below gives the daemons
pfx=$T/usr
run make -C "$SESAME_SRC" install PREFIX="$pfx" OPENRCDIR="$T/etc/init.d" RUNITDIR="$T/etc/sv" SYSVINITDIR="$T/etc/init.d" BIN="$SESAME" O="${SESAME_BUILD:-build}" \
	INIT=sysv
ok "$rc" "make install INIT=sysv"
s=$T/etc/init.d/S50sesame
[ -x "$s" ] && grep -q "^BINDIR=$pfx/bin\$" "$s"; ok $? "S50sesame is installed, pointing at the installed binary"
sh -n "$s"; ok $? "sh -n S50sesame"
grep -q '^### BEGIN INIT INFO' "$s" && grep -q '^# Default-Start:' "$s"; ok $? "with an LSB header for update-rc.d"

# The namespace's /etc: the inittab, the script, what the loader needs.
mkdir -p "$T/pid" "$T/log"
cp /etc/ld.so.cache /etc/passwd /etc/group "$T/etc/" 2>/dev/null
cat >"$T/etc/default.sesame" <<EOF
SESAME_PIDDIR=$T/pid
SESAME_LOGDIR=$T/log
SESAME_ROLES="secrets snippets"
export SESAME_RUNTIME_DIR=$T/run SESAME_CONFIG_DIR=$T/cfg SESAME_DATA_DIR=$T/data SESAME_CACHE_DIR=$T/cache
EOF
cat >"$T/rcS" <<EOF
#!/bin/sh
for s in /etc/init.d/S??*; do SESAME_DEFAULTS=/etc/default.sesame sh "\$s" start; done >$T/rcS.out 2>&1
echo done >>$T/rcS.out
EOF
printf '::sysinit:/bin/sh %s/rcS\n' "$T" >"$T/etc/inittab"
spawn unshare -fpm --mount-proc --kill-child sh -c "mount --bind '$T/etc' /etc && exec busybox init"
NS=$spawned
wait_for 20 grep -q '^done' "$T/rcS.out"
INIT=$(pgrep -P "$NS" | head -1)
[ "$(cat "/proc/$INIT/comm" 2>/dev/null)" = init ] || [ "$(cat "/proc/$INIT/comm" 2>/dev/null)" = busybox ]
ok $? "busybox init runs as PID 1 of the namespace"
inside() { nsenter -t "$INIT" -p -m -- env SESAME_DEFAULTS=/etc/default.sesame "$@"; }
grep -q "starting daemon-profile... ok" "$T/rcS.out" && grep -q "starting daemon-secrets... ok" "$T/rcS.out" &&
	grep -q "starting daemon-snippets... ok" "$T/rcS.out"
ok $? "rcS started daemon-profile, then daemon-secrets and daemon-snippets, each ready" ||
	sed 's/^/# /' "$T/rcS.out"
inside sh /etc/init.d/S50sesame status >"$T/out" 2>&1; rc=$?
is "$rc" 0 "status: all running (exit 0)"
contains "$T/out" "daemon-secrets is running (pid " "and says so with the pid"
printf 'pw\n' | inside "$pfx/bin/sesame" init -p dev >/dev/null 2>&1 &&
	printf 'psk' | inside "$pfx/bin/sesame" secret set -p dev wifi >/dev/null 2>&1
is "$(inside "$pfx/bin/sesame" secret get -p dev wifi 2>/dev/null)" "psk" "the daemons serve a secret"

inside sh -c 'kill -9 $(cat '"$T/pid/sesame-secrets.pid"')'
sleep 0.3
inside sh /etc/init.d/S50sesame status >"$T/out" 2>&1; rc=$?
is "$rc" 3 "after kill -9 of daemon-secrets, status exits 3 (LSB: not running)"
contains "$T/out" "daemon-secrets is not running" "and names it"
inside sh /etc/init.d/S50sesame restart >"$T/out" 2>&1; rc=$?
ok "$rc" "restart"
inside sh /etc/init.d/S50sesame status >/dev/null 2>&1
is "$?" 0 "everything runs again"
printf 'pw\n' | inside "$pfx/bin/sesame" unlock -p dev >/dev/null 2>&1
is "$(inside "$pfx/bin/sesame" secret get -p dev wifi 2>/dev/null)" "psk" "and, unlocked, serves the secret again"
inside sh /etc/init.d/S50sesame stop >"$T/out" 2>&1
inside sh /etc/init.d/S50sesame status >/dev/null 2>&1
is "$?" 3 "stop stops them all"
[ ! -e "$T/run/bus.sock" ]; ok $? "and daemon-profile took its socket with it"
kill -9 "$NS" 2>/dev/null	# unshare ignores TERM; with it goes the namespace
done_testing
