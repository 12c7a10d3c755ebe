#!/bin/sh
# daemon-launcher: desktop entries found the way the spec says (ids from
# subdirectories, Hidden masking, NoDisplay, OnlyShowIn, TryExec, bad
# files left out), fuzzy search over a fixture tree of real-world-shaped
# entries, frecency reordering and persisting, a rescan on change, and a
# launch with a launch profile's env, cwd and injected secret, after
# which the launcher's memory no longer holds the secret.
. "$(dirname "$0")/lib.sh"
use_private_paths
cp -r "$SESAME_SRC/tests/launcher/home" "$SESAME_SRC/tests/launcher/system" "$T/"
export XDG_DATA_HOME="$T/home" XDG_DATA_DIRS="$T/system:$T/nonexistent" XDG_CURRENT_DESKTOP=sway
unset LANG LC_ALL LC_MESSAGES
mkdir -p "$T/bin" "$T/work" "$SESAME_CONFIG_DIR"
# A stand-in nix: records its arguments, runs what follows -c.
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s/nix.args"\nshift 3\nexec "$@"\n' "$T" >"$T/bin/nix"
chmod +x "$T/bin/nix"
for prog in chromium firefox footclient; do
	printf '#!/bin/sh\nexit 0\n' >"$T/bin/$prog"
	chmod +x "$T/bin/$prog"
done
export PATH="$T/bin:$PATH"
SECRET=s3cret-token-VALUE-7f3a9c
cat >"$SESAME_CONFIG_DIR/config.toml" <<EOF
[profiles.default.secrets.access]
launcher = ["api-token", "api.token", "ld-preload"]

[profiles.default.launch_profiles.dev]
env = { GREETING = "hello-from-config", MODE = "dev" }
secrets = ["api-token"]
cwd = "$T/work"

[profiles.default.launch_profiles.late]
env = { GREETING = "later-wins" }

[profiles.default.launch_profiles.clash]
secrets = ["api-token", "api.token"]

[profiles.default.launch_profiles.over]
secrets = ["api.token"]

[profiles.default.launch_profiles.evil]
secrets = ["ld-preload"]

[profiles.default.launch_profiles.ungranted]
secrets = ["db-pass"]

[profiles.default.launch_profiles.shell1]
devshell = "first"

[profiles.default.launch_profiles.shell2]
devshell = "second"

[profiles.default.launch_profiles.nowhere]
cwd = "$T/does-not-exist"
EOF

start_launcher() {
	spawn "$SESAME" daemon launcher 2>>"$T/launcher.log"
	LAUNCHER=$spawned
	wait_for 10 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* launcher'"
}
top() { "$SESAME" launch search "$1" -n 1 | cut -f1; }

start_hub
start_secrets
start_launcher
grep -q '36 applications indexed (and 2 actions)' "$T/launcher.log"; ok $? "36 applications indexed from two trees, and 2 actions"
grep -q '5 files left out' "$T/launcher.log"; ok $? "a Link, a TryExec not installed, a broken file, a bad field code and a Hidden entry are left out"
run "$SESAME" status --doctor
contains "$T/out" "ok   launcher.seccomp" "status --doctor: daemon-launcher runs under its seccomp filter"
contains "$T/out" "ok   launcher.landlock        on" "and Landlock"
run "$SESAME" status --sandbox
grep -q "launcher.*landlock=abi[0-9]* seccomp=on" "$T/out"; ok $? "status --sandbox shows the launcher confined"
[ "$(awk '/^Seccomp:/ { print $2 }' /proc/"$LAUNCHER"/status)" = 2 ]; ok $? "(the kernel says so: Seccomp 2)"
sp=$(pgrep -P "$LAUNCHER" -x sesame-spawner)
[ -n "$sp" ] && [ "$(awk '/^Seccomp:/ { print $2 }' /proc/"$sp"/status)" = 0 ]
ok $? "its spawner (pid $sp) is the one process left unconfined, so that what it starts inherits nothing"
[ "$(ls /proc/"$sp"/fd 2>/dev/null | wc -l)" = 4 ]; ok $? "and holds nothing but stdin, stdout, stderr and its socket"

# Queries and their expected best match: exact, prefix, letters left
# out, a transposition, keywords, generic names, ids, several words.
while IFS='|' read -r query want; do
	got=$(top "$query")
	is "$got" "$want" "search '$query' -> $want"
done <<'EOF'
firefox|org.mozilla.firefox.desktop
fire|org.mozilla.firefox.desktop
frfx|org.mozilla.firefox.desktop
fierfox|org.mozilla.firefox.desktop
thunderbrd|thunderbird.desktop
files|org.gnome.Nautilus.desktop
nautilus|org.gnome.Nautilus.desktop
word processor|libreoffice-writer.desktop
spreadsheet|libreoffice-calc.desktop
password|org.keepassxc.KeePassXC.desktop
vscode|code.desktop
image editor|gimp.desktop
mail|thunderbird.desktop
volume|pavucontrol.desktop
wireshark|org.wireshark.Wireshark.desktop
dolphin|kde-org.kde.dolphin.desktop
obs|com.obsproject.Studio.desktop
calc|org.gnome.Calculator.desktop
jot|com.example.notes.desktop
slides|libreoffice-impress.desktop
vmi|vim.desktop
pyhton|python3.desktop
private window|org.mozilla.firefox.desktop:new-private-window
firefox new window|org.mozilla.firefox.desktop:new-window
EOF
is "$(top vi)" "vim.desktop" "a two-letter word still needs its letters in order (vi: Vim)"
is "$(top xvm)" "" "three letters allow a swap of neighbours only (xvm finds nothing)"
is "$(top firefox)" org.mozilla.firefox.desktop "Firefox before its own actions"
run "$SESAME" launch search '' -n 100
is "$(grep -c 'desktop:' "$T/out")" 0 "the empty query lists no actions"
run "$SESAME" launch search 'private window'
contains "$T/out" "Firefox: New Private Window" "an action is named App: Action"
is "$(top konsole)" "" "OnlyShowIn=KDE keeps Konsole out of a sway session's results"
is "$(top ghost)" "" "an entry whose TryExec is not installed is not offered"
run "$SESAME" launch search steam
ok $(grep -c '^steam.desktop' "$T/out") "a Hidden=true entry in XDG_DATA_HOME masks the system one"
run "$SESAME" launch search 'foot client'
ok $(grep -c footclient "$T/out") "NoDisplay=true entries are not offered..."
run "$SESAME" launch run footclient
ok "$rc" "...but start by id"
run "$SESAME" launch search terminal --json
grep -q '^\[{"id":"org.gnome.Terminal.desktop","name":"Terminal","generic":"Terminal Emulator","score":' "$T/out"
ok $? "--json gives id, name, generic name and score"
run "$SESAME" launch search x -n 0
is "$rc" 2 "-n 0 is a usage error"
run "$SESAME" launch search zzqxvw
is "$rc" 1 "a search nothing matches: exit 1"
contains "$T/err" "no application matches 'zzqxvw'" "and says so"
run "$SESAME" launch search zzqxvw --json
is "$rc:$(cat "$T/out")" "1:[]" "with --json: [] and exit 1"

# Frecency: Firefox and Chromium tie on "web browser" (the shorter name
# wins) until Chromium is launched; the order then changes and persists.
is "$(top 'web browser')" org.mozilla.firefox.desktop "before any launch, 'web browser' gives Firefox"
run "$SESAME" launch run chromium
ok "$rc" "launch run chromium"
grep -q '^started chromium.desktop (pid [0-9]*)$' "$T/out"; ok $? "run prints the id and pid"
"$SESAME" launch run chromium.desktop >/dev/null
is "$(top 'web browser')" chromium.desktop "after two launches, Chromium comes first"
kill "$LAUNCHER"; wait "$LAUNCHER" 2>/dev/null
start_launcher
is "$(top 'web browser')" chromium.desktop "frecency survives a launcher restart"
run "$SESAME" launch search 'web browser' -p other
is "$(head -1 "$T/out" | cut -f1)" org.mozilla.firefox.desktop "frecency is per profile"

# Rescan on change: a new entry appears without a restart.
cat >"$T/home/applications/sesame-probe.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=Sesame Probe
Exec=sh -c "env >'$T/probe.env'; pwd >'$T/probe.pwd'; echo \\"\\\$@\\" >'$T/probe.args'" probe
EOF
wait_for 5 sh -c "'$SESAME' launch search 'sesame probe' | grep -q sesame-probe.desktop"
ok $? "a new desktop entry is found without a restart (inotify)"

# A desktop action, launched by its id.
cat >"$T/home/applications/sesame-action.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=Sesame Action
Exec=true
Actions=second;broken;unlisted-ok

[Desktop Action second]
Name=Second Probe
Exec=sh -c "echo second >'$T/probe.second'"

[Desktop Action broken]
Name=Broken
Exec=sh -c "unclosed

[Desktop Action unlisted]
Name=Not In Actions
Exec=true
EOF
wait_for 5 sh -c "'$SESAME' launch search 'second probe' | grep -q 'sesame-action.desktop:second'"
ok $? "its action is found by its name"
is "$("$SESAME" launch search 'sesame action' | cut -f1 | tr '\n' ' ')" "sesame-action.desktop sesame-action.desktop:second " \
	"the app and its one good action: a bad Exec and an unlisted group are left out"
run "$SESAME" launch run sesame-action.desktop:second
ok "$rc" "launch run APP:ACTION"
wait_for 5 test -s "$T/probe.second"
ok $? "runs the action's Exec"

printf 'pw\n' | "$SESAME" init -p default >/dev/null 2>&1
printf "%s" "$SECRET" | "$SESAME" secret set -p default api-token >/dev/null
printf x | "$SESAME" secret set -p default ld-preload >/dev/null
printf x | "$SESAME" secret set -p default db-pass >/dev/null
printf 'from-api.token' | "$SESAME" secret set -p default api.token >/dev/null

run "$SESAME" launch run sesame-probe --tag dev --tag late -- one two
ok "$rc" "launch with two tags"
[ "$rc" = 0 ] || sed "s/^/#   /" "$T/err"
wait_for 5 test -s "$T/probe.args"
contains "$T/probe.env" "API_TOKEN=$SECRET" "the child sees the injected secret"
contains "$T/probe.env" "GREETING=later-wins" "env merges with the later tag winning"
contains "$T/probe.env" "MODE=dev" "and keeps what only the first set"
contains "$T/probe.env" "SESAME_PROFILE=default" "SESAME_PROFILE is set"
contains "$T/probe.env" "SESAME_APP_ID=sesame-probe.desktop" "SESAME_APP_ID is set"
is "$(cat "$T/probe.pwd")" "$T/work" "cwd from the launch profile"
is "$(cat "$T/probe.args")" "one two" "extra arguments reach the application"

# The launcher's memory after the launch: the secret must be gone (the
# config's own strings are found, which shows the scan reads memory).
scan() {
	perl -e '
		my ($pid, @needles) = @ARGV; my %hit;
		open(my $maps, "<", "/proc/$pid/maps") or exit 2;
		open(my $mem, "<:raw", "/proc/$pid/mem") or exit 2;
		my $read = 0;
		while (<$maps>) {
			my ($a, $b, $perm, $path) = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/ or next;
			next unless $perm =~ /^r/ && $path !~ /\[vvar|\[vsyscall/;
			my ($s, $e) = (hex $a, hex $b);
			sysseek($mem, $s, 0) or next;
			my $buf = "";
			my $n = sysread($mem, $buf, $e - $s);
			next unless $n;
			$read += $n;
			for (@needles) { $hit{$_}++ if index($buf, $_) >= 0 }
		}
		exit 3 unless $read;
		print join(" ", map { $hit{$_} ? "found" : "absent" } @needles), "\n";
	' "$@"
}
res=$(scan "$LAUNCHER" hello-from-config "$SECRET" 2>/dev/null); src=$?
if [ $src -ne 0 ]; then
	skip "cannot read /proc/$LAUNCHER/mem here (needs root or CAP_SYS_PTRACE: the launcher is not dumpable)"
	skip "same"
else
	is "${res% *}" found "the memory scan finds the config's strings in the launcher"
	is "${res#* }" absent "the secret is no longer in the launcher's memory after the launch"
fi

rm -f "$T/probe.args"
run "$SESAME" launch run sesame-probe --tag shell1 --tag shell2 -- in-shell
wait_for 5 test -s "$T/probe.args"
is "$(head -3 "$T/nix.args" | tr '\n' ' ')" "develop second -c " "a devshell wraps the command once, the last tag's"
is "$(cat "$T/probe.args")" "in-shell" "and the application runs inside it"

# Refusals: nothing is started.
rm -f "$T/probe.args"
run "$SESAME" launch run sesame-probe --tag evil
is "$rc" 77 "a secret that would set LD_PRELOAD is refused (77)"
contains "$T/err" "would set LD_PRELOAD" "and the error says which variable"
run "$SESAME" launch run sesame-probe --tag ungranted
is "$rc" 77 "a secret not granted to daemon-launcher is refused (77)"
contains "$T/err" "list it in [profiles.default.secrets.access] launcher" "with the fix in the message"
run "$SESAME" launch run sesame-probe --tag clash
is "$rc" 1 "two secrets of one launch profile that set one variable are refused"
contains "$T/err" "'api-token' and 'api.token' would both set API_TOKEN" "and the error names both"
run "$SESAME" launch run sesame-probe --tag nosuch
is "$rc" 1 "an unknown launch profile fails"
contains "$T/err" "no launch profile 'nosuch' in profile default" "and says so"
run "$SESAME" launch run sesame-probe --tag nowhere
contains "$T/err" "is not an existing absolute directory" "a cwd that does not exist is refused"
"$SESAME" lock >/dev/null
run "$SESAME" launch run sesame-probe --tag dev
is "$rc" 77 "with the vault locked, a launch needing a secret is refused (77)"
contains "$T/err" "profile default is locked" "and the error says the profile is locked"
sleep 0.3
[ ! -e "$T/probe.args" ]; ok $? "none of the refused launches started anything"
printf 'pw\n' | "$SESAME" unlock >/dev/null
run "$SESAME" launch run sesame-probe --tag dev --tag over -- over
wait_for 5 test -s "$T/probe.args"
is "$(grep -c '^API_TOKEN=' "$T/probe.env")" 1 "a variable two tags' secrets set is set once"
contains "$T/probe.env" "API_TOKEN=from-api.token" "from the later tag, as for env"
"$SESAME" lock >/dev/null
run "$SESAME" launch run nosuch
is "$rc" 1 "an unknown entry id fails"
if command -v systemd-run >/dev/null && [ -S "${XDG_RUNTIME_DIR:-/nonexistent}/systemd/private" ]; then
	skip "a user systemd is running: direct launches are what this test checks"
else
	grep -q 'starting applications directly' "$T/launcher.log"
	ok $? "without a user systemd, applications are started directly"
fi

# With a user systemd (its private socket and systemd-run on PATH) the
# launch goes through systemd-run --user --scope.  A stand-in systemd-run
# records its arguments and runs the command, as the real one does.
kill "$LAUNCHER"; wait "$LAUNCHER" 2>/dev/null
mkdir -p "$T/xdg/systemd" "$T/sdbin"
: >"$T/xdg/systemd/private"
cat >"$T/sdbin/systemd-run" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >'$T/systemd-run.args'
while [ "\$1" != -- ]; do shift; done
shift
exec "\$@"
EOF
chmod +x "$T/sdbin/systemd-run"
XDG_RUNTIME_DIR=$T/xdg PATH="$T/sdbin:$PATH" start_launcher
grep -q 'starting applications in systemd user scopes' "$T/launcher.log"
ok $? "a user systemd is detected"
rm -f "$T/probe.args"
"$SESAME" launch run sesame-probe -- via-scope >/dev/null
wait_for 5 test -s "$T/probe.args"
is "$(cat "$T/probe.args")" "via-scope" "the application runs through systemd-run"
is "$(head -4 "$T/systemd-run.args" | tr '\n' ' ')" "--user --scope --quiet --unit=app-sesame-sesame_probe_desktop-$LAUNCHER-1.scope " \
	"as a user scope named after the entry"
done_testing
