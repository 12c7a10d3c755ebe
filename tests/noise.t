#!/bin/sh
# lib/noise against published vectors (../shared/vectors/noise and the
# extra ones in tests/vectors), through tests/noise-vectors (this build's).
. "$(dirname "$0")/lib.sh"

nv=$SESAME_BUILD/tests/noise-vectors
shared=$SESAME_SRC/../shared/vectors/noise
for f in "$shared"/*.json "$SESAME_SRC"/tests/vectors/noise-*.json; do
	[ -f "$f" ] || { skip "no vector file at $f"; continue; }
	run "$nv" "$f"
	ok "$rc" "$(basename "$f"): $(tail -1 "$T/out")"
	[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/out" | head -20
done

# A file with only unsupported protocols runs nothing: that is not a pass.
printf '{"vectors":[{"protocol_name":"Noise_NN_448_ChaChaPoly_BLAKE2s","messages":[]}]}' >"$T/none.json"
run "$nv" "$T/none.json"
is "$rc" 1 "a file where nothing ran exits 1"
contains "$T/out" "0 passed, 0 failed, 1 skipped" "and says that everything was skipped"

# A corrupted ciphertext is a failure, reported with the vector's name.
sed 's/"ciphertext": "ca35/"ciphertext": "cb35/' "$SESAME_SRC/tests/vectors/noise-extra.json" >"$T/bad.json"
run "$nv" "$T/bad.json"
is "$rc" 1 "a vector file with a wrong ciphertext exits 1"
contains "$T/out" "FAIL Noise_NN_25519_ChaChaPoly_SHA256" "and names the failing vector"

printf '{"vectors": [' >"$T/broken.json"
run "$nv" "$T/broken.json"
is "$rc" 1 "malformed JSON is an error"
contains "$T/err" "not JSON" "with a message saying so"

done_testing
