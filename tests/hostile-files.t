#!/bin/sh
# Files put in sesame's way by a hostile process: a FIFO, a symlink, a
# socket where a vault, the audit log or a database should be.  Each is
# refused with an error naming the path, and nothing hangs.
. "$(dirname "$0")/lib.sh"

use_private_paths
mkdir -p "$SESAME_DATA_DIR"
chmod 700 "$SESAME_DATA_DIR"

# A FIFO at audit.jsonl used to block daemon-secrets forever.
mkfifo -m 600 "$SESAME_DATA_DIR/audit.jsonl"
mkdir -p "$SESAME_CONFIG_DIR"
printf '[global.audit]\nrequired = true\n' >"$SESAME_CONFIG_DIR/config.toml"
run timeout 10 "$SESAME" daemon profile
is "$rc" 1 "daemon-profile does not hang on a FIFO at audit.jsonl: with the log required, it refuses to start"
contains "$T/err" "audit.jsonl is a FIFO, not a regular file" "naming the file and what it is"
printf '[global.audit]\nrequired = false\n' >"$SESAME_CONFIG_DIR/config.toml"
start_hub
run timeout 10 "$SESAME" status
ok "$rc" "not required, it serves"
contains "$T/hub.log" "audit.jsonl is a FIFO, not a regular file" "and logs the file refused, and what it is"
run timeout 10 "$SESAME" daemon secrets
[ "$rc" -ne 124 ]; ok $? "daemon-secrets does not hang on a FIFO at audit.jsonl (exit $rc)"
is "$rc" 1 "it refuses to start"
contains "$T/err" "audit.jsonl is a FIFO, not a regular file" "naming the file and what it is"
rm -f "$SESAME_DATA_DIR/audit.jsonl"
ln -s /etc/passwd "$SESAME_DATA_DIR/audit.jsonl"
run timeout 10 "$SESAME" daemon secrets
contains "$T/err" "audit.jsonl is a symbolic link" "a symlink at audit.jsonl is refused too"
rm -f "$SESAME_DATA_DIR/audit.jsonl"

# The data directory made open to all (or swapped for a symlink) while the
# hub runs: daemon-secrets checks its own directories and will not start.
chmod 777 "$SESAME_DATA_DIR"
run timeout 10 "$SESAME" daemon secrets
is "$rc" 1 "daemon-secrets refuses a data directory others can write"
contains "$T/err" "permissions 0777 are too open" "saying so"
chmod 700 "$SESAME_DATA_DIR"
mv "$SESAME_DATA_DIR" "$T/realdata"
ln -s "$T/realdata" "$SESAME_DATA_DIR"
run timeout 10 "$SESAME" daemon secrets
is "$rc" 1 "and a data directory that is a symlink"
contains "$T/err" "is a symbolic link" "saying so"
rm "$SESAME_DATA_DIR"
mv "$T/realdata" "$SESAME_DATA_DIR"

start_secrets
printf 'pw\n' | "$SESAME" init -p work >/dev/null 2>&1
ok $? "(set-up: a vault)"
stop_secrets
mv "$SESAME_DATA_DIR/vaults/work.db" "$T/work.db"
rm -f "$SESAME_DATA_DIR/vaults/work.db-wal" "$SESAME_DATA_DIR/vaults/work.db-shm"
mkfifo -m 600 "$SESAME_DATA_DIR/vaults/work.db"
start_secrets
run sh -c "printf 'pw\n' | timeout 10 '$SESAME' unlock -p work"
is "$rc" 1 "a FIFO in place of a vault: unlock fails (exit $rc), without hanging"
contains "$T/err" "work.db is a FIFO, not a regular file" "naming the file and what it is"
run "$SESAME" status
ok "$rc" "daemon-secrets still answers"
rm -f "$SESAME_DATA_DIR/vaults/work.db"
ln -s "$T/work.db" "$SESAME_DATA_DIR/vaults/work.db"
run sh -c "printf 'pw\n' | '$SESAME' unlock -p work"
is "$rc" 1 "a symlink in place of a vault is refused"
contains "$T/err" "work.db is a symbolic link" "saying so"

# A database a role keeps (snippets): a FIFO is refused, and the role
# goes on serving.
spawn "$SESAME" daemon snippets 2>>"$T/snippets.log"
wait_for 10 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* snippets'"
mkdir -p "$SESAME_DATA_DIR/snippets"
chmod 700 "$SESAME_DATA_DIR/snippets"
mkfifo -m 600 "$SESAME_DATA_DIR/snippets/fifo.db"
run timeout 10 "$SESAME" snippet list -p fifo
[ "$rc" -ne 124 ] && [ "$rc" -ne 0 ]; ok $? "a FIFO in place of a snippets database fails (exit $rc), without hanging"
contains "$T/err" "fifo.db is a FIFO" "naming it"
run "$SESAME" snippet list -p other
ok "$rc" "daemon-snippets still serves other profiles"
done_testing
