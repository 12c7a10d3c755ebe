#!/bin/sh
# Idle auto-lock: daemon-secrets --idle-lock N locks a vault nobody used
# for N seconds (and audits it); use keeps it open; without the option
# vaults stay unlocked.
. "$(dirname "$0")/lib.sh"

use_private_paths
start_hub
start_secrets --idle-lock 1
printf 'pw\n' | "$SESAME" init -p a >/dev/null
printf 'v' | "$SESAME" secret set -p a k >/dev/null
for i in 1 2 3 4; do
	sleep 0.4
	"$SESAME" secret get -p a k >/dev/null
done
ok $? "a vault in use within the idle time stays unlocked (1.6 s of use, 1 s idle lock)"
sleep 1.5
run "$SESAME" secret get -p a k
is "$rc" 77 "after 1.5 s without use it is locked"
grep -q '"event":"vault.lock".*"outcome":"idle"' "$SESAME_DATA_DIR/audit.jsonl"; ok $? "the idle lock is audited"
grep -q "locked after 1 s idle" "$T/secrets.log"; ok $? "and logged"
stop_secrets

start_secrets
printf 'pw\n' | "$SESAME" unlock -p a >/dev/null
sleep 1.5
run "$SESAME" secret get -p a k
is "$(cat "$T/out")" "v" "without --idle-lock a vault stays unlocked"
run "$SESAME" daemon secrets --idle-lock soon
is "$rc" 2 "a bad --idle-lock value is a usage error"

done_testing
