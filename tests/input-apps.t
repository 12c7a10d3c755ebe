#!/bin/sh
# Per-application layers (issue 30, point 10): daemon-input follows
# daemon-wm's focus under a real compositor (headless sway, foot
# windows) and applies [profiles.P.input.apps]; its keys come through its
# test pipe and go out to a file standing in for the virtual keyboard,
# compared exactly (KEY_F1 59, KEY_LEFTCTRL 29, KEY_T 20).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/wayland.sh"
need_sway wm foot
if "$SESAME" daemon input --help | grep -q "no desktop roles"; then
	skip "this build has no desktop roles (DESKTOP=0)"
	done_testing
	exit
fi
start_sway
EV=$SESAME_BUILD/tests/evwrite
window() { # window APP_ID TITLE
	spawn "$T/as" foot --app-id="$1" --title="$2" sleep 600 2>>"$T/foot.log"
	wait_for 10 as swaymsg "[app_id=$1] nop" >/dev/null 2>&1
}
window org.example.Browser "Browser window"

as mkdir -p "$U/cfg"
as sh -c "cat >'$U/cfg/config.toml'" <<'EOC'
[profiles.default.input.layers.main]
capslock = "esc"
[profiles.default.input.layers.browser]
f1 = "ctrl+t"
[profiles.default.input.apps]
browser = "browser"
EOC
spawn "$T/as" "$SESAME" daemon profile 2>"$T/hub.log"
wait_for 10 test -s "$U/run/bus.pub"
as mkfifo "$U/kbd"
# daemon-input first: it learns the focus from daemon-wm's list when that
# comes (events), or asks it at connect (the list) - both are exercised.
spawn "$T/as" "$SESAME" daemon input --event-pipe "$U/kbd" --uinput-file "$U/vk" 2>"$T/input.log"
wait_for 10 sh -c "'$T/as' '$SESAME' input layers 2>/dev/null | grep -q '^Remapping: on'"
ok $? "daemon-input remaps"
keys() { printf "$1" | "$EV" 5 | as sh -c "cat >'$U/kbd'"; }
vk() { as "$EV" --decode <"$U/vk"; as sh -c ": >'$U/vk'"; }
vk_is() { # WANT DESCRIPTION
	wait_for 3 sh -c "[ \"\$('$EV' --decode <'$U/vk')\" = '$1' ]"
	is "$(vk)" "$1" "$2"
}
keys '59 1\n59 0\n'
vk_is "59:1 59:0" "without daemon-wm no application is known: f1 is f1"

spawn "$T/as" "$SESAME" daemon wm 2>"$T/wm.log"
WM=$spawned
app_is() { as "$SESAME" input layers 2>/dev/null | grep -q "^Focused application: $1\$"; }
wait_for 10 app_is org.example.Browser
ok $? "daemon-wm starts: daemon-input learns the focused window from its events"
keys '59 1\n59 0\n'
vk_is "29:1 20:1 20:0 29:0" "org.example.Browser focused: its layer (by its last part) makes f1 ctrl+t"
as "$SESAME" input layers >"$T/out"
grep -Eq '^browser +app +1$' "$T/out"; ok $? "input layers marks the layer 'app'"

window other "Other window"
wait_for 10 app_is other
ok $? "another window focused: daemon-input follows"
keys '59 1\n59 0\n58 1\n58 0\n'
vk_is "59:1 59:0 1:1 1:0" "f1 is f1 again; main still applies (capslock is esc)"

# Restarted, daemon-input asks daemon-wm which window has the focus.
as swaymsg '[app_id=org.example.Browser] focus' >/dev/null
wait_for 10 app_is org.example.Browser
pkill -TERM -f "daemon input --event-pipe $U/kbd"
sleep 0.5
spawn "$T/as" "$SESAME" daemon input --event-pipe "$U/kbd" --uinput-file "$U/vk" 2>"$T/input2.log"
wait_for 10 app_is org.example.Browser
ok $? "a restarted daemon-input gets the focus from daemon-wm's window list"
as sh -c ": >'$U/vk'"
keys '59 1\n59 0\n'
vk_is "29:1 20:1 20:0 29:0" "and applies the application's layer at once"

done_testing
