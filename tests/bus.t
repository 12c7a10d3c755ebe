#!/bin/sh
# The bus: hosted by daemon-profile, routed, and impossible to stall.
# Hostile clients are cut off while well-behaved ones keep being served,
# a second uid cannot get in, replies go only to the requester.
. "$(dirname "$0")/lib.sh"

B=$SESAME_BUILD/tests/buspeer
use_private_paths

start_hub --role-exe "$B" --handshake-timeout-ms 1000 --slow-timeout-ms 1000 --request-timeout-ms 800
ok $? "daemon-profile starts and publishes bus.pub"
[ "$(stat -c %a "$SESAME_RUNTIME_DIR")" = 700 ]; ok $? "the runtime directory is 0700"
[ "$(stat -c %a "$SESAME_RUNTIME_DIR/bus.sock")" = 600 ]; ok $? "bus.sock is 0600"
[ "$(stat -c %a "$SESAME_RUNTIME_DIR/keys/secrets.key")" = 600 ]; ok $? "role keys are 0600"

run "$SESAME" status
ok "$rc" "sesame status reaches the hub"
contains "$T/out" "bus: up" "status says the bus is up"
run "$SESAME" status --json
contains "$T/out" '"roles":["profile"]' "status --json lists the connected roles"
# /proc/PID/task/TID/stat field 41 is the scheduling policy (5: SCHED_IDLE)
# (ThreadSanitizer's runtime adds a background thread of its own.)
policies=$(for f in /proc/"$HUB"/task/*/stat; do sed 's/.*) //' "$f" | awk '{print $39}'; done | sort | tr '\n' ' ')
case $SESAME_BUILD in */tsan) want="0 0 5 ";; *) want="0 5 ";; esac
is "$policies" "$want" "the hub runs its loop and a key thread of idle priority, nothing else"

# --- 8 well-behaved clients, measured, while hostile ones come and go ---
for i in 1 2 3 4 5 6 7 8; do
	spawn sh -c "exec '$B' ping-for 4000 >'$T/good.$i' 2>&1"
	eval "good_$i=\$spawned"
done
sleep 0.3
for round in 1 2 3; do
	for mode in stall garbage huge noread; do
		spawn sh -c "exec '$B' $mode >'$T/bad.$mode.$round' 2>&1"
		eval "bad_$mode=\$spawned"
	done
	for mode in stall garbage huge noread; do
		eval "wait \$bad_$mode"
	done
done
for i in 1 2 3 4 5 6 7 8; do eval "wait \$good_$i"; done

ms() { sed -n 's/.*closed_after_ms=\([0-9]*\).*/\1/p' "$1"; }
for round in 1 2 3; do
	s=$(ms "$T/bad.stall.$round"); g=$(ms "$T/bad.garbage.$round")
	h=$(ms "$T/bad.huge.$round"); n=$(ms "$T/bad.noread.$round")
	diag "round $round: cut off after stall=${s}ms garbage=${g}ms huge=${h}ms noread=${n}ms"
	[ -n "$s" ] && [ "$s" -ge 900 ] && [ "$s" -le 3000 ]
	ok $? "round $round: a client that never handshakes is cut at the 1 s deadline (${s} ms)"
	[ -n "$g" ] && [ "$g" -le 1000 ]; ok $? "round $round: a garbage handshake is cut at once (${g} ms)"
	[ -n "$h" ] && [ "$h" -le 1000 ]; ok $? "round $round: a 16 MiB length is cut at once (${h} ms)"
	[ -n "$n" ] && [ "$n" -le 5000 ]; ok $? "round $round: a client that never reads is cut off (${n} ms)"
done
worst=0 total=0
for i in 1 2 3 4 5 6 7 8; do
	line=$(cat "$T/good.$i")
	p=$(echo "$line" | sed -n 's/.*pings=\([0-9]*\).*/\1/p')
	f=$(echo "$line" | sed -n 's/.*fails=\([0-9]*\).*/\1/p')
	m=$(echo "$line" | sed -n 's/.*max_us=\([0-9]*\).*/\1/p')
	diag "good client $i: $line"
	[ -n "$p" ] && [ "$f" = 0 ] && [ "$p" -ge 100 ]
	ok $? "good client $i was served throughout (${p:-?} pings, ${f:-?} failures)"
	[ -n "$m" ] && [ "$m" -gt "$worst" ] && worst=$m
	total=$((total + ${p:-0}))
done
diag "8 good clients: $total pings in 4 s, worst single round trip ${worst} us"
[ "$worst" -lt 1000000 ]; ok $? "no good client ever waited 1 s or more (worst ${worst} us)"
grep -q "no handshake before the deadline" "$T/hub.log" && grep -q "bad frame length 16777216" "$T/hub.log" &&
	grep -q "output queue full\|slow reader" "$T/hub.log"
ok $? "the hub logs why each hostile client was cut off"

# --- routing: requests reach the serving role, replies their requester ---
spawn sh -c "exec '$B' role secrets >'$T/role.out' 2>'$T/role.err'"
ROLE=$spawned
wait_for 10 grep -q connected "$T/role.out"; ok $? "a role connects with its key from keys/"
run "$SESAME" status
contains "$T/out" "roles: profile secrets" "status shows the connected role"
run "$B" get work wifi-psk
is "$(cat "$T/out")" "value-of-wifi-psk" "a request is routed to the role and its reply comes back"
for i in $(seq 1 20); do
	spawn sh -c "exec '$B' get p key$i >'$T/get.$i' 2>&1"
	eval "get_$i=\$spawned"
done
mixed=0
for i in $(seq 1 20); do
	eval "wait \$get_$i"
	[ "$(cat "$T/get.$i")" = "value-of-key$i" ] || mixed=1
done
ok $mixed "20 concurrent requesters each get their own reply"

# --- a batch in message 1: each request handled as if it came alone ---
run "$B" batch work wifi-psk
ok "$rc" "a client sends a batch of requests in message 1"
contains "$T/out" "id=1 ping one" "the batch's first ping is answered"
contains "$T/out" "id=2 value value-of-wifi-psk" "its secret-get goes to the role and comes back"
contains "$T/out" "id=3 error a batch is only accepted as message 1's payload" "a batch inside it is refused"
contains "$T/out" "id=0 error wire: " "two bytes that are no message get an error"
contains "$T/out" "id=4 ping two" "the request after them is still answered"
contains "$T/out" "id=5 error a batch is only accepted" "a batch later on the connection is refused"
run "$B" batch-pings 200
is "$(cat "$T/out")" "replies=200 in_order=1" "a batch of 200 requests is answered in full and in order"

# --- WIRE_F_LAST: the hub hangs up once the last request is answered ---
run "$B" last
contains "$T/out" "last reply=pong closed=1" "a ping marked last is answered, then the hub hangs up"
contains "$T/out" "plain reply=pong closed=0" "one not so marked keeps its connection"
run "$B" last work wifi-psk
contains "$T/out" "last reply=value-of-wifi-psk closed=1" \
	"a request routed to a role too; the role does not see the flag"
contains "$T/out" "plain reply=value-of-wifi-psk closed=0" "and without it the connection stays"

kill "$ROLE"; wait "$ROLE" 2>/dev/null
wait_for 5 sh -c "'$SESAME' status | grep -q 'roles: profile\$'"
run "$B" get work wifi-psk
is "$rc" 69 "a request for a role that is not running exits 69"
contains "$T/err" "daemon-secrets is not running" "and says which daemon is missing"

spawn sh -c "exec '$B' role secrets silent >'$T/silent.out' 2>&1"
SILENT=$spawned
wait_for 10 grep -q connected "$T/silent.out"
run "$B" get work wifi-psk
is "$rc" 75 "a role that never answers: the request times out with exit 75"
contains "$T/err" "did not answer in time" "and says so"
kill "$SILENT"; wait "$SILENT" 2>/dev/null

# --- events: a subscriber that never reads is cut off; the publisher and
# a reading subscriber are not held up ---
# (1000 events of 2 KB fit in a subscriber's queue, 1024 frames and 4 MiB,
# so a reader that the scheduler leaves behind for a while still gets
# every one: what is measured is the hub, not the machine's speed.)
spawn sh -c "exec '$B' watch input 1000 >'$T/watch.ok' 2>&1"
GOODW=$spawned
spawn sh -c "exec '$B' watch-noread input >'$T/watch.bad' 2>&1"
BADW=$spawned
wait_for 10 sh -c "grep -q subscribed '$T/watch.ok' && grep -q subscribed '$T/watch.bad'"
run "$B" publish input 1000 2000
ok "$rc" "a role publishes 1000 events of 2 KB"
diag "$(cat "$T/out")"
wait "$GOODW"
is "$(cat "$T/watch.ok" | tail -1)" "events=1000" "the reading subscriber gets every one"
wait "$BADW"
grep -q closed_after_ms "$T/watch.bad"
ok $? "the subscriber that never reads is cut off ($(tail -1 "$T/watch.bad"))"
run "$B" watch nosuchrole 1
is "$rc" 1 "subscribing to an unknown role is refused"
contains "$T/err" "no such role to subscribe to" "with the reason"

# --- a role tells the hub what confines it; status shows it; the CLI
# cannot tell the hub anything of the kind ---
run "$B" role-info "landlock=abi9 seccomp=on" input
contains "$T/out" "input sandbox=landlock=abi9 seccomp=on" "a role's WIRE_ROLE_INFO shows in the hub's status"
run "$B" role-info "$(printf 'tab\there\033[2J')" input
contains "$T/out" "input sandbox=tab?here?[2J" "control characters in it are not passed on"
run "$B" role-info "landlock=abi9 seccomp=on"
is "$rc" 77 "the CLI cannot send WIRE_ROLE_INFO"
contains "$T/err" "role.info is for daemon roles alone" "and is told why"

# --- one hub at a time; a stale socket does not block a restart ---
run "$SESAME" daemon profile
is "$rc" 1 "a second daemon-profile refuses to start"
contains "$T/err" "another daemon-profile is serving" "and says why"
kill -9 "$HUB"; wait "$HUB" 2>/dev/null
[ -S "$SESAME_RUNTIME_DIR/bus.sock" ]; ok $? "after SIGKILL a stale bus.sock is left behind"
: >"$T/hub.log"
SESAME_LOG=debug start_hub --role-exe "$B" --max-clients 3 --handshake-timeout-ms 5000
ok $? "daemon-profile restarts over the stale socket"

# --- the CLI's handshake needs cli.psk (0600, fresh at each start) ---
perm=$(stat -c %a "$SESAME_RUNTIME_DIR/cli.psk")
is "$perm" 600 "cli.psk is readable by the bus owner only"
cp "$SESAME_RUNTIME_DIR/cli.psk" "$T/psk.good"
head -c 32 /dev/urandom >"$SESAME_RUNTIME_DIR/cli.psk"
run "$SESAME" status
[ "$rc" != 0 ]; ok $? "a client with the wrong PSK cannot complete the handshake (exit $rc)"
cp "$T/psk.good" "$SESAME_RUNTIME_DIR/cli.psk"
run "$SESAME" status
ok "$rc" "with the right one it can"
contains "$T/hub.log" "message 1 holds a batch" "status asks its three questions in message 1"

# --- the connection cap ---
# Beyond --max-clients a new connection takes the slot of the one that
# costs least to lose: here the oldest still in its handshake.  (The log
# is emptied first: the status calls above were connections too.)
: >"$T/hub.log"
for i in 1 2 3; do
	spawn "$B" stall >"$T/cap.$i" 2>&1
	wait_for 5 sh -c "[ \$(grep -c 'from pid' '$T/hub.log') -ge $i ]"
done
spawn "$B" stall >"$T/cap.4" 2>&1
wait_for 5 sh -c "grep -q closed_after_ms '$T/cap.1'"
c=$(ms "$T/cap.1")
[ -n "$c" ] && [ "$c" -lt 4000 ]; ok $? "beyond --max-clients the oldest half-open connection gives its slot to a new one (${c} ms, not the 5000 ms deadline)"
[ -z "$(ms "$T/cap.2")$(ms "$T/cap.3")" ]; ok $? "the younger ones keep theirs"
contains "$T/hub.log" "every slot was taken" "the eviction is logged"
stop_hub

# --- queues that overflow at awkward moments (one queued frame allowed).
# First a role dropped while a handshake forwards to it: the hub cannot
# answer a client that has no keys yet, so it closes it, and goes on ---
: >"$T/hub.log"
# 60 profiles with long names: a profile list is a reply of ~6 KB
for i in $(seq 10 69); do printf '[profiles.p%s%060d]\n' "$i" 0; done >"$SESAME_CONFIG_DIR/config.toml"
start_hub --role-exe "$B" --queue-frames 1 --slow-timeout-ms 600000 --request-timeout-ms 600000
spawn sh -c "exec '$B' role secrets noread >'$T/noread.out' 2>&1"
NOREAD=$spawned
wait_for 10 grep -q connected "$T/noread.out"
run "$B" fill-role work 2000
diag "$(cat "$T/out")"
contains "$T/out" "exit=69 error=bus: daemon-profile closed the connection" \
	"the client whose request overflowed the role's queue is closed in its handshake"
contains "$T/hub.log" "output queue full" "the role that does not read is dropped"
contains "$T/hub.log" "a daemon it asked went away during the handshake" "the client is closed with that reason"
run "$SESAME" status
grep -q 'roles: profile$' "$T/out"; ok $? "the hub goes on serving, without the dropped role"
kill "$NOREAD"; wait "$NOREAD" 2>/dev/null
# Then a client whose replies overflow its queue in the middle of the
# batch in its message 1: the hub stops the batch there and closes it.
: >"$T/hub.log"
run "$B" batch-noread 200
diag "$(cat "$T/out")"
r=$(sed -n 's/^replies=\([0-9]*\) exit=69$/\1/p' "$T/out")
[ -n "$r" ] && [ "$r" -lt 200 ]
ok $? "a batch whose replies overflow the client's queue ends with the connection (${r:-?} of 200 came)"
contains "$T/hub.log" "output queue full" "the hub says why it closed it"
run "$SESAME" status
ok "$rc" "and goes on serving"
stop_hub
rm "$SESAME_CONFIG_DIR/config.toml"

# --- sd_notify: READY, watchdog at half of WATCHDOG_USEC, STOPPING ---
spawn sh -c "exec '$B' notify-listen '$T/notify' 10000 >'$T/notify.out'"
LISTEN=$spawned
wait_for 5 grep -q listening "$T/notify.out"
NOTIFY_SOCKET=$T/notify WATCHDOG_USEC=200000 start_hub
sleep 0.8
stop_hub
wait "$LISTEN"
contains "$T/notify.out" "READY=1" "under systemd the hub reports READY=1"
wd=$(grep -c "WATCHDOG=1" "$T/notify.out")
[ "$wd" -ge 3 ]; ok $? "the watchdog is petted every 100 ms for WATCHDOG_USEC=200000 ($wd in 0.8 s)"
contains "$T/notify.out" "STOPPING=1" "and STOPPING=1 on the way out"

# --- a second uid cannot use the bus ---
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	start_hub
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$SESAME" status
	is "$rc" 69 "another uid cannot reach a root bus (the runtime dir is 0700)"
	contains "$T/err" "Permission denied" "and is told why"
	stop_hub
	# Now a bus owned by uid 65534 that root can reach past the file
	# modes: SO_PEERCRED must still refuse it.
	other=$(mktemp -d /tmp/sesame-uid.XXXXXX)
	chmod 755 "$other"
	mkdir "$other/run" "$other/cfg" "$other/data" && chown 65534:65534 "$other/run" "$other/cfg" "$other/data" && chmod 700 "$other/run" "$other/cfg" "$other/data"
	SESAME_RUNTIME_DIR=$other/run SESAME_CONFIG_DIR=$other/cfg SESAME_DATA_DIR=$other/data spawn setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$SESAME" daemon profile 2>"$T/hub2.log"
	NOBODY=$spawned
	wait_for 10 test -s "$other/run/bus.pub"
	SESAME_RUNTIME_DIR=$other/run run "$SESAME" status
	[ "$rc" -ne 0 ]; ok $? "a client of another uid (root) is refused by SO_PEERCRED (exit $rc)"
	contains "$T/hub2.log" "refusing a connection from uid 0" "the refusal names the uid"
	kill "$NOBODY"; wait "$NOBODY" 2>/dev/null
	rm -rf "$other"
else
	skip "second-uid tests need root and setpriv"
	skip "second-uid tests need root and setpriv"
	skip "second-uid tests need root and setpriv"
	skip "second-uid tests need root and setpriv"
fi

done_testing
