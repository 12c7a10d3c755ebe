#!/bin/sh
# The headless essentials, end to end: the daemons, init, set, get, lock,
# unlock, export, env, status, audit verify.  Small enough to run on any
# binary: make check runs it on the native build, and make check-cross
# runs it under qemu-user on a static binary for another architecture
# ($SESAME is then a wrapper that runs it in qemu, and SESAME_QEMU names
# the emulator).
. "$(dirname "$0")/lib.sh"

use_private_paths
under_qemu
# shellcheck disable=SC2086 # hub_args is empty or one option and its value
start_hub $hub_args
start_secrets
run "$SESAME" status
ok "$rc" "sesame status with daemon-profile and daemon-secrets running"
contains "$T/out" "secrets" "status names daemon-secrets"

printf 'pw one\npw one\n' | "$SESAME" init -p device >"$T/out" 2>"$T/err"
ok $? "sesame init -p device"
printf 'the psk' | "$SESAME" secret set -p device wifi-psk >/dev/null 2>"$T/err"
ok $? "secret set"
printf 'tok-123' | "$SESAME" secret set -p device api_token >/dev/null 2>"$T/err"
run "$SESAME" secret get -p device wifi-psk
is "$(cat "$T/out")" "the psk" "secret get prints exactly the value"
run "$SESAME" secret list -p device
is "$(tr '\n' ' ' <"$T/out")" "api_token wifi-psk " "secret list, sorted"
run "$SESAME" export -p device -f dotenv
contains "$T/out" "WIFI_PSK=" "export names the variables"
run "$SESAME" env -p device -- sh -c 'printf %s "$API_TOKEN"'
is "$(cat "$T/out")" "tok-123" "env runs a command with the secrets"
run "$SESAME" lock
ok "$rc" "lock"
run "$SESAME" secret get -p device wifi-psk
is "$rc" 77 "a locked vault: exit 77"
printf 'wrong\n' | "$SESAME" unlock -p device >/dev/null 2>&1
is "$?" 77 "unlock with a wrong password: exit 77"
printf 'pw one\n' | "$SESAME" unlock -p device >/dev/null 2>"$T/err"
ok $? "unlock with the password"
run "$SESAME" secret get -p device wifi-psk
is "$(cat "$T/out")" "the psk" "the value again after unlock"
run "$SESAME" audit verify
ok "$rc" "audit verify: the chain is intact"
contains "$T/out" "intact" "and says so"
done_testing
