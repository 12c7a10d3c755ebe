#!/bin/sh
# sesame credentials (issue 32, point 3): a profile's secrets as 0400
# files in a memory-backed directory for a service, CREDENTIALS_DIRECTORY
# set for the command, signals passed on, the files wiped when it ends;
# persistent storage refused; --cleanup after a run that was killed.
. "$(dirname "$0")/lib.sh"

SHM=/dev/shm
if [ "$(stat -f -c %T "$SHM" 2>/dev/null)" != tmpfs ]; then
	skip "no tmpfs at /dev/shm to write credentials on"
	done_testing
	exit
fi
use_private_paths
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p svc >/dev/null
printf 'Db-S3cret' | "$SESAME" secret set -p svc db-password >/dev/null
printf -- '-----BEGIN KEY-----\nabc\n' | "$SESAME" secret set -p svc tls/key >/dev/null
D=$SHM/sesame-cred-test.$$
trap 'rm -rf "$D" "$D.2" "$D.3"; cleanup' EXIT

run "$SESAME" credentials -p svc --dir "$D" db-password tls.key=tls/key -- \
	sh -c 'echo "dir=$CREDENTIALS_DIRECTORY"; stat -c "%a %n" "$CREDENTIALS_DIRECTORY"/db-password \
	"$CREDENTIALS_DIRECTORY"/tls.key; stat -c %a "$CREDENTIALS_DIRECTORY"; cat "$CREDENTIALS_DIRECTORY/db-password"; echo; exit 4'
is "$rc" 4 "credentials -- COMMAND: exits with the command's status"
contains "$T/out" "dir=$D" "CREDENTIALS_DIRECTORY is the directory"
contains "$T/out" "400 $D/db-password" "each secret a file of mode 0400"
contains "$T/out" "400 $D/tls.key" "FILE=NAME names the file (a secret name with '/')"
grep -qx 700 "$T/out"; ok $? "the directory made 0700"
contains "$T/out" "Db-S3cret" "the command reads the value"
[ ! -e "$D" ]; ok $? "when it ends the files and the directory it made are gone"

run "$SESAME" credentials -p svc --dir "$T/persist" db-password -- true
is "$rc" 1 "a directory on persistent storage: refused"
contains "$T/err" "is on persistent storage" "saying why"
[ ! -e "$T/persist" ]; ok $? "and nothing is left there"
"$SESAME" credentials -p svc --dir "$T/persist" --allow-persistent db-password -- test -s "$T/persist/db-password"
ok $? "--allow-persistent lets it"

run "$SESAME" credentials -p svc --dir "$D" db-password missing -- touch "$T/ran"
is "$rc" 1 "a missing secret: exit 1"
[ ! -e "$T/ran" ] && [ ! -e "$D" ]; ok $? "nothing ran, nothing written"
run "$SESAME" credentials -p svc --dir "$D" ../x=db-password
is "$rc" 2 "a file name with '/': a usage error"

# Without a command: the files stay until --cleanup.
run "$SESAME" credentials -p svc --dir "$D" db-password
ok "$rc" "without a command"
contains "$T/out" "1 credential in $D" "says where"
[ -f "$D/db-password" ]; ok $? "the file stays"
"$SESAME" credentials --dir "$D" --cleanup
[ ! -e "$D" ]; ok $? "--cleanup removes it and the directory"

# A supervisor's SIGTERM reaches the service; the files go after it.
mkdir -p "$D.2"
spawn "$SESAME" credentials -p svc --dir "$D.2" db-password -- \
	sh -c 'trap "echo got-term >\"$0\"; exit 0" TERM; : >"$0.ready"; while :; do sleep 0.1; done' "$T/term"
P=$spawned
wait_for 10 test -f "$T/term.ready" && test -f "$D.2/db-password"; ok $? "the service runs with its credential"
kill -TERM "$P"
wait "$P"; st=$?
is "$st" 0 "SIGTERM passed on: the service ends cleanly, and so does sesame"
is "$(cat "$T/term" 2>/dev/null)" got-term "the service got the SIGTERM"
[ -d "$D.2" ] && [ -z "$(ls -A "$D.2")" ]; ok $? "its files wiped; a directory it did not make is kept"

# A SIGTERM as soon as the files are there (the command perhaps not yet
# started): sesame ends, and the files go with it, whoever got the signal.
many=$(i=0; while [ $i -lt 200 ]; do i=$((i + 1)); printf 'f%03d=db-password ' $i; done)
for i in 1 2 3 4 5; do
	spawn "$SESAME" credentials -p svc --dir "$D.3" $many -- sleep 30
	P=$spawned
	n=0
	while [ ! -e "$D.3/f001" ] && [ $n -lt 200000 ]; do n=$((n + 1)); done	# no sleep: the first file
	kill -TERM "$P"
	wait "$P"
	[ ! -e "$D.3" ] || break
done
[ ! -e "$D.3" ]; ok $? "a SIGTERM while 200 files are written, or after, leaves none behind (5 tries)"
rm -rf "$D.3"

# A SIGKILLed sesame cannot clean up; --cleanup does it before the next start.
spawn "$SESAME" credentials -p svc --dir "$D" db-password -- sh -c 'echo $$ >"$0"; exec sleep 30' "$T/svc.pid"
P=$spawned
wait_for 10 test -s "$T/svc.pid"
kill -KILL "$P"
kill "$(cat "$T/svc.pid")"
[ -f "$D/db-password" ]; ok $? "after a SIGKILL the file is still there (said in --help)"
"$SESAME" credentials --dir "$D" --cleanup
[ ! -e "$D" ]; ok $? "--cleanup removes it"
! grep -rqF "Db-S3cret" "$T"/*.log "$T/err"; ok $? "the value is in no log or message"
done_testing
