#!/bin/sh
# Connection slots: a process of the owner's uid that holds idle and
# never-handshaking connections (remaking each one the hub closes) cannot
# lock commands or roles out of the bus.
. "$(dirname "$0")/lib.sh"

B=$SESAME_BUILD/tests/buspeer
use_private_paths
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p work >/dev/null 2>&1
printf 'v' | "$SESAME" secret set -p work k >/dev/null 2>&1

# works_during MS: status and secret get, every 100 ms for MS; prints the
# exit codes that were not 0 (nothing if all were).
works_during() {
	_end=$(( $(date +%s%N) / 1000000 + $1 )) _bad=
	while [ $(( $(date +%s%N) / 1000000 )) -lt "$_end" ]; do
		"$SESAME" status >/dev/null 2>>"$T/works.err" || _bad="$_bad status:$?"
		"$SESAME" secret get -p work k >/dev/null 2>>"$T/works.err" || _bad="$_bad get:$?"
		sleep 0.1
	done
	echo "$_bad"
}

# One process: 300 idle, 300 never handshaking.
spawn "$B" hold 300 300 1 6000
sleep 1
is "$(works_during 3000)" "" "one process holding 300 idle and 300 half-open connections locks nobody out"
grep -q "it holds the most connections one process may" "$T/hub.log"; ok $? "the hub refuses past its share per process"
wait "$spawned"

# The same spread over 40 processes (7 + 7 each, under the share).
spawn "$B" hold 300 300 40 8000 >"$T/hold.out"
HOLD=$spawned
sleep 2
is "$(works_during 3000)" "" "40 processes holding 600 connections between them lock nobody out"
sed 's/^/# /' "$T/works.err" | sort | uniq -c | head -5
# A role that restarts under the flood gets its slot.
stop_secrets
start_secrets
ok $? "daemon-secrets reconnects while the slots are full"
wait "$HOLD"
awk -F'[= ]' '{ r += $4 } END { exit !(r > 0) }' "$T/hold.out"
ok $? "(the flood was real: the hub closed connections to make room, and they were made again)"
grep -q "every slot was taken" "$T/hub.log"; ok $? "the hub says why it closed them"

# An idle command connection is closed after --idle-timeout-ms; one that
# subscribed, or waits for an answer, is not idle.
stop_hub
start_hub --idle-timeout-ms 300
spawn "$B" hold 1 0 1 1500 >"$T/idle.out"
wait "$spawned"
awk -F'[= ]' '{ exit !($4 >= 2) }' "$T/idle.out"
ok $? "an idle connection is closed after --idle-timeout-ms (remade $(sed 's/.*remade=//' "$T/idle.out") times in 1.5 s)"
spawn "$B" watch-noread secrets >"$T/watch.out"
W=$spawned
sleep 1
kill -0 "$W" 2>/dev/null; ok $? "a subscriber is not idle: it keeps its connection"
kill "$W" 2>/dev/null
done_testing
