#!/bin/sh
# daemon-wm and `sesame wm` under a real compositor: headless sway (pixman
# renderer) run as a non-root user with its own XDG_RUNTIME_DIR, foot
# windows, focus checked with sway's own criteria (swaymsg exits 0 only
# if [app_id=X con_id=__focused__] matches).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/wayland.sh"
need_sway wm foot
start_sway
focused() { as swaymsg "[app_id=$1 con_id=__focused__] nop" >/dev/null 2>&1; }
first_is() { as "$SESAME" wm list 2>/dev/null | head -1 | grep -q "	$1	"; }
listed() { as "$SESAME" wm list 2>/dev/null | grep -q "	$1	"; }

hints_of() { # APP_ID...: their windows' hints, from wm list --json
	as "$SESAME" wm list --json | tr '{' '\n' >"$T/hints.json"
	for a in "$@"; do
		grep "\"app_id\":\"$a\"" "$T/hints.json" | sed 's/.*"hint":"\([a-z]*\)".*/\1/'
	done | tr '\n' ' ' | sed 's/ $//'
}
window() { # window APP_ID TITLE; its pid in $WIN
	spawn "$T/as" foot --app-id="$1" --title="$2" sleep 600 2>>"$T/foot.log"
	WIN=$spawned
	wait_for 10 as swaymsg "[app_id=$1] nop" >/dev/null 2>&1
}
window term-a "Alpha window"
window term-b "Beta window"
focused term-b
ok $? "two foot windows; sway focuses the newer one"

# The overlay is drawn at once (no Alt+Tab delay to wait out).
as mkdir -p "$U/cfg"
printf '[profiles.default.wm]\noverlay_delay_ms = 0\n' | as sh -c "cat >'$U/cfg/config.toml'"
spawn "$T/as" "$SESAME" daemon profile 2>"$T/hub.log"
wait_for 10 test -s "$U/run/bus.pub"
# Icons (issue 30, point 4): term-a's in a hicolor theme under
# XDG_DATA_DIRS (magenta), the probe entry's by an absolute Icon= path in an
# icon directory (cyan); made before daemon-wm starts, whose sandbox
# reads the icon directories (an Icon= path elsewhere gets a letter tile).
png() { # FILE RRGGBB: a 48x48 PNG of one colour
	python3 -c 'import sys, zlib, struct
c = bytes.fromhex(sys.argv[2]); raw = b"".join(b"\0" + c * 48 for _ in range(48))
ck = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + ck(b"IHDR", struct.pack(">IIBBBBB", 48, 48, 8, 2, 0, 0, 0)) +
	ck(b"IDAT", zlib.compress(raw)) + ck(b"IEND", b""))' "$1" "$2"
}
mkdir -p "$U/apps/icons/hicolor/48x48/apps" "$U/apps/applications"
png "$U/apps/icons/hicolor/48x48/apps/term-a.png" ff00ff
png "$U/apps/icons/probe.png" 00ffff
# term-b's is an SVG only (yellow), drawn through librsvg where it loads.
mkdir -p "$U/apps/icons/hicolor/scalable/apps"
printf '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" fill="#ffff00"/></svg>\n' \
	>"$U/apps/icons/hicolor/scalable/apps/term-b.svg"
chown -R 65534:65534 "$U/apps" 2>/dev/null; chmod -R a+rX "$U/apps"
spawn "$T/as" env XDG_DATA_DIRS="$U/apps:/usr/share" "$SESAME" daemon wm 2>"$T/wm.log"
WM=$spawned
wm_up() { as "$SESAME" status 2>/dev/null | grep -q 'roles:.* wm'; }
wait_for 10 wm_up
ok $? "daemon-wm joins the bus"
contains "$T/wm.log" "sandbox: landlock=" "inside its sandbox (read-only: config, runtime dir, fonts)"
as "$SESAME" status --doctor >"$T/out" 2>&1
grep -q "^ok   wm.seccomp " "$T/out" && grep -q "^ok   wm.no_new_privs " "$T/out"
ok $? "status --doctor finds daemon-wm under its seccomp filter, with no_new_privs"

wm() { as "$SESAME" wm "$@" >"$T/out" 2>"$T/err"; rc=$?; }
wm list
ok "$rc" "sesame wm list"
is "$(cut -f2,3,4 "$T/out" | tr '\t\n' '|;')" "term-b|Beta window|focused;term-a|Alpha window;" \
	"lists both windows with app id and title, the focused one first and marked"

wm focus term-a
ok "$rc" "sesame wm focus term-a"
focused term-a
ok $? "sway now has term-a focused"
contains "$T/out" "Focused window" "and says which window it focused"
is "$(head -1 "$T/out" | grep -c "has not focused")" 0 "after the compositor confirmed it"
wm list
is "$(cut -f2 "$T/out" | tr '\n' ' ')" "term-a term-b " "the focus order follows"

# Events: a watcher sees focus changes and windows opening.
spawn "$T/as" sh -c "exec '$SESAME' wm watch >'$U/watch.out' 2>'$U/watch.err'"
wait_for 5 grep -qs "Following daemon-wm's events" "$U/watch.err"
ok $? "sesame wm watch subscribes"

# A focus change made without sesame counts too.
as swaymsg '[app_id=term-b] focus' >/dev/null
wait_for 5 first_is term-b
ok $? "a focus change made with swaymsg moves that window to the front"

window term-c "Gamma window"
C=$WIN
wait_for 5 grep -q "^focused	[0-9]*	term-c	Gamma window" "$U/watch.out"
ok $? "the watcher saw term-b focused, term-c open and get the focus"
is "$(cut -f1,3 "$U/watch.out" | tr '\t\n' ': ')" "focused:term-b opened:term-c focused:term-c " "in that order"
wm list
is "$(cut -f2 "$T/out" | tr '\n' ' ')" "term-c term-b term-a " "a new window is the most recent"
wm switch
ok "$rc" "sesame wm switch"
focused term-b
ok $? "switch goes to the window focused before (term-b)"
contains "$T/out" "Switched to: Beta window (term-b)" "and says so"
wm switch --backward
focused term-a
ok $? "switch --backward goes to the least recent one (term-a)"
id_c=$(as "$SESAME" wm list | awk -F'\t' '$2 == "term-c" { print $1 }')
wm focus "$id_c"
focused term-c
ok $? "focus by window id ($id_c)"

wm list --json
contains "$T/out" '{"id":'"$id_c"',"app_id":"term-c","title":"Gamma window","focused":true,"hint":"' "--json"

wm focus nosuch
is "$rc" 1 "an unknown app id: exit 1"
contains "$T/err" "window 'nosuch' not found" "with the reason"
wm focus 999999
is "$rc" 1 "an unknown window id: exit 1"
wm focus
is "$rc" 2 "focus without a target is a usage error"
wm list --launcher
is "$rc" 2 "--launcher goes with overlay only"

# Titles are other programs' text: no escape sequence reaches the terminal.
ESC=$(printf '\033')
window term-evil "evil${ESC}]0;pwned${ESC}\\title"
wm list
grep term-evil "$T/out" | cut -f3 >"$T/evil"
is "$(cat "$T/evil")" "evil?]0;pwned?\\title" "control characters in a title are shown as '?'"

# The overlay, seen by grim; then driven by a virtual keyboard (wtype).
if command -v grim >/dev/null 2>&1; then
	as grim "$U/before.png"
	wm overlay
	ok "$rc" "sesame wm overlay"
	differs() { as grim "$U/after.png" && ! cmp -s "$U/before.png" "$U/after.png"; }
	wait_for 5 differs
	ok $? "the overlay is on the screen (the screenshot changed)"
	art="${SESAME_BUILD:-$SESAME_SRC/build}/test-artifacts"
	mkdir -p "$art" && cp "$U/after.png" "$art/wm-overlay.png"
	diag "screenshot: $art/wm-overlay.png"
	# Every text against its card meets WCAG AA (4.5:1), measured on the
	# screenshot's pixels: titles (text_color), hints (hint_color); the
	# focused window's card carries a bar (hint_matched_color).
	as grim -t ppm "$U/ov.ppm"
	aa() { # COLOUR WHAT: the contrast of COLOUR's pixels against what is behind them
		c=$(python3 "$SESAME_SRC/tests/pixels.py" "$U/$3" contrast "$1")
		awk -v r="${c%% *}" 'BEGIN { exit !(r + 0 >= 4.5) }'
		ok $? "$2 against its card: $c (WCAG AA wants 4.5)"
	}
	n=$(python3 "$SESAME_SRC/tests/pixels.py" "$U/ov.ppm" count ff00ff)
	[ "$n" -gt 500 ]
	ok $? "term-a's card shows its icon, found by its app id in hicolor ($n pixels of it)"
	rsvg=; for f in /usr/lib/*/librsvg-2.so.2 /usr/lib/librsvg-2.so.2; do [ -e "$f" ] && rsvg=$f; done
	if [ -n "$rsvg" ]; then
		n=$(python3 "$SESAME_SRC/tests/pixels.py" "$U/ov.ppm" count ffff00)
		[ "$n" -gt 500 ]
		ok $? "term-b's card shows its SVG icon, drawn by librsvg ($n pixels of it)"
	else
		skip "librsvg is not installed: SVG icons are not drawn (make deps installs it)"
	fi
	aa ffffff "the title's colour" ov.ppm
	aa a0a0a0 "the hint's colour" ov.ppm
	aa 4caf50 "the focused window's bar" ov.ppm
	# The cards are drawn by a child process, the painter: daemon-wm
	# itself never maps fcft, pixman, fontconfig or GLib (issue 30, point 7).
	painter=$(pgrep -P "$WM" | head -1)
	is "$(cat "/proc/$painter/comm" 2>/dev/null)" "sesame-painter" "the overlay's painter is a child of daemon-wm"
	grep -q libfcft "/proc/$painter/maps" 2>/dev/null; ok $? "the painter has loaded fcft"
	is "$(grep -cE 'lib(fcft|pixman|fontconfig|freetype|harfbuzz|glib|png)' "/proc/$WM/maps")" 0 \
		"daemon-wm has mapped none of the drawing libraries"
	if command -v wtype >/dev/null 2>&1; then
		# A painter that dies is replaced at the next draw, not 5 s later.
		kill -KILL "$painter"
		as wtype -s 300 -k Escape
		gone() { as grim "$U/gone.png" && cmp -s "$U/before.png" "$U/gone.png"; }
		wait_for 5 gone
		wm overlay
		wait_for 5 differs
		ok $? "after its painter was killed, the next overlay is drawn"
		painter2=$(pgrep -P "$WM" | head -1)
		[ -n "$painter2" ] && [ "$painter2" != "$painter" ]; ok $? "by a new painter"
		painter=$painter2
	fi
	if command -v wtype >/dev/null 2>&1; then
		# Four windows, all app ids starting with term: a letter each,
		# the letters of "term" (it was t, tt, ttt, tttt); typing the third's
		# focuses it at once.  wtype's virtual keyboard is new to the seat:
		# it waits 300 ms for daemon-wm to take it up before typing.
		hints=$(hints_of term-a term-b term-c term-evil)
		is "$(echo "$hints" | tr ' ' '\n' | sort | tr -d '\n')" "emrt" \
			"four term-* windows: one letter each, the letters of term ($hints)"
		third=$(as "$SESAME" wm list | sed -n 3p | cut -f2)
		as wtype -s 300 "$(hints_of "$third")"
		wait_for 5 first_is "$third"
		ok $? "typing the third most recent window's hint focuses it ($third)"
		# A fresh "before": the focus change redrew the borders.
		sleep 0.2
		as grim "$U/before.png"
		first=$(as "$SESAME" wm list | sed -n 1p | cut -f2)
		wm overlay
		wait_for 5 differs
		as wtype -s 300 -k Escape
		closed() { as grim "$U/closed.png" && cmp -s "$U/before.png" "$U/closed.png"; }
		wait_for 5 closed
		ok $? "Escape closes the overlay (the screen is as before)"
		focused "$first"
		ok $? "and leaves the focus where it was ($first)"
		# Alt+Tab as a user has it: sway's bindings, as setup-keybinding
		# prints them, run sesame wm overlay; releasing Alt switches.
		as "$SESAME" setup-keybinding sway | grep '^bindsym' >"$T/bind"
		while read -r line; do as swaymsg "$line" >/dev/null; done <"$T/bind"
		is "$(as swaymsg -t get_config | grep -c 'wm overlay')" 0 "(the bindings are live, not in the file)"
		second=$(as "$SESAME" wm list | sed -n 2p | cut -f2)
		as wtype -s 300 -M alt -k Tab -s 300 -m alt
		wait_for 5 first_is "$second"
		ok $? "Alt+Tab through sway's binding (setup-keybinding's lines) switches to the previous window ($second)"
		# Alt released at once, before the overlay's surface took the
		# keyboard: the binding says Alt was held (--alt), so the switch
		# happens as soon as the overlay has the keyboard and sees no Alt
		# key held.  A seat has a keyboard; here each wtype brings its own
		# and takes it away when it exits, maybe before the overlay is
		# up, and a seat with no keyboard gives no one the keyboard.  So
		# one idle virtual keyboard stays for the test, as a real one
		# would.  Three rounds.
		spawn "$T/as" wtype -s 600000
		kbd=$spawned
		quick=0
		for i in 1 2 3; do
			second=$(as "$SESAME" wm list | sed -n 2p | cut -f2)
			as wtype -s 300 -M alt -k Tab -m alt
			wait_for 5 first_is "$second" && quick=$((quick + 1))
		done
		is "$quick" 3 "an instant Alt+Tab (Alt up before the overlay had the keyboard) switches, 3 of 3"
		kill "$kbd" 2>/dev/null

		# key_bindings: a letter for an app's windows, and focus-or-launch
		# through daemon-launcher for a letter no window has.
		as mkdir -p "$U/apps/applications"
		printf '[Desktop Entry]\nType=Application\nName=Sesame Probe\nGenericName=Test Probe\nIcon=%s/apps/icons/probe.png\nExec=sh -c "echo launched >>%s/probe.out"\n' \
			"$U" "$U" | as sh -c "cat >'$U/apps/applications/sesame-probe.desktop'"
		spawn "$T/as" env XDG_DATA_DIRS="$U/apps" XDG_DATA_HOME="$U/none" "$SESAME" daemon launcher 2>"$T/launcher.log"
		wait_for 10 sh -c "'$T/as' '$SESAME' status 2>/dev/null | grep -q 'roles:.* launcher'"
		cat <<-EOC | as sh -c "cat >'$U/cfg/config.toml'"
		[profiles.default.wm]
		overlay_delay_ms = 0
		text_color = "#ffd700"
		[profiles.default.wm.key_bindings.x]
		apps = ["term-evil"]
		[profiles.default.wm.key_bindings.p]
		apps = ["nothing-here"]
		launch = "sesame-probe"
		[profiles.default.wm.key_bindings.q]
		apps = ["nothing-here-either"]
		launch = "sesame-probe"
		tags = ["needs"]
		[profiles.default.secrets.access]
		launcher = ["tok"]
		[profiles.default.launch_profiles.needs]
		secrets = ["tok"]
		EOC
		wait_for 5 grep -q "config: reloaded" "$T/wm.log"
		as swaymsg '[app_id=term-a] focus' >/dev/null
		wait_for 5 first_is term-a
		wm overlay
		as wtype -s 300 x
		wait_for 5 first_is term-evil
		ok $? "key_bindings.x lists term-evil: typing x focuses it"
		wm overlay
		as wtype -s 300 p -k Return
		wait_for 5 test -s "$U/probe.out"
		ok $? "p has no window but a launch: p and Enter start it through daemon-launcher"
		focused term-evil
		ok $? "and the focus stays"
		wait_for 5 grep -q "launched sesame-probe.desktop (pid" "$T/wm.log"
		ok $? "daemon-wm logs the launch with daemon-launcher's answer"

		# The launcher: a search field, results from daemon-launcher.
		sleep 0.2
		as grim "$U/before.png"
		wm overlay --launcher
		ok "$rc" "sesame wm overlay --launcher"
		wait_for 5 differs
		ok $? "the launcher is on the screen"
		as wtype -s 300 probe
		sleep 0.3
		as grim "$U/launcher.png"
		cp "$U/launcher.png" "$art/wm-launcher.png"
		# The field stays put whatever the count of results: its frame
		# (hint_matched_color, #4caf50) on the same rows with one result
		# and with none.
		as grim -t ppm "$U/one.ppm"
		as wtype -s 300 zq
		sleep 0.3
		as grim -t ppm "$U/none.ppm"
		one=$(python3 "$SESAME_SRC/tests/pixels.py" "$U/one.ppm" rows 4caf50)
		none=$(python3 "$SESAME_SRC/tests/pixels.py" "$U/none.ppm" rows 4caf50)
		is "$none" "$one" "the launcher's field does not move when the results go from one to none (rows $one)"
		n=$(python3 "$SESAME_SRC/tests/pixels.py" "$U/one.ppm" count 00ffff)
		[ "$n" -gt 500 ]
		ok $? "the launcher's result shows the entry's Icon= ($n pixels of it)"
		gold=$(python3 "$SESAME_SRC/tests/pixels.py" "$U/one.ppm" count ffd700)
		[ "$gold" -gt 100 ]
		ok $? "a new text_color applies without restarting daemon-wm ($gold pixels of #ffd700)"
		aa ffd700 "that colour" one.ppm
		aa a0a0a0 "the 'no match' line" none.ppm
		as wtype -s 300 -k BackSpace -k BackSpace
		sleep 0.3
		as wtype -s 300 -k Return
		wait_for 5 sh -c "[ \$(wc -l <'$U/probe.out') -ge 2 ]"
		ok $? "typing 'probe' and Enter launches Sesame Probe"
		sleep 0.2
		as grim "$U/before.png"
		as wtype -s 300 -M alt -k space -m alt
		wait_for 5 differs
		ok $? "Alt+Space (setup-keybinding's third line) opens it, and releasing Alt leaves it open"
		as wtype -s 300 -k Escape
		wait_for 5 closed
		ok $? "Escape closes the launcher"

		# The unlock prompt (issue 30, point 8): a launch whose launch
		# profile needs a secret of a locked profile asks for its
		# password in the overlay (dots shown, never logged); a wrong one
		# says so and asks again; the right one unlocks and launches.
		spawn "$T/as" "$SESAME" daemon secrets 2>"$T/secrets.log"
		wait_for 10 sh -c "'$T/as' '$SESAME' status 2>/dev/null | grep -q 'roles:.* secrets'"
		printf 'hunter2-wm\n' | as "$SESAME" init >/dev/null 2>&1
		printf 'token-value' | as "$SESAME" secret set tok >/dev/null 2>&1
		as "$SESAME" lock >/dev/null 2>&1
		wm overlay
		as wtype -s 300 q -k Return
		wait_for 5 grep -q "overlay: profile default is locked: asking for its password to launch sesame-probe" "$T/wm.log"
		ok $? "q's launch needs profile default, locked: the overlay asks for its password"
		as wtype -s 300 wrong-one
		sleep 0.3
		as grim "$U/unlock.png"
		cp "$U/unlock.png" "$art/wm-unlock.png"
		diag "screenshot: $art/wm-unlock.png"
		as wtype -s 100 -k Return
		wait_for 10 grep -q "overlay: unlocking profile default failed" "$T/wm.log"
		ok $? "a wrong password: not unlocked, and it asks again"
		as wtype -s 300 hunter2-wm -k Return
		wait_for 10 sh -c "[ \$(wc -l <'$U/probe.out') -ge 3 ]"
		ok $? "the right one unlocks the profile and launches the probe"
		as "$SESAME" secret get tok >"$T/out" 2>/dev/null
		is "$(cat "$T/out")" "token-value" "the profile is unlocked"
		grep -q -e hunter2-wm -e wrong-one "$T/wm.log" "$T/secrets.log" "$T/launcher.log" "$T/hub.log"
		is "$?" 1 "neither password is in any log"
	else
		skip "wtype is not installed (make deps installs it): no keyboard test"
		for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22; do skip "wtype is not installed"; done
	fi
else
	skip "grim is not installed (make deps installs it): no screenshot"
fi

# Hints (issue 30, point 5): distinct letters, not m, mm, mmm; a name
# that is no generic word (org.telegram.desktop: not d); kept while the
# window lives; wm focus by that name.
before=$(hints_of term-a term-b term-c term-evil)
# Each window in daemon-wm's list, so with its hint, before the next
# opens: hints are given in that order (two mail windows are one app id
# to swaymsg, which cannot tell that the second is there).
titled() { as "$SESAME" wm list 2>/dev/null | awk -F'\t' -v t="$1" '$3 == t { f = 1 } END { exit !f }'; }
window mail "Inbox"
M1=$WIN
wait_for 10 titled Inbox
window mail "Drafts"
M2=$WIN
wait_for 10 titled Drafts
window org.gnome.Music "Music"
MU=$WIN
wait_for 10 titled Music
window org.telegram.desktop "Telegram"
TG=$WIN
wait_for 10 titled Telegram
wm list --json
all=$(hints_of term-a term-b term-c term-evil mail org.gnome.Music org.telegram.desktop)
is "$(echo "$all" | tr ' ' '\n' | sort -u | wc -l | tr -d ' ')" 8 "eight windows, eight different hints ($all)"
is "$(echo "$all" | tr ' ' '\n' | awk 'length($0) != 1' | wc -l | tr -d ' ')" 0 "each one letter"
is "$(hints_of term-a term-b term-c term-evil)" "$before" "the older windows kept theirs"
is "$(hints_of org.telegram.desktop)" "l" "org.telegram.desktop: a letter of telegram (t and e were taken), not d"
is "$(hints_of mail | tr ' ' '\n' | sort | tr -d '\n')" "am" "two mail windows: m and a, not m and mm"
is "$(hints_of org.gnome.Music)" "u" "org.gnome.Music after them: u, from music (m is mail's)"
as swaymsg '[app_id=term-a] focus' >/dev/null
wait_for 5 first_is term-a
is "$(hints_of term-a term-b term-c term-evil mail org.gnome.Music org.telegram.desktop)" "$all" \
	"a focus change leaves every hint as it was"
wm focus Music
focused org.gnome.Music
ok $? "wm focus Music: the name its hint comes from"
wm focus telegram
focused org.telegram.desktop
ok $? "wm focus telegram (org.telegram.desktop)"
# The overlay with those eight, and a title far too long for its card:
# cut with an ellipsis, no text past the card (1280 px wide: cards end at
# 1024).  Then HiDPI: the output at scale 2 and 1.5.  Screenshots kept.
if command -v grim >/dev/null 2>&1 && command -v wtype >/dev/null 2>&1; then
	window term-long "$(printf 'a title far too long for any card %.0s' 1 2 3 4 5 6 7 8)"
	LONG=$WIN
	wait_for 10 listed term-long
	wm overlay
	sleep 0.3
	as grim "$U/long.png"
	as grim -t ppm "$U/long.ppm"
	cp "$U/long.png" "$art/wm-long-title.png"
	diag "screenshot: $art/wm-long-title.png"
	cols=$(python3 "$SESAME_SRC/tests/pixels.py" "$U/long.ppm" cols ffd700)
	last=${cols##* }
	[ "$cols" != none ] && [ "$last" -lt 1024 ]
	ok $? "a long title stops inside its card (text columns $cols)"
	as wtype -s 300 -k Escape
	kill "$LONG"
	# HiDPI: at scale 2 the overlay is drawn at 2x, not drawn at 1x and
	# doubled by the compositor (of the 2x2 pixel blocks holding text in
	# #ffd700, the configured text_color, a doubled picture has all four
	# alike); at 1.5 sway gives the surface scale 2 and scales it down.
	# Either way its cards are that much taller than at scale 1: the
	# focused card's bar (#4caf50) spans a card.
	bar() { r=$(python3 "$SESAME_SRC/tests/pixels.py" "$1" rows 4caf50); echo $(( ${r##* } - ${r%% *} + 1 )); }
	h1=$(bar "$U/long.ppm")
	for sc in 2 1.5; do
		as swaymsg "output HEADLESS-1 scale $sc" >/dev/null
		sleep 0.3
		wm overlay
		sleep 0.5
		as grim -t ppm "$U/scale.ppm"
		as grim "$U/scale.png"
		cp "$U/scale.png" "$art/wm-scale-$sc.png"
		diag "screenshot: $art/wm-scale-$sc.png"
		h=$(bar "$U/scale.ppm")
		awk -v a="$h" -v b="$h1" -v s="$sc" 'BEGIN { r = a / b; exit !(r > s * 0.9 && r < s * 1.1) }'
		ok $? "scale $sc: a card is $h pixels tall, $h1 at scale 1"
		if [ "$sc" = 2 ]; then
			d=$(python3 "$SESAME_SRC/tests/pixels.py" "$U/scale.ppm" doubled ffd700)
			awk -v d="$d" 'BEGIN { exit !(d + 0 < 0.9) }'
			ok $? "scale 2: drawn at 2x, not doubled (share of alike 2x2 text blocks: $d)"
		fi
		as wtype -s 300 -k Escape
		sleep 0.3
	done
	as swaymsg "output HEADLESS-1 scale 1" >/dev/null
else
	skip "grim or wtype is not installed (make deps installs them): no screenshot"
	skip "grim or wtype is not installed"
	skip "grim or wtype is not installed"
	skip "grim or wtype is not installed"
fi
kill "$M1" "$M2" "$MU" "$TG"

# Windows that close leave the list.
kill "$C"
not_listed() { ! listed "$1"; }
wait_for 5 not_listed term-c
ok $? "a closed window leaves the list"

# The order outlives daemon-wm (issue 30, point 6): the next one reads
# wm.mru (digests of app id and title) and lists the windows as the last
# one did, not focused-then-newest.
# Twice, the two orders of term-b and term-evil behind term-a: one of
# them is also what a daemon-wm knowing nothing would list.
order() { as "$SESAME" wm list 2>/dev/null | cut -f2 | tr '\n' ' '; }
wm_down() { ! wm_up; }
restart_wm() {
	kill "$WM"
	wait_for 10 wm_down
	spawn "$T/as" env XDG_DATA_DIRS="$U/apps:/usr/share" "$SESAME" daemon wm 2>>"$T/wm.log"
	WM=$spawned
	wait_for 10 wm_up
}
for seq in "term-evil term-b term-a" "term-b term-evil term-a"; do
	for a in $seq; do
		as swaymsg "[app_id=$a] focus" >/dev/null
		wait_for 5 first_is $a
	done
	before=$(order)
	restart_wm
	is "$(order)" "$before" "a new daemon-wm lists the windows in the order the last one left"
done
contains "$T/wm.log" "the order of 3 of 3 windows restored from wm.mru" "saying so"
is "$(stat -c %a "$U/run/wm.mru")" 600 "wm.mru is private (0600)"
grep -q term "$U/run/wm.mru"
is "$?" 1 "and holds digests: no app id, no title"
# A hostile or broken wm.mru: a warning, the windows listed all the same.
kill "$WM"
wait_for 10 wm_down
printf 'sesame-wm-mru 1\nzz\x00\xff%%s\n' "$(head -c 4000 /dev/zero | tr '\0' 'a')" | as sh -c "cat >'$U/run/wm.mru'"
spawn "$T/as" "$SESAME" daemon wm 2>>"$T/wm.log"
WM=$spawned
wait_for 10 wm_up
is "$(order | wc -w | tr -d ' ')" 3 "a torn wm.mru: every window listed"
as sh -c "rm -f '$U/run/wm.mru'; ln -s /etc/passwd '$U/run/wm.mru'"
restart_wm
ok $? "wm.mru a symbolic link: daemon-wm runs"
contains "$T/wm.log" "the window order will not outlive this daemon-wm" "and says the order will not be kept"

# An overlay closed for 5 s lets go of its painter, and all it held.
if [ -n "${painter:-}" ]; then
	no_painter() { ! pgrep -P "$WM" >/dev/null; }
	wait_for 12 no_painter
	ok $? "5 s after the overlay closed its painter is gone"
fi

# Without a compositor: a clear error, exit 1.
as env WAYLAND_DISPLAY=wayland-none "$SESAME" daemon wm >/dev/null 2>"$T/nowl"
is "$?" 1 "daemon-wm without a compositor exits 1"
contains "$T/nowl" "cannot connect to the Wayland compositor (WAYLAND_DISPLAY=wayland-none)" "saying why"

# When the compositor goes away, daemon-wm waits for the next one on the
# same WAYLAND_DISPLAY (issue 30, point 6), answering meanwhile that
# there is none.
kill "$SWAY"
wait_for 10 grep -q "waiting for a compositor at WAYLAND_DISPLAY=wayland-1" "$T/wm.log"
ok $? "when the compositor goes away, daemon-wm says it waits for the next one"
contains "$T/wm.log" "went away" "having logged why"
kill -0 "$WM"
ok $? "and keeps running"
wm list
is "$rc" 69 "sesame wm list meanwhile: exit 69"
contains "$T/err" "no Wayland compositor: daemon-wm waits for one at WAYLAND_DISPLAY=wayland-1" "saying why"
wait_for 10 test ! -e "$U/xdg/wayland-1"
start_sway
window term-z "Zeta"
wait_for 10 listed term-z
ok $? "a new compositor at wayland-1: daemon-wm takes it up and lists its windows"
contains "$T/wm.log" "wm: a compositor again" "and says so"
wm overlay
ok "$rc" "and shows its overlay there (the new compositor's globals)"

done_testing
