#!/bin/sh
# Several SSH keys per vault (issue 32, point 6), against a real OpenSSH
# ssh-agent: enroll adds, list shows each with its comment and
# fingerprint, revoke removes the one named; under policy any each key
# unlocks alone, under policy all each one is needed; a key twice and a
# ninth key are refused.
. "$(dirname "$0")/lib.sh"

feed() { printf "$1" >"$T/in"; shift; "$@" <"$T/in"; }
use_private_paths
start_ssh_agent
for k in a b c d e f g h i; do ssh-keygen -q -t ed25519 -N '' -C "key $k" -f "$T/$k"; done
fp() { ssh-keygen -lf "$T/$1.pub" | awk '{print $2}'; }
A=$(fp a) B=$(fp b) C=$(fp c)
start_hub
start_secrets
ssh-add -q "$T/a" "$T/b" 2>/dev/null
printf 'pw\n' | "$SESAME" init -p multi --password --ssh-key="$T/a.pub" >/dev/null
ok $? "init with a password and key a"
feed 'pw\n' run "$SESAME" ssh enroll -p multi -k "$T/b.pub"
ok "$rc" "ssh enroll adds key b"
contains "$T/out" "SSH key $B (ssh-ed25519) enrolled for profile 'multi'; any of its SSH keys unlocks it" "says so"
run "$SESAME" ssh list -p multi
grep -q "^multi  *any  *ssh-ed25519  *$A  *yes  *key a$" "$T/out" &&
	grep -q "^multi  *any  *ssh-ed25519  *$B  *yes  *key b$" "$T/out"
ok $? "ssh list shows both, with fingerprints and comments"
feed 'pw\n' run "$SESAME" ssh enroll -p multi -k "$T/a.pub"
is "$rc" 1 "enrolling a key that is there already: refused"
contains "$T/err" "$A is enrolled for profile multi already" "saying so"

"$SESAME" lock -p multi >/dev/null
ssh-add -q -d "$T/a.pub" 2>/dev/null
run "$SESAME" unlock -p multi </dev/null
ok "$rc" "the agent holding only key b unlocks it alone (policy any)"
contains "$T/out" "unlocked (SSH key $B)" "naming the key that did"
"$SESAME" lock -p multi >/dev/null
ssh-add -q -D 2>/dev/null
ssh-add -q "$T/a" 2>/dev/null
run "$SESAME" unlock -p multi </dev/null
ok "$rc" "and so does key a alone"

feed 'pw\n' run "$SESAME" ssh revoke -p multi
is "$rc" 1 "revoke without -k when there are two: refused"
contains "$T/err" "has 2 SSH keys; name one with -k" "asking which"
feed 'pw\n' run "$SESAME" ssh revoke -p multi -k "$A"
ok "$rc" "ssh revoke -k FINGERPRINT"
contains "$T/out" "SSH key $A revoked for profile 'multi'" "says which"
run "$SESAME" ssh list -p multi
! grep -q "$A" "$T/out" && grep -q "$B" "$T/out"; ok $? "only key b is left"
"$SESAME" lock -p multi >/dev/null
run "$SESAME" unlock -p multi --no-prompt </dev/null
[ "$rc" -ne 0 ]; ok $? "the revoked key a no longer unlocks it"
ssh-add -q "$T/b" 2>/dev/null
run "$SESAME" unlock -p multi </dev/null
ok "$rc" "key b still does"

# Up to 8 keys.
for k in c d e f g h i; do ssh-add -q "$T/$k" 2>/dev/null; done
n=0
for k in a c d e f g h; do printf 'pw\n' | "$SESAME" ssh enroll -p multi -k "$T/$k.pub" >/dev/null 2>&1 && n=$((n + 1)); done
is "$n" 7 "seven more keys enrolled (eight in all)"
feed 'pw\n' run "$SESAME" ssh enroll -p multi -k "$T/i.pub"
is "$rc" 1 "a ninth: refused"
contains "$T/err" "as many as a vault takes" "saying why"

# Policy all: each key is a factor.
ssh-add -q -D 2>/dev/null
ssh-add -q "$T/a" "$T/b" 2>/dev/null
printf 'pw\npw\n' | "$SESAME" init -p allv --ssh-key="$T/a.pub" --auth-policy all >/dev/null
ok $? "init with policy all (password and key a)"
feed 'pw\n' run "$SESAME" ssh enroll -p allv -k "$T/b.pub"
ok "$rc" "enroll key b under policy all (key a and the password prove it)"
contains "$T/out" "under policy all, each of its SSH keys is needed to unlock it" "saying what that means"
"$SESAME" lock -p allv >/dev/null
feed 'pw\n' run "$SESAME" unlock -p allv
ok "$rc" "the password with keys a and b unlocks"
contains "$T/out" "unlocked (password and SSH keys)" "says so"
"$SESAME" lock -p allv >/dev/null
ssh-add -q -d "$T/b.pub" 2>/dev/null
feed 'pw\n' run "$SESAME" unlock -p allv
[ "$rc" -ne 0 ]; ok $? "the password with key a alone does not"
contains "$T/err" "needs each of its 2 SSH keys as well as its password (policy all)" "saying what is missing"
run "$SESAME" audit verify
ok "$rc" "the audit chain verifies"
done_testing
