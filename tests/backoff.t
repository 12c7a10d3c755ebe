#!/bin/sh
# Unlock backoff: after three wrong passwords each further one doubles the
# wait, attempts inside the wait are refused without checking, and the
# state survives a restart of daemon-secrets.
. "$(dirname "$0")/lib.sh"

use_private_paths
start_hub
start_secrets
printf 'right\n' | "$SESAME" init -p p >/dev/null
"$SESAME" lock -p p >/dev/null

wrong() { printf 'wrong\n' | "$SESAME" unlock -p p >"$T/out" 2>"$T/err"; rc=$?; }
for i in 1 2 3; do
	wrong
	is "$rc" 77 "wrong password $i is refused"
	contains "$T/err" "wrong password" "as wrong ($i), without delay"
done
wrong
contains "$T/err" "wrong password" "the fourth wrong password is checked too"
wrong
contains "$T/err" "too many wrong passwords" "an attempt inside the 1 s wait is refused unchecked"
is "$rc" 77 "with exit 77"
printf 'right\n' | "$SESAME" unlock -p p >"$T/out" 2>"$T/err"
contains "$T/err" "try again in 1 s" "even the right password waits its turn"

stop_secrets
start_secrets
wrong
contains "$T/err" "too many wrong passwords" "the wait survives a restart of daemon-secrets"

sleep 1.1
wrong
contains "$T/err" "wrong password" "after the wait a password is checked again"
wrong
contains "$T/err" "try again in 2 s" "and the next wait has doubled (2 s)"
grep -q "5 in a row; next attempt in" "$T/secrets.log"; ok $? "failures are logged with their count"

sleep 2.1
printf 'right\n' | "$SESAME" unlock -p p >"$T/out" 2>"$T/err"
ok $? "the right password unlocks once the wait is over"
"$SESAME" lock -p p >/dev/null
wrong
contains "$T/err" "wrong password" "a success resets the count: the next wrong password is checked at once"
wrong
contains "$T/err" "wrong password" "and so is the one after"

done_testing
