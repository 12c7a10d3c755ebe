#!/bin/sh
# Attacks on the bus by a process of the bus owner's uid (README, Security:
# what such a process can and cannot do): posing as a daemon role with a
# key file, using IK with a key the hub never issued, replaying message 1.
# Each is run as an attacker would run it, with tests/buspeer.
. "$(dirname "$0")/lib.sh"

B=$SESAME_BUILD/tests/buspeer
use_private_paths
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p work >/dev/null 2>&1
printf 'the real value' | "$SESAME" secret set -p work k >/dev/null 2>&1
is "$("$SESAME" secret get -p work k)" "the real value" "(set-up: a vault with a secret)"

# 1. A second process with keys/secrets.key cannot take the role from the
# live daemon-secrets, running or stopped: it gets no request, and no
# password (the impostor, tests/buspeer role, answers every get with
# "value-of-KEY" and prints any password it is sent).
spawn "$B" role secrets >"$T/imp.out" 2>/dev/null
IMP=$spawned
got=
for i in $(seq 20); do got="$got$("$SESAME" secret get -p work k 2>/dev/null | grep -c value-of)"; sleep 0.05; done
is "$got" "00000000000000000000" \
	"a live role is not replaced: a process holding keys/secrets.key answers none of 20 gets"
grep -q "refusing pid $IMP as role secrets" "$T/hub.log"; ok $? "the hub logs the refused impostor"
kill "$IMP" 2>/dev/null; wait "$IMP" 2>/dev/null
kill -STOP "$SECRETS"
spawn "$B" role secrets >"$T/imp.out" 2>/dev/null
IMP=$spawned
sleep 1
run "$SESAME" secret get -p work k
getrc=$rc getout=$(cat "$T/out")
run sh -c "printf 'pw\n' | '$SESAME' unlock -p work"
kill "$IMP" 2>/dev/null; wait "$IMP" 2>/dev/null
kill -CONT "$SECRETS"
is "$getrc:$getout" "75:" "a stopped role is not replaced either: a get waits for it and times out (75)"
grep -q "password=" "$T/imp.out"; [ $? -ne 0 ]; ok $? "the impostor never sees unlock's password"
grep -q "refusing pid $IMP as role secrets" "$T/hub.log"; ok $? "(the impostor was refused while it was stopped)"
wait_for 10 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* secrets'"
is "$("$SESAME" secret get -p work k 2>&1)" "the real value" "once continued, the real daemon-secrets still holds the role"

# A role that died is replaced at once by its successor.
stop_secrets
start_secrets
ok $? "a restarted daemon-secrets takes its role back"

# 2. IK with a key the hub never issued is not served as the CLI.
head -c 32 /dev/urandom >"$SESAME_RUNTIME_DIR/keys/stranger.key"
chmod 600 "$SESAME_RUNTIME_DIR/keys/stranger.key"
printf 'pw\n' | "$SESAME" unlock -p work >/dev/null 2>&1
run "$B" get work k stranger
[ "$rc" -ne 0 ]; ok $? "IK with a static key the hub never issued is refused (exit $rc)"
[ ! -s "$T/out" ]; ok $? "and gets no value"
grep -q "static key the hub never issued" "$T/hub.log"; ok $? "the hub says why"

# 3. Message 1 can be replayed: a state-changing request in it is never
# carried out, however often it is sent.
"$B" capture lock work "$T/lock.frame"
ok $? "(a message 1 holding 'lock' is captured)"
run "$B" replay "$T/lock.frame"
contains "$T/out" "answered=1" "the hub answers the replayed handshake"
run "$B" replay "$T/lock.frame"
run "$SESAME" secret get -p work k
is "$rc" 0 "a replayed 'lock' in message 1 does not lock the vault"
"$B" capture secret.get work "$T/get.frame"
run "$B" replay "$T/get.frame"
contains "$T/out" "answered=1" "a read-only request in message 1 is still served (0-RTT)"
run "$SESAME" lock
ok "$rc" "sesame lock works, after the handshake"
run "$SESAME" secret get -p work k
is "$rc" 77 "(and locked it)"

# sesame status --rotate-keys: new keys, nothing restarted; the roles come
# back with theirs, and a copy of an old key file is worth nothing.
printf 'pw\n' | "$SESAME" unlock -p work >/dev/null 2>&1
cp "$SESAME_RUNTIME_DIR/keys/secrets.key" "$T/old-secrets.key"
cp "$SESAME_RUNTIME_DIR/bus.pub" "$T/old-bus.pub"
run "$SESAME" status --rotate-keys
ok "$rc" "sesame status --rotate-keys"
contains "$T/out" "daemon-secrets" "names the roles told to take their new keys"
! cmp -s "$T/old-secrets.key" "$SESAME_RUNTIME_DIR/keys/secrets.key" &&
	! cmp -s "$T/old-bus.pub" "$SESAME_RUNTIME_DIR/bus.pub"
ok $? "keys/secrets.key and bus.pub are new"
wait_for 10 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* secrets'"
is "$("$SESAME" secret get -p work k 2>&1)" "the real value" "daemon-secrets is back, with its new key, vault still unlocked"
kill -0 "$SECRETS"; ok $? "(the same process: nothing was restarted)"
grep -q "rotated the keys" "$T/secrets.log"; ok $? "daemon-secrets says why it reconnected"
cp "$T/old-secrets.key" "$SESAME_RUNTIME_DIR/keys/stale.key"
run "$B" get work k stale
[ "$rc" -ne 0 ]; ok $? "the old key of the secrets role is refused (exit $rc)"

# A key file is not enough: what runs at the other end is checked too
# (applets/profile/peer.h).  With daemon-secrets gone, whoever holds its key...
stop_secrets
spawn "$B" role secrets >"$T/imp.out" 2>"$T/imp.err"
IMP=$spawned
wait_for 10 grep -q "refusing pid $IMP as role secrets" "$T/hub.log"
grep "refusing pid $IMP as role secrets" "$T/hub.log" | grep -q "runs .*buspeer, not this sesame"
ok $? "another program holding keys/secrets.key is refused: the hub names what it runs"
run "$SESAME" secret get -p work k
is "$rc" 69 "(so daemon-secrets is simply not running: exit 69, no impostor's value)"
kill "$IMP" 2>/dev/null; wait "$IMP" 2>/dev/null
# ...sesame itself run as another role, given the secrets key...
cp "$SESAME_RUNTIME_DIR/keys/snippets.key" "$T/snippets.key"
cp "$SESAME_RUNTIME_DIR/keys/secrets.key" "$SESAME_RUNTIME_DIR/keys/snippets.key"
spawn "$SESAME" daemon snippets 2>"$T/snip.log"
SNIP=$spawned
wait_for 10 grep -q "refusing pid $SNIP as role secrets" "$T/hub.log"
grep "refusing pid $SNIP as role secrets" "$T/hub.log" | grep -q "runs sesame as daemon-snippets, not daemon-secrets"
ok $? "sesame run as daemon-snippets with the secrets key is refused as daemon-secrets"
kill "$SNIP" 2>/dev/null; wait "$SNIP" 2>/dev/null
cp "$T/snippets.key" "$SESAME_RUNTIME_DIR/keys/snippets.key"
# ...and the real daemon-secrets, under a tracer (strace, a debugger, or
# whoever attached to it to take it over).
spawn "$B" traced "$SESAME" daemon secrets >"$T/tracer.out" 2>>"$T/secrets.log"
TRACER=$spawned
wait_for 10 grep -q "is traced by pid $TRACER: refused" "$T/hub.log"
ok $? "daemon-secrets running under a tracer is refused" ||
	{ cat "$T/tracer.out"; grep "refusing\|role secrets" "$T/hub.log" | tail -5; tail -5 "$T/secrets.log"; } | sed 's/^/# /'
run "$SESAME" secret get -p work k
is "$rc" 69 "(and serves nothing)"
kill "$TRACER" 2>/dev/null; wait "$TRACER" 2>/dev/null
start_secrets
ok $? "the real daemon-secrets, untraced, is accepted"

# Every byte on a role's connection comes from the process that was
# checked.  A hub that also trusts buspeer's executable (--role-exe, for
# tests) shows it: a process that handshakes and leaves a child to speak
# (as one that exec'ed sesame right after message 1 would) is refused.
stop_secrets
stop_hub
start_hub --role-exe "$B"
spawn "$B" role secrets split >"$T/split.out" 2>/dev/null
IMP=$spawned
wait_for 10 grep -q "split child=" "$T/split.out"
CHILD=$(sed -n 's/^split child=//p' "$T/split.out")
wait_for 10 grep -q "bytes from pid $CHILD on a connection pid $IMP writes" "$T/hub.log"
ok $? "a child left behind on a role's connection is refused"
run "$SESAME" secret get -p work k
is "$rc" 69 "(the role was never given to it)"
kill "$IMP" "$CHILD" 2>/dev/null; wait "$IMP" 2>/dev/null

# Who may send what is one table (lib/bus/wire.c): the clipboard history key is
# daemon-clipboard's alone, whichever role asks, forged caller or not.
run "$B" clipkey work launcher
is "$rc" 77 "another role (launcher's key, a forged caller stamp) cannot have the clipboard key"
contains "$T/err" "clipboard.key is for daemon-clipboard alone" "the hub refuses it before it reaches daemon-secrets"
done_testing
