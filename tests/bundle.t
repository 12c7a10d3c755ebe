#!/bin/sh
# Fleet provisioning (issue 32, point 8): a provisioner (its own data
# dirs and daemons) seals a device's secrets to the device's key and
# signs them; the device (other dirs, other daemons) imports them only if
# a trusted provisioner signed them, for this device, newer than the last.
# A tampered bundle, one for another device, one from an untrusted key
# and a replayed older one are all refused, storing nothing.
. "$(dirname "$0")/lib.sh"

as() { # as device|prov: that machine's paths
	export SESAME_RUNTIME_DIR="$T/$1/run" SESAME_CONFIG_DIR="$T/$1/cfg" SESAME_DATA_DIR="$T/$1/data" \
		SESAME_CACHE_DIR="$T/$1/cache" SESAME_POLICY="$T/$1/policy.toml"
}
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
as device
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p device >/dev/null
printf 'pw\n' | "$SESAME" init -p app >/dev/null
as prov
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p fleet >/dev/null
printf 'from-the-vault' | "$SESAME" secret set -p fleet mqtt-password >/dev/null

as device
run "$SESAME" device-key -p device
ok "$rc" "device-key"
DEV=$(cat "$T/out")
[ ${#DEV} -eq 44 ]; ok $? "prints a 32-byte key in base64 ($DEV)"
is "$("$SESAME" device-key -p device)" "$DEV" "the same key the next time (kept in the vault)"
"$SESAME" secret list -p device | grep -qx sesame.device-key; ok $? "as the secret sesame.device-key"

as prov
run "$SESAME" bundle keygen "$T/prov.key"
ok "$rc" "bundle keygen"
PROV=$(cat "$T/out")
is "$(stat -c %a "$T/prov.key")" 600 "the provisioner's key file is 0600"
run "$SESAME" bundle keygen "$T/prov.key"
is "$rc" 1 "keygen never replaces a key"
"$SESAME" bundle keygen "$T/rogue.key" >"$T/rogue.pub"
cat >"$T/app.env" <<'ENV'
WIFI_PSK="hunter2 hunter2"
MQTT_PASSWORD=sesame://fleet/mqtt-password
ENV
run "$SESAME" bundle seal --to "$DEV" --sign-key "$T/prov.key" -p app --serial 5 "$T/app.env"
ok "$rc" "bundle seal"
contains "$T/out" "Sealed 2 secrets for profile 'app'" "says what"
B=$T/app.env.bundle
! grep -q -e hunter2 -e from-the-vault "$B"; ok $? "no value in the bundle in the clear"
"$SESAME" bundle seal --to "$DEV" --sign-key "$T/prov.key" -p app --serial 4 -o "$T/old.bundle" "$T/app.env" >/dev/null
"$SESAME" bundle seal --to "$DEV" --sign-key "$T/rogue.key" -p app --serial 9 -o "$T/rogue.bundle" "$T/app.env" >/dev/null
OTHER=$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())' 2>/dev/null ||
	head -c 32 /dev/urandom | base64)
"$SESAME" bundle seal --to "$OTHER" --sign-key "$T/prov.key" -p app --serial 9 -o "$T/other.bundle" "$T/app.env" >/dev/null
cp "$B" "$T/tampered.bundle"
printf '\001' | dd of="$T/tampered.bundle" bs=1 seek=120 conv=notrunc 2>/dev/null
chmod 644 "$T/rogue.key"
run "$SESAME" bundle seal --to "$DEV" --sign-key "$T/rogue.key" -p app -o "$T/x.bundle" "$T/app.env"
is "$rc" 1 "a key file open to others: refused"

as device
run "$SESAME" bundle import -p device "$B"
is "$rc" 1 "no provisioner trusted yet: refused"
contains "$T/err" "a provisioner the policy file does not trust" "saying so"
printf '[global.provisioning]\ntrusted_keys = ["%s"]\n' "$PROV" >"$T/device/policy.toml"
printf '[global.provisioning]\ntrusted_keys = ["%s"]\n' "$(cat "$T/rogue.pub")" >"$T/device/cfg/config.toml"
run "$SESAME" bundle import -p device "$T/rogue.bundle"
is "$rc" 1 "a key trusted only in the user's config, not the policy file: refused"
rm "$T/device/cfg/config.toml"
for bad in tampered other; do
	run "$SESAME" bundle import -p device "$T/$bad.bundle"
	is "$rc" 1 "a $bad bundle: refused"
done
contains "$T/err" "not for this device" "one for another device does not open"
is "$("$SESAME" secret list -p app | wc -l)" 0 "nothing stored so far"

run "$SESAME" bundle import -p device "$B"
ok "$rc" "the trusted provisioner's bundle for this device: imported"
contains "$T/out" "Imported 2 secrets into profile 'app' (serial 5" "says what"
is "$("$SESAME" secret get -p app WIFI_PSK)" "hunter2 hunter2" "WIFI_PSK stored"
is "$("$SESAME" secret get -p app MQTT_PASSWORD)" "from-the-vault" "MQTT_PASSWORD, read from the provisioner's vault, stored"
run "$SESAME" bundle import -p device "$B"
is "$rc" 1 "the same bundle again: refused"
run "$SESAME" bundle import -p device "$T/old.bundle"
is "$rc" 1 "an older one (serial 4): refused"
contains "$T/err" "serial 4, and this device took serial 5" "saying why"
as prov
"$SESAME" secret set -p fleet prov-key <"$T/prov.key" >/dev/null
run "$SESAME" bundle seal --to "$DEV" --sign-key sesame://fleet/prov-key -p app --serial 6 -o "$T/six.bundle" "$T/app.env"
ok "$rc" "--sign-key sesame://PROFILE/NAME: the key from the provisioner's vault"
as device
run "$SESAME" bundle import -p device "$T/six.bundle"
ok "$rc" "and its bundle (serial 6) is taken"
printf 'changed' | "$SESAME" secret set -p app WIFI_PSK >/dev/null
run "$SESAME" bundle import -p device "$T/old.bundle"
is "$("$SESAME" secret get -p app WIFI_PSK)" changed "a refused bundle stores nothing"
! grep -rqF -e hunter2 -e from-the-vault "$T"/*.log "$T/err" "$T/out"; ok $? "no value in any log or message"
done_testing
