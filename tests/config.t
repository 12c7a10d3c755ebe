#!/bin/sh
# Layered config (lib/config/config.c): the full schema loads, mistakes are named
# with file:line:col and key path, the policy layer wins, config.d is read
# in order, extends inherits, show tells where every value came from.
. "$(dirname "$0")/lib.sh"
use_private_paths
export SESAME_POLICY="$T/etc/policy.toml"
mkdir -p "$SESAME_CONFIG_DIR" "$T/etc"
CFG=$SESAME_CONFIG_DIR/config.toml

cp "$SESAME_SRC/tests/config/full.toml" "$CFG"
run "$SESAME" config check
ok "$rc" "a config using every section and key of the original schema loads"
contains "$T/out" "configuration: ok" "check says ok"
if "$SESAME" daemon wm --help | grep -q "no Wayland support"; then
	contains "$T/err" "note: $CFG:70: profiles.default.wm: kept for the desktop roles, which this build does not include" \
		"keys kept for roles this build lacks are reported as notes, with their line"
else
	contains "$T/err" "note: $CFG:73: profiles.default.wm.activation_delay_ms: not used: overlay_delay_ms alone" \
		"keys kept but not used are reported as notes, with their line"
fi

run "$SESAME" config check "$SESAME_SRC/tests/config/full.toml"
ok "$rc" "check FILE checks one file"

cp "$SESAME_SRC/tests/config/full.toml" "$CFG"
sed -i 's/^hint_keys = "asdfghjkl"/hint_kyes = "asdfghjkl"/' "$CFG"
run "$SESAME" config check
[ "$rc" = 1 ]; ok $? "a misspelled key fails the check (exit 1)"
contains "$T/err" "error: $CFG:71:1: profiles.default.wm.hint_kyes: unknown key" \
	"the misspelled key is named with its path, line and column"

printf '[global]\ndefault_profile = "default"\n[global.ipc]\nchannel_capacity = "big"\n' >"$CFG"
run "$SESAME" config check
contains "$T/err" "$CFG:4:20: global.ipc.channel_capacity: expected an integer, found a string" \
	"a wrong type is an error at the value"
printf '[global.ipc]\nslow_subscriber_timeout_ms = 5\n' >"$CFG"
run "$SESAME" config check
contains "$T/err" "slow_subscriber_timeout_ms: 5 is out of range (10 to 600000)" "a value out of range is an error"
printf '[profiles.a]\nauth.mode = "policy"\n' >"$CFG"
run "$SESAME" config check
contains "$T/err" 'mode "policy" is not supported' "auth mode policy is refused with the alternatives"
printf '[profiles."bad name"]\n' >"$CFG"
run "$SESAME" config check
[ "$rc" = 1 ]; ok $? "a profile name with a space is refused"
printf '[profiles.a]\nname = "b"\n' >"$CFG"
run "$SESAME" config check
contains "$T/err" "profiles.a.name: 'b' differs from the table's name 'a'" "name must match its table"
printf '[global]\ndefault_profile = "nope"\n[profiles.a]\n' >"$CFG"
run "$SESAME" config check
contains "$T/err" "global.default_profile: 'nope' is not a configured profile" \
	"the default profile must exist when profiles are configured"
printf 'a = [1,\n' >"$CFG"
run "$SESAME" config check
contains "$T/err" "error: $CFG:2:1: " "a TOML syntax error names file, line and column"
printf '[profiles.a]\nactivation.usb_devices = ["1050-0407"]\nactivation.time_rules = ["someday"]\n' >"$CFG"
run "$SESAME" config check
contains "$T/err" "profiles.a.activation.usb_devices[0]: '1050-0407' is not a USB id" "USB ids are checked"
contains "$T/err" "profiles.a.activation.time_rules[0]: 'someday' is not a time rule" "time rules are checked"
printf '[profiles.a.wm]\nborder_color = "#12345"\ntext_color = "#12345678"\n' >"$CFG"
run "$SESAME" config check
contains "$T/err" "profiles.a.wm.border_color: '#12345' is not a colour (#RRGGBB or #RRGGBBAA)" "colours are checked"
is "$(grep -c text_color "$T/err")" 0 "#RRGGBBAA is a colour"

# Policy: what it sets stays, whoever tries to change it.
printf '[global.logging]\nlevel = "warn"\n' >"$SESAME_POLICY"
printf '[global.logging]\nlevel = "debug"\njson = true\n' >"$CFG"
run "$SESAME" config check
ok "$rc" "overriding a policy key is not an error"
contains "$T/err" "warning: $CFG:2:1: global.logging.level is set by policy ($SESAME_POLICY:2) and cannot be overridden" \
	"overriding a policy key is reported with both places"
run "$SESAME" config show
contains "$T/out" "global.logging.level = \"warn\"  # $SESAME_POLICY:2, locked by policy" \
	"show: the policy value stays, marked as locked"
contains "$T/out" "global.logging.json = true  # $CFG:3" "show: the user's other keys apply"
contains "$T/out" "global.ipc.channel_capacity = 1024  # default" "show: defaults are listed as such"

# config.d: in name order, later wins.
rm -f "$SESAME_POLICY"
mkdir -p "$SESAME_CONFIG_DIR/config.d"
printf '[global.ipc]\nchannel_capacity = 10\n' >"$CFG"
printf '[global.ipc]\nchannel_capacity = 20\n' >"$SESAME_CONFIG_DIR/config.d/20-b.toml"
printf '[global.ipc]\nchannel_capacity = 30\n' >"$SESAME_CONFIG_DIR/config.d/30-c.toml"
printf '[global.ipc]\nchannel_capacity = 99\n' >"$SESAME_CONFIG_DIR/config.d/.hidden.toml"
printf 'junk' >"$SESAME_CONFIG_DIR/config.d/README"
run "$SESAME" config show
contains "$T/out" "global.ipc.channel_capacity = 30  # $SESAME_CONFIG_DIR/config.d/30-c.toml:2" \
	"config.d files apply in name order after config.toml; hidden and non-.toml files are skipped"
rm -rf "$SESAME_CONFIG_DIR/config.d"

# extends
printf '[profiles.base.wm]\nhint_keys = "abc"\n[profiles.child]\nextends = "base"\n' >"$CFG"
run "$SESAME" config show
contains "$T/out" 'profiles.child.wm.hint_keys = "abc"  # inherited from base at' "extends inherits the parent's values"
printf '[profiles.a]\nextends = "b"\n[profiles.b]\nextends = "a"\n' >"$CFG"
run "$SESAME" config check
contains "$T/err" "profiles extend each other in a circle" "an extends cycle is an error"

# --json is one JSON object
cp "$SESAME_SRC/tests/config/full.toml" "$CFG"
run "$SESAME" config show --json
perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
	exit !($j->{"global.ipc.channel_capacity"}{value} == 512 &&
	       $j->{"profiles.work.wm.hint_keys"}{source} =~ /^inherited from default/ &&
	       $j->{"profiles.default.wm.border_width"}{value} == 4)' <"$T/out"
ok $? "show --json is valid JSON with values and sources"

# Hostile input: huge, binary, a directory.
head -c 2000000 /dev/zero >"$CFG"
run "$SESAME" config check
contains "$T/err" "larger than 1048576 bytes" "an oversized config is refused before reading it"
printf 'a = "\377"\n' >"$CFG"
run "$SESAME" config check
contains "$T/err" "invalid UTF-8" "invalid UTF-8 is refused"
rm -f "$CFG"; mkdir "$CFG"
run "$SESAME" config check
contains "$T/err" "not a regular file" "a directory in place of config.toml is refused"
rmdir "$CFG"
run "$SESAME" config check
ok "$rc" "no config at all is a valid (default) configuration"
done_testing
