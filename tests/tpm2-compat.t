#!/bin/sh
# The two TPM2 implementations open each other's vaults: lib/tpm2/tpm2.c
# (tpm2-tss, the dynamic build) and lib/tpm2/tpm2_mini.c (the static build)
# make the same primary key and the same sealed object, so a device can
# change builds without enrolling again.  Needs both binaries: the
# dynamic ./sesame and build/static/sesame (make static).
. "$(dirname "$0")/lib.sh"

feed() { printf "$1" >"$T/in"; shift; "$@" <"$T/in"; }
dyn=$SESAME_SRC/sesame static=$SESAME_SRC/build/static/sesame
for b in "$dyn" "$static"; do
	if [ ! -x "$b" ]; then
		skip "needs both the dynamic and the static build ($b is not built: make; make static)"
		done_testing; exit
	fi
	if "$b" tpm2 list -p x 2>&1 | grep -q 'without TPM2 support'; then
		skip "$b is built without TPM2 support"
		done_testing; exit
	fi
done
use_private_paths
start_swtpm
export SESAME_TPM2_TCTI="$TCTI"
start_hub
start_secrets

n=0
for pair in "$dyn $static tpm2-tss lib/tpm2/tpm2_mini.c" "$static $dyn lib/tpm2/tpm2_mini.c tpm2-tss"; do
	set -- $pair
	n=$((n + 1))
	feed 'pw\n' run "$1" init -p "v$n" --password --tpm2 --pcrs 7,11
	ok "$rc" "$3 seals (PCRs 7, 11)"
	"$1" lock -p "v$n" >/dev/null
	run "$2" unlock -p "v$n" --no-prompt
	ok "$rc" "  and $4 unseals it"
	contains "$T/out" "unlocked (TPM2)" "  by the TPM"
	feed 'pin\npw\n' run "$1" init -p "p$n" --password --tpm2 --pcrs 7 --tpm2-pin
	ok "$rc" "$3 seals with a PIN"
	"$1" lock -p "p$n" >/dev/null
	feed 'pin\n' run "$2" unlock -p "p$n"
	ok "$rc" "  and $4 unseals it with the PIN"
done
tpm2_pcrextend -T "$TCTI" 11:sha256=$(printf '%064d' 7)
"$SESAME" lock -p v1 >/dev/null
for b in "$dyn" "$static"; do
	run "$b" unlock -p v1 --no-prompt
	contains "$T/err" "PCR 11 changed since the TPM2 factor was enrolled" "$b names the changed PCR alike"
done
done_testing
