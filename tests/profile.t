#!/bin/sh
# Profiles (daemon-profile): activation by hand and by context (a fake
# sysfs USB tree, a fake iwgetid, a time window), the default, what
# persists across a restart, hot reload of the config, and the audit trail.
. "$(dirname "$0")/lib.sh"
use_private_paths
export SESAME_POLICY="$T/policy.toml"
mkdir -p "$SESAME_CONFIG_DIR" "$T/usb" "$T/bin"
CFG=$SESAME_CONFIG_DIR/config.toml

cat >"$CFG" <<EOC
[global.activation]
usb_sysfs = "$T/usb"
interval_ms = 100
wifi_source = "none"

[profiles.default]

[profiles.work.activation]
usb_devices = ["1050:0407"]
EOC
start_hub
run "$SESAME" profile list
ok "$rc" "profile list works"
contains "$T/out" "work     no" "work starts inactive"
contains "$T/out" "default  no      yes" "default is the default"

active() { "$SESAME" profile list | grep -q "^$1 *yes"; }
inactive() { "$SESAME" profile list | grep -q "^$1 *no"; }

mkdir -p "$T/usb/1-1" "$T/usb/1-1:1.0" "$T/usb/usb1"
printf '1d6b\n' >"$T/usb/usb1/idVendor"; printf '0002\n' >"$T/usb/usb1/idProduct"
wait_for 5 true
printf '1050\n' >"$T/usb/1-1/idVendor"; printf '0407\n' >"$T/usb/1-1/idProduct"
wait_for 5 active work; ok $? "a matching USB device in the (fake) sysfs activates the profile"
run "$SESAME" profile list
contains "$T/out" "usb 1050:0407" "the list says why it is active"
rm -rf "$T/usb/1-1"
wait_for 5 inactive work; ok $? "removing the device deactivates it"

# Deactivating by hand overrules the context until it ends.
mkdir -p "$T/usb/1-1"; printf '1050\n' >"$T/usb/1-1/idVendor"; printf '0407\n' >"$T/usb/1-1/idProduct"
wait_for 5 active work
run "$SESAME" profile deactivate work
ok "$rc" "a context-activated profile can be deactivated by hand"
sleep 0.4
inactive work; ok $? "it stays inactive while its device is still there"
rm -rf "$T/usb/1-1"; sleep 0.3
mkdir -p "$T/usb/1-1"; printf '1050\n' >"$T/usb/1-1/idVendor"; printf '0407\n' >"$T/usb/1-1/idProduct"
wait_for 5 active work; ok $? "the device coming back activates it again"
rm -rf "$T/usb/1-1"; wait_for 5 inactive work

# By hand, the default, persistence.
run "$SESAME" profile activate work
contains "$T/out" "profile work: activated" "activate by hand"
run "$SESAME" profile activate work
contains "$T/out" "already active" "activating twice says so"
run "$SESAME" profile default work
ok "$rc" "set the default"
run "$SESAME" profile activate nosuch
[ "$rc" = 1 ]; ok $? "an unknown profile is an error (exit 1)"
contains "$T/err" "no profile named 'nosuch' in the configuration" "and says why"
run "$SESAME" profile activate 'bad/name'
[ "$rc" = 2 ]; ok $? "an invalid name is a usage error (exit 2)"
run "$SESAME" profile deactivate default
contains "$T/err" "profile 'default' is not active" "deactivating an inactive profile says so"
stop_hub
start_hub
run "$SESAME" profile list
contains "$T/out" "work     yes     yes      manual" "the default and hand activations persist across a restart"

# The policy's default cannot be changed.
printf '[global]\ndefault_profile = "default"\n' >"$SESAME_POLICY"
stop_hub; start_hub
run "$SESAME" profile default work
[ "$rc" = 77 ]; ok $? "a default set by policy cannot be changed (exit 77)"
contains "$T/err" "set by policy" "and says why"
run "$SESAME" profile list
contains "$T/out" "default  no      yes" "the policy's default wins over the saved one"
rm -f "$SESAME_POLICY"
stop_hub; start_hub
run "$SESAME" profile list
contains "$T/out" "work     yes     yes" "without the policy, the saved default is back"
run "$SESAME" profile default --reset
contains "$T/out" "default profile: default (from the configuration)" "default --reset forgets the saved choice"
stop_hub; start_hub
run "$SESAME" profile list
contains "$T/out" "default  no      yes" "and the reset persists across a restart"

# A damaged state file: what is whole in it is kept, the rest skipped and
# said.  (The reader took 127 bytes at a time, and the end of a long line
# came back as a line: here, a default.)
stop_hub
{
	printf 'active work\r\nactive ../../etc\n'
	head -c 127 /dev/zero | tr '\0' x
	printf 'default work\nactive work\n'
} >"$SESAME_DATA_DIR/profiles.state"
start_hub
run "$SESAME" profile list
contains "$T/out" "default  no      yes" "the end of a long line is not taken for a line"
contains "$T/out" "work     yes              manual" "a damaged state file keeps its whole lines"
contains "$T/hub.log" "profiles.state: 3 damaged lines skipped" "and daemon-profile says how many it skipped"
"$SESAME" profile deactivate work >/dev/null

# Hot reload: a broken config keeps the old one; a fixed one is picked up.
cp "$CFG" "$T/good.toml"
printf '[profiles.broken]\nhint_kyes = 1\n' >>"$CFG"
wait_for 5 grep -q "keeping the previous one" "$T/hub.log"
ok $? "a broken config is logged and the previous one kept"
contains "$T/hub.log" "profiles.broken.hint_kyes: unknown key" "the log says what is wrong"
run "$SESAME" profile list
contains "$T/out" "work" "the daemon keeps serving with the old config"
cp "$T/good.toml" "$CFG"
printf '[profiles.home]\nactivation.time_rules = ["00:00-24:00"]\n' >>"$CFG"
wait_for 5 sh -c "'$SESAME' profile list | grep -q '^home'"
ok $? "a fixed config is picked up without a restart"
wait_for 5 active home; ok $? "a time window that covers now activates its profile"
contains "$T/hub.log" "activated by context (time 00:00-24:00)" "the log says which rule"

# WiFi from a (fake) iwgetid.
printf '#!/bin/sh\necho home-net\n' >"$T/bin/iwgetid"; chmod +x "$T/bin/iwgetid"
stop_hub
PATH="$T/bin:$PATH"
cp "$T/good.toml" "$CFG"
sed -i 's/wifi_source = "none"/wifi_source = "iwgetid"/' "$CFG"
printf '[profiles.cafe]\nactivation.wifi_ssids = ["home-net"]\n' >>"$CFG"
start_hub
wait_for 5 active cafe; ok $? "the SSID from iwgetid activates the profile"
contains "$T/hub.log" "wifi: connected to home-net" "the log says which network"

# ... from a (fake) nmcli, which escapes ':' in SSIDs.
printf '#!/bin/sh\nprintf "no:other\\nyes:caf\\\\:e net\\n"\n' >"$T/bin/nmcli"; chmod +x "$T/bin/nmcli"
stop_hub
sed -i 's/wifi_source = "iwgetid"/wifi_source = "networkmanager"/' "$CFG"
printf '[profiles.nm]\nactivation.wifi_ssids = ["caf:e net"]\n' >>"$CFG"
start_hub
wait_for 5 active nm; ok $? "the active network from nmcli -t (with an escaped ':') activates its profile"

# ... and from a (fake) wpa_supplicant control socket.
mkdir -p "$T/wpa"
spawn perl -e 'use IO::Socket::UNIX; use Socket;
	my $p = shift; unlink $p;
	my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $p) or die "$p: $!";
	while (1) { my $peer = recv($s, my $m, 4096, 0); next unless defined $peer;
		send($s, "bssid=00:11:22:33:44:55\nssid=office\nwpa_state=COMPLETED\n", 0, $peer) if $m eq "STATUS"; }' \
	"$T/wpa/wlan0"
wait_for 5 test -S "$T/wpa/wlan0"
stop_hub
sed -i "s|wifi_source = \"networkmanager\"|wifi_source = \"wpa_supplicant\"\nwpa_supplicant_dir = \"$T/wpa\"|" "$CFG"
printf '[profiles.office]\nactivation.wifi_ssids = ["office"]\n' >>"$CFG"
start_hub
wait_for 5 active office; ok $? "the SSID from wpa_supplicant's control socket (STATUS) activates its profile"

# Everything above is in the audit log, and the chain holds.
run "$SESAME" audit verify
ok "$rc" "the audit chain is intact"
grep -c '"event":"profile.activate"' "$SESAME_DATA_DIR/audit.jsonl" >"$T/n"
[ "$(cat "$T/n")" -ge 5 ]; ok $? "activations are audited ($(cat "$T/n") of them)"
grep -q '"outcome":"usb 1050:0407"' "$SESAME_DATA_DIR/audit.jsonl"; ok $? "with the context that caused them"
done_testing
