#!/bin/sh
# daemon-snippets: snippets persist in SQLite across restarts and config
# reloads; templates expand ${date}, ${env}, ${secret} (only while the
# vault is unlocked and the ACL grants it), $$; bad templates are
# refused with line and column; the secret is never stored expanded.
. "$(dirname "$0")/lib.sh"
use_private_paths
mkdir -p "$SESAME_CONFIG_DIR"
printf '[profiles.default.secrets.access]\nsnippets = ["sig-token"]\n' >"$SESAME_CONFIG_DIR/config.toml"
SECRET=tok-51ab8e-not-in-any-file

start_snippets() {
	spawn env SNIPPET_GREETING=hello-env "$SESAME" daemon snippets 2>>"$T/snippets.log"
	SNIPPETS=$spawned
	wait_for 10 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* snippets'"
}
start_hub
start_secrets
start_snippets
printf 'pw\n' | "$SESAME" init -p default >/dev/null 2>&1
printf '%s' "$SECRET" | "$SESAME" secret set -p default sig-token >/dev/null
printf 'x' | "$SESAME" secret set -p default other >/dev/null

run "$SESAME" snippet add sig 'Regards, ${env:SNIPPET_GREETING} ${secret:sig-token} costs $$5 on ${date:%Y}'
ok "$rc" "add a snippet with every kind of variable"
contains "$T/err" "Snippet 'sig' added." "add says so"
run "$SESAME" snippet expand sig
ok "$rc" "expand it"
is "$(cat "$T/out")" "Regards, hello-env $SECRET costs \$5 on $(date +%Y)" "env, secret, \$\$ and date are expanded"
printf 'line one\n${date}\n' | "$SESAME" snippet add multi 2>/dev/null
ok $? "a template from standard input"
"$SESAME" snippet add closed-in <&- 2>"$T/err"
is "$?" 1 "snippet add with standard input closed adds nothing"
contains "$T/err" "standard input is closed" "and says why"
run "$SESAME" snippet expand multi
is "$(head -1 "$T/out")" "line one" "keeps its lines"
is "$(tail -1 "$T/out")" "$(date +%Y-%m-%d)" "\${date} is the ISO date"
"$SESAME" snippet add -p work greet 'hi $x' 2>/dev/null
run "$SESAME" snippet list
is "$(cut -f1 "$T/out" | tr '\n' ' ')" "multi sig " "list shows this profile's triggers, sorted"
contains "$T/out" 'line one\n${date}\n' "previews show newlines as \\n"
run "$SESAME" snippet list --json -p work
is "$(cat "$T/out")" '[{"trigger":"greet","template":"hi $x"}]' "list --json; profiles are separate"

# Refusals with positions.
run "$SESAME" snippet add bad 'ok
then ${nope:x}'
is "$rc" 1 "an unknown variable is refused"
contains "$T/err" "2:6: unknown variable 'nope'" "with its line and column"
run "$SESAME" snippet add bad2 'open ${env:HOME'
contains "$T/err" "1:6: '\${' without its '}'" "an unclosed \${ is refused"
run "$SESAME" snippet add 'has space' x
is "$rc" 1 "a trigger with a space is refused"
run "$SESAME" snippet expand nosuch
is "$rc" 1 "expanding an unknown trigger fails"
contains "$T/err" "has no snippet 'nosuch'" "and says so"
"$SESAME" snippet add unset '${env:SURELY_NOT_SET_42}' 2>/dev/null
run "$SESAME" snippet expand unset
contains "$T/err" "SURELY_NOT_SET_42 is not set" "an unset variable is a clear error"
"$SESAME" snippet add ungranted '${secret:other}' 2>/dev/null
run "$SESAME" snippet expand ungranted
is "$rc" 77 "a secret the ACL does not grant to snippets is refused (77)"
contains "$T/err" "list it in [profiles.default.secrets.access] snippets" "with the fix"
"$SESAME" snippet add clip 'x${clipboard}' 2>/dev/null
run "$SESAME" snippet expand clip
is "$rc" 69 "\${clipboard} without daemon-clipboard: unreachable (69)"
contains "$T/err" "daemon-clipboard is not running" "and says which daemon"

# Locked: the secret does not expand; the rest still works.
"$SESAME" lock >/dev/null
run "$SESAME" snippet expand sig
is "$rc" 77 "\${secret:...} does not expand while the vault is locked (77)"
contains "$T/err" "profile default is locked" "and the error says so"
run "$SESAME" snippet expand multi
ok "$rc" "snippets without secrets expand while locked"
printf 'pw\n' | "$SESAME" unlock >/dev/null 2>&1

# Persistence: a restart, then a config reload.
kill "$SNIPPETS"; wait "$SNIPPETS" 2>/dev/null
start_snippets
run "$SESAME" snippet expand sig
is "$(cat "$T/out")" "Regards, hello-env $SECRET costs \$5 on $(date +%Y)" "snippets survive a daemon restart"
printf '[profiles.default.secrets.access]\nsnippets = ["sig-token"]\n# touched\n' >"$SESAME_CONFIG_DIR/config.toml"
wait_for 5 sh -c "grep -c 'config: reloaded' '$T/snippets.log' | grep -q 1"; ok $? "the config reloads"
run "$SESAME" snippet list
is "$(cut -f1 "$T/out" | tr '\n' ' ')" "clip multi sig ungranted unset " "and every snippet is still there"
run "$SESAME" snippet add sig 'new text'
contains "$T/err" "Snippet 'sig' replaced." "add over a trigger replaces it"
run "$SESAME" snippet remove sig
ok "$rc" "remove"
run "$SESAME" snippet remove sig
is "$rc" 1 "removing it again fails"
! grep -rqaF "$SECRET" "$SESAME_DATA_DIR/snippets" 2>/dev/null; ok $? "the secret never reached the snippets store"
grep -q 'sandbox: landlock' "$T/snippets.log" || grep -q 'sandbox:' "$T/snippets.log"; ok $? "daemon-snippets runs sandboxed"
done_testing
