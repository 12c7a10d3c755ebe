#!/bin/sh
# daemon-input: key events fed through its test pipe (struct input_event
# records, as a keyboard sends them) fire the configured bindings, which
# run real sesame commands; exact modifiers, unshifted symbols, repeats,
# reloads, no device at all; a real uinput keyboard where /dev/uinput is.
. "$(dirname "$0")/lib.sh"

if "$SESAME" daemon input --help | grep -q "no desktop roles"; then
	skip "this build has no desktop roles (DESKTOP=0)"
	done_testing
	exit
fi
use_private_paths
EV=$SESAME_BUILD/tests/evwrite
mkdir -p "$SESAME_CONFIG_DIR"
CFG=$SESAME_CONFIG_DIR/config.toml
cat >"$CFG" <<'EOC'
[profiles.default.input.bindings]
"ctrl+alt+t" = "profile activate work"
"super+shift+Return" = "profile deactivate work"
"alt+space" = "frobnicate 'two words'"

[profiles.work]
EOC
start_hub
mkfifo "$T/kbd"
spawn "$SESAME" daemon input --event-pipe "$T/kbd" 2>"$T/input.log"
INPUT=$spawned
wait_for 10 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* input'"
ok $? "daemon-input joins the bus"
contains "$T/input.log" "sandbox: landlock=" "inside its sandbox (the commands it runs too)"
run "$SESAME" status --doctor=platform
grep -q "^ok   input.keyboards  *1 device read$" "$T/out"; ok $? "status --doctor: it reads a device (its pipe)"

keys() { printf "$1" | "$EV" 5 >"$T/kbd"; }
state() { "$SESAME" profile list | awk -v p="$1" '$1 == p { print $2 }'; }
# fired COMBO: how many times it fired (lines "  COMBO<tab>TIME<tab>COMMAND<tab>STATE").
fired() { "$SESAME" input status | awk -F'\t' -v c="  $1" 'NF == 4 && $1 == c' | wc -l | tr -d ' '; }

run "$SESAME" input status
ok "$rc" "sesame input status"
contains "$T/out" "$T/kbd: test event pipe" "lists the test pipe as a keyboard"
contains "$T/out" "ctrl+alt+t	profile activate work" "and each binding with its command"

# A watcher follows the events as they happen.
spawn sh -c "exec '$SESAME' input watch >'$T/watch.out' 2>'$T/watch.err'"
wait_for 5 grep -qs "Following daemon-input's events" "$T/watch.err"
ok $? "sesame input watch subscribes"

# KEY_T alone, then ctrl+shift+t (a modifier too many): nothing.
keys '20 1\n20 0\n29 1\n42 1\n20 1\n20 0\n42 0\n29 0\n'
# KEY_LEFTCTRL, KEY_LEFTALT, KEY_T.
keys '29 1\n56 1\n20 1\n20 0\n56 0\n29 0\n'
wait_for 5 sh -c "[ \"\$('$SESAME' profile list | awk '\$1 == \"work\" { print \$2 }')\" = yes ]"
ok $? "ctrl+alt+t ran 'sesame profile activate work': work is active"
is "$(fired ctrl+alt+t)" 1 "it fired once"
is "$("$SESAME" input status | awk -F'\t' 'NF == 4' | wc -l | tr -d ' ')" 1 "t alone and ctrl+shift+t fired nothing"
finished() { "$SESAME" input status | grep -q "	$1\$"; }
wait_for 5 finished "exit 0"
ok $? "status shows how the command ended (exit 0)"

wait_for 5 grep -q "ctrl+alt+t	[0-9:]*	profile activate work	exit 0" "$T/watch.out"
ok $? "the watcher saw it fire and end (exit 0)"
is "$(cut -f4 "$T/watch.out" | tr '\n' ' ')" "running exit 0 " "in order: running, then exit 0"
"$SESAME_BUILD/tests/buspeer" event >/dev/null 2>"$T/forge.err"
is "$?" 77 "the CLI cannot publish an event"
contains "$T/forge.err" "event is for daemon roles alone" "it is refused with the reason"

# Left meta + left shift + Enter: the binding is written with the
# unshifted symbol (Return), matched with shift held.
keys '125 1\n42 1\n28 1\n28 0\n42 0\n125 0\n'
wait_for 5 sh -c "[ \"\$('$SESAME' profile list | awk '\$1 == \"work\" { print \$2 }')\" = no ]"
ok $? "super+shift+Return ran 'profile deactivate work'"

# A binding whose command fails: reported, daemon unharmed.
keys '56 1\n57 1\n57 0\n56 0\n'
wait_for 5 finished "exit 2"
ok $? "a command that fails (unknown subcommand) is reported as exit 2"
contains "$T/input.log" "alt+space: running sesame frobnicate 'two words'" "the log names the binding and command"

# Autorepeat (value 2) does not fire again.
keys '29 1\n56 1\n20 1\n20 2\n20 2\n20 2\n20 0\n56 0\n29 0\n'
twice() { [ "$(fired ctrl+alt+t)" -ge 2 ]; }
wait_for 5 twice
sleep 0.2
is "$(fired ctrl+alt+t)" 2 "a held key with autorepeat fires once (two firings in all now)"

run "$SESAME" input status --json
ok "$rc" "input status --json"
cp "$T/out" "$T/status.json"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["devices"] and len(d["bindings"]) == 3 and d["fired"][0]["state"] == "exit 0"' "$T/status.json"
	ok $? "it is valid JSON with devices, bindings and fired"
else
	skip "python3 is not installed: JSON not parsed"
fi

# A reload picks up new bindings; a key name xkbcommon does not know is
# logged and skipped.
cat >"$CFG" <<'EOC'
[profiles.default.input.bindings]
"ctrl+alt+w" = "profile activate work"
"alt+spcae" = "status"

[profiles.work]
EOC
wait_for 5 sh -c "'$SESAME' input status | grep -q 'ctrl+alt+w'"
ok $? "a changed config is picked up"
contains "$T/input.log" "no key is called 'spcae'" "an unknown key name is logged"
run "$SESAME" config check
ok "$rc" "config check accepts it (key names are the daemon's to resolve)"
printf '[profiles.default.input.bindings]\n"ctrl+hyper+t" = "status"\n' >"$T/bad.toml"
SESAME_CONFIG_DIR=$T/badcfg; mkdir -p "$T/badcfg"; cp "$T/bad.toml" "$T/badcfg/config.toml"
SESAME_CONFIG_DIR=$T/badcfg run "$SESAME" config check
is "$rc" 1 "config check refuses a combination with an unknown modifier"
contains "$T/err" "'hyper' is not a modifier" "naming it"
SESAME_CONFIG_DIR=$T/cfg

# No device at all: it runs and says so.
kill "$INPUT"; wait "$INPUT" 2>/dev/null
spawn "$SESAME" daemon input 2>"$T/nodev.log"
INPUT=$spawned
wait_for 10 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* input'"
ok $? "daemon-input runs without any keyboard"
if [ -r /dev/input ] && ls /dev/input/event* >/dev/null 2>&1; then
	skip "this machine has input devices: the no-keyboard message is not checked"
else
	contains "$T/nodev.log" "no keyboard to read" "and logs that it has none"
	run "$SESAME" input status
	contains "$T/out" "no keyboard to read" "status says so too"
	run "$SESAME" status --doctor=platform --exit-code
	is "$rc" 2 "status --doctor warns of it"
	grep -q "^warn input.keyboards  *no keyboard to read" "$T/out"; ok $? "saying what daemon-input says"
fi

# A real keyboard through uinput, picked up by hot-plug.
if [ -w /dev/uinput ]; then
	printf '29 1\n56 1\n17 1\n17 0\n56 0\n29 0\n' | "$EV" --uinput "sesame test keyboard" 20
	wait_for 5 sh -c "[ \"\$('$SESAME' profile list | awk '\$1 == \"work\" { print \$2 }')\" = yes ]"
	ok $? "a uinput keyboard plugged in later fires ctrl+alt+w"
else
	skip "no writable /dev/uinput on this machine: no real keyboard test"
fi

done_testing
