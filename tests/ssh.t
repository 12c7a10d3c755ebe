#!/bin/sh
# The SSH agent factor, against a real OpenSSH ssh-agent and ssh-add with
# Ed25519 and RSA keys: enroll, lock, unlock by the agent alone, by the
# password alone, and policy all needing both.  Also the wipe.
. "$(dirname "$0")/lib.sh"
# feed TEXT CMD...: CMD in this shell (so run's $rc survives) with TEXT
# (printf format) on its standard input.
feed() { printf "$1" >"$T/in"; shift; "$@" <"$T/in"; }
use_private_paths
start_ssh_agent
ssh-keygen -q -t ed25519 -N '' -C 'test ed25519' -f "$T/ed"
ssh-keygen -q -t rsa -b 2048 -N '' -C 'test rsa' -f "$T/rsa"
ssh-keygen -q -t ecdsa -N '' -C 'test ecdsa' -f "$T/ec"
add_keys() { ssh-add -q "$T/ed" "$T/rsa" "$T/ec" 2>/dev/null; }
add_keys
ED_FP=$(ssh-keygen -lf "$T/ed.pub" | awk '{print $2}')
RSA_FP=$(ssh-keygen -lf "$T/rsa.pub" | awk '{print $2}')
start_hub
start_secrets

# Ed25519, policy any: password or agent.
feed 'pw-ed\n' run "$SESAME" init -p edv --password --ssh-key="$T/ed.pub"
ok "$rc" "init with a password and an Ed25519 key from the agent"
contains "$T/out" "(password or $ED_FP)" "init names both factors, the key by its fingerprint as ssh-keygen -l does"
"$SESAME" lock -p edv >/dev/null
run "$SESAME" unlock -p edv </dev/null
ok "$rc" "the agent alone unlocks (no password given)"
contains "$T/out" "unlocked (SSH key $ED_FP)" "and says so"
"$SESAME" lock -p edv >/dev/null
ssh-add -q -D 2>/dev/null
feed 'pw-ed\n' run "$SESAME" unlock -p edv
ok "$rc" "with the key gone from the agent, the password alone unlocks"
contains "$T/err" "the SSH agent does not hold the key $ED_FP" "the fallback says why"
"$SESAME" lock -p edv >/dev/null
feed 'wrong\n' run "$SESAME" unlock -p edv
[ "$rc" = 77 ]; ok $? "a wrong password still fails (exit 77)"
add_keys

# RSA as the only factor: signed with rsa-sha2-512, deterministically.
run "$SESAME" init -p rsav --ssh-key="$RSA_FP" </dev/null
ok "$rc" "init with only an RSA key, chosen by fingerprint"
printf 'x' | "$SESAME" secret set -p rsav token >/dev/null
"$SESAME" lock -p rsav >/dev/null
run "$SESAME" unlock -p rsav </dev/null
ok "$rc" "the RSA key unlocks (rsa-sha2-512 signatures are deterministic)"
is "$("$SESAME" secret get -p rsav token)" x "the secret reads back"
ssh-add -q -d "$T/rsa.pub" 2>/dev/null
"$SESAME" lock -p rsav >/dev/null
feed 'anything\n' run "$SESAME" unlock -p rsav
[ "$rc" = 77 ]; ok $? "an SSH-only vault without its key in the agent stays locked (exit 77)"
contains "$T/err" "opens only with its SSH key $RSA_FP" "and says which key it needs"
add_keys

# ECDSA is refused: its signatures are random.
feed 'pw\n' run "$SESAME" init -p ecv --ssh-key="$T/ec.pub"
[ "$rc" != 0 ]; ok $? "an ECDSA key is refused"
contains "$T/err" "only Ed25519 and RSA keys can unlock a vault" "with the reason"

# Policy all: both factors, always.
feed 'pw-all\npw-all\n' run "$SESAME" init -p both --ssh-key="$T/ed.pub" --auth-policy all
ok "$rc" "init with policy all (password and Ed25519 key)"
"$SESAME" lock -p both >/dev/null
feed 'pw-all\n' run "$SESAME" unlock -p both
ok "$rc" "policy all: password and agent together unlock"
contains "$T/out" "unlocked (password and SSH key)" "and says both were used"
"$SESAME" lock -p both >/dev/null
feed 'wrong\n' run "$SESAME" unlock -p both
[ "$rc" = 77 ]; ok $? "policy all: the agent with a wrong password does not unlock"
ssh-add -q -D 2>/dev/null
feed 'pw-all\n' run "$SESAME" unlock -p both
[ "$rc" = 77 ]; ok $? "policy all: the password without the agent's key does not unlock"
contains "$T/err" "needs its SSH key $ED_FP as well as its password" "and says what is missing"
add_keys
feed 'pw-all\npw-all2\n' run "$SESAME" passwd -p both
ok "$rc" "passwd under policy all (with the agent)"
feed 'pw-all2\n' run "$SESAME" unlock -p both
ok "$rc" "the new password with the agent unlocks"

# Enrolling later, listing, revoking.
printf 'pw-late\n' | "$SESAME" init -p late >/dev/null
feed 'pw-late\n' run "$SESAME" ssh enroll -p late -k "$T/rsa.pub"
ok "$rc" "ssh enroll adds an RSA key to a password vault"
feed 'wrong\n' run "$SESAME" ssh enroll -p late -k "$T/ed.pub"
[ "$rc" = 77 ]; ok $? "enrolling with a wrong password is refused (exit 77)"
"$SESAME" lock -p late >/dev/null
run "$SESAME" unlock -p late </dev/null
ok "$rc" "the enrolled key unlocks by itself"
run "$SESAME" ssh list -p edv,late,rsav,both
ok "$rc" "ssh list"
grep -q "^late  *any  *ssh-rsa  *$RSA_FP  *yes  *test rsa$" "$T/out"
ok $? "list shows policy, type, key, that the agent holds it, and its comment"
grep -q "^both  *all  *ssh-ed25519 " "$T/out"; ok $? "list shows policy all"
feed 'pw-late\n' run "$SESAME" ssh revoke -p late
ok "$rc" "ssh revoke"
"$SESAME" lock -p late >/dev/null
run "$SESAME" unlock -p late </dev/null
[ "$rc" != 0 ]; ok $? "after revoke the agent no longer unlocks"
feed 'pw-late\n' run "$SESAME" unlock -p late
ok "$rc" "the password still does"
run "$SESAME" ssh revoke -p rsav </dev/null
[ "$rc" = 1 ]; ok $? "revoking the only factor is refused"
contains "$T/err" "revoking it would lose the vault" "with the reason"

# Nothing of the signature or keys in the clear on disk.
run "$SESAME" audit verify
ok "$rc" "the audit chain is intact after all that"
grep -q '"event":"factor.enroll".*"outcome":"ok"' "$SESAME_DATA_DIR/audit.jsonl"; ok $? "enrollment is audited"
grep -q '"event":"factor.revoke".*"outcome":"ok"' "$SESAME_DATA_DIR/audit.jsonl"; ok $? "revocation is audited"

# --wipe-reset-destroy-all-data
feed 'destroy all data\n' run "$SESAME" init --wipe-reset-destroy-all-data
[ "$rc" = 1 ]; ok $? "wipe refuses while the daemons run"
stop_secrets; stop_hub
feed 'destroy everything\n' run "$SESAME" init --wipe-reset-destroy-all-data
[ "$rc" = 1 ] && [ -f "$SESAME_DATA_DIR/vaults/edv.db" ]; ok $? "a wrong confirmation destroys nothing (exit 1)"
feed 'destroy all data\n' run "$SESAME" init --wipe-reset-destroy-all-data
ok "$rc" "the typed confirmation wipes"
[ ! -e "$SESAME_DATA_DIR/vaults" ] && [ ! -e "$SESAME_DATA_DIR/audit.jsonl" ]; ok $? "vaults and audit log are gone"
run "$SESAME" init --wipe-reset-destroy-all-data -p x
[ "$rc" = 2 ]; ok $? "wipe takes no other option"
done_testing
