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
is "$(grep -c "^bindsym Mod1+Tab exec $exe wm overlay --alt\$" "$T/out")" 1 \
	"Alt+Tab runs this sesame's wm overlay, saying Alt is held"
contains "$T/out" "bindsym Mod1+Shift+Tab exec $exe wm overlay --alt --backward" "Alt+Shift+Tab goes backward"
contains "$T/out" "bindsym Mod1+space exec $exe wm overlay --launcher" "Alt+Space opens the launcher"
sk hyprland
contains "$T/out" "bind = ALT, Tab, exec, $exe wm overlay --alt" "Hyprland's bind line"
sk river
contains "$T/out" "riverctl map normal Alt Tab spawn '$exe wm overlay --alt'" "river's riverctl line"
sk labwc
contains "$T/out" "<keybind key=\"A-Tab\"><action name=\"Execute\" command=\"$exe wm overlay --alt\"/></keybind>" \
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
env -u SWAYSOCK XDG_CONFIG_HOME="$T/xdgc" HOME="$H" "$SESAME" setup-keybinding river --write --yes \
	>/dev/null 2>&1 </dev/null
contains "$T/xdgc/river/init" "riverctl map normal Alt Tab" "XDG_CONFIG_HOME is honoured"

# No user file: the compositor reads the system one, so the new user file
# starts as a copy of it; nothing the system bound is lost.
if [ -r /etc/sway/config ]; then
	H2=$T/fresh; mkdir -p "$H2"
	sysn=$(grep -c '^[[:space:]]*bindsym' /etc/sway/config)
	env -u SWAYSOCK -u XDG_CONFIG_HOME HOME="$H2" "$SESAME" setup-keybinding sway --write --yes \
		>"$T/out" 2>&1 </dev/null
	is "$(grep -c '^[[:space:]]*bindsym' "$H2/.config/sway/config")" "$((sysn + 3))" \
		"sway, no user config: every one of /etc/sway/config's $sysn bindings kept, 3 added"
	contains "$T/out" "copy of /etc/sway/config" "saying where it started from"
else
	echo "ok - # SKIP no /etc/sway/config (sway not installed)"
fi
# sway reads ~/.i3/config before /etc/sway/config: that is the file to edit,
# and a new ~/.config/sway/config would hide it.
H3=$T/i3user; mkdir -p "$H3/.i3"
printf 'bindsym Mod4+Return exec foot\n' >"$H3/.i3/config"
env -u SWAYSOCK -u XDG_CONFIG_HOME HOME="$H3" "$SESAME" setup-keybinding sway --write --yes >/dev/null 2>&1 </dev/null
test ! -e "$H3/.config/sway/config"; ok $? "sway with ~/.i3/config: no ~/.config/sway/config to hide it"
is "$(grep -c bindsym "$H3/.i3/config")" 4 "~/.i3/config gets the lines, its own kept"
# A config that is a symlink (dotfiles) stays one; its target is edited.
H4=$T/dots; mkdir -p "$H4/dotfiles" "$H4/.config/sway"
printf 'bindsym Mod4+d exec fuzzel\n' >"$H4/dotfiles/sway"
ln -s "$H4/dotfiles/sway" "$H4/.config/sway/config"
env -u SWAYSOCK -u XDG_CONFIG_HOME HOME="$H4" "$SESAME" setup-keybinding sway --write --yes >/dev/null 2>&1 </dev/null
test -L "$H4/.config/sway/config"; ok $? "a symlinked config stays a symlink"
is "$(grep -c bindsym "$H4/dotfiles/sway")" 4 "and its target gets the lines"
# labwc: the system rc.xml (XDG_CONFIG_DIRS) is the start of a new one.
H5=$T/labwc; mkdir -p "$H5" "$T/xdg/labwc"
printf '<?xml version="1.0"?>\n<labwc_config>\n<keyboard>\n<keybind key="W-Return"/>\n<keybind key="W-e"/>\n</keyboard>\n</labwc_config>\n' \
	>"$T/xdg/labwc/rc.xml"
env -u XDG_CONFIG_HOME XDG_CONFIG_DIRS="$T/xdg" HOME="$H5" "$SESAME" setup-keybinding labwc --write --yes \
	>/dev/null 2>&1 </dev/null
is "$(grep -c '<keybind' "$H5/.config/labwc/rc.xml")" 5 "labwc, no user rc.xml: the system's 2 keybinds kept, 3 added"
# labwc without any rc.xml: its built-in bindings are kept with <default />.
H6=$T/labwc2; mkdir -p "$H6"
env -u XDG_CONFIG_HOME XDG_CONFIG_DIRS="$T/none" HOME="$H6" "$SESAME" setup-keybinding labwc --write --yes \
	>/dev/null 2>&1 </dev/null
contains "$H6/.config/labwc/rc.xml" "<default />" "labwc, no rc.xml anywhere: <default /> keeps labwc's own bindings"
# Hyprland writes its default file itself on first start: with no system
# example to start from, nothing is written.
H7=$T/hypr; mkdir -p "$H7"
env -u XDG_CONFIG_HOME XDG_DATA_DIRS="$T/none" HOME="$H7" "$SESAME" setup-keybinding hyprland --write --yes \
	>/dev/null 2>"$T/err" </dev/null
is "$?" 1 "Hyprland, no config and no example: exit 1"
test ! -e "$H7/.config/hypr/hyprland.conf"; ok $? "(nothing written)"
contains "$T/err" "start Hyprland once" "saying what to do"
mkdir -p "$T/share/hypr"
printf 'bind = SUPER, Q, exec, kitty\nbind = SUPER, C, killactive,\n' >"$T/share/hypr/hyprland.conf"
env -u XDG_CONFIG_HOME XDG_DATA_DIRS="$T/share" HOME="$H7" "$SESAME" setup-keybinding hyprland --write --yes \
	>/dev/null 2>&1 </dev/null
is "$(grep -c '^bind' "$H7/.config/hypr/hyprland.conf")" 5 "Hyprland: the example's 2 binds kept, 3 added"
# river's init is a script: lines after its exec would never run.
H8=$T/river; mkdir -p "$H8/.config/river"
printf '#!/bin/sh\nriverctl map normal Super Return spawn foot\nexec rivertile\n' >"$H8/.config/river/init"
env -u XDG_CONFIG_HOME HOME="$H8" "$SESAME" setup-keybinding river --write --yes >/dev/null 2>&1 </dev/null
is "$(tail -1 "$H8/.config/river/init")" "exec rivertile" "river: the lines go before init's exec"
is "$(grep -c 'riverctl map' "$H8/.config/river/init")" 4 "(all four maps there)"

# remove-keybinding takes out exactly what --write added, in each
# compositor's file; keybinding-status says what is bound.
rk() { env -u SWAYSOCK -u HYPRLAND_INSTANCE_SIGNATURE -u XDG_CURRENT_DESKTOP -u XDG_CONFIG_HOME HOME="$1" \
	"$SESAME" remove-keybinding "$2" --yes >"$T/out" 2>"$T/err" </dev/null; rc=$?; }
ks() { env -u SWAYSOCK -u HYPRLAND_INSTANCE_SIGNATURE -u XDG_CURRENT_DESKTOP -u XDG_CONFIG_HOME HOME="$1" \
	"$SESAME" keybinding-status "$2" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }
R=$T/remove
for wm in sway hyprland river labwc; do
	rm -rf "$R"; mkdir -p "$R"
	case $wm in
	sway) f=$R/.config/sway/config; orig='bindsym Mod4+Return exec foot\n\nbindsym Mod4+d exec fuzzel\n' ;;
	hyprland) f=$R/.config/hypr/hyprland.conf; orig='bind = SUPER, Q, exec, kitty\n' ;;
	river) f=$R/.config/river/init; orig='#!/bin/sh\nriverctl map normal Super Return spawn foot\nexec rivertile\n' ;;
	labwc) f=$R/.config/labwc/rc.xml
		orig='<?xml version="1.0"?>\n<labwc_config>\n<keyboard>\n<keybind key="W-e"/>\n</keyboard>\n</labwc_config>\n' ;;
	esac
	mkdir -p "${f%/*}"
	printf "$orig" >"$f"
	cp "$f" "$T/orig"
	env -u SWAYSOCK -u XDG_CONFIG_HOME HOME="$R" "$SESAME" setup-keybinding $wm --write --yes >/dev/null 2>&1 </dev/null
	ks "$R" $wm
	is "$rc" 0 "$wm: keybinding-status after setup-keybinding --write: exit 0"
	is "$(grep -c '^ok ' "$T/out")" 3 "$wm: the three bindings, each ok"
	rk "$R" $wm
	ok "$rc" "$wm: remove-keybinding --yes"
	cmp -s "$f" "$T/orig"; ok $? "$wm: the file is again byte for byte what it was before setup-keybinding"
	rk "$R" $wm
	ok "$rc" "$wm: a second remove-keybinding finds nothing, and that is not an error"
	contains "$T/out" "No sesame keybinding found" "$wm: saying so"
	ks "$R" $wm
	is "$rc" 1 "$wm: keybinding-status now: exit 1"
	contains "$T/out" "No sesame keybinding configured" "$wm: nothing configured"
done

# The lines of a sesame since moved: still recognised and removed, and
# status calls them broken.  Another binding on Alt+Tab is named.
rm -rf "$R"; mkdir -p "$R/.config/sway"
printf 'bindsym Mod1+Tab focus next\n' >"$R/.config/sway/config"
env -u SWAYSOCK -u XDG_CONFIG_HOME HOME="$R" "$SESAME" setup-keybinding sway --write --yes >/dev/null 2>&1 </dev/null
sed -i "s|$exe|/opt/old/bin/sesame|" "$R/.config/sway/config"
ks "$R" sway
is "$rc" 1 "a binding to a sesame that is gone: keybinding-status exits 1"
contains "$T/out" "runs /opt/old/bin/sesame, which does not exist" "saying which sesame is gone"
contains "$T/out" "CONFLICT  Alt+Tab        line 1 binds it too: bindsym Mod1+Tab focus next" \
	"and naming the other binding of Alt+Tab"
rk "$R" sway
is "$(cat "$R/.config/sway/config")" "bindsym Mod1+Tab focus next" "remove-keybinding takes out the moved sesame's lines too"
# The lines an older sesame wrote (no --alt: a quick Alt+Tab left the
# switcher open): status calls them outdated, --write replaces them,
# remove-keybinding takes them out.
rm -rf "$R"; mkdir -p "$R/.config/sway"
printf 'bindsym Mod4+Return exec foot\n\n# sesame: the window switcher\nbindsym Mod1+Tab exec %s wm overlay\nbindsym Mod1+Shift+Tab exec %s wm overlay --backward\nbindsym Mod1+space exec %s wm overlay --launcher\n' \
	"$exe" "$exe" "$exe" >"$R/.config/sway/config"
ks "$R" sway
is "$rc" 1 "an older sesame's lines: keybinding-status exits 1"
is "$(grep -c '^OUTDATED ' "$T/out")" 2 "the two Tab lines are outdated"
contains "$T/out" "setup-keybinding sway --write replaces it" "saying what to run"
env -u SWAYSOCK -u XDG_CONFIG_HOME HOME="$R" "$SESAME" setup-keybinding sway --write --yes >"$T/out" 2>&1 </dev/null
ok $? "setup-keybinding --write on them"
contains "$T/out" "older sesame wrote: they are taken out" "says it replaces them"
is "$(grep -c 'wm overlay' "$R/.config/sway/config") $(grep -c 'wm overlay --alt' "$R/.config/sway/config")" "3 2" \
	"three lines again, the Tab ones with --alt"
is "$(head -1 "$R/.config/sway/config")" "bindsym Mod4+Return exec foot" "the user's line is kept"
ks "$R" sway
is "$(grep -c '^ok ' "$T/out")" 3 "keybinding-status: the three, each ok"
printf 'bindsym Mod1+Tab exec %s wm overlay\n' "$exe" >>"$R/.config/sway/config"
rk "$R" sway
is "$(cat "$R/.config/sway/config")" "bindsym Mod4+Return exec foot" "remove-keybinding takes out old and new lines alike"

# Asks first; without a terminal and --yes, changes nothing.
env -u SWAYSOCK -u XDG_CONFIG_HOME HOME="$R" "$SESAME" setup-keybinding sway --write --yes >/dev/null 2>&1 </dev/null
cp "$R/.config/sway/config" "$T/with"
env -u SWAYSOCK -u XDG_CONFIG_HOME HOME="$R" "$SESAME" remove-keybinding sway >"$T/out" 2>"$T/err" </dev/null
is "$?" 1 "remove-keybinding without a terminal and without --yes: exit 1"
cmp -s "$R/.config/sway/config" "$T/with"; ok $? "(the file untouched)"

# --restore: the backup from before setup-keybinding put back.
rm -rf "$R"; mkdir -p "$R/.config/hypr"
printf 'bind = SUPER, Q, exec, kitty\n# mine\n' >"$R/.config/hypr/hyprland.conf"
cp "$R/.config/hypr/hyprland.conf" "$T/orig"
env -u XDG_CONFIG_HOME HOME="$R" "$SESAME" setup-keybinding hyprland --write --yes >/dev/null 2>&1 </dev/null
env -u XDG_CONFIG_HOME HOME="$R" "$SESAME" remove-keybinding hyprland --restore --yes >"$T/out" 2>&1 </dev/null
ok $? "remove-keybinding --restore"
cmp -s "$R/.config/hypr/hyprland.conf" "$T/orig"; ok $? "puts back the file from before setup-keybinding"
test ! -e "$R/.config/hypr/hyprland.conf.sesame-bak"; ok $? "(the backup moved into place)"
# A backup that holds sesame's lines is not the file from before them.
env -u XDG_CONFIG_HOME HOME="$R" "$SESAME" setup-keybinding hyprland --write --yes >/dev/null 2>&1 </dev/null
cp "$R/.config/hypr/hyprland.conf" "$R/.config/hypr/hyprland.conf.sesame-bak"
env -u XDG_CONFIG_HOME HOME="$R" "$SESAME" remove-keybinding hyprland --restore --yes >"$T/out" 2>"$T/err" </dev/null
is "$?" 1 "--restore refuses a backup that has sesame's lines too"
contains "$T/err" "not the file from before them" "saying why"
# A file setup-keybinding made as a copy of the system's: removed, so the
# compositor reads the system file again.
rm -rf "$R" "$T/xdg2"; mkdir -p "$R" "$T/xdg2/labwc"
printf '<?xml version="1.0"?>\n<labwc_config>\n<keyboard>\n<keybind key="W-e"/>\n</keyboard>\n</labwc_config>\n' \
	>"$T/xdg2/labwc/rc.xml"
env -u XDG_CONFIG_HOME XDG_CONFIG_DIRS="$T/xdg2" HOME="$R" "$SESAME" setup-keybinding labwc --write --yes \
	>/dev/null 2>&1 </dev/null
test -f "$R/.config/labwc/rc.xml"; ok $? "labwc: setup-keybinding made a user rc.xml from the system's"
env -u XDG_CONFIG_HOME XDG_CONFIG_DIRS="$T/xdg2" HOME="$R" "$SESAME" keybinding-status labwc >"$T/out" 2>&1 </dev/null
contains "$T/out" "labwc reads $R/.config/labwc/rc.xml" "keybinding-status names the file labwc reads"
env -u XDG_CONFIG_HOME XDG_CONFIG_DIRS="$T/xdg2" HOME="$R" "$SESAME" remove-keybinding labwc --restore --yes \
	>"$T/out" 2>&1 </dev/null
ok $? "remove-keybinding --restore"
test ! -e "$R/.config/labwc/rc.xml"; ok $? "removes the copy, so labwc reads the system rc.xml again"
env -u XDG_CONFIG_HOME XDG_CONFIG_DIRS="$T/xdg2" HOME="$R" "$SESAME" keybinding-status labwc >"$T/out" 2>&1 </dev/null
contains "$T/out" "labwc reads $T/xdg2/labwc/rc.xml (there is no user file)" "and keybinding-status says so"
done_testing
