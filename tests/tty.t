#!/bin/sh
# What sesame reads from a terminal: passwords twice for init, once for
# unlock, values and confirmations, never echoed; an answer typed the
# moment the prompt shows is neither echoed nor lost; a serial console
# whose Enter sends CR works.  tests/ptyrun plays the person at the
# terminal, on a real pseudo-terminal.
. "$(dirname "$0")/lib.sh"

P=$SESAME_BUILD/tests/ptyrun
use_private_paths
start_hub
start_secrets

run "$P" 'New password' 'pw-on-tty' 'Again' 'pw-on-tty' -- "$SESAME" init -p tty
ok "$rc" "init on a terminal asks for the password twice"
contains "$T/out" "Vault 'tty' created" "and creates the vault"
! grep -q 'pw-on-tty' "$T/out"; ok $? "without echoing it"

run "$P" 'New password' 'one' 'Again' 'two' -- "$SESAME" init -p other
is "$rc" 1 "two different entries: init fails"
contains "$T/out" "do not match" "and says so"
[ ! -e "$SESAME_DATA_DIR/vaults/other.db" ]; ok $? "and creates nothing"

"$SESAME" lock -p tty >/dev/null
run "$P" 'Password' 'pw-on-tty' -- "$SESAME" unlock -p tty
ok "$rc" "unlock on a terminal"
! grep -q 'pw-on-tty' "$T/out"; ok $? "without echo"

run "$P" "Value for 'k'" 'typed value' -- "$SESAME" secret set -p tty k
ok "$rc" "secret set asks for the value on a terminal"
! grep -q 'typed value' "$T/out"; ok $? "without echo"
run "$SESAME" secret get -p tty k
is "$(cat "$T/out")" "typed value" "the value is stored as typed, without the newline"
run "$P" -- "$SESAME" secret get -p tty k
is "$(od -An -c "$T/out" | tr -s ' ')" " t y p e d v a l u e \\r \\n" \
	"get on a terminal adds a newline (shown as CR LF by the terminal)"

run "$P" "[y/N]" 'n' -- "$SESAME" secret delete -p tty k
run "$SESAME" secret get -p tty k
ok "$rc" "delete on a terminal asks first; n keeps the secret"
run "$P" "[y/N]" 'y' -- "$SESAME" secret delete -p tty k
contains "$T/out" "Secret 'k' deleted" "y deletes it"

run "$P" 'Current password' 'pw-on-tty' 'New password' 'pw2' 'Again' 'pw2' -- "$SESAME" passwd -p tty
ok "$rc" "passwd on a terminal: the current password once, the new one twice"
! grep -q 'pw-on-tty\|pw2' "$T/out"; ok $? "none of them echoed"

# A serial console whose Enter sends CR, with ICRNL off.
"$SESAME" lock -p tty >/dev/null
run "$P" -r 'Password' 'pw2' -- "$SESAME" unlock -p tty
ok "$rc" "unlock where Enter sends CR (a serial console without ICRNL)"

# The answer is typed the moment the prompt shows.  Echo used to go off
# only after the prompt was written, and TCSAFLUSH then threw away what
# had come meanwhile: 2 unlocks in 40 echoed the password, and hung or
# failed.
bad=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
	"$SESAME" lock -p tty >/dev/null
	"$P" 'Password' 'pw2' -- "$SESAME" unlock -p tty >"$T/quick" 2>&1 && ! grep -q pw2 "$T/quick" ||
		bad=$((bad + 1))
done
is "$bad" 0 "30 unlocks answered at once: none echoed, lost or failed"

done_testing
