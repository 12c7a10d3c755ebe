#!/bin/sh
# sesame inject (issue 32, point 2): a template's references filled in
# from the vaults, the snippets' syntax (${secret:NAME},
# ${secret:PROFILE/NAME}, ${env:X}, ${date}, $$); the output written
# whole with its mode or not at all; every failure before anything is
# written; values nowhere but in the output.
. "$(dirname "$0")/lib.sh"

use_private_paths
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p app >/dev/null
printf 'pw\n' | "$SESAME" init -p shared >/dev/null
printf 'Db-Pa55!' | "$SESAME" secret set -p app db-password >/dev/null
printf 'line one\nline "two"' | "$SESAME" secret set -p app multi >/dev/null
printf 'sh4red' | "$SESAME" secret set -p shared smtp >/dev/null
printf 'key/with/slash' | "$SESAME" secret set -p app a/b >/dev/null
cat >"$T/app.conf.tpl" <<'TPL'
# app.conf for ${env:APP_ENV}
db.password = ${secret:db-password}
smtp.password = ${secret:shared/smtp}
slash = ${secret:app/a/b}
cost = $$5
multi = ${secret:multi}
TPL
cat >"$T/want" <<'TPL'
# app.conf for staging
db.password = Db-Pa55!
smtp.password = sh4red
slash = key/with/slash
cost = $5
multi = line one
line "two"
TPL

APP_ENV=staging run "$SESAME" inject -p app -i "$T/app.conf.tpl" -o "$T/app.conf"
ok "$rc" "inject -i TEMPLATE -o FILE"
cmp -s "$T/app.conf" "$T/want"; ok $? "every reference filled in, exactly (PROFILE/NAME, a name with '/' after its profile, \$\$, env)"
is "$(stat -c %a "$T/app.conf")" 600 "written with mode 0600 by default"
[ ! -s "$T/out" ] && [ ! -s "$T/err" ]; ok $? "and nothing said"
(umask 077; APP_ENV=x "$SESAME" inject -p app -i "$T/app.conf.tpl" -o "$T/b.conf" --mode 0640)
is "$(stat -c %a "$T/b.conf")" 640 "--mode 0640, whatever the umask"
APP_ENV=staging "$SESAME" inject -p app <"$T/app.conf.tpl" >"$T/stdout.conf"
cmp -s "$T/stdout.conf" "$T/want"; ok $? "standard input to standard output (-o - is the same)"

printf 'x = ${secret:a/b}\n' >"$T/ab.tpl"
run "$SESAME" inject -p app -i "$T/ab.tpl"
contains "$T/err" "no vault for profile a" "\${secret:a/b}: profile a's secret b (a is a profile name), as documented"

cp "$T/app.conf" "$T/before"
printf 'a = ${secret:db-password}\nb = ${secret:nope}\n' >"$T/bad.tpl"
run "$SESAME" inject -p app -i "$T/bad.tpl" -o "$T/app.conf"
is "$rc" 1 "a missing secret: exit 1"
contains "$T/err" "nope" "naming it"
cmp -s "$T/app.conf" "$T/before"; ok $? "the old file is untouched"
printf 'a = ${secret:db-password}\nb = ${oops}\n' >"$T/bad.tpl"
run "$SESAME" inject -p app -i "$T/bad.tpl" -o "$T/new.conf"
is "$rc" 1 "an unknown variable: exit 1"
contains "$T/err" "bad.tpl:2:5: unknown variable 'oops'" "with file, line and column"
[ ! -e "$T/new.conf" ]; ok $? "nothing written"
printf 'a = ${env:NOT_SET_ANYWHERE}\n' >"$T/bad.tpl"
run "$SESAME" inject -p app -i "$T/bad.tpl" -o "$T/new.conf"
contains "$T/err" "NOT_SET_ANYWHERE is not set; nothing was written" "an unset variable: refused"
printf 'a = ${clipboard}\n' >"$T/bad.tpl"
run "$SESAME" inject -i "$T/bad.tpl" -o "$T/new.conf"
contains "$T/err" "for snippets, not inject" "\${clipboard}: refused"
ls -a "$T" | grep -q sesame-tmp; [ $? -ne 0 ]; ok $? "no temporary file left anywhere"

"$SESAME" lock -p app >/dev/null 2>&1
printf 'x = ${secret:db-password}\n' >"$T/l.tpl"
run "$SESAME" inject -p app -i "$T/l.tpl" -o "$T/locked.conf"
is "$rc" 77 "a locked vault: exit 77"
[ ! -e "$T/locked.conf" ]; ok $? "nothing written"
run "$SESAME" inject -i "$T/l.tpl" --mode 999
is "$rc" 2 "--mode 999: a usage error"
! grep -rqF -e 'Db-Pa55!' -e 'sh4red' "$T"/*.log "$T/err"; ok $? "no value in any log or message"

# A snippet may not reach into another profile.
spawn "$SESAME" daemon snippets 2>>"$T/snippets.log"
wait_for 10 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* snippets'"
run "$SESAME" snippet add -p app x 'pw: ${secret:shared/smtp}'
is "$rc" 1 "a snippet with \${secret:PROFILE/NAME}: refused"
contains "$T/err" "a snippet reads its own profile's secrets" "saying why"
done_testing
