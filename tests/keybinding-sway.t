#!/bin/sh
# keybinding-status against a running headless sway: it asks sway over its
# IPC socket whether the loaded configuration has the lines, so it tells
# "written but not loaded yet" (swaymsg reload) from "in use".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wayland.sh"
need_sway wm
if ! session_user; then
	skip "$WHY"
	done_testing
	exit
fi
# sway reads the user's own config file (-c), the one the commands edit.
cfg=$U/home/.config/sway/config
mkdir -p "${cfg%/*}"
printf 'output * bg #000000 solid_color\n' >"$cfg"
cat "$T/sway.conf" >>"$cfg"	# the session's settings (wayland.sh)
cp "$cfg" "$T/orig"
chown -R "$(stat -c %u:%g "$U")" "$U/home/.config"
ln -sf "$cfg" "$T/sway.conf"
spawn sway_headless
SWAY=$spawned
wait_for 10 sh -c "test -S '$U/xdg/sway.sock' && test -S '$U/xdg/wayland-1'"
ok $? "headless sway starts as uid $(as id -u)"

as "$SESAME" keybinding-status >"$T/out" 2>&1
is "$?" 1 "before setup-keybinding: exit 1"
contains "$T/out" "No sesame keybinding configured" "nothing bound"
as "$SESAME" setup-keybinding --write --yes >/dev/null 2>&1 </dev/null
as "$SESAME" keybinding-status >"$T/out" 2>&1
is "$?" 1 "written but not loaded: exit 1"
contains "$T/out" "NOT LOADED" "the running sway has not loaded them"
contains "$T/out" "swaymsg reload" "and the way to load them"
as swaymsg reload >/dev/null
as "$SESAME" keybinding-status >"$T/out" 2>&1
is "$?" 0 "after swaymsg reload: exit 0"
contains "$T/out" "loaded: the running sway's configuration has them" "in use"
as "$SESAME" remove-keybinding --yes >/dev/null 2>&1 </dev/null
cmp -s "$cfg" "$T/orig"; ok $? "remove-keybinding: the config is what it was"
as swaymsg reload >/dev/null
as "$SESAME" keybinding-status >"$T/out" 2>&1
is "$?" 1 "and keybinding-status says nothing is bound"
kill "$SWAY" 2>/dev/null
done_testing
