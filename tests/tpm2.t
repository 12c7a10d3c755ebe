#!/bin/sh
# The TPM2 factor against a real TPM 2.0 simulator (swtpm) driven with
# tpm2-tools: unattended unlock, a changed PCR, a PIN and the lockout,
# policy all, a cleared TPM, another TPM, a stopped TPM.
. "$(dirname "$0")/lib.sh"

feed() { printf "$1" >"$T/in"; shift; "$@" <"$T/in"; }
use_private_paths
under_qemu
start_swtpm
export SESAME_TPM2_TCTI="$TCTI"
# shellcheck disable=SC2086 # hub_args is empty or one option and its value
start_hub $hub_args
start_secrets

feed 'pw\n' run "$SESAME" init -p dev --password --tpm2 --pcrs 7,11
ok "$rc" "init with a password and the TPM (PCRs 7 and 11)"
contains "$T/out" "(password or TPM2)" "init names both factors"
printf 'v1' | "$SESAME" secret set -p dev k >/dev/null
"$SESAME" lock -p dev >/dev/null
t0=$(date +%s%N)
run "$SESAME" unlock --all --no-prompt </dev/null
t1=$(date +%s%N)
ok "$rc" "unlock --all --no-prompt opens it by the TPM"
contains "$T/out" "Vault 'dev' unlocked (TPM2)" "and says so"
diag "unlock by TPM (swtpm): $(( (t1 - t0) / 1000000 )) ms"
is "$("$SESAME" secret get -p dev k)" v1 "the secret reads back"
run "$SESAME" tpm2 list -p dev
contains "$T/out" "7,11" "tpm2 list shows the PCRs"
contains "$T/out" "match" "and that they still match"
run "$SESAME" status --doctor=vault,platform
contains "$T/out" "vault.dev.factors" "status --doctor lists the vault's factors"
contains "$T/out" "password tpm2 (PCRs 7,11: match)" "  and that its PCRs still match"
grep -q '^ok   tpm2.device *IBM at swtpm:host=127.0.0.1.*SHA-256 bank, not in lockout' "$T/out"
ok $? "status --doctor reports the TPM: manufacturer, bank, lockout state"

# Nothing of the secret in the vault: only the sealed blobs.
cat "$SESAME_DATA_DIR/vaults/dev.db"* | grep -aq sesame-tpm2; ok $? "the vault holds the sealed data"

# The boot chain changes: PCR 11 is extended.
tpm2_pcrextend -T "$TCTI" 11:sha256=$(printf '%064d' 1) || echo "Bail out! tpm2_pcrextend failed"
"$SESAME" lock -p dev >/dev/null
run "$SESAME" unlock -p dev --no-prompt </dev/null
is "$rc" 77 "a changed PCR: the TPM does not unlock it (77)"
contains "$T/err" "PCR 11 changed since the TPM2 factor was enrolled" "naming the PCR"
contains "$T/err" "run sesame tpm2 enroll again" "and the way back"
run "$SESAME" tpm2 list -p dev
contains "$T/out" "CHANGED: 11" "tpm2 list shows which PCR changed"
run "$SESAME" status --doctor=vault --exit-code
is "$rc" 2 "status --doctor warns (exit 2 with --exit-code)"
contains "$T/out" "tpm2 (PCR 11 CHANGED)" "naming the changed PCR"
contains "$T/out" "sesame tpm2 enroll -p dev" "and how to re-seal"
feed 'pw\n' run "$SESAME" unlock -p dev
ok "$rc" "the password still opens it"
feed 'pw\n' run "$SESAME" tpm2 enroll -p dev --pcrs 7,11
ok "$rc" "tpm2 enroll seals to the new values"
contains "$T/out" "replacing the previous one" "replacing the old factor"
"$SESAME" lock -p dev >/dev/null
run "$SESAME" unlock -p dev --no-prompt </dev/null
ok "$rc" "after re-enrolment the TPM unlocks again"

# A firmware update, sealed for before it is booted: the value PCR 7 will
# have, given ahead (SHA-256 of the old value and the new measurement).
old=$(tpm2_pcrread -T "$TCTI" sha256:7 | sed -n 's/.*7 *: *0x//p' | tr 'A-F' 'a-f')
next=$(printf '%s%s' "$old" "$(printf '22%.0s' $(seq 32))" | tr a-f A-F | basenc --base16 -d | sha256sum | cut -d' ' -f1)
feed 'pw\n' run "$SESAME" tpm2 enroll -p dev --pcrs 7 --pcr-values "7=$next"
ok "$rc" "tpm2 enroll --pcr-values seals to a value PCR 7 does not have yet"
"$SESAME" lock -p dev >/dev/null
run "$SESAME" unlock -p dev --no-prompt </dev/null
is "$rc" 77 "before the update is measured, it does not unlock"
tpm2_pcrextend -T "$TCTI" 7:sha256=$(printf '22%.0s' $(seq 32))
run "$SESAME" unlock -p dev --no-prompt </dev/null
ok "$rc" "once PCR 7 has that value, the TPM unlocks"

# A PIN: wrong ones count toward the TPM's lockout; the password stays.
tpm2_dictionarylockout -T "$TCTI" --setup-parameters --max-tries=3 --recovery-time=600 --lockout-recovery-time=600 \
	>/dev/null 2>&1 || diag "tpm2_dictionarylockout --setup-parameters failed"
feed 'pin1\npwp\n' run "$SESAME" init -p pin --password --tpm2 --pcrs none --tpm2-pin
ok "$rc" "init with the TPM and a PIN (and a password)"
"$SESAME" lock -p pin >/dev/null
run "$SESAME" unlock -p pin --no-prompt </dev/null
is "$rc" 77 "a PIN factor does not unlock with --no-prompt"
contains "$T/err" "needs its PIN" "saying it needs its PIN"
feed 'pin1\n' run "$SESAME" unlock -p pin
ok "$rc" "the right PIN unlocks"
"$SESAME" lock -p pin >/dev/null
feed 'bad\n' run "$SESAME" unlock -p pin
contains "$T/err" "wrong TPM2 PIN" "a wrong PIN is named"
for i in 1 2 3; do feed 'bad\n' run "$SESAME" unlock -p pin; cat "$T/err" >>"$T/pinlog"; done
contains "$T/err" "dictionary-attack lockout" "after 3 wrong PINs the TPM is in lockout, and says so"
run "$SESAME" status --doctor=platform
contains "$T/out" "IN LOCKOUT" "status --doctor reports the lockout"
feed 'pin1\npwp\n' run "$SESAME" unlock -p pin
ok "$rc" "in lockout, even the right PIN fails and the password opens it"
tpm2_dictionarylockout -T "$TCTI" --clear-lockout >/dev/null 2>&1

# Policy all: TPM and password.
feed 'pwa\npwa\n' run "$SESAME" init -p both --tpm2 --pcrs 7 --auth-policy all
ok "$rc" "init with policy all (the TPM, and the password added)"
contains "$T/out" "(password and TPM2)" "naming both"
"$SESAME" lock -p both >/dev/null
run "$SESAME" unlock -p both --no-prompt </dev/null
is "$rc" 77 "policy all: the TPM alone does not unlock"
feed 'pwa\n' run "$SESAME" unlock -p both
ok "$rc" "the TPM with the password does"
contains "$T/out" "unlocked (password and TPM2)" "and says both were used"
"$SESAME" lock -p both >/dev/null
feed 'wrong\n' run "$SESAME" unlock -p both
is "$rc" 77 "the TPM with a wrong password does not"

# A stopped TPM: a bounded failure; daemon-secrets serves the others.
printf 'pwo\n' | "$SESAME" init -p other >/dev/null
printf 'o' | "$SESAME" secret set -p other k >/dev/null
"$SESAME" lock -p dev >/dev/null
kill -STOP "$SWTPM"
t0=$(date +%s)
run timeout 60 "$SESAME" unlock -p dev --no-prompt </dev/null
t1=$(date +%s)
is "$rc" 77 "with the TPM stopped, unlock fails (77), not hangs"
[ $((t1 - t0)) -le 25 ]; ok $? "within the TPM timeout ($((t1 - t0)) s)"
contains "$T/err" "did not answer" "saying the TPM did not answer"
is "$("$SESAME" secret get -p other k)" o "meanwhile daemon-secrets serves other vaults"
kill -CONT "$SWTPM"

# Another TPM: the vault copied to a machine whose TPM never sealed it.
spawned_first=$SWTPM tcti_first=$TCTI
start_swtpm swtpm2
run env SESAME_TPM2_TCTI="$TCTI" "$SESAME" unlock -p dev --no-prompt </dev/null
is "$rc" 77 "another TPM cannot unseal it"
contains "$T/err" "does not load in this TPM" "and says why"

# The TPM cleared (its owner seeds are new): a clear error, the password works.
tpm2_clear -T "$tcti_first" >/dev/null 2>&1 || diag "tpm2_clear failed"
run "$SESAME" unlock -p dev --no-prompt </dev/null
is "$rc" 77 "after tpm2_clear the TPM cannot unseal it"
contains "$T/err" "the TPM was cleared since enrolment" "and says the TPM was cleared"
feed 'pw\n' run "$SESAME" unlock -p dev
ok "$rc" "the password still opens it"

# No TPM there at all.
run env SESAME_TPM2_TCTI="swtpm:host=127.0.0.1,port=1" "$SESAME" tpm2 enroll -p dev </dev/null
is "$rc" 1 "no TPM at the TCTI: enroll fails"
contains "$T/err" "no TPM at swtpm:host=127.0.0.1,port=1" "naming where it looked"
grep -q '"event":"factor.enroll".*"outcome":"ok"' "$SESAME_DATA_DIR/audit.jsonl"; ok $? "enrolments are audited"
done_testing
