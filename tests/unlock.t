#!/bin/sh
# sesame unlock --all --no-prompt --wait: what a boot script runs.  Every
# locked vault that opens without a person (here: an SSH agent key) is
# unlocked; the rest stay locked, each listed with what it needs, exit
# 77; nothing is ever read from the terminal or standard input.  --wait
# covers a script started alongside the daemons.
. "$(dirname "$0")/lib.sh"
use_private_paths
start_ssh_agent
ssh-keygen -q -t ed25519 -N '' -C 'boot key' -f "$T/ed"
ssh-add -q "$T/ed" 2>/dev/null
FP=$(ssh-keygen -lf "$T/ed.pub" | awk '{print $2}')
start_hub
start_secrets
printf 'pw1\n' | "$SESAME" init -p agent --password --ssh-key="$T/ed.pub" >/dev/null
printf 'pw2\n' | "$SESAME" init -p pwonly >/dev/null
printf 'pw3\n' | "$SESAME" init -p both --password --ssh-key="$T/ed.pub" --auth-policy all >/dev/null
"$SESAME" lock >/dev/null

printf 'pw2\n' >"$T/in"
run "$SESAME" unlock --all --no-prompt <"$T/in"
is "$rc" 77 "--all --no-prompt with a vault that needs a password: exit 77"
contains "$T/out" "Vault 'agent' unlocked (SSH key $FP)" "the vault the agent opens is unlocked"
contains "$T/err" "pwonly stays locked: it needs its password" "the password-only vault is listed as locked"
contains "$T/err" "both stays locked: it needs its password as well as its SSH key (policy all)" \
	"so is the one that needs both"
contains "$T/err" "2 vaults left locked" "with the count"
run "$SESAME" status
contains "$T/out" "pwonly (locked)" "(pwonly is still locked:"
contains "$T/out" "agent (unlocked)" " agent is not)"
is "$(cat "$T/in")" "pw2" "standard input was not read"

run "$SESAME" unlock -p pwonly --no-prompt <"$T/in"
is "$rc" 77 "-p PROFILE --no-prompt: exit 77 rather than reading the password on standard input"
printf 'pw2\n' | "$SESAME" unlock -p pwonly >/dev/null
printf 'pw3\n' | "$SESAME" unlock -p both >/dev/null
run "$SESAME" unlock --all --no-prompt </dev/null
ok "$rc" "nothing locked: exit 0"
contains "$T/out" "No vault is locked." "saying so"

# The agent gone: the agent's vault needs its password now.
"$SESAME" lock >/dev/null
SSH_AUTH_SOCK="$T/none.sock" run "$SESAME" unlock -p agent --no-prompt </dev/null
is "$rc" 77 "no agent: the vault it would open stays locked"
contains "$T/err" "agent stays locked: it needs its password" "and needs its password"

# Without the daemons: 69 at once, or, with --wait, once they are up.
stop_secrets
stop_hub
run "$SESAME" unlock --all --no-prompt </dev/null
is "$rc" 69 "daemons down, no --wait: exit 69"
"$SESAME" unlock --all --no-prompt --wait 20 >"$T/wout" 2>"$T/werr" </dev/null &
waiter=$!
sleep 1
kill -0 "$waiter" 2>/dev/null; ok $? "--wait 20: still waiting for the daemons"
start_hub
start_secrets
wait "$waiter"
is "$?" 77 "once they are up it unlocks what it can (exit 77: two need a password)"
contains "$T/wout" "Vault 'agent' unlocked (SSH key $FP)" "the agent's vault among them"
stop_secrets
run "$SESAME" unlock --all --no-prompt --wait 1 </dev/null
is "$rc" 69 "--wait 1 with daemon-secrets down: gives up after a second, exit 69"

run "$SESAME" unlock --all -p agent
is "$rc" 2 "-p and --all together: usage error"
run "$SESAME" unlock --wait soon
is "$rc" 2 "--wait needs a number of seconds"
done_testing
