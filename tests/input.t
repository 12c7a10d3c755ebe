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
printf '[profiles.default.input.layers.main]\ncapslock = "overload(nav)"\n' >"$T/badcfg/config.toml"
SESAME_CONFIG_DIR=$T/badcfg run "$SESAME" config check
contains "$T/err" "config.toml:2:1: profiles.default.input.layers.main.capslock: 'overload(nav)': two arguments" \
	"config check refuses a layer action it cannot parse, with its line"
printf '[profiles.default.input.layers.main]\ncapslok = "esc"\n' >"$T/badcfg/config.toml"
SESAME_CONFIG_DIR=$T/badcfg run "$SESAME" config check
contains "$T/err" "config.toml:2:1: profiles.default.input.layers.main: 'capslok' is not a key's name" \
	"and a key name no keyboard has"
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

# Layers: the pipe stands for a grabbed keyboard, a file for the virtual
# one; the events that come out are compared exactly ("CODE:VALUE", each
# with its EV_SYN).  KEY_CAPSLOCK 58, KEY_H 35, KEY_LEFT 105, KEY_ESC 1,
# KEY_F12 88, KEY_LEFTCTRL 29, KEY_LEFTALT 56, KEY_W 17.
kill "$INPUT"; wait "$INPUT" 2>/dev/null
cat >"$CFG" <<'EOC'
[profiles.default.input.bindings]
"ctrl+alt+w" = "profile activate work"
"ctrl+alt+q" = "input watch"

[profiles.default.input.layers.main]
capslock = "overload(nav, esc)"
f12 = "ctrl+alt+w"
f11 = "ctrl+alt+q"

[profiles.default.input.layers.nav]
h = "left"

[profiles.work]
EOC
"$SESAME" profile deactivate work >/dev/null 2>&1
spawn "$SESAME" daemon input --event-pipe "$T/kbd" --uinput-file "$T/vk" 2>"$T/layers.log"
INPUT=$spawned
wait_for 10 sh -c "'$SESAME' input layers 2>/dev/null | grep -q '^Remapping: on'"
ok $? "with layers, remapping is on"
run "$SESAME" input layers
contains "$T/out" "Remapping: on: 4 keys remapped, out through $T/vk" "input layers: how many keys, out where"
contains "$T/out" "Grabbed:
  $T/kbd: test event pipe" "the keyboard it grabbed"
grep -Eq '^main +main +3$' "$T/out" && grep -Eq '^nav +no +1$' "$T/out"
ok $? "each layer, whether it is active, how many keys it remaps"
vk() { "$EV" --decode <"$T/vk"; : >"$T/vk"; }
vk_is() { # vk_is WANT DESCRIPTION: what came out since the last check
	wait_for 3 sh -c "[ \"\$('$EV' --decode <'$T/vk')\" = '$1' ]"
	is "$(vk)" "$1" "$2"
}
keys '58 1\n58 0\n'
vk_is "1:1 1:0" "capslock tapped: esc goes out, each event with its EV_SYN"
keys '58 1\n35 1\n35 0\n58 0\n'
vk_is "105:1 105:0" "capslock held with h: left"
keys '30 1\n30 2\n30 0\n'
vk_is "30:1 30:2 30:0" "a key no layer names passes through, repeats too"
keys '88 1\n88 0\n'
vk_is "29:1 56:1 17:1 17:0 56:0 29:0" "f12 sends ctrl+alt+w"
wait_for 5 sh -c "[ \"\$('$SESAME' profile list | awk '\$1 == \"work\" { print \$2 }')\" = yes ]"
ok $? "and the binding ctrl+alt+w fires on what comes out"
run "$SESAME" input layers --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["remapping"].startswith("on: 4 keys") and d["grabbed"] == [sys.argv[2] + ": test event pipe"] and [(l["name"], l["active"], l["remaps"]) for l in d["layers"]] == [("main", True, 3), ("nav", False, 1)]' "$T/out" "$T/kbd"
ok $? "input layers --json"
run "$SESAME" status --doctor=platform
grep -q "^ok   input.layers  *4 keys remapped, out through $T/vk" "$T/out"; ok $? "status --doctor: layers applied"

# The panic keys let go (here: the pipe is no longer remapped) until the
# configuration changes.
keys '14 1\n1 1\n28 1\n28 0\n1 0\n14 0\n58 1\n58 0\n'
wait_for 3 sh -c "'$SESAME' input layers | grep -q 'panic keys'"
ok $? "backspace+escape+enter: remapping off, and layers says why"
vk_is "14:1 1:1 28:1 1:0 14:0 28:0" "what was held is released (in key order); nothing goes out after (capslock)"
contains "$T/layers.log" "the panic keys (backspace+escape+enter): every keyboard let go" "it is logged"
echo >>"$CFG"
wait_for 5 sh -c "'$SESAME' input layers | grep -q '^Remapping: on'"
ok $? "a configuration change turns remapping on again"
keys '58 1\n58 0\n'
vk_is "1:1 1:0" "capslock is esc again"

# A clean stop with a key held releases it.
keys '58 1\n35 1\n'
vk_is "105:1" "h held in the nav layer: left held"
kill "$INPUT"; wait "$INPUT" 2>/dev/null
is "$(vk)" "105:0" "SIGTERM: left is released before daemon-input goes"

# SIGKILL: nothing of daemon-input's keeps the keyboard (the grab lives as
# long as the open device) nor the virtual keyboard, not even the command
# a binding left running (f11: sesame input watch, until interrupted).
spawn "$SESAME" daemon input --event-pipe "$T/kbd" --uinput-file "$T/vk" 2>"$T/layers2.log"
INPUT=$spawned
wait_for 10 sh -c "'$SESAME' input layers 2>/dev/null | grep -q '^Remapping: on'"
keys '87 1\n87 0\n'
watching() { "$SESAME" input status | grep -q "ctrl+alt+q	.*	input watch	running"; }
wait_for 5 watching
ok $? "f11 started a long-running binding command"
holders() { for f in /proc/[0-9]*/fd/*; do l=$(readlink "$f" 2>/dev/null) || continue; case $l in "$1"|"$1 (deleted)") echo "${f%/fd/*}";; esac; done | sort -u | tr '\n' ' '; }
is "$(holders "$T/kbd")" "/proc/$INPUT " "only daemon-input has the keyboard open"
kill -KILL "$INPUT"; wait "$INPUT" 2>/dev/null
sleep 0.2
is "$(holders "$T/kbd")$(holders "$T/vk")" "" "after SIGKILL no process holds the keyboard or the virtual keyboard"
WATCHER=$(pgrep -f "sesame input watch" | head -1)
[ -n "$WATCHER" ]; ok $? "while the command the binding started still runs"
[ -n "$WATCHER" ] && kill "$WATCHER"

# Without a virtual keyboard nothing is grabbed: keys still reach the session.
spawn "$SESAME" daemon input --event-pipe "$T/kbd" --uinput-file "$T/nodir/vk" 2>"$T/layers3.log"
INPUT=$spawned
wait_for 10 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* input'"
run "$SESAME" input layers
contains "$T/out" "Remapping: off: $T/nodir/vk: No such file or directory; keyboards are only read" \
	"no virtual keyboard: remapping off, with the reason"
contains "$T/out" "Grabbed: none" "and no keyboard grabbed"
run "$SESAME" status --doctor=platform
grep -q "^warn input.layers  *$T/nodir/vk: No such file or directory; keyboards are only read" "$T/out"
ok $? "status --doctor warns that the layers are not applied, and why"
"$SESAME" profile deactivate work >/dev/null 2>&1
keys '29 1\n56 1\n17 1\n17 0\n56 0\n29 0\n'
wait_for 5 sh -c "[ \"\$('$SESAME' profile list | awk '\$1 == \"work\" { print \$2 }')\" = yes ]"
ok $? "bindings still fire from the keys as typed"
kill "$INPUT"; wait "$INPUT" 2>/dev/null
cat >"$CFG" <<'EOC'
[profiles.default.input.bindings]
"ctrl+alt+w" = "profile activate work"

[profiles.work]
EOC

if [ -w /dev/uinput ]; then
	# A real keyboard grabbed: daemon-input's virtual keyboard gets its
	# remapped keys, and SIGKILL lets go of it.
	cat >"$CFG" <<'EOC'
[profiles.default.input.layers.main]
capslock = "esc"
EOC
	(sleep 1; printf '58 1\n58 0\n'; sleep 4) | "$EV" --uinput "sesame test source" 20 &
	SRC=$!
	spawn "$SESAME" daemon input 2>"$T/real.log"
	INPUT=$spawned
	"$EV" --read "sesame virtual keyboard" 2 >"$T/real.out" &
	READER=$!
	wait_for 10 "$EV" --grabbed "sesame test source"
	ok $? "a real keyboard is grabbed"
	wait "$READER"
	is "$(cat "$T/real.out")" "1:1 1:0" "its capslock comes out of the virtual keyboard as esc"
	kill -KILL "$INPUT"; wait "$INPUT" 2>/dev/null
	"$EV" --grabbed "sesame test source"
	is "$?" 1 "SIGKILL: the keyboard is free again"
	wait "$SRC"
	printf '[profiles.default.input.bindings]\n"ctrl+alt+w" = "profile activate work"\n[profiles.work]\n' >"$CFG"
else
	skip "no writable /dev/uinput on this machine: no real grab and virtual keyboard test"
fi
spawn "$SESAME" daemon input 2>"$T/plug.log"
INPUT=$spawned
wait_for 10 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* input'"

# A real keyboard through uinput, picked up by hot-plug.
if [ -w /dev/uinput ]; then
	printf '29 1\n56 1\n17 1\n17 0\n56 0\n29 0\n' | "$EV" --uinput "sesame test keyboard" 20
	wait_for 5 sh -c "[ \"\$('$SESAME' profile list | awk '\$1 == \"work\" { print \$2 }')\" = yes ]"
	ok $? "a uinput keyboard plugged in later fires ctrl+alt+w"
else
	skip "no writable /dev/uinput on this machine: no real keyboard test"
fi

done_testing
