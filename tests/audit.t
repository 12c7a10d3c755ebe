#!/bin/sh
# The audit chain: every vault operation is recorded with its outcome
# (never a value or key name); audit verify finds edited, deleted and
# swapped lines.
. "$(dirname "$0")/lib.sh"

use_private_paths
start_hub
start_secrets
log=$SESAME_DATA_DIR/audit.jsonl
printf 'pw\n' | "$SESAME" init -p a >/dev/null
printf 'the-value' | "$SESAME" secret set -p a the-name >/dev/null
"$SESAME" secret get -p a the-name >/dev/null
"$SESAME" secret get -p a missing >/dev/null 2>&1
"$SESAME" lock >/dev/null
"$SESAME" secret get -p a the-name >/dev/null 2>&1
printf 'bad\n' | "$SESAME" unlock -p a >/dev/null 2>&1
printf 'pw\n' | "$SESAME" unlock -p a >/dev/null
stop_secrets

[ "$(stat -c %a "$log")" = 600 ]; ok $? "the audit log is 0600"
for e in daemon.start vault.init secret.set secret.get vault.lock vault.unlock daemon.stop; do
	grep -q "\"event\":\"$e\"" "$log"; ok $? "the log records $e"
done
grep -q '"event":"secret.get".*"outcome":"not-found"' "$log"; ok $? "outcomes are recorded (not-found)"
grep -q '"event":"secret.get".*"outcome":"locked"' "$log"; ok $? "outcomes are recorded (locked)"
grep -q '"event":"vault.unlock".*"outcome":"wrong-password"' "$log"; ok $? "outcomes are recorded (wrong-password)"
grep -q -e the-value -e the-name "$log"; [ $? -ne 0 ]; ok $? "no value and no key name appear in the log"

run "$SESAME" audit verify
ok "$rc" "audit verify passes on the untouched log"
n=$(wc -l <"$log" | tr -d ' ')
contains "$T/out" "intact: $n entries" "and counts its $n entries"
run "$SESAME" audit verify "$T/no-such-audit.jsonl"
is "$rc" 1 "audit verify fails where there is no log (a removed log is the largest deletion)"
contains "$T/err" "there is no audit log at $T/no-such-audit.jsonl" "and says there is none"
run "$SESAME" audit tail -n 2
is "$(wc -l <"$T/out" | tr -d ' ')" 2 "audit tail -n 2 prints two lines"

cp "$log" "$T/orig"
sed '3s/"outcome":"ok"/"outcome":"no"/' "$T/orig" >"$log"
run "$SESAME" audit verify
is "$rc" 1 "an edited line: exit 1"
contains "$T/out" "broken at line 3" "and the report names line 3"

sed '4d' "$T/orig" >"$log"
run "$SESAME" audit verify
is "$rc" 1 "a deleted line: exit 1"
contains "$T/out" "broken at line 4" "and the report names where the chain breaks"

awk 'NR==4{hold=$0; next} NR==5{print; print hold; next} {print}' "$T/orig" >"$log"
run "$SESAME" audit verify
is "$rc" 1 "two swapped lines: exit 1"
contains "$T/out" "broken at line 4" "and the report names the first of them"

head -c -20 "$T/orig" >"$log"
run "$SESAME" audit verify
is "$rc" 1 "a torn last line: exit 1"

# The chain goes on across a restart of daemon-secrets.
cp "$T/orig" "$log"
start_secrets
printf 'pw\n' | "$SESAME" unlock -p a >/dev/null
stop_secrets
run "$SESAME" audit verify
ok "$rc" "after a restart the chain continues unbroken"

# A power cut while appending leaves a torn tail: part of a line, and NUL
# bytes where the file had grown but its blocks were never written (seen
# on ext4 by tests/image/powercut.t).  The next daemon to open the log
# cuts it off, durably, and its next line records how many bytes went
# ("torn"): the chain verifies and verify says what happened.  It used to
# end the torn part with a newline and start a new chain at seq 1, which
# verify called broken.
cp "$T/orig" "$log"
printf '{"seq":99,"ts":"2026-' >>"$log"
head -c 3000 /dev/zero >>"$log"
start_secrets
printf 'pw\n' | "$SESAME" unlock -p a >/dev/null
stop_secrets
run "$SESAME" audit verify
ok "$rc" "a torn tail (part of a line, then NUL bytes) is cut off: the chain verifies"
contains "$T/out" "tore the end of the log 1 time" "and verify says a torn end was cut off"
grep -q '"torn":3021,' "$log"; ok $? "the line after the cut records the 3021 bytes that went"
contains "$T/secrets.log" "ended in a torn write (3021 bytes" "daemon-secrets logs it"
run "$SESAME" status --doctor
grep -q "^ok.*audit.log.*a torn end (a crash) was cut off" "$T/out"; ok $? "status --doctor mentions it"

# The log removed, or cut, under a running daemon: it used to go on
# writing to the removed file (every line lost) or start a new chain at
# seq 1 (the cut unseen).  Now it opens what is at the path, says so, and
# goes on from the last line it wrote, so verify shows the break.
start_secrets
cp "$log" "$T/before-rm"
rm "$log"
printf 'pw\n' | "$SESAME" unlock -p a >/dev/null
[ -s "$log" ]; ok $? "after the log is removed, the next operation writes a new one"
grep -q "was removed or replaced" "$T/secrets.log"; ok $? "and daemon-secrets logs that it was"
run "$SESAME" audit verify
is "$rc" 1 "verify fails on the new file"
contains "$T/out" "broken at line 1: it goes on from lines that are not in this file" "and says the head is missing"
cat "$T/before-rm" "$log" >"$T/joined"
run "$SESAME" audit verify "$T/joined"
ok "$rc" "the old file and the new one, joined, verify whole"
truncate -s -30 "$log"
"$SESAME" secret get -p a the-name >/dev/null
grep -q "shrank from" "$T/secrets.log"; ok $? "a log cut shorter is noticed and logged"
cat "$T/before-rm" "$log" >"$T/joined"
run "$SESAME" audit verify "$T/joined"
is "$rc" 1 "and the joined logs, whole before, now break"
grep -q "broken at line 1:" "$T/out"; [ $? -ne 0 ]; ok $? "where the lines were cut, not at their start"
"$SESAME" audit tail -n 0 -f >"$T/follow.out" 2>"$T/follow.err" &
follow=$!
sleep 0.5
: >"$log"
"$SESAME" secret get -p a the-name >/dev/null
wait_for 5 grep -q '"event":"secret.get"' "$T/follow.out"
ok $? "audit tail -f goes on after the log is cut to nothing"
contains "$T/follow.err" "audit.jsonl was cut to " "and says it was"
kill "$follow"; wait "$follow" 2>/dev/null
stop_secrets
cp "$T/orig" "$log"

# A full disk: the audit line that cannot be written whole is taken back,
# so the log stays verifiable, and the client still sees the operation's
# own error.  A file size limit (set on the running daemon) stands in for
# the full disk: room for part of a line, not for a whole one.  Only the
# soft limit moves, so raising it again needs no CAP_SYS_RESOURCE.
if command -v prlimit >/dev/null 2>&1; then
	# The limit binds the daemon's log too: start it small.
	: >"$T/secrets.log"
	start_secrets
	printf 'pw\n' | "$SESAME" unlock -p a >/dev/null
	size=$(stat -c %s "$log")
	prlimit --pid "$SECRETS" --fsize=$((size + 40)):
	run "$SESAME" secret get -p a missing
	contains "$T/err" "no secret named 'missing'" "a failed get reports its own reason when its audit line cannot be written"
	is "$(stat -c %s "$log")" "$size" "the part of the line that was written is taken back"
	grep -q "audit: cannot append" "$T/secrets.log"; ok $? "daemon-secrets logs that the line was lost"
	run "$SESAME" audit verify
	ok "$rc" "the log still verifies"
	# No room at all: a set fails with the system's reason, and loses
	# nothing that was stored before.
	prlimit --pid "$SECRETS" --fsize=4096:
	printf 'new-value' | "$SESAME" secret set -p a the-name >/dev/null 2>"$T/err"
	is "$?" 1 "a set the disk refuses fails"
	contains "$T/err" "vault a: disk I/O error" "and says so"
	contains "$T/err" "(while writing; the file size limit, RLIMIT_FSIZE, is " \
		"and names what it was doing and the likely cause (SQLite had lost errno)"
	prlimit --pid "$SECRETS" --fsize=unlimited:
	is "$("$SESAME" secret get -p a the-name)" the-value "the value stored before is intact"
	run "$SESAME" audit verify
	is "$rc" 1 "with room again, the chain goes on unbroken, but verify does not call the log whole"
	contains "$T/out" "but entries are missing: " "it says how many entries could not be written"
	grep -q '"lost":' "$log"; ok $? "(the first line written after the gap says how many)"
	stop_secrets

	# global.audit.required (the default in system mode): what cannot be
	# audited is not done.  A log that cannot grow by one line:
	mkdir -p "$SESAME_CONFIG_DIR"
	printf '[global.audit]\nrequired = true\n' >"$SESAME_CONFIG_DIR/config.toml"
	start_secrets
	printf 'pw\n' | "$SESAME" unlock -p a >/dev/null
	# (A log larger than the vault and its WAL get: the size limit then
	# stops the log's next line and nothing else.)
	for i in $(seq 400); do "$SESAME" secret get -p a the-name >/dev/null; done
	diag "audit log $(stat -c %s "$log") bytes; vault $(stat -c %s "$SESAME_DATA_DIR/vaults/a.db") bytes"
	prlimit --pid "$SECRETS" --fsize=$(( $(stat -c %s "$log") + 40 )):
	printf 'unaudited' | "$SESAME" secret set -p a new-name >/dev/null 2>"$T/err"
	is "$?" 1 "required: a set whose audit line cannot be written is refused"
	contains "$T/err" "global.audit.required refuses what cannot be audited" "saying why"
	run "$SESAME" secret get -p a the-name
	is "$rc:$(cat "$T/out")" "1:" "a get is refused too, and no value is given out"
	run "$SESAME" lock -p a
	is "$rc" 1 "a lock that cannot be audited says so (exit 1)"
	contains "$T/err" "locked, but not audited" "and still locks: locking is the safe way"
	printf 'pw\n' | "$SESAME" unlock -p a >/dev/null 2>"$T/err"
	is "$?" 1 "an unlock that cannot be audited is refused"
	prlimit --pid "$SECRETS" --fsize=unlimited:
	run "$SESAME" secret get -p a the-name
	is "$rc" 77 "and the vault stayed locked"
	printf 'pw\n' | "$SESAME" unlock -p a >/dev/null
	run "$SESAME" secret get -p a new-name
	is "$rc" 1 "the refused set was undone (no new-name)"
	stop_secrets
	# required = false: the operation goes ahead, the gap is recorded.
	printf '[global.audit]\nrequired = false\n' >"$SESAME_CONFIG_DIR/config.toml"
	start_secrets
	printf 'pw\n' | "$SESAME" unlock -p a >/dev/null
	prlimit --pid "$SECRETS" --fsize=$(( $(stat -c %s "$log") + 40 )):
	printf 'done anyway' | "$SESAME" secret set -p a new-name >/dev/null 2>"$T/err"
	is "$?" 0 "not required: the set goes ahead unaudited"; sed "s/^/# /" "$T/err"
	prlimit --pid "$SECRETS" --fsize=unlimited:
	"$SESAME" secret get -p a new-name >/dev/null
	run "$SESAME" audit verify
	is "$rc" 1 "and audit verify reports the gap"
	run "$SESAME" status --doctor=vault
	contains "$T/out" "could not be written" "status --doctor warns of it"
	stop_secrets
	rm -f "$SESAME_CONFIG_DIR/config.toml"
else
	for i in $(seq 23); do skip "prlimit (util-linux) is not installed"; done
fi

# A slow disk does not hold up requests: the audit log's fdatasync runs in
# a thread of its own, not in daemon-secrets' loop.  slowsync.so makes
# every fdatasync take 1.5 s longer (SQLite's too, so the set is slow).
if file -L "$SESAME" | grep -q "statically linked"; then
	skip "a static sesame cannot be given an LD_PRELOAD (tests/slowsync.c)"
	skip "a static sesame cannot be given an LD_PRELOAD (tests/slowsync.c)"
else
	asan=${ASAN_OPTIONS-}
	export LD_PRELOAD="$SESAME_BUILD/tests/slowsync.so" SLOWSYNC_MS=1500 \
		ASAN_OPTIONS="${asan:+$asan:}verify_asan_link_order=0"
	start_secrets
	unset LD_PRELOAD SLOWSYNC_MS
	export ASAN_OPTIONS="$asan"
	printf 'pw\n' | "$SESAME" unlock -p a >/dev/null
	printf 'v' | "$SESAME" secret set -p a k2 >/dev/null
	"$SESAME" secret get -p a k2 >/dev/null
	sleep 0.2	# that get's audit line is being synced, for 1.5 s
	t0=$(date +%s%N)
	"$SESAME" secret get -p a k2 >/dev/null
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -lt 700 ]; ok $? "a get while the audit log syncs (1.5 s) is answered in ${ms} ms"
	grep -q "slowsync: a slow fdatasync" "$T/secrets.log"; ok $? "and the slow fdatasync did run"
	stop_secrets
fi

# Rotation: past global.audit.max_size_kib the log becomes audit.jsonl.1
# (keep older files at most), the new file beginning with an audit.rotate
# line that goes on from the old one's last; verify follows the chain
# through the files.  Both writers (daemon-secrets, daemon-profile) take
# part.
stop_hub
rm -f "$log"*
: >"$T/hub.log"; : >"$T/secrets.log"
printf '[global.audit]\nmax_size_kib = 1\nkeep = 2\n[profiles.default]\n[profiles.work]\n' >"$SESAME_CONFIG_DIR/config.toml"
start_hub
start_secrets
printf 'pw\n' | "$SESAME" unlock -p a >/dev/null
for i in $(seq 12); do "$SESAME" secret get -p a the-name >/dev/null; done
for i in $(seq 4); do
	"$SESAME" profile activate work >/dev/null
	"$SESAME" profile deactivate work >/dev/null
done
for i in $(seq 3); do "$SESAME" secret get -p a the-name >/dev/null; done
[ -s "$log.1" ] && [ -s "$log.2" ]; ok $? "a log past max_size_kib is rotated to audit.jsonl.1, .2"
[ ! -e "$log.3" ]; ok $? "and no more than keep (2) older files are kept"
big=0
for f in "$log" "$log.1" "$log.2"; do [ "$(stat -c %s "$f")" -le 1024 ] || big=1; done
is "$big" 0 "no file grows past 1 KiB"
head -n 1 "$log" | grep -q '"event":"audit.rotate"'; ok $? "the new file begins with an audit.rotate line"
grep -q "rotated .*audit.jsonl" "$T/secrets.log"; ok $? "daemon-secrets logs the rotation"
grep -q "rotated .*audit.jsonl" "$T/hub.log"; ok $? "daemon-profile rotates too, in its sandbox"
grep -q '"event":"profile.activate"' "$log" "$log.1" "$log.2"; ok $? "daemon-profile's lines are in the rotated chain"
grep -q "audit.jsonl was removed or replaced" "$T/hub.log" "$T/secrets.log"; [ $? -ne 0 ]
ok $? "a writer that finds the log rotated by the other follows without an error"
"$SESAME" audit tail -n 0 -f >"$T/follow.out" 2>"$T/follow.err" &
follow=$!
sleep 0.5
# (A get every 0.3 s: rotated files outlive tail's 0.2 s polls, as they
# would at any real size.)
for i in $(seq 8); do "$SESAME" secret get -p a the-name >/dev/null; sleep 0.3; done
wait_for 5 sh -c "[ \$(grep -c '\"event\":\"secret.get\"' '$T/follow.out') -ge 8 ]"
is "$(grep -c '"event":"secret.get"' "$T/follow.out")" 8 "audit tail -f follows the log through its rotations, losing no line"
[ ! -s "$T/follow.err" ]; ok $? "and takes a rotation for what it is (no complaint)"
kill "$follow"; wait "$follow" 2>/dev/null
# tail -f on a log not written yet waits for it, as tail -F does.
mkdir "$T/later"
"$SESAME" audit tail -f "$T/later/audit.jsonl" >"$T/follow.out" 2>"$T/follow.err" &
follow=$!
sleep 0.5
printf 'first\nsecond\n' >"$T/later/audit.jsonl"
wait_for 5 grep -q second "$T/follow.out"
is "$(tr '\n' ' ' <"$T/follow.out")" "first second " "audit tail -f waits for a log not written yet, then shows it whole"
contains "$T/follow.err" "there is no audit log at $T/later/audit.jsonl yet; waiting for it" "and says it waits"
kill "$follow"; wait "$follow" 2>/dev/null
run "$SESAME" audit tail "$T/later/none.jsonl"
is "$rc" 1 "without -f, a missing log is an error"
# Two rotations between two of tail's polls: the file in the middle is
# read too (tail reads no line's content, so plain lines do here).
f=$T/fake.jsonl
printf 'one\n' >"$f"
"$SESAME" audit tail -n 0 -f "$f" >"$T/follow.out" 2>"$T/follow.err" &
follow=$!
sleep 0.5
printf 'two\n' >>"$f"; mv "$f" "$f.1"; printf 'three\n' >"$f"
mv "$f.1" "$f.2"; mv "$f" "$f.1"; printf 'four\n' >"$f"
wait_for 5 grep -q four "$T/follow.out"
is "$(tr '\n' ' ' <"$T/follow.out")" "two three four " "audit tail -f reads every file rotated between two looks, in order"
kill "$follow"; wait "$follow" 2>/dev/null
stop_secrets
run "$SESAME" audit verify
ok "$rc" "audit verify passes across the rotated files"
contains "$T/out" "in 3 files" "and says how many files it read"
contains "$T/out" "the ones before having been rotated out" "and that the oldest lines were rotated out"
entries=$(sed -n 's/.*intact: \([0-9]*\) entries.*/\1/p' "$T/out")
run "$SESAME" status --doctor
grep -q "^ok   audit.log  *intact: $entries entries, 3 files, [0-9]* KiB$" "$T/out"
ok $? "status --doctor checks the audit chain too ($entries entries, 3 files)"
run "$SESAME" audit tail -n 3
is "$(wc -l <"$T/out" | tr -d ' ')" 3 "audit tail -n 3 prints three lines"
n=$(cat "$log.2" "$log.1" "$log" | wc -l | tr -d ' ')
run "$SESAME" audit tail -n 1000
is "$(wc -l <"$T/out" | tr -d ' ')" "$n" "audit tail reaches back into the rotated files"

cp "$log.1" "$T/one"
sed '2s/"ts":"/"ts":"1/' "$T/one" >"$log.1"
run "$SESAME" audit verify
is "$rc" 1 "an edited line in a rotated file: exit 1"
contains "$T/out" "audit.jsonl.1 is broken at line 2" "and the report names the file and the line"
run "$SESAME" status --doctor
is "$rc" 1 "status --doctor fails on a broken audit chain"
contains "$T/out" "broken at $log.1 line 2" "and names where it breaks"
head -n -1 "$T/one" >"$log.1"
run "$SESAME" audit verify
is "$rc" 1 "a line cut from the end of a rotated file: exit 1"
contains "$T/out" "audit.jsonl is broken at line 1: it does not go on from the last line of the file before it" \
	"and the report names where the chain breaks"
cp "$T/one" "$log.1"

# A crash between the rotation's two renames leaves the new file as
# audit.jsonl.new and no audit.jsonl: the next start puts it in place.
mv "$log" "$log.new"
start_secrets
[ -s "$log" ] && [ ! -e "$log.new" ]; ok $? "a rotation cut short is finished at the next start"
stop_secrets
run "$SESAME" audit verify
ok "$rc" "and the chain goes on unbroken"

# A rotation that fails (here audit.jsonl.new is a directory in the way)
# is logged once and tried again a sixteenth of the limit later, not on
# every line; the log goes on meanwhile.
printf '[global.audit]\nmax_size_kib = 64\nkeep = 2\n' >"$SESAME_CONFIG_DIR/config.toml"
awk 'BEGIN { for (i = 0; i < 1200; i++) printf "%s\n", "filler line, 59 bytes of it .............................." }' >"$log"
mkdir "$log.new"
: >"$T/secrets.log"
start_secrets
for i in $(seq 10); do "$SESAME" secret get -p a the-name >/dev/null 2>&1; done
is "$(grep -c "cannot rotate" "$T/secrets.log")" 1 "a failed rotation is logged once, not on each of the next lines"
grep -q '"event":"secret.get"' "$log"; ok $? "and the log goes on meanwhile"
rmdir "$log.new"
for i in $(seq 20); do "$SESAME" secret get -p a the-name >/dev/null 2>&1; done
grep -q "rotated .*audit.jsonl" "$T/secrets.log"; ok $? "once the way is clear, a later line rotates"
stop_secrets

done_testing
