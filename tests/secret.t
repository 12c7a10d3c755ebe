#!/bin/sh
# Vaults and secrets end to end: sesame init/unlock/lock/secret through
# daemon-profile and daemon-secrets, with the exit codes of DESIGN.md.
. "$(dirname "$0")/lib.sh"

use_private_paths
start_hub
start_secrets
ok $? "daemon-secrets connects to the bus as the secrets role"

# One instance per role: a second one used to take the role's connection
# from the first, which took it back, ~1700 times a second.
run timeout 5 "$SESAME" daemon secrets
is "$rc" 1 "a second daemon-secrets on the same bus refuses to start"
contains "$T/err" "daemon-secrets is already running on this bus (pid $SECRETS" "and names the one running"
grep -q 'replaced by a new connection' "$T/hub.log"; [ $? -ne 0 ]; ok $? "the first one kept its connection"

printf 'correct horse\n' | "$SESAME" init -p work >"$T/out" 2>"$T/err"
ok $? "init -p work with the password on standard input"
[ "$(stat -c %a "$SESAME_DATA_DIR/vaults/work.db")" = 600 ]; ok $? "the vault file is 0600"
[ "$(stat -c %a "$SESAME_DATA_DIR/vaults")" = 700 ]; ok $? "the vaults directory is 0700"

printf 'other\n' | "$SESAME" init -p work >"$T/out" 2>"$T/err"; rc=$?
is "$rc" 1 "init over an existing vault is refused"
contains "$T/err" "refusing to overwrite" "and says why"

# Argon2id at a high cost on a small machine takes seconds: an unlock is
# waited for past the 5 s every other request gets (it used to time out
# with 75 while daemon-secrets went on and unlocked the vault).  A
# daemon-secrets stopped for 6 s stands in for the slow derivation: it
# answers unlock's first question (which factors), then stops before the
# password comes (a second later) with the unlock request.
"$SESAME" lock -p work >/dev/null
{ { sleep 1; printf 'correct horse\n'; } | "$SESAME" unlock -p work >"$T/slow.out" 2>&1; echo $? >"$T/slow.rc"; } &
slow=$!
sleep 0.5
kill -STOP "$SECRETS"; sleep 6.5; kill -CONT "$SECRETS"
wait "$slow"
is "$(cat "$T/slow.rc")" 0 "an unlock is waited for past 5 s"
contains "$T/slow.out" "Vault 'work' unlocked" "and unlocks"

# A vault file others can read (a copied backup, a umask) is refused,
# saying how to fix it, like ssh does with an open private key.  (The
# check is made when daemon-secrets opens the file: here, at its start.)
stop_secrets
chmod 644 "$SESAME_DATA_DIR/vaults/work.db"
start_secrets
run sh -c "printf 'correct horse\n' | '$SESAME' unlock -p work"
is "$rc" 1 "a vault file with mode 0644 is refused"
contains "$T/err" "is open to others (mode 0644, want 0600): chmod 600 it" "and the error says how to fix it"
chmod 600 "$SESAME_DATA_DIR/vaults/work.db"
printf 'correct horse\n' | "$SESAME" unlock -p work >/dev/null
ok $? "with 0600 again it unlocks"

# A stuck daemon-secrets: status still shows what the hub knows, names
# the role that did not answer, and exits 75; --doctor fails that check
# (it used to report the whole bus as down).
kill -STOP "$SECRETS"
run "$SESAME" status
kill -CONT "$SECRETS"
is "$rc" 75 "status with daemon-secrets stuck exits 75"
contains "$T/out" "roles: profile secrets" "but shows the bus and its roles"
contains "$T/err" "daemon-secrets did not answer (vault.status) within 5000 ms" "and names the role that did not answer"
kill -STOP "$SECRETS"
run "$SESAME" status --doctor
kill -CONT "$SECRETS"
is "$rc" 1 "status --doctor fails"
contains "$T/out" "ok   bus " "with the bus up"
contains "$T/out" "FAIL roles.secrets            daemon-secrets did not answer" "and daemon-secrets named"

# A timeout is not "done later": a set and a lock the CLI gave up on (75)
# while daemon-secrets was stopped are dropped when it continues, since
# each request carries its deadline (wire.h, WF_DEADLINE).
kill -STOP "$SECRETS"
printf 'late' | "$SESAME" secret set -p work late-key >/dev/null 2>&1; setrc=$?
"$SESAME" lock -p work >/dev/null 2>&1; lockrc=$?
kill -CONT "$SECRETS"
is "$setrc:$lockrc" "75:75" "a set and a lock time out (75) while daemon-secrets is stopped"
sleep 0.5
run "$SESAME" secret get -p work late-key
is "$rc" 1 "once it continues, the timed-out lock is not carried out (the vault answers) and neither is the set"
contains "$T/err" "no secret named 'late-key'" "(the set was dropped)"
grep -q "dropping a secret.set request: its deadline passed" "$T/secrets.log"; ok $? "daemon-secrets logs what it dropped"

printf 'wifi-password' | "$SESAME" secret set -p work wifi >/dev/null
ok $? "secret set takes the value from standard input"
run "$SESAME" secret get -p work wifi
is "$(cat "$T/out")" "wifi-password" "secret get returns it"
is "$(wc -c <"$T/out" | tr -d ' ')" 13 "get writes the raw value, no newline added off a terminal"
# Started with standard output closed, a command must not take its bus
# socket for descriptor 1 and write the value into it (it did: the hub
# read the value as a frame's length and hung up, and get died of SIGPIPE).
"$SESAME" secret get -p work wifi >&- 2>"$T/err"
is "$?" 0 "secret get with standard output closed writes the value nowhere"
grep -q 'wifi-password\|too large\|frame' "$T/hub.log"; [ $? -ne 0 ]; ok $? "and the hub saw nothing of it"
"$SESAME" secret set -p work closed-in <&- 2>"$T/err"
is "$?" 1 "secret set with standard input closed stores nothing (not an empty value)"
contains "$T/err" "standard input is closed" "and says why"
for cmd in "secret list -p work" "secret list -p work --json" "status" "audit tail" "--version"; do
	"$SESAME" $cmd >/dev/full 2>"$T/err"; rc=$?
	is "$rc" 1 "sesame $cmd into /dev/full fails"
	contains "$T/err" "cannot write to standard output" "and says so"
done

printf 'with newline\n' | "$SESAME" secret set -p work nl >/dev/null
run "$SESAME" secret get -p work nl
is "$(od -c <"$T/out" | tail -2 | head -1 | tr -s ' ')" "$(printf 'with newline' | od -c | tail -2 | head -1 | tr -s ' ')" \
	"one trailing newline on standard input is removed"

printf 'a\000b\377c' >"$T/bin"
"$SESAME" secret set -p work binary <"$T/bin" >/dev/null
"$SESAME" secret get -p work binary >"$T/bin.out"
cmp -s "$T/bin" "$T/bin.out"; ok $? "binary values (NUL, 0xff) round-trip byte for byte"

# (not ending in a newline, which set takes off: 1 run in 256 failed)
{ head -c 59999 /dev/urandom; printf x; } >"$T/big"
"$SESAME" secret set -p work big <"$T/big" >/dev/null && "$SESAME" secret get -p work big >"$T/big.out"
cmp -s "$T/big" "$T/big.out"; ok $? "a 60000-byte value round-trips"
{ head -c 60000 /dev/urandom; printf x; } | "$SESAME" secret set -p work big2 >/dev/null 2>"$T/err"; rc=$?
is "$rc" 1 "a value over 60000 bytes is refused"
contains "$T/err" "longer than 60000" "with the limit in the message"

run "$SESAME" secret list -p work
is "$(tr '\n' ' ' <"$T/out")" "big binary nl wifi " "list shows the names, sorted, never values"
run "$SESAME" secret list -p work --json
is "$(cat "$T/out")" '["big","binary","nl","wifi"]' "list --json is a JSON array"
# A list used to be one reply of at most 64 KiB: past ~4,000 short names
# (or 250 long ones) `secret list` and `env` failed with "too many names
# for one reply".  They now ask page after page.
printf 'pw\n' | "$SESAME" init -p many >/dev/null
pad=$(printf '%0200d' 0)
i=0
while [ $i -lt 400 ]; do
	printf 'v%d' $i | "$SESAME" secret set -p many "n$(printf %03d $i)$pad" >/dev/null || break
	i=$((i + 1))
done
is "$i" 400 "400 secrets with 204-byte names stored (82 KB of names)"
run "$SESAME" secret list -p many
is "$rc:$(wc -l <"$T/out" | tr -d ' ')" 0:400 "secret list shows all 400 names, over more than one reply"
is "$(sed -n '1p;400p' "$T/out" | cut -c1-4 | tr '\n' ' ')" "n000 n399 " "in order, from first to last"
is "$(sort -u "$T/out" | wc -l | tr -d ' ')" 400 "each name once"
run "$SESAME" secret list -p many --json
is "$rc:$(tr ',' '\n' <"$T/out" | grep -c '"n[0-9]')" 0:400 "list --json too, as one array"
run "$SESAME" env -p many -- sh -c 'env | grep -c "^N[0-9]*0*=v"'
is "$rc:$(cat "$T/out")" 0:400 "env passes all 400"
# tests/vaults/legacy.db: profile "legacy", password "pw", made by sesame
# 0.1.0 before names had to be UTF-8; it holds "plain" and the name
# 'caf\351 "q" \' (Latin-1).  A vault from an earlier sesame opens, and
# such a name stays readable, deletable, and valid JSON when listed.
cp "$SESAME_SRC/tests/vaults/legacy.db" "$SESAME_DATA_DIR/vaults/legacy.db"
chmod 600 "$SESAME_DATA_DIR/vaults/legacy.db"
printf 'pw\n' | "$SESAME" unlock -p legacy >/dev/null
ok $? "a vault made by an earlier sesame unlocks"
is "$("$SESAME" secret get -p legacy plain)" plain "and reads"
run "$SESAME" secret list -p legacy --json
perl -MJSON::PP -e 'local $/; my $j = JSON::PP->new->utf8->decode(<STDIN>);
	exit !(grep { $_ eq "caf\x{fffd} \"q\" \\" } @$j)' <"$T/out"
ok $? "list --json shows a stray byte as U+FFFD, and stays valid JSON"
legacy=$(printf 'caf\351 "q" \\')
is "$("$SESAME" secret get -p legacy "$legacy")" old "a name that is not UTF-8, stored before, is still read"
"$SESAME" secret delete -p legacy --yes "$legacy" >/dev/null
ok $? "and can be deleted"
"$SESAME" secret delete -p work --yes "$(printf 'caf\351 "q" \\')" >/dev/null

run "$SESAME" secret delete -p work nl </dev/null
is "$rc" 2 "delete off a terminal without --yes is refused"
run "$SESAME" secret delete -p work nl --yes
ok "$rc" "delete --yes removes it"
run "$SESAME" secret get -p work nl
is "$rc" 1 "a deleted secret is not found (exit 1)"
contains "$T/err" "no secret named 'nl'" "and the message says so"

run "$SESAME" secret get -p work 'bad
name'
is "$rc" 2 "a secret name with a control character is a usage error"
run "$SESAME" secret get -p ../etc wifi
is "$rc" 2 "a profile name with a slash is a usage error"
# A name that is not UTF-8 (or holds a C1 control) would list as
# something else than was typed: new ones are refused, by the CLI and by
# daemon-secrets (another client); any other script is welcome.
run "$SESAME" secret set -p work "$(printf 'bad\377name')" </dev/null
is "$rc" 2 "a secret name that is not UTF-8 is a usage error"
contains "$T/err" "a secret name must be UTF-8" "and the message says why"
run "$SESAME" secret set -p work "$(printf 'c1\302\233name')" </dev/null
is "$rc" 2 "a secret name with a C1 control (U+009B) is a usage error"
# Bidirectional controls make `secret list` show another order of letters
# than is stored ("Trojan Source"): refused in new names, by both sides.
for cp in '\342\200\252' '\342\200\256' '\342\201\246' '\342\201\251' '\342\200\217'; do
	run "$SESAME" secret set -p work "$(printf "bidi${cp}eman")" </dev/null
	is "$rc" 2 "a secret name with a bidirectional control ($(printf "$cp" | od -An -tx1 | tr -d ' ')) is a usage error"
done
contains "$T/err" "bidirectional" "and the message says why"
run "$SESAME_BUILD/tests/buspeer" set work "$(printf 'bidi\342\200\256eman')" v
is "$rc" 1 "daemon-secrets refuses a bidirectional control from another client"
run "$SESAME_BUILD/tests/buspeer" set work "$(printf 'bad\377name')" v
is "$rc" 1 "daemon-secrets refuses such a name from another client"
contains "$T/err" "a new secret name must be UTF-8" "with the reason"
printf 'v1' | "$SESAME" secret set -p work 'café-ключ-鍵' >/dev/null
is "$("$SESAME" secret get -p work 'café-ключ-鍵')" v1 "a UTF-8 name in any script is stored and read"
"$SESAME" secret list -p work | grep -qx 'café-ключ-鍵'; ok $? "and lists exactly as typed"
"$SESAME" secret delete -p work --yes 'café-ключ-鍵' >/dev/null

run "$SESAME" status
contains "$T/out" "vaults: work (unlocked)" "status shows the vault unlocked"
run "$SESAME" lock -p work
contains "$T/out" "Vault 'work' locked" "lock -p work locks it"
run "$SESAME" secret get -p work wifi
is "$rc" 77 "a locked vault answers with exit 77"
contains "$T/err" "locked" "and says it is locked"
printf 'wrong\n' | "$SESAME" unlock -p work >/dev/null 2>"$T/err"; rc=$?
is "$rc" 77 "a wrong password is exit 77"
contains "$T/err" "wrong password" "and says so"
printf 'correct horse\n' | "$SESAME" unlock -p work >"$T/out"
ok $? "the right password unlocks"
run "$SESAME" unlock -p work </dev/null
contains "$T/out" "already unlocked" "unlocking an unlocked vault does not ask for a password"
run "$SESAME" secret get -p work wifi
is "$(cat "$T/out")" "wifi-password" "after unlock the value is back"

run "$SESAME" secret get -p nosuch wifi
is "$rc" 1 "a profile without a vault: exit 1"
contains "$T/err" "sesame init -p nosuch" "and the message says how to create it"

# --- Argon2id does not stall other clients ---
printf 'pw2\n' | "$SESAME" init -p home >/dev/null
"$SESAME" lock -p home >/dev/null
for i in 1 2 3 4; do
	spawn sh -c "printf 'wrong\n' | exec '$SESAME' unlock -p home >/dev/null 2>&1"
	eval "u$i=\$spawned"
done
start=$(date +%s%N)
"$SESAME" secret get -p work wifi >/dev/null; g=$?
end=$(date +%s%N)
for i in 1 2 3 4; do eval "wait \$u$i"; done
ms=$(( (end - start) / 1000000 ))
diag "a get while 4 Argon2id unlocks (m=19456 KiB, t=2) were queued took ${ms} ms"
is "$g" 0 "a get is served while unlocks are being computed"

# --- where a value sits while the CLI prints it ---
# sesame secret get writing into a pipe nobody reads yet: the value is in
# its memory.  It must be only in locked memory kept out of core dumps
# (secure memory), not in .bss or the heap; root reads /proc/PID/mem.
printf 'wire-path-value-5e1f' | "$SESAME" secret set -p work wirevalue >/dev/null
# (The pipe is held open here and filled, so that the command's write of
# the value blocks, with the value in its memory.)
mkfifo "$T/stuck"
exec 3<>"$T/stuck"
head -c 65536 /dev/zero >&3
"$SESAME" secret get -p work wirevalue >&3 &
getpid=$!
sleep 0.5
grep -q sesame "/proc/$getpid/cmdline" 2>/dev/null; ok $? "(the command is blocked writing the value)"
where=$(perl -e '
	my ($pid, $needle) = @ARGV; my @out;
	open(my $maps, "<", "/proc/$pid/maps") or exit 2;
	open(my $mem, "<:raw", "/proc/$pid/mem") or exit 2;
	my @regions;
	while (<$maps>) {
		my ($a, $b, $perm) = /^([0-9a-f]+)-([0-9a-f]+) (\S+)/ or next;
		push @regions, [$a, $b] if $perm =~ /^r/ && !/\[vvar|\[vsyscall/;
	}
	my %flags; my $cur;
	open(my $smaps, "<", "/proc/$pid/smaps") or exit 2;
	while (<$smaps>) {
		$cur = $1 if /^([0-9a-f]+)-/;
		$flags{$cur} = $1 if /^VmFlags:\s*(.*)/;
	}
	for my $r (@regions) {
		my ($s, $e) = (hex $r->[0], hex $r->[1]);
		sysseek($mem, $s, 0) or next;
		my $buf = ""; sysread($mem, $buf, $e - $s) or next;
		next if index($buf, $needle) < 0;
		my $f = $flags{$r->[0]} // "";
		push @out, ($f =~ /\blo\b/ && $f =~ /\bdd\b/) ? "secure" : "plain";
	}
	print join(" ", @out) || "none", "\n";
' "$getpid" wire-path-value-5e1f 2>/dev/null)
# (Bounded: a get that wrote less must fail the test, not hang it.)
timeout 10 head -c 65556 <&3 >/dev/null
wait "$getpid"
exec 3>&-
if [ -z "$where" ]; then
	skip "cannot read /proc/PID/mem of the command here (needs root)"
else
	is "$where" "secure" "a value being printed sits in locked, undumped memory only (found: $where)"
fi
"$SESAME" secret delete -p work -y wirevalue >/dev/null

# --- restarts ---
stop_secrets
run "$SESAME" secret get -p work wifi
is "$rc" 69 "without daemon-secrets: exit 69"
contains "$T/err" "daemon-secrets is not running" "and the message names the daemon"
start_secrets
run "$SESAME" secret get -p work wifi
is "$rc" 77 "a restarted daemon-secrets starts with every vault locked"
printf 'correct horse\n' | "$SESAME" unlock -p work >/dev/null
stop_hub
run "$SESAME" secret get -p work wifi
is "$rc" 69 "without daemon-profile: exit 69"
# A role, once accepted, is no longer dumpable, so no new daemon-profile
# could check what it runs (applets/profile/peer.h): it stops, with status 1 for its
# supervisor, and a fresh one takes its place.
wait "$SECRETS"; rc=$?
is "$rc" 1 "daemon-secrets stops (status 1) when its daemon-profile goes"
grep -q "a role proves who it is only before it hardens" "$T/secrets.log"; ok $? "and says why"
start_hub
start_secrets
ok $? "a fresh daemon-secrets serves the restarted daemon-profile"
run "$SESAME" secret get -p work wifi
is "$rc" 77 "with every vault locked: the unlocked keys went with the old one"
printf 'correct horse\n' | "$SESAME" unlock -p work >/dev/null
run "$SESAME" secret get -p work wifi
is "$(cat "$T/out")" "wifi-password" "unlocked again, it serves the vault"

# --- passwd: rewrap, values untouched ---
printf 'wrong\nnew horse\n' | "$SESAME" passwd -p work >/dev/null 2>"$T/err"; rc=$?
is "$rc" 77 "passwd with a wrong current password is refused (77)"
printf 'correct horse\nnew horse\n' | "$SESAME" passwd -p work >"$T/out" 2>"$T/err"
ok $? "passwd with the current password changes it"
run "$SESAME" secret get -p work wifi
is "$(cat "$T/out")" "wifi-password" "values are untouched and the vault stays unlocked"
"$SESAME" lock -p work >/dev/null
printf 'correct horse\n' | "$SESAME" unlock -p work >/dev/null 2>&1; rc=$?
is "$rc" 77 "the old password no longer unlocks"
printf 'new horse\n' | "$SESAME" unlock -p work >/dev/null
ok $? "the new one does"
"$SESAME" lock -p work >/dev/null
printf 'new horse\ncorrect horse\n' | "$SESAME" passwd -p work >/dev/null
run "$SESAME" secret get -p work wifi
is "$rc" 77 "passwd on a locked vault leaves it locked"
printf 'correct horse\n' | "$SESAME" unlock -p work >/dev/null
run "$SESAME" secret get -p work wifi
is "$(cat "$T/out")" "wifi-password" "and the password changed back works"

# --- what a write replaces or deletes leaves no copy behind ---
# (SQLite's write-ahead log keeps pages as they were written; after such a
# write daemon-secrets checkpoints and truncates it.)  The sealed bytes are
# read with the sqlite3 shell, then looked for in every vault file.
db=$SESAME_DATA_DIR/vaults/work.db
in_files() { # in_files HEX: 0 if those bytes are in a file of the vaults directory
	for f in "$SESAME_DATA_DIR"/vaults/*; do
		od -An -tx1 -v "$f" | tr -d ' \n' | grep -q "$1" && return 0
	done
	return 1
}
wal_size() { stat -c %s "$db-wal" 2>/dev/null || echo 0; }
if command -v sqlite3 >/dev/null; then
	printf 'first-version' | "$SESAME" secret set -p work rotated >/dev/null
	old=$(sqlite3 -readonly "$db" "SELECT lower(hex(value)) FROM secrets ORDER BY updated DESC, rowid DESC LIMIT 1")
	in_files "$old"; ok $? "(the sealed value is found in the vault files)"
	printf 'second-version' | "$SESAME" secret set -p work rotated >/dev/null
	in_files "$old"; [ $? -ne 0 ]; ok $? "a replaced value's sealed bytes are in no vault file (DB, WAL)"
	is "$(wal_size)" 0 "after a value is replaced, the vault's WAL is empty"
	new=$(sqlite3 -readonly "$db" "SELECT lower(hex(value)) FROM secrets ORDER BY updated DESC, rowid DESC LIMIT 1")
	"$SESAME" secret delete -y -p work rotated >/dev/null
	in_files "$new"; [ $? -ne 0 ]; ok $? "nor a deleted one's"
	is "$(wal_size)" 0 "after a delete, the WAL is empty"
	wrap=$(sqlite3 -readonly "$db" "SELECT lower(hex(v)) FROM meta WHERE k = 'wrap:password'")
	printf 'correct horse\nnewer horse\n' | "$SESAME" passwd -p work >/dev/null
	in_files "$wrap"; [ $? -ne 0 ]; ok $? "after passwd, the vault key wrapped under the old password is in no file"
	printf 'newer horse\ncorrect horse\n' | "$SESAME" passwd -p work >/dev/null
	is "$(wal_size)" 0 "after passwd, the WAL is empty"
else
	for i in $(seq 7); do skip "the sqlite3 shell is not installed (make deps installs it)"; done
fi

# --- nothing in clear on disk ---
# (Only a check of stored secrets: each set must succeed, and each value
# read back, or finding nothing on disk would prove nothing.)
setok=0
for i in $(seq 1 40); do
	printf "plaintext-value-$i" | "$SESAME" secret set -p work "plaintext-name-$i" >/dev/null &&
		[ "$("$SESAME" secret get -p work "plaintext-name-$i")" = "plaintext-value-$i" ] && setok=$((setok + 1))
done
is "$setok" 40 "(40 secrets stored and read back before the disk is searched)"
if grep -r -a -q -e plaintext-value -e plaintext-name -e wifi-password -e 'correct horse' \
	"$SESAME_DATA_DIR" "$SESAME_CONFIG_DIR" "$SESAME_RUNTIME_DIR" 2>/dev/null; then
	ok 1 "no secret name, value or password appears in any file (DB, WAL, runtime)"
else
	ok 0 "no secret name, value or password appears in any file (DB, WAL, runtime)"
fi
grep -q -e wifi-password -e plaintext-value -e 'correct horse' "$T/secrets.log" "$T/hub.log"
[ $? -ne 0 ]; ok $? "no value or password appears in the daemons' logs"

# --- a damaged vault is shown as such, not hidden ---
printf 'pw\n' | "$SESAME" init -p broken >/dev/null
stop_secrets	# closing checkpoints the WAL: the data is in broken.db
perl -e 'open my $f, "+<", $ARGV[0] or die "$!"; seek $f, 100, 0; print $f "\xff" x 3900' \
	"$SESAME_DATA_DIR/vaults/broken.db"
start_secrets
run "$SESAME" status
contains "$T/out" " broken (unreadable)" "status shows a damaged vault as unreadable"
contains "$T/out" " work (locked)" "and the others as before"
run "$SESAME" status --doctor
grep -q "^FAIL vault.broken  *unreadable" "$T/out"; ok $? "status --doctor fails the damaged vault"
grep -q "^ok   vault.work  *locked" "$T/out"; ok $? "and passes the others"
is "$rc" 1 "and exits 1"
# A vault opened to others after daemon-secrets opened it: still locked
# or unlocked to daemon-secrets, but the doctor sees the file.
chmod 644 "$SESAME_DATA_DIR/vaults/work.db"
run "$SESAME" status --doctor=vault
grep -q "^FAIL vault.work  *work.db: mode 0644, uid [0-9]* (want 0600, uid [0-9]*)" "$T/out"
ok $? "status --doctor fails a vault file others can read, with its mode"
chmod 600 "$SESAME_DATA_DIR/vaults/work.db"
run "$SESAME" status --doctor=vault
grep -q "^ok   vault.work " "$T/out"; ok $? "and passes it once it is 0600 again"
printf 'pw\n' | "$SESAME" unlock -p broken >/dev/null 2>"$T/err"
contains "$T/err" "malformed" "unlocking it says what SQLite found"
printf 'correct horse\n' | "$SESAME" unlock -p work >/dev/null
is "$("$SESAME" secret get -p work wifi)" wifi-password "the other vaults work on"

# --- Argon2id's cost, per profile, for init and passwd ---
stop_secrets
mkdir -p "$SESAME_CONFIG_DIR"
printf '[profiles.light.secrets]\nargon2_memory_kib = 1024\nargon2_iterations = 1\n' \
	>"$SESAME_CONFIG_DIR/config.toml"
start_secrets
# The vault's meta row "kdf": t, then m in KiB, each 4 bytes big-endian.
kdf() { sqlite3 "$SESAME_DATA_DIR/vaults/$1.db" "SELECT substr(hex(v), 1, 16) FROM meta WHERE k = 'kdf'"; }
printf 'pw\n' | "$SESAME" init -p light >/dev/null
ok $? "init of a profile with its own Argon2id cost"
if command -v sqlite3 >/dev/null 2>&1; then
	is "$(kdf light)" 0000000100000400 "its vault stores t=1, m=1024 KiB"
	is "$(kdf work)" 0000000200004C00 "a vault made before keeps its own (t=2, m=19456 KiB)"
else
	skip "sqlite3 is not installed (make deps installs it)"
	skip "sqlite3 is not installed (make deps installs it)"
fi
"$SESAME" lock -p light >/dev/null
printf 'pw\n' | "$SESAME" unlock -p light >/dev/null
ok $? "and unlocks with it"
printf '[profiles.light.secrets]\nargon2_memory_kib = 2048\n' >"$SESAME_CONFIG_DIR/config.toml"
stop_secrets
start_secrets
printf 'pw\nnew\n' | "$SESAME" passwd -p light >/dev/null
ok $? "passwd after the cost changed"
if command -v sqlite3 >/dev/null 2>&1; then
	is "$(kdf light)" 0000000200000800 "passwd applies the profile's cost as it is now (t=2 by default, m=2048 KiB)"
else
	skip "sqlite3 is not installed (make deps installs it)"
fi
"$SESAME" lock -p light >/dev/null
printf 'new\n' | "$SESAME" unlock -p light >/dev/null
ok $? "and the new password unlocks"
printf '[profiles.light.secrets]\nargon2_memory_kib = 4\n' >"$T/bad.toml"
run "$SESAME" config check "$T/bad.toml"
is "$rc" 1 "less memory than Argon2id's minimum (8 KiB) is a configuration error"

done_testing
