#!/bin/sh
# sesame env and export: every secret or a clear error; dangerous names
# refused; quoting that survives a shell, dotenv and JSON.
. "$(dirname "$0")/lib.sh"

use_private_paths
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p a >/dev/null
printf 'pw\n' | "$SESAME" init -p b >/dev/null
tricky="it's \$HOME \"q\" \\ \`x\`
line2"
printf '%s' "$tricky" | "$SESAME" secret set -p a db-password >/dev/null
printf 'tok' | "$SESAME" secret set -p a api.token >/dev/null
printf 'from-b' | "$SESAME" secret set -p b api.token >/dev/null
printf 'only-b' | "$SESAME" secret set -p b b-only >/dev/null

run "$SESAME" env -p a,b -- sh -c 'printf "%s|%s|%s|%s" "$DB_PASSWORD" "$API_TOKEN" "$B_ONLY" "$SESAME_PROFILES"'
is "$(cat "$T/out")" "$tricky|tok|only-b|a,b" "env passes every secret; the first profile wins a shared name"
run "$SESAME" env -p a --prefix APP -- sh -c 'printf "%s" "$APP_API_TOKEN"'
is "$(cat "$T/out")" "tok" "--prefix names the variables P_NAME"
run "$SESAME" env -p a -- sh -c 'exit 7'
is "$rc" 7 "env exits with the command's status"
run "$SESAME" env -p a -- /nonexistent/cmd
is "$rc" 127 "a command that cannot be found: 127"

run "$SESAME" export -p a
eval "$(cat "$T/out")"
is "$DB_PASSWORD" "$tricky" "export -f shell survives eval, quotes and newlines included"
run "$SESAME" export -p a -f dotenv
contains "$T/out" 'DB_PASSWORD="it'"'"'s \$HOME \"q\" \\ \`x\`\nline2"' "dotenv escapes \\, \", \$, \` and newlines"
# A dotenv file is often sourced by sh (set -a; . ./.env): nothing in a
# value may run there.  One line, since sh reads \n as two characters.
line="a \$(echo RAN >>\"$T/ran-dotenv\") \`echo RAN >>$T/ran-dotenv\` \"q\" \\ 'b' \${HOME}"
printf '%s' "$line" | "$SESAME" secret set -p b one-line >/dev/null
"$SESAME" export -p b -f dotenv >"$T/env.dotenv"
got=$(set -a; . "$T/env.dotenv"; printf '%s' "$ONE_LINE")
is "$got" "$line" "a dotenv file sourced by sh gives back the exact value"
[ ! -e "$T/ran-dotenv" ]; ok $? "and runs nothing of it"
"$SESAME" secret delete -p b one-line --yes >/dev/null
run "$SESAME" export -p a -f json
if command -v python3 >/dev/null 2>&1; then
	got=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["DB_PASSWORD"], end="")' <"$T/out")
	is "$got" "$tricky" "export -f json is valid JSON carrying the exact value"
else
	contains "$T/out" '"API_TOKEN":"tok"' "export -f json carries the values"
fi
run "$SESAME" export -p a -f yaml
is "$rc" 2 "an unknown format is a usage error"

printf 'x' | "$SESAME" secret set -p b ld-preload >/dev/null
run "$SESAME" env -p a,b -- sh -c 'echo RAN >"$0"' "$T/ran"
is "$rc" 1 "env refuses a secret named ld-preload"
contains "$T/err" "maps to LD_PRELOAD" "with a clear error naming the variable"
[ ! -e "$T/ran" ]; ok $? "and runs nothing"
run "$SESAME" export -p b
is "$rc" 1 "export refuses it too"
is "$(wc -c <"$T/out" | tr -d ' ')" 0 "and prints nothing"
"$SESAME" secret delete -p b ld-preload --yes >/dev/null
for name in path ifs sesame-profiles bash-env node-options ld-library-path; do
	printf 'x' | "$SESAME" secret set -p b "$name" >/dev/null
	run "$SESAME" env -p b -- true
	is "$rc" 1 "a secret named $name is refused"
	"$SESAME" secret delete -p b "$name" --yes >/dev/null
done
# Variables that make a program run a command of their choosing (sudo's
# table of unsafe variables, and git's, perl's, python's, glibc's own).
for name in git-ssh git-ssh-command git-exec-path git-askpass git-proxy-command git-config-count \
	git-config-key-0 git-config-global perl5db perl5opt perllib perl5lib pythonstartup pythonpath \
	pythonwarnings pythonhome pythoninspect node-options rubyopt rubylib java-tool-options _java-options \
	jdk-java-options glibc-tunables locpath gconv-path hostaliases res-options ld-audit bash-env env ps4 \
	shellopts prompt-command ssh-askpass pager git-pager lessopen zdotdir fpath terminfo; do
	printf 'x' | "$SESAME" secret set -p b "$name" >/dev/null 2>&1
	run "$SESAME" env -p b -- true
	is "$rc" 1 "a secret named $name is refused (a variable that runs code)"
	"$SESAME" secret delete -p b "$name" --yes >/dev/null 2>&1
done
# git runs GIT_SSH_COMMAND for an ssh remote: what the refusal prevents.
printf 'touch %s/pwned; false' "$T" | "$SESAME" secret set -p b git-ssh-command >/dev/null
run "$SESAME" env -p b -- git ls-remote ssh://example.invalid/x
[ ! -e "$T/pwned" ]; ok $? "GIT_SSH_COMMAND from a secret never reaches git"
run "$SESAME" env -p b --allow GIT_SSH_COMMAND -- sh -c 'printf %s "$GIT_SSH_COMMAND"'
is "$rc:$(cat "$T/out")" "0:touch $T/pwned; false" "--allow NAME lets one through, for a user who means it"
run "$SESAME" export -p b --allow git_ssh_command -f dotenv
contains "$T/out" 'GIT_SSH_COMMAND="touch' "export takes --allow too (any case)"
"$SESAME" secret delete -p b git-ssh-command --yes >/dev/null

printf 'x' | "$SESAME" secret set -p b api-token >/dev/null
run "$SESAME" env -p b -- true
is "$rc" 1 "two secrets that map to one variable (api.token, api-token) are refused"
contains "$T/err" "maps to API_TOKEN: the same variable as secret '" "and the error says so"
grep -q "secret 'api.token'.*secret 'api-token'\|secret 'api-token'.*secret 'api.token'" "$T/err"
ok $? "naming both secrets"
"$SESAME" secret delete -p b api-token --yes >/dev/null

# A name that starts with a digit: fine in an environment, but no shell
# takes `export 2FA=...` (dash exits on it), so shell and dotenv refuse.
printf 'otp' | "$SESAME" secret set -p b 2fa >/dev/null
for f in shell dotenv; do
	run "$SESAME" export -p b -f $f
	is "$rc" 1 "export -f $f refuses a secret named 2fa"
	is "$(wc -c <"$T/out" | tr -d ' ')" 0 "and prints nothing"
done
contains "$T/err" "maps to 2FA: a name no shell accepts" "and says why"
run "$SESAME" export -p b -f shell --prefix APP
eval "$(cat "$T/out")"
is "$APP_2FA" "otp" "--prefix gives it a name a shell takes"
run "$SESAME" export -p b -f json
contains "$T/out" '"2FA":"otp"' "json carries it as it is"
run "$SESAME" env -p b -- env
contains "$T/out" "2FA=otp" "and env passes it to the command"
"$SESAME" secret delete -p b 2fa --yes >/dev/null

"$SESAME" lock -p b >/dev/null
run "$SESAME" env -p a,b -- sh -c 'echo RAN >"$0"' "$T/ran2"
is "$rc" 77 "a locked profile: exit 77"
[ ! -e "$T/ran2" ]; ok $? "and nothing runs with a partial set"

done_testing
