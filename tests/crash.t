#!/bin/sh
# Crash safety: daemon-secrets is killed with SIGKILL at random moments
# during a stream of `secret set` calls, $CRASH_ROUNDS times (200).  Every
# write that was acknowledged must read back afterwards, with its value,
# and the vault must open and unlock after every crash.
. "$(dirname "$0")/lib.sh"

rounds=${CRASH_ROUNDS:-200}
use_private_paths
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p c >/dev/null || { ok 1 "init"; done_testing; exit 1; }
: >"$T/acked"

# Writes keys r<round>-<n> until killed; records each acknowledged key.
writer() {
	n=0
	while :; do
		if printf "value-$1-$n" | "$SESAME" secret set -p c "r$1-$n" >/dev/null 2>&1; then
			echo "r$1-$n value-$1-$n" >>"$T/acked"
		fi
		n=$((n + 1))
	done
}

# The kill falls at a random moment within the time of about four sets
# (at least 64 ms): measured here, as a set takes 10 ms on one machine
# and 80 under AddressSanitizer on a slow one, where a fixed window
# killed the daemon before most sets could finish.
t0=$(date +%s%N)
for i in 1 2 3; do printf v | "$SESAME" secret set -p c "calibrate-$i" >/dev/null; done
window=$(( ($(date +%s%N) - t0) * 4 / 3 / 1000000 ))
[ "$window" -ge 64 ] || window=64
diag "kill window: 0 to $window ms"

reopen_failures=0
for r in $(seq 1 "$rounds"); do
	writer "$r" &
	w=$!
	ms=$(( $(od -An -N2 -tu2 /dev/urandom) % window ))
	sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
	kill -9 "$SECRETS"
	wait "$SECRETS" 2>/dev/null
	kill "$w"; wait "$w" 2>/dev/null
	start_secrets
	if ! printf 'pw\n' | "$SESAME" unlock -p c >/dev/null 2>"$T/unlock.err"; then
		reopen_failures=$((reopen_failures + 1))
		diag "round $r: unlock after the restart failed: $(cat "$T/unlock.err")"
	fi
done

acked=$(wc -l <"$T/acked" | tr -d ' ')
lost=0
while read -r key value; do
	got=$("$SESAME" secret get -p c "$key" 2>/dev/null)
	[ "$got" = "$value" ] || { lost=$((lost + 1)); diag "lost or wrong: $key"; }
done <"$T/acked"
stored=$(( $("$SESAME" secret list -p c | wc -l) - 3 ))	# less the calibration
diag "$rounds SIGKILLs: $acked writes acknowledged, $stored secrets stored, $lost lost, $reopen_failures failed reopenings"
[ "$acked" -ge "$rounds" ]; ok $? "the stream made progress between kills ($acked acknowledged writes)"
is "$reopen_failures" 0 "the vault opened and unlocked after every one of $rounds kills"
is "$lost" 0 "every acknowledged write reads back with its value"
[ "$stored" -ge "$acked" ]; ok $? "nothing acknowledged is missing from the list ($stored >= $acked)"

done_testing
