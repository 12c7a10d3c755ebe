#!/bin/sh
# A kernel without Landlock or memfd_secret (a BSP kernel older than
# 5.13, or one built without them), made here by tests/buspeer without,
# whose seccomp filter fails those syscalls with ENOSYS: the roles refuse
# to start by default, naming the kernel option and the config key;
# daemon-profile leaves no dead bus.sock behind; best-effort runs, and
# says at error level what is missing; status --doctor=platform tells.
. "$(dirname "$0")/lib.sh"

B=$SESAME_BUILD/tests/buspeer
use_private_paths
if "$SESAME" status --doctor=platform 2>/dev/null | grep -q "kernel.landlock.*not available"; then
	skip "this kernel has no Landlock itself: the test makes one without it"
	done_testing
	exit
fi

"$B" without landlock "$SESAME" daemon profile >/dev/null 2>"$T/hub.err"
is "$?" 1 "without Landlock, daemon-profile refuses to start (exit 1)"
contains "$T/hub.err" "CONFIG_SECURITY_LANDLOCK" "the error names the kernel option"
contains "$T/hub.err" 'global.sandbox = "best-effort"' "and the setting that runs without"
[ ! -e "$SESAME_RUNTIME_DIR/bus.sock" ] && [ ! -e "$SESAME_RUNTIME_DIR/bus.pub" ]
ok $? "no dead bus.sock or bus.pub is left behind"
run "$SESAME" status
is "$rc" 69 "so a command says the daemon is not running (69)"
! grep -qi "connection refused" "$T/err"; ok $? "and not 'connection refused'"

start_hub
"$B" without landlock "$SESAME" daemon secrets >/dev/null 2>"$T/sec.err"
is "$?" 1 "daemon-secrets refuses too"
contains "$T/sec.err" "CONFIG_SECURITY_LANDLOCK" "naming the kernel option"

run "$B" without landlock "$SESAME" status --doctor=platform
contains "$T/out" "kernel.landlock" "status --doctor=platform checks Landlock"
grep -q "^FAIL kernel.landlock.*CONFIG_SECURITY_LANDLOCK" "$T/out"
ok $? "a failed check there, naming the option"
grep -q "^ok \+kernel.seccomp" "$T/out"; ok $? "and seccomp filters are there"

# Best-effort: it runs, and logs at error level what is missing.
stop_hub
mkdir -p "$SESAME_CONFIG_DIR"
printf '[global]\nsandbox = "best-effort"\n' >"$SESAME_CONFIG_DIR/config.toml"
spawn "$B" without landlock "$SESAME" daemon profile 2>>"$T/hub.log"
HUB=$spawned
wait_for 10 test -S "$SESAME_RUNTIME_DIR/bus.sock"
spawn "$B" without landlock "$SESAME" daemon secrets 2>>"$T/secrets.log"
wait_for 10 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* secrets'"
ok $? "with global.sandbox = best-effort both run"
grep -q 'level=error.*running without Landlock' "$T/secrets.log"; ok $? "and log at error level what is missing"
run "$SESAME" status --sandbox
contains "$T/out" "landlock=off" "status --sandbox shows it"

# Without memfd_secret: secure memory falls back to mlock, loudly.
spawn "$B" without memfd_secret "$SESAME" daemon snippets 2>>"$T/snip.log"
wait_for 10 grep -q "memfd_secret unavailable" "$T/snip.log"
ok $? "without memfd_secret a role runs on mlock()ed memory and says so at error level"
done_testing
