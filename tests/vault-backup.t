#!/bin/sh
# sesame vault backup and restore (issue 32, point 7): every secret
# back, byte for byte, after the data directory is destroyed; the file
# sealed (no value in it), refused whole when changed in one byte or
# opened with another passphrase; a vault with secrets not touched
# without --force, and with it made exactly the backup's; both in the
# audit log.
. "$(dirname "$0")/lib.sh"

use_private_paths
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p dev >/dev/null
printf 'plain-value-1' | "$SESAME" secret set -p dev api-key >/dev/null
printf 'line one\nline two\n' | "$SESAME" secret set -p dev multi >/dev/null
printf 'a\000b\377c' >"$T/bin"
"$SESAME" secret set -p dev binary <"$T/bin" >/dev/null
head -c 60000 /dev/urandom >"$T/big"
"$SESAME" secret set -p dev big <"$T/big" >/dev/null
printf 'x' | "$SESAME" secret set -p dev 'name with/slash and ü' >/dev/null
for k in api-key multi binary big 'name with/slash and ü'; do
	"$SESAME" secret get -p dev "$k" >"$T/before.$(printf '%s' "$k" | md5sum | cut -c1-8)"
done
PASS='correct horse battery staple'

printf '%s\n' "$PASS" >"$T/pass"
run "$SESAME" vault backup -p dev --passphrase-fd 3 "$T/dev.backup" 3<"$T/pass"
ok "$rc" "vault backup"
contains "$T/out" "Backed up 5 secrets of profile 'dev' to $T/dev.backup" "says how many"
is "$(stat -c %a "$T/dev.backup")" 600 "the file is 0600"
is "$(head -c 13 "$T/dev.backup")" "sesame-backup" "it starts with the format's magic"
! grep -q -e plain-value-1 -e 'line two' "$T/dev.backup"; ok $? "no value is in it in the clear"
printf 'short\n' >"$T/short"
run "$SESAME" vault backup -p dev --passphrase-fd 3 "$T/x.backup" 3<"$T/short"
is "$rc" 1 "a passphrase under 10 characters: refused"
[ ! -e "$T/x.backup" ]; ok $? "nothing written"

grep -q '"event":"vault.backup","profile":"dev".*"outcome":"ok"' "$SESAME_DATA_DIR/audit.jsonl"
ok $? "the backup is in the audit log"
is "$(grep -c '"event":"secret.get"' "$SESAME_DATA_DIR/audit.jsonl")" 10 "with each secret read (5 by the test, 5 by backup)"

# The machine is lost: the data directory goes, a new vault is made.
stop_secrets
rm -rf "$SESAME_DATA_DIR"
start_secrets
printf 'new-pw\n' | "$SESAME" init -p dev >/dev/null
run "$SESAME" vault restore -p dev --passphrase-fd 3 "$T/dev.backup" 3<"$T/short"
is "$rc" 1 "another passphrase: refused"
contains "$T/err" "the passphrase is wrong, or the file was changed; nothing was changed" "saying so"
cp "$T/dev.backup" "$T/tampered"
printf '\001' | dd of="$T/tampered" bs=1 seek=100 conv=notrunc 2>/dev/null
run "$SESAME" vault restore -p dev --passphrase-fd 3 "$T/tampered" 3<"$T/pass"
is "$rc" 1 "one byte changed in the sealed part: refused"
cp "$T/dev.backup" "$T/tampered"
printf '\002' | dd of="$T/tampered" bs=1 seek=18 conv=notrunc 2>/dev/null
run "$SESAME" vault restore -p dev --passphrase-fd 3 "$T/tampered" 3<"$T/pass"
is "$rc" 1 "one byte changed in the header (the KDF's passes): refused"
printf '\377' | dd of="$T/tampered" bs=1 seek=19 conv=notrunc 2>/dev/null
run "$SESAME" vault restore -p dev --passphrase-fd 3 "$T/tampered" 3<"$T/pass"
contains "$T/err" "refused (1-20 passes, 8 KiB to 1 GiB)" "a header asking for 4 GiB: refused before deriving"
is "$("$SESAME" secret list -p dev | wc -l)" 0 "the vault is still empty"

run "$SESAME" vault restore -p dev --passphrase-fd 3 "$T/dev.backup" 3<"$T/pass"
ok "$rc" "vault restore into the new, empty vault"
contains "$T/out" "Restored 5 secrets of profile 'dev'" "says how many"
same=0
for k in api-key multi binary big 'name with/slash and ü'; do
	"$SESAME" secret get -p dev "$k" | cmp -s - "$T/before.$(printf '%s' "$k" | md5sum | cut -c1-8)" || same=1
done
ok $same "every secret identical, byte for byte (NUL, newlines, 60000 random bytes, a UTF-8 name)"

printf 'extra' | "$SESAME" secret set -p dev extra >/dev/null
printf 'changed' | "$SESAME" secret set -p dev api-key >/dev/null
run "$SESAME" vault restore -p dev --passphrase-fd 3 "$T/dev.backup" 3<"$T/pass"
is "$rc" 1 "into a vault with secrets: refused"
contains "$T/err" "has 6 secrets: not touched (--force" "saying so"
is "$("$SESAME" secret get -p dev api-key)" changed "nothing changed"
run "$SESAME" vault restore -p dev --force --passphrase-fd 3 "$T/dev.backup" 3<"$T/pass"
ok "$rc" "--force"
contains "$T/out" "1 not in the backup deleted" "the secret the backup lacks is deleted"
is "$("$SESAME" secret get -p dev api-key)" plain-value-1 "and the changed one is the backup's again"
is "$("$SESAME" secret list -p dev | wc -l)" 5 "exactly the backup's five"

grep -q '"event":"vault.restore".*"outcome":"ok"' "$SESAME_DATA_DIR/audit.jsonl"; ok $? "the restore is in the audit log"
run "$SESAME" audit verify
ok "$rc" "and the chain verifies"
! grep -rqF -e plain-value-1 -e 'line two' "$T"/*.log "$T/out" "$T/err" "$SESAME_DATA_DIR/audit.jsonl"
ok $? "no value in any log, message or the audit log"
run "$SESAME" vault restore -p nope --passphrase-fd 3 "$T/dev.backup" 3<"$T/pass"
is "$rc" 1 "a profile without a vault: refused"
contains "$T/err" "no vault for profile nope" "saying so"
done_testing
