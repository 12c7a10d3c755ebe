#!/bin/sh
# sesame setup-keybinding: each compositor's lines, the guess from the
# session, and --write: consent, idempotence, backups, labwc's XML.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkdir -p "$H"
sk() { env -u SWAYSOCK -u HYPRLAND_INSTANCE_SIGNATURE -u XDG_CURRENT_DESKTOP -u XDG_CONFIG_HOME HOME="$H" \
	"$SESAME" setup-keybinding "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }
exe=$(readlink -f "$SESAME")

sk sway
ok "$rc" "setup-keybinding sway"
is "$(grep -c "^bindsym Mod1+Tab exec $exe wm overlay\$" "$T/out")" 1 "Alt+Tab runs this sesame's wm overlay"
contains "$T/out" "bindsym Mod1+Shift+Tab exec $exe wm overlay --backward" "Alt+Shift+Tab goes backward"
contains "$T/out" "bindsym Mod1+space exec $exe wm overlay --launcher" "Alt+Space opens the launcher"
sk hyprland
contains "$T/out" "bind = ALT, Tab, exec, $exe wm overlay" "Hyprland's bind line"
sk river
contains "$T/out" "riverctl map normal Alt Tab spawn '$exe wm overlay'" "river's riverctl line"
sk labwc
contains "$T/out" "<keybind key=\"A-Tab\"><action name=\"Execute\" command=\"$exe wm overlay\"/></keybind>" \
	"labwc's keybind element"
sk
is "$rc" 1 "no compositor named and none in the session: exit 1"
contains "$T/err" "cannot tell the compositor" "saying so"
env -u SWAYSOCK XDG_CURRENT_DESKTOP=Hyprland HOME="$H" "$SESAME" setup-keybinding >"$T/out" 2>&1
contains "$T/out" "bind = ALT, Tab" "XDG_CURRENT_DESKTOP=Hyprland is recognised"
sk gnome
is "$rc" 2 "an unknown compositor is a usage error"

# --write: a new file, created with its directories.
sk river --write
is "$rc" 1 "--write without a terminal and without --yes writes nothing"
test ! -e "$H/.config/river/init"; ok $? "(no file)"
sk river --write --yes
ok "$rc" "--write --yes"
test -x "$H/.config/river/init"; ok $? "river's init is made, executable"
# An existing file: appended to, the old one kept.
mkdir -p "$H/.config/sway"
printf 'output * bg #000000 solid_color' >"$H/.config/sway/config"
sk sway --write --yes
is "$(head -1 "$H/.config/sway/config")" "output * bg #000000 solid_color" "the existing config is kept"
is "$(grep -c 'wm overlay' "$H/.config/sway/config")" 3 "the three lines are added"
is "$(cat "$H/.config/sway/config.sesame-bak")" "output * bg #000000 solid_color" "the previous file is kept as .sesame-bak"
sk sway --write --yes
ok "$rc" "a second --write succeeds"
contains "$T/out" "nothing to add" "and adds nothing"
is "$(grep -c 'wm overlay' "$H/.config/sway/config")" 3 "(still three lines)"

# labwc: inside <keyboard>, or a new <keyboard>, or a new file.
mkdir -p "$H/.config/labwc"
printf '<?xml version="1.0"?>\n<labwc_config>\n<keyboard>\n<keybind key="W-e"/>\n</keyboard>\n</labwc_config>\n' \
	>"$H/.config/labwc/rc.xml"
sk labwc --write --yes
awk '/<keyboard>/ { k = 1 } /A-Tab/ && k { f = 1 } /<\/keyboard>/ { k = 0 } END { exit !f }' "$H/.config/labwc/rc.xml"
ok $? "labwc: the keybinds go inside the existing <keyboard>"
contains "$H/.config/labwc/rc.xml" '<keybind key="W-e"/>' "next to what was there"
printf '<labwc_config>\n</labwc_config>\n' >"$H/.config/labwc/rc.xml"
sk labwc --write --yes
is "$(grep -c '<keyboard>' "$H/.config/labwc/rc.xml")" 1 "labwc: a <keyboard> is added when there is none"
printf 'not xml at all\n' >"$H/.config/labwc/rc.xml"
sk labwc --write --yes
is "$rc" 1 "a labwc file it does not understand is left alone (exit 1)"
contains "$T/err" "add the lines by hand" "with the lines to add"
is "$(cat "$H/.config/labwc/rc.xml")" "not xml at all" "and the file is untouched"
rm -rf "$H/.config/labwc"
sk labwc --write --yes
contains "$H/.config/labwc/rc.xml" "<labwc_config>" "labwc: a new rc.xml is a whole config"

# XDG_CONFIG_HOME wins over HOME.
env -u SWAYSOCK XDG_CONFIG_HOME="$T/xdgc" HOME="$H" "$SESAME" setup-keybinding hyprland --write --yes \
	>/dev/null 2>&1 </dev/null
contains "$T/xdgc/hypr/hyprland.conf" "bind = ALT, Tab" "XDG_CONFIG_HOME is honoured"
done_testing
