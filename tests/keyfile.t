#!/bin/sh
# The key-file factor: a 32-byte file that unlocks a vault with no one
# typing; every unsafe file refused with what is wrong; the password
# stays the way back in.
. "$(dirname "$0")/lib.sh"

feed() { printf "$1" >"$T/in"; shift; "$@" <"$T/in"; }
use_private_paths
under_qemu
# shellcheck disable=SC2086 # hub_args is empty or one option and its value
start_hub $hub_args
start_secrets
K="$T/keys/dev.key"
mkdir -p "$T/keys"

run "$SESAME" keyfile create "$K"
ok "$rc" "keyfile create makes a key file"
is "$(stat -c '%a %s' "$K")" "400 32" "mode 0400, 32 bytes"
run "$SESAME" keyfile create "$K"
is "$rc" 1 "an existing file is never replaced"
contains "$T/err" "exists already" "and says so"

# Unsafe files, each refused with the reason.
head -c 32 /dev/urandom >"$T/keys/open.key"; chmod 644 "$T/keys/open.key"
head -c 31 /dev/urandom >"$T/keys/short.key"; chmod 600 "$T/keys/short.key"
ln -s "$K" "$T/keys/link.key"
mkfifo "$T/keys/fifo.key"; chmod 600 "$T/keys/fifo.key"
for c in "open.key|open to others (mode 0644, want 0400 or 0600): chmod 400 it" \
	"short.key|31 bytes, not 32" "fifo.key|not a regular file" "missing.key|No such file"; do
	f=${c%%|*} want=${c#*|}
	feed 'pw\n' run "$SESAME" init -p bad --keyfile "$T/keys/$f"
	[ "$rc" = 1 ] && [ ! -e "$SESAME_DATA_DIR/vaults/bad.db" ]; ok $? "init --keyfile $f is refused, no vault made"
	contains "$T/err" "$want" "  with the reason: $want"
done
# realpath resolves the link to the file itself, so a link given at
# enrolment is stored as its target; a link put in place later is refused.
feed 'pw\n' run "$SESAME" init -p dev --password --keyfile "$T/keys/link.key"
ok "$rc" "init with a password and a key file (given through a link: its target is kept)"
contains "$T/out" "(password or key file)" "init names both factors"
run "$SESAME" keyfile list -p dev
contains "$T/out" "$K (yes)" "keyfile list shows the file and that it is readable"
printf 'v1' | "$SESAME" secret set -p dev k >/dev/null

"$SESAME" lock -p dev >/dev/null
run "$SESAME" unlock -p dev --no-prompt
ok "$rc" "unlock --no-prompt opens it with the key file"
contains "$T/out" "unlocked (key file $K)" "and says so"
is "$("$SESAME" secret get -p dev k)" v1 "the secret reads back"

# The file gone: the password, and only it, still opens.
mv "$K" "$K.away"
"$SESAME" lock -p dev >/dev/null
run "$SESAME" unlock --all --no-prompt </dev/null
is "$rc" 77 "without the key file, unlock --no-prompt leaves it locked (77)"
contains "$T/err" "dev stays locked: it needs its password" "naming what it needs"
contains "$T/err" "key file: key file $K: No such file" "and why the key file did not do"
feed 'pw\n' run "$SESAME" unlock -p dev
ok "$rc" "the password still opens it"
"$SESAME" lock -p dev >/dev/null

# Another key at the same path does not open it (and counts as a failure).
head -c 32 /dev/urandom >"$K"; chmod 400 "$K"
run "$SESAME" unlock -p dev --no-prompt
is "$rc" 77 "another key in the file does not open the vault"
contains "$T/err" "the key file does not open profile dev" "with the reason"
rm -f "$K"; mv "$K.away" "$K"

# A link swapped in for the file later is refused.
mv "$K" "$K.real"; ln -s "$K.real" "$K"
run "$SESAME" unlock -p dev --no-prompt
is "$rc" 77 "a symbolic link put in the file's place is refused"
contains "$T/err" "a symbolic link" "with the reason"
rm -f "$K"; mv "$K.real" "$K"

# A copy of the vault without the key file is as good as password-only.
mkdir -p "$T/copy"
cp "$SESAME_DATA_DIR/vaults/dev.db" "$T/copy/"
grep -c "$(head -c 32 "$K" | od -An -tx1 | tr -d ' \n' | cut -c1-16)" "$T/copy/dev.db" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "the vault file does not hold the key"

# Enrolled later; revoked; a key-file-only vault keeps its factor.
printf 'pw2\n' | "$SESAME" init -p late >/dev/null
"$SESAME" keyfile create "$T/keys/late.key" >/dev/null
feed 'wrong\n' run "$SESAME" keyfile enroll -p late "$T/keys/late.key"
is "$rc" 77 "keyfile enroll with a wrong password is refused (77)"
feed 'pw2\n' run "$SESAME" keyfile enroll -p late "$T/keys/late.key"
ok "$rc" "keyfile enroll, proved by the password"
"$SESAME" lock -p late >/dev/null
run "$SESAME" unlock -p late --no-prompt
ok "$rc" "the enrolled key file unlocks"
feed 'pw2\n' run "$SESAME" keyfile revoke -p late
ok "$rc" "keyfile revoke"
"$SESAME" lock -p late >/dev/null
run "$SESAME" unlock -p late --no-prompt
is "$rc" 77 "after revoke the key file no longer unlocks"
"$SESAME" keyfile create "$T/keys/only.key" >/dev/null
run "$SESAME" init -p only --keyfile "$T/keys/only.key" </dev/null
ok "$rc" "init with a key file alone (no password asked)"
run "$SESAME" keyfile revoke -p only </dev/null
is "$rc" 1 "revoking the only factor is refused"
contains "$T/err" "revoking it would lose the vault" "with the reason"

# Policy all: key file and password together.
"$SESAME" keyfile create "$T/keys/both.key" >/dev/null
feed 'pwb\npwb\n' run "$SESAME" init -p both --keyfile "$T/keys/both.key" --auth-policy all
ok "$rc" "init with policy all (key file, and the password added)"
"$SESAME" lock -p both >/dev/null
run "$SESAME" unlock -p both --no-prompt
is "$rc" 77 "policy all: the key file alone does not unlock"
feed 'pwb\n' run "$SESAME" unlock -p both
ok "$rc" "the key file with the password does"
contains "$T/out" "unlocked (password and key file)" "and says both were used"
"$SESAME" lock -p both >/dev/null
mv "$T/keys/both.key" "$T/keys/both.away"
feed 'pwb\n' run "$SESAME" unlock -p both
is "$rc" 77 "policy all: the password without the key file does not unlock"
grep -q '"event":"vault.unlock".*"outcome":"ok"' "$SESAME_DATA_DIR/audit.jsonl"; ok $? "unlocks are audited"
done_testing
