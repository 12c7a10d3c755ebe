#!/bin/sh
# Who may read what: the CLI (same uid) reads any unlocked profile; a
# daemon role reads only what [profiles.<p>.secrets.access] grants it, and
# never writes; the caller is stamped by the hub, not taken from the
# request; the ACL reloads with the config; one client flooding reads is
# rate-limited while another is served.
. "$(dirname "$0")/lib.sh"
use_private_paths
mkdir -p "$SESAME_CONFIG_DIR"
CFG=$SESAME_CONFIG_DIR/config.toml
printf '[profiles.work.secrets.access]\nlauncher = ["api-token"]\n' >"$CFG"
PEER=$SESAME_BUILD/tests/buspeer
start_hub --role-exe "$PEER"
start_secrets
printf 'pw\n' | "$SESAME" init -p work >/dev/null
printf 'tok' | "$SESAME" secret set -p work api-token >/dev/null
printf 'pass' | "$SESAME" secret set -p work db-pass >/dev/null

run "$PEER" get work api-token launcher
ok "$rc" "a role reads a secret its ACL lists"
is "$(cat "$T/out")" tok "and gets the value"
run "$PEER" get work db-pass launcher
[ "$rc" = 77 ]; ok $? "a role cannot read a secret its ACL does not list (exit 77), even claiming to be the CLI"
contains "$T/err" "daemon-launcher may not read this from profile work" "the refusal names the role and profile"
run "$PEER" get work api-token snippets
[ "$rc" = 77 ]; ok $? "a role with no ACL entry reads nothing"
run "$PEER" list work launcher
is "$(cat "$T/out")" api-token "a role's list shows only what it may read"
run "$SESAME" secret get -p work db-pass
ok "$rc" "the CLI reads any secret of an unlocked profile"
grep -q '"event":"secret.get".*"outcome":"denied"' "$SESAME_DATA_DIR/audit.jsonl"; ok $? "denials are audited"

# Reload: a broken config keeps the old ACL; a good one replaces it.
printf '[profiles.work.secrets.access]\nlauncher = "db-pass"\n' >"$CFG"
wait_for 5 grep -q "keeping the previous one" "$T/secrets.log"; ok $? "daemon-secrets logs a broken config and keeps the old one"
run "$PEER" get work api-token launcher
ok "$rc" "the old ACL still applies"
printf '[profiles.work.secrets.access]\nlauncher = ["db-pass"]\n' >"$CFG"
wait_for 5 sh -c "'$PEER' get work db-pass launcher >/dev/null 2>&1"; ok $? "a fixed config's ACL is picked up without a restart"
run "$PEER" get work api-token launcher
[ "$rc" = 77 ]; ok $? "and what it no longer lists is refused"

# Rate limiting per caller.
spawn sh -c "exec '$PEER' flood-get work api-token 2000 >'$T/flood'"
FLOOD=$spawned
sleep 0.5
worst=0
for i in 1 2 3 4 5; do
	s=$(date +%s%N)
	"$SESAME" secret get -p work api-token >/dev/null || worst=999999
	e=$(( ($(date +%s%N) - s) / 1000000 ))
	[ $e -gt $worst ] && worst=$e
done
wait "$FLOOD"
diag "flooding client: $(cat "$T/flood"); another client's gets meanwhile: worst ${worst} ms"
grep -q 'limited=[1-9]' "$T/flood"; ok $? "a client flooding reads is rate-limited"
[ "$worst" -lt 1000 ]; ok $? "another client is still served meanwhile (worst ${worst} ms)"
done_testing
