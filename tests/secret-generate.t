#!/bin/sh
# sesame secret generate (issue 32, point 4): random values stored
# without being shown, of the asked length and alphabet or as EFF
# wordlist passphrases; the strength said; an existing secret kept
# unless --force; --print shows what was stored; bad options refused.
. "$(dirname "$0")/lib.sh"

use_private_paths
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p dev >/dev/null

run "$SESAME" secret generate -p dev api-key
ok "$rc" "generate with the defaults"
is "$(cat "$T/out")" "Secret 'api-key' generated in profile 'dev': 24 characters, 142 bits." "says what and how strong"
[ ! -s "$T/err" ]; ok $? "nothing else said"
V=$("$SESAME" secret get -p dev api-key)
printf '%s' "$V" | grep -qx '[A-Za-z0-9]\{24\}'; ok $? "the value: 24 letters and digits"
! grep -qF -- "$V" "$T/out" "$T/err" "$T"/*.log; ok $? "and it was printed and logged nowhere"

run "$SESAME" secret generate -p dev api-key
is "$rc" 1 "again: refused, exit 1"
contains "$T/err" "has a secret 'api-key' already; kept (--force replaces it)" "saying so"
is "$("$SESAME" secret get -p dev api-key)" "$V" "the value is unchanged"
run "$SESAME" secret generate -p dev api-key --force --length 40 --charset hex
ok "$rc" "--force replaces it"
contains "$T/out" "40 characters, 160 bits" "40 hex characters: 160 bits"
"$SESAME" secret get -p dev api-key | grep -qx '[0-9a-f]\{40\}'; ok $? "the value: 40 hex digits"

run "$SESAME" secret generate -p dev pin --length 6 --charset digits --print
ok "$rc" "--print"
P=$(cat "$T/out")
printf '%s' "$P" | grep -qx '[0-9]\{6\}'; ok $? "stdout is the value alone"
is "$("$SESAME" secret get -p dev pin)" "$P" "the one stored"
contains "$T/err" "6 characters, 19 bits" "the message goes to stderr"

run "$SESAME" secret generate -p dev sym --length 64 --charset 'lower,chars:!#%'
"$SESAME" secret get -p dev sym | grep -qx '[a-z!#%]\{64\}'; ok $? "chars:LITERAL adds characters"

run "$SESAME" secret generate -p dev phrase --words 6
ok "$rc" "--words 6"
contains "$T/out" "6 words, 77 bits" "77 bits"
"$SESAME" secret get -p dev phrase | grep -qx '[a-z-]\{17,\}'; ok $? "words joined by - (the default)"
"$SESAME" secret generate -p dev phrase2 --words 6 --separator ' ' >/dev/null
W=$("$SESAME" secret get -p dev phrase2)
is "$(printf '%s\n' "$W" | awk '{ print NF }')" 6 "--separator ' ': six words"
miss=0
for w in $W; do grep -qx -- "$w" "$SESAME_SRC/data/eff_large_wordlist.txt" || miss=1; done
ok $miss "each from the EFF large wordlist"

run "$SESAME" secret generate -p dev x --length 3
is "$rc" 2 "--length 3: a usage error"
run "$SESAME" secret generate -p dev x --charset letters
is "$rc" 2 "an unknown class: a usage error"
contains "$T/err" "'letters' is not lower, upper, digits" "naming it"
run "$SESAME" secret generate -p dev x --words 5 --length 30
is "$rc" 2 "--words with --length: refused"
run "$SESAME" secret generate -p dev x --separator :
is "$rc" 2 "--separator without --words: refused"
run "$SESAME" secret get -p dev api-key --print
is "$rc" 2 "--print is for generate"
run "$SESAME" secret list -p dev
! grep -qx x "$T/out"; ok $? "nothing was stored by the refused ones"
"$SESAME" lock --all >/dev/null 2>&1
run "$SESAME" secret generate -p dev later
is "$rc" 77 "a locked vault: exit 77, as set"
done_testing
