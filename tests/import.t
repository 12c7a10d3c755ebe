#!/bin/sh
# sesame import (issue 32, point 5): a real pass store (a test gpg key,
# pass itself), a real KeePassXC database exported by keepassxc-cli (XML
# and CSV), a Bitwarden export (tests/import/bitwarden.json, written from
# Bitwarden's documented format), CSV and .env; names mapped as --help
# says; collisions refused unless --overwrite; --dry-run stores nothing;
# no value ever printed or logged.
. "$(dirname "$0")/lib.sh"

use_private_paths
export HOME=$T/home
mkdir -p "$HOME"
start_hub
start_secrets
for p in pass kp kpcsv bw csv env; do printf 'pw\n' | "$SESAME" init -p $p >/dev/null; done
VALUES="pass-Pa55 extra-line-2 kp-Pa55 bw-gh-Pa55 bw-note-secret rc-1234-5678 csv-value-1 env-value-1"
gets() { "$SESAME" secret get -p "$1" "$2"; }

if command -v pass >/dev/null && command -v gpg >/dev/null; then
	export GNUPGHOME=$T/gnupg PASSWORD_STORE_DIR=$T/store
	mkdir -m 700 "$GNUPGHOME"
	gpg --batch --quiet --passphrase '' --quick-gen-key 'sesame test <test@example.com>' ed25519 cert,sign 0 2>/dev/null
	FPR=$(gpg --batch --list-keys --with-colons test@example.com | awk -F: '/^fpr/ { print $10; exit }')
	gpg --batch --quiet --passphrase '' --quick-add-key "$FPR" cv25519 encrypt 0 2>/dev/null
	pass init "$FPR" >/dev/null 2>&1
	printf 'pass-Pa55\nuser: alice\nextra-line-2\n' | pass insert -m web/github.com >/dev/null 2>&1
	printf 'wifi-Pa55\n' | pass insert -m wifi >/dev/null 2>&1
	run "$SESAME" import -p pass --from pass
	ok "$rc" "--from pass: the store at \$PASSWORD_STORE_DIR, decrypted with gpg"
	contains "$T/out" "Imported 3 secrets into profile 'pass'" "3 secrets"
	is "$(gets pass web/github.com)" "pass-Pa55" "PATH = the first line"
	is "$(gets pass web/github.com.extra)" "user: alice
extra-line-2" "PATH.extra = the lines after it"
	is "$(gets pass wifi)" "wifi-Pa55" "a one-line entry"
	run "$SESAME" import -p pass --from pass
	is "$rc" 1 "again: the names are there already: refused"
	contains "$T/err" "3 names the vault has already: nothing was stored (--overwrite" "saying so"
	run "$SESAME" import -p pass --from pass --overwrite
	ok "$rc" "--overwrite"
	contains "$T/out" "(3 replaced" "counts the replaced"
	run "$SESAME" import -p pass --from pass "$T/nostore"
	is "$rc" 1 "a store that is not there: exit 1"
	gpgconf --kill gpg-agent 2>/dev/null
else
	skip "pass and gpg are needed (make deps installs them)"
fi

if command -v keepassxc-cli >/dev/null; then
	export QT_QPA_PLATFORM=offscreen
	K=$T/db.kdbx
	printf 'dbpw\ndbpw\n' | keepassxc-cli db-create -p "$K" >/dev/null 2>&1
	printf 'dbpw\n' | keepassxc-cli mkdir "$K" Work >/dev/null 2>&1
	printf 'dbpw\n' | keepassxc-cli mkdir "$K" Work/Servers >/dev/null 2>&1
	printf 'dbpw\nkp-Pa55\n' | keepassxc-cli add -u alice -p "$K" Work/github >/dev/null 2>&1
	printf 'dbpw\nkp-db-<&>"\n' | keepassxc-cli add -p "$K" Work/Servers/db >/dev/null 2>&1
	printf 'dbpw\nkp-top\n' | keepassxc-cli add -p "$K" top >/dev/null 2>&1
	printf 'dbpw\n' | keepassxc-cli add "$K" empty >/dev/null 2>&1
	printf 'dbpw\n' | keepassxc-cli export -f xml "$K" >"$T/kp.xml" 2>/dev/null
	printf 'dbpw\n' | keepassxc-cli export -f csv "$K" >"$T/kp.csv" 2>/dev/null
	run "$SESAME" import -p kp --from keepassxc --dry-run "$T/kp.xml"
	ok "$rc" "--from keepassxc --dry-run (XML)"
	contains "$T/out" "would add Work/github" "GROUP/TITLE"
	contains "$T/out" "would add Work/github.username" "GROUP/TITLE.username"
	contains "$T/out" "would add Work/Servers/db" "nested groups joined by /"
	contains "$T/out" "would add top" "an entry of the top group: TITLE"
	contains "$T/out" "1 skipped, empty); nothing was stored." "an entry without a password: skipped"
	is "$("$SESAME" secret list -p kp | wc -l)" 0 "the dry run stored nothing"
	run "$SESAME" import -p kp --from keepassxc "$T/kp.xml"
	ok "$rc" "--from keepassxc (XML)"
	is "$(gets kp Work/github)" "kp-Pa55" "the password"
	is "$(gets kp Work/github.username)" "alice" "the user name"
	is "$(gets kp Work/Servers/db)" 'kp-db-<&>"' "XML entities decoded"
	run "$SESAME" import -p kpcsv --from keepassxc "$T/kp.csv"
	ok "$rc" "--from keepassxc (CSV)"
	"$SESAME" secret list -p kp >"$T/kp.names"
	"$SESAME" secret list -p kpcsv >"$T/kpcsv.names"
	cmp -s "$T/kp.names" "$T/kpcsv.names"; ok $? "the CSV export gives the same names as the XML one"
	is "$(gets kpcsv Work/Servers/db)" 'kp-db-<&>"' "and the same values"
else
	skip "keepassxc-cli is needed (make deps installs keepassxc)"
fi

run "$SESAME" import -p bw --from bitwarden "$SESAME_SRC/tests/import/bitwarden.json"
ok "$rc" "--from bitwarden"
is "$(gets bw Work/github)" "bw-gh-Pa55" "FOLDER/NAME = the login's password"
is "$(gets bw Work/github.username)" "alice" ".username"
contains "$T/out" "(0 replaced; 2 skipped, empty)" "a card and a login without a password: skipped"
gets bw Work/github.totp | grep -q '^otpauth://'; ok $? ".totp"
is "$(gets bw Work/github.recovery-code)" "rc-1234-5678" "a custom field: .FIELD"
is "$(gets bw 'server notes')" "root: bw-note-secret
ssh port 2222" "a secure note: its text"
! "$SESAME" secret list -p bw | grep -q visa; ok $? "a card is not imported"
printf '{"encrypted": true, "items": []}' >"$T/enc.json"
run "$SESAME" import -p bw --from bitwarden "$T/enc.json"
contains "$T/err" "an encrypted export" "an encrypted export: refused, saying how"

printf 'Name,Value,Note\napi-key,csv-value-1,x\n"with, comma","multi\nline ""quoted""",y\n' >"$T/s.csv"
run "$SESAME" import -p csv --from csv "$T/s.csv"
ok "$rc" "--from csv: the header's name and value columns (any case)"
is "$(gets csv 'with, comma')" 'multi
line "quoted"' "quoted fields: commas, newlines, doubled quotes"
printf 'key;secret\n' >"$T/bad.csv"
run "$SESAME" import -p csv --from csv "$T/bad.csv"
contains "$T/err" "the header has no column 'name' or 'value'" "no such columns: refused"
printf 'k,v\nx,1\n' >"$T/kv.csv"
run "$SESAME" import -p csv --from csv --name-column k --value-column v "$T/kv.csv"
ok "$rc" "--name-column, --value-column"
printf 'name,value\nnew-one,1\nbad\001name,2\n' >"$T/bad.csv"
run "$SESAME" import -p csv --from csv "$T/bad.csv"
contains "$T/err" "line 3: 'bad" "a name with a control character: refused with its line"
! "$SESAME" secret list -p csv | grep -q new-one; ok $? "and nothing of that file stored"

printf 'ENV_ONE=env-value-1\nexport TWO="two"\n' >"$T/i.env"
run "$SESAME" import -p env --from env "$T/i.env"
ok "$rc" "--from env"
is "$(gets env ENV_ONE)" "env-value-1" "NAME = value"
printf 'X=sesame://env/ENV_ONE\n' >"$T/ref.env"
run "$SESAME" import -p env --from env "$T/ref.env"
contains "$T/err" "is a sesame:// reference: nothing to import" "a reference: refused"

run "$SESAME" import -p env --from lastpass "$T/i.env"
is "$rc" 2 "an unknown format: a usage error"
leak=0
for v in $VALUES; do grep -rqF -- "$v" "$T"/*.log "$T/out" "$T/err" && leak=1; done
ok $leak "no value in any output or log"
done_testing
