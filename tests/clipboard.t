#!/bin/sh
# daemon-clipboard and `sesame clipboard` under a real compositor: headless
# sway as a non-root user, text copied with wl-copy and read back with
# wl-paste (both through wlr-data-control, as any clipboard tool).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/wayland.sh"
need_sway clipboard wl-copy wl-paste
start_sway

as mkdir -p "$U/cfg"
printf '[profiles.default.clipboard]\nsensitive_ttl_s = 3\nmax_history = 5\n' |
	as sh -c "cat >'$U/cfg/config.toml'"
spawn "$T/as" "$SESAME" daemon profile 2>"$T/hub.log"
wait_for 10 test -s "$U/run/bus.pub"
spawn "$T/as" "$SESAME" daemon secrets 2>"$T/secrets.log"
up() { as "$SESAME" status 2>/dev/null | grep -q "roles:.* $1"; }
wait_for 10 up secrets
printf 'pw\n' | as "$SESAME" init >/dev/null 2>&1
ok $? "a vault for the default profile"
spawn "$T/as" "$SESAME" daemon clipboard 2>"$T/clip.log"
CLIP=$spawned
wait_for 10 up clipboard
ok $? "daemon-clipboard joins the bus"
contains "$T/clip.log" "sandbox: landlock=" "inside its sandbox"

clip() { as "$SESAME" clipboard "$@" >"$T/out" 2>"$T/err"; rc=$?; }
in_history() { as "$SESAME" clipboard history 2>/dev/null | grep -qF -- "$1"; }

spawn "$T/as" sh -c "exec '$SESAME' clipboard watch >'$U/watch.out' 2>'$U/watch.err'"
wait_for 5 grep -qs "Following daemon-clipboard's events" "$U/watch.err"
as wl-copy "hello clipboard" 2>/dev/null
wait_for 10 in_history "hello clipboard"
ok $? "a copied text shows in sesame clipboard history"
wait_for 5 grep -q "^recorded	1	default	[0-9:]*	\$" "$U/watch.out"
ok $? "sesame clipboard watch saw it recorded (id 1, profile default), without its text"
clip get
is "$(cat "$T/out")" "hello clipboard" "sesame clipboard get writes the newest entry exactly"
printf 'line one\n\033[31mred\ttab\n' | as wl-copy
wait_for 10 in_history "line one"
clip history
is "$(sed -n 1p "$T/out" | cut -f3)" "line one…" "the preview is the first line, marked as cut"
clip get
is "$(cat "$T/out" | od -An -c | tr -s ' ')" "$(printf 'line one\n\033[31mred\ttab\n' | od -An -c | tr -s ' ')" \
	"get returns the text byte for byte (escape and tab included)"
id_hello=$(as "$SESAME" clipboard history | awk -F'\t' '$3 == "hello clipboard" { print $1 }')
clip get "$id_hello"
is "$(cat "$T/out")" "hello clipboard" "get ID returns an older entry ($id_hello)"
as wl-copy "hello clipboard" 2>/dev/null
wait_for 10 sh -c "'$T/as' '$SESAME' clipboard history 2>/dev/null | head -1 | grep -q 'hello clipboard'"
ok $? "copying a text again moves it to the top"
is "$(as "$SESAME" clipboard history | grep -c 'hello clipboard')" 1 "without a second entry"

# A fake GitHub token: sensitive, kept 3 s, then gone from the history and
# from the clipboard itself.
TOKEN=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5
as wl-copy "$TOKEN" 2>/dev/null
wait_for 10 in_history "[sensitive: github-token"
ok $? "the token is recorded as sensitive (github-token)"
clip history
is "$(grep -c "$TOKEN" "$T/out")" 0 "history never shows its text"
is "$(as wl-paste -n 2>/dev/null)" "$TOKEN" "it is on the clipboard meanwhile"
clip get
is "$(cat "$T/out")" "$TOKEN" "and get returns it while it lasts"
grep -q "	github-token\$" "$U/watch.out"
ok $? "the watcher sees the token's kind, not the token"
is "$(grep -c "$TOKEN\|hello clipboard" "$U/watch.out")" 0 "(no copied text in any event)"
gone() { ! in_history "[sensitive"; }
wait_for 10 gone
ok $? "after sensitive_ttl_s it leaves the history"
cleared() { [ -z "$(as wl-paste -n 2>/dev/null)" ]; }
wait_for 5 cleared
ok $? "and the clipboard is cleared (wl-paste gets nothing)"
contains "$T/clip.log" "the sensitive selection was cleared" "the log says so"
is "$(grep -c "$TOKEN" "$T/clip.log")" 0 "without the token"

# Nothing readable on disk: no text, no token, in the database or its WAL.
is "$(cat "$U"/cache/clipboard/* 2>/dev/null | grep -ac -e 'hello clipboard' -e "$TOKEN" -e 'line one')" 0 \
	"the history files hold no copied text in clear"

# max_history = 5.
for i in 1 2 3 4 5 6; do
	as wl-copy "entry $i"
	wait_for 10 in_history "entry $i"
done
clip history
is "$(wc -l <"$T/out" | tr -d ' ')" 5 "max_history bounds the history (5 entries)"
is "$(sed -n 1p "$T/out" | cut -f3)" "entry 6" "the newest first"

# A copy too large for the history is left alone, and says so.
head -c 90000 /dev/zero | tr '\0' 'a' | as wl-copy 2>/dev/null
wait_for 5 grep -q "a selection over 60000 bytes is not recorded" "$T/clip.log"
ok $? "a 90 KB copy is not recorded (logged)"
clip history
is "$(sed -n 1p "$T/out" | cut -f3)" "entry 6" "the history is unchanged"

# Locked: nothing can be read, nothing is recorded.
as "$SESAME" lock >/dev/null
clip history
is "$rc" 77 "history while the profile is locked: exit 77"
contains "$T/err" "profile default is locked" "saying so"
clip get
is "$rc" 77 "get too"
as wl-copy "copied while locked" 2>/dev/null
wait_for 5 grep -q "is locked; the new selection is not recorded" "$T/clip.log"
ok $? "a copy while locked is not recorded (logged)"
printf 'pw\n' | as "$SESAME" unlock >/dev/null 2>&1
clip history
ok "$rc" "readable again after unlock"
is "$(grep -c 'copied while locked' "$T/out")" 0 "without what was copied while locked"

# The key is for daemon-clipboard alone.
as "$SESAME_BUILD/tests/buspeer" clipkey default >"$T/out" 2>"$T/err"
is "$?" 77 "the CLI cannot have the clipboard key, even claiming to be daemon-clipboard"
contains "$T/err" "clipboard.key is for daemon-clipboard alone" "it is refused with the reason"

clip clear
ok "$rc" "sesame clipboard clear"
contains "$T/err" "5 entries removed" "says how many went"
clip history
is "$(wc -c <"$T/out" | tr -d ' ')" 0 "the history is empty"
clip get 3
is "$rc" 1 "get of an entry that is gone: exit 1"
clip frob
is "$rc" 2 "an unknown subcommand is a usage error"

# detect_sensitive = false: the same token is kept as ordinary text.
printf '[profiles.default.clipboard]\ndetect_sensitive = false\n' | as sh -c "cat >'$U/cfg/config.toml'"
wait_for 5 sh -c "[ \$(grep -c 'config: reloaded' '$T/clip.log') -ge 1 ]"
as wl-copy "$TOKEN" 2>/dev/null
wait_for 10 in_history "$TOKEN"
ok $? "with detect_sensitive = false a token-looking text is ordinary history"
printf '[profiles.default.clipboard]\nsensitive_ttl_s = 3\nmax_history = 5\n' | as sh -c "cat >'$U/cfg/config.toml'"
wait_for 5 sh -c "[ \$(grep -c 'config: reloaded' '$T/clip.log') -ge 2 ]"

# The history survives a restart (sealed, on disk).
as wl-copy "kept across restarts" 2>/dev/null
wait_for 10 in_history "kept across restarts"
kill "$CLIP"; wait "$CLIP" 2>/dev/null
spawn "$T/as" "$SESAME" daemon clipboard 2>>"$T/clip.log"
CLIP=$spawned
wait_for 10 up clipboard
wait_for 5 in_history "kept across restarts"
ok $? "the history survives a restart of daemon-clipboard"

# As a user who is not root (the peer checker cannot read the executable
# of a process that is not dumpable): roles that hardened come back
# after sesame status --rotate-keys, the same processes, still serving.
as "$SESAME" status --rotate-keys >/dev/null 2>&1
ok $? "status --rotate-keys, as a user"
wait_for 10 sh -c "[ \$(grep -c 'role clipboard connected (pid $CLIP)' '$T/hub.log') -ge 2 ]"
ok $? "daemon-clipboard, no longer dumpable, is taken back with its new key (same pid)"
as wl-copy "after the rotation" 2>/dev/null
wait_for 10 in_history "after the rotation"
ok $? "and records the clipboard again"

# copy and delete (issue 30, point 9): an entry back on the clipboard,
# not recorded twice; an entry removed.
as wl-copy "copy me back" 2>/dev/null
wait_for 10 in_history "copy me back"
as wl-copy "something else" 2>/dev/null
wait_for 10 in_history "something else"
id_back=$(as "$SESAME" clipboard history | awk -F'\t' '$3 == "copy me back" { print $1 }')
before=$(as "$SESAME" clipboard history | wc -l)
clip copy "$id_back"
ok "$rc" "sesame clipboard copy ID"
contains "$T/err" "Entry $id_back is on the clipboard" "says which entry"
is "$(as wl-paste -n 2>/dev/null)" "copy me back" "wl-paste now gives that entry's text"
sleep 0.5
is "$(as "$SESAME" clipboard history | wc -l)" "$before" "and it is not recorded again"
clip delete "$id_back"
ok "$rc" "sesame clipboard delete ID"
in_history "copy me back"
is "$?" 1 "the entry is gone from the history"
clip delete "$id_back"
is "$rc" 1 "deleting it again: exit 1"
contains "$T/err" "no clipboard entry $id_back" "saying there is no such entry"
clip delete
is "$rc" 2 "delete without an id is a usage error"

# secret get --clip: the secret on the clipboard, marked a password
# manager's, never in the history, cleared after --ttl.
printf 'clip-secret-value' | as "$SESAME" secret set wifi >/dev/null 2>&1
as "$SESAME" secret get --clip --ttl 2 wifi >"$T/out" 2>"$T/err"
ok $? "sesame secret get --clip --ttl 2"
contains "$T/err" "on the clipboard for 2 s" "says so"
is "$(cat "$T/out")" "" "and prints nothing on standard output"
is "$(as wl-paste -n 2>/dev/null)" "clip-secret-value" "wl-paste gives the secret"
as wl-paste --list-types >"$T/types" 2>/dev/null
contains "$T/types" "x-kde-passwordManagerHint" "offered with x-kde-passwordManagerHint"
sleep 0.5
in_history "clip-secret-value"
is "$?" 1 "not in the clipboard history"
is "$(grep -c clip-secret-value "$T/clip.log")" 0 "nor in daemon-clipboard's log"
gone() { [ -z "$(as wl-paste -n 2>/dev/null)" ]; }
wait_for 5 gone
ok $? "cleared from the clipboard after 2 s"
as "$SESAME" secret get --clip nosuch >"$T/out" 2>"$T/err"
is "$?" 1 "a secret that does not exist: exit 1, the clipboard untouched"

# Images (issue 30, point 9): recorded sealed like text, shown by type
# and size, given back exactly, put back on the clipboard by copy; the
# newest max_images (2 here) kept; one over 60000 bytes left out.
printf '[profiles.default.clipboard]\nsensitive_ttl_s = 3\nmax_history = 5\nmax_images = 2\n' |
	as sh -c "cat >'$U/cfg/config.toml'"
wait_for 5 grep -q "config: reloaded" "$T/clip.log"
for i in 1 2 3; do
	head -c 2000 /dev/urandom >"$U/img$i"
	chmod 644 "$U/img$i"
	as sh -c "wl-copy --type image/png <'$U/img$i'" 2>/dev/null
	wait_for 10 sh -c "'$T/as' '$SESAME' clipboard history 2>/dev/null | head -1 | grep -q 'image/png, 2000 bytes'" || break
	sleep 0.3
done
clip history
is "$(grep -c 'image/png, 2000 bytes' "$T/out")" 2 "three images copied, the newest two kept (max_images = 2)"
img_id=$(sed -n 1p "$T/out" | cut -f1)
as "$SESAME" clipboard get "$img_id" >"$T/img.out" 2>/dev/null
cmp -s "$T/img.out" "$U/img3"
ok $? "clipboard get gives the newest image back byte for byte"
python3 -c 'import sys, glob
img = open(sys.argv[1], "rb").read()
sys.exit(any(img[i:i + 32] in open(f, "rb").read() for f in glob.glob(sys.argv[2] + "*") for i in (0, 1000)))' \
	"$U/img3" "$U/cache/clipboard/default.db"
ok $? "the history files hold no image bytes in clear"
as wl-copy "text again" 2>/dev/null
wait_for 10 in_history "text again"
clip copy "$img_id"
ok "$rc" "clipboard copy of an image"
as wl-paste --type image/png >"$T/pasted" 2>/dev/null
cmp -s "$T/pasted" "$U/img3"
ok $? "wl-paste --type image/png gives it back"
head -c 70000 /dev/urandom >"$U/big"
chmod 644 "$U/big"
as sh -c "wl-copy --type image/png <'$U/big'" 2>/dev/null
wait_for 10 grep -q "a selection over 60000 bytes is not recorded" "$T/clip.log"
ok $? "an image over 60000 bytes is not recorded (logged)"
printf '[profiles.default.clipboard]\nsensitive_ttl_s = 3\nmax_history = 5\n' | as sh -c "cat >'$U/cfg/config.toml'"
wait_for 5 sh -c "[ \$(grep -c 'config: reloaded' '$T/clip.log') -ge 2 ]"

# The primary selection (issue 30, point 9): a token selected with the
# mouse is cleared after sensitive_ttl_s (3 s here) and never recorded;
# ordinary text is left alone.
PTOKEN=ghp_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8
as wl-copy --primary "$PTOKEN" 2>/dev/null
wait_for 10 grep -q "the primary selection looks sensitive (github-token)" "$T/clip.log"
ok $? "a token in the primary selection is seen as sensitive"
is "$(as wl-paste --primary -n 2>/dev/null)" "$PTOKEN" "it is there meanwhile"
pgone() { [ -z "$(as wl-paste --primary -n 2>/dev/null)" ]; }
wait_for 8 pgone
ok $? "and cleared from the primary selection after sensitive_ttl_s"
in_history "$PTOKEN"
is "$?" 1 "never in the history"
is "$(grep -c "$PTOKEN" "$T/clip.log")" 0 "nor in the log"
as wl-copy --primary "just some words" 2>/dev/null
sleep 4
is "$(as wl-paste --primary -n 2>/dev/null)" "just some words" "ordinary text stays in the primary selection"
in_history "just some words"
is "$?" 1 "and the primary selection is not recorded"

# Without a compositor: a clear error, exit 1.
as env WAYLAND_DISPLAY=wayland-none "$SESAME" daemon clipboard >/dev/null 2>"$T/nowl"
is "$?" 1 "daemon-clipboard without a compositor exits 1"
contains "$T/nowl" "cannot connect to the Wayland compositor" "saying why"

# The compositor goes away: daemon-clipboard keeps the history and
# waits for the next compositor on the same WAYLAND_DISPLAY.
kill "$SWAY"
wait_for 10 grep -q "waiting for a compositor at WAYLAND_DISPLAY=wayland-1" "$T/clip.log"
ok $? "when the compositor goes away, daemon-clipboard says it waits for the next one"
kill -0 "$CLIP"
ok $? "and keeps running"
in_history "after the rotation"
ok $? "the history is still served"
wait_for 10 test ! -e "$U/xdg/wayland-1"
start_sway
wait_for 10 grep -q "clipboard: a compositor again" "$T/clip.log"
ok $? "a new compositor at wayland-1: daemon-clipboard takes it up"
as wl-copy "on the new compositor" 2>/dev/null
wait_for 10 in_history "on the new compositor"
ok $? "and records its clipboard"

done_testing
