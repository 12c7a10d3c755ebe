#!/bin/sh
# The multicall binary: dispatch on argv[0], `daemon ROLE`, and `CMD`;
# true help for each; clear usage errors with exit 2.
. "$(dirname "$0")/lib.sh"

run "$SESAME"
is "$rc" 2 "no arguments: exit 2"
contains "$T/err" "usage: sesame COMMAND" "no arguments: usage on stderr"

run "$SESAME" frobnicate
is "$rc" 2 "unknown command: exit 2"
contains "$T/err" "sesame: unknown command 'frobnicate'" "unknown command is named on stderr"
is "$(wc -c <"$T/out" | tr -d ' ')" 0 "unknown command: nothing on stdout"

run "$SESAME" --bogus
is "$rc" 2 "unknown option: exit 2"

run "$SESAME" --version
is "$rc" 0 "--version exits 0"
contains "$T/out" "sesame " "--version prints the version"

run "$SESAME" --list
is "$rc" 0 "--list exits 0"
for a in daemon daemon-profile daemon-secrets daemon-launcher daemon-snippets; do
	contains "$T/out" "$a" "--list shows $a"
done
is "$(sort "$T/out" | uniq -d | wc -l | tr -d ' ')" 0 "--list names each applet once"

run "$SESAME" --help
is "$rc" 0 "--help exits 0"
contains "$T/out" "Daemon roles" "--help lists the daemon roles"
contains "$T/out" "EXIT STATUS" "--help documents exit codes"
# Help texts are C strings made by applets/mktable.awk: a backslash in
# one must come out as written, not as an escape.
run "$SESAME" snippet --help
contains "$T/out" 'newlines shown as \n)' "a help text's backslash comes out as written"
run "$SESAME" export --help
contains "$T/out" '(\ " $ ` and newlines escaped)' "a lone one too"

# The same help through every way of reaching a role.
ln -s "$SESAME" "$T/daemon-secrets"
run "$T/daemon-secrets" --help
is "$rc" 0 "daemon-secrets --help through a symlink exits 0"
cp "$T/out" "$T/help-symlink"
contains "$T/help-symlink" "usage: daemon-secrets" "the symlink shows daemon-secrets help"
run "$SESAME" daemon secrets --help
cmp -s "$T/out" "$T/help-symlink"; ok $? "sesame daemon secrets --help is the same help"
run "$SESAME" help daemon-secrets
cmp -s "$T/out" "$T/help-symlink"; ok $? "sesame help daemon-secrets is the same help"
run "$SESAME" help daemon secrets
cmp -s "$T/out" "$T/help-symlink"; ok $? "sesame help daemon secrets is the same help"

# A role without code in this build (the desktop roles under DESKTOP=0)
# says so and fails; it never pretends to run.
if "$SESAME" daemon input --help | grep -q "no desktop roles"; then
	ln -s "$SESAME" "$T/daemon-input"
	run "$T/daemon-input"
	is "$rc" 1 "a role this build lacks exits 1"
	contains "$T/err" "daemon-input: not in this build (built with DESKTOP=0)" "and says it is not there"
	run "$T/daemon-input" --help
	contains "$T/out" "Not in this build: running it says so" "and its help says so too"
else
	skip "every role is built here (DESKTOP=1): none to refuse"
	skip "every role is built here"
	skip "every role is built here"
fi

run "$SESAME" daemon
is "$rc" 2 "daemon without a role: exit 2"
contains "$T/err" "secrets" "daemon without a role lists the roles"
run "$SESAME" daemon nope
is "$rc" 2 "unknown role: exit 2"
contains "$T/err" "unknown role 'nope'" "unknown role is named"

# Every command that takes a profile checks its name the same way, before
# it reaches for a daemon.
for cmd in "init -p" "unlock -p" "passwd -p" "lock -p" "secret get x -p" "snippet list -p" \
	"launch search x -p" "export -p" "env -p" "profile show"; do
	set -- $cmd ../x
	[ "$1" = env ] && set -- "$@" -- true
	run "$SESAME" "$@"
	is "$rc" 2 "$1 refuses the profile name ../x as a usage error"
	contains "$T/err" "'../x' is not a valid profile name (1 to 64 letters" "and says what a name may be"
done
set --
run "$SESAME" help nosuch
is "$rc" 2 "help for an unknown command: exit 2"

# A symlink with an unknown name behaves as sesame itself.
ln -s "$SESAME" "$T/other-name"
run "$T/other-name" --version
is "$rc" 0 "an unknown argv[0] falls back to sesame's own dispatch"

# A refused option is named once, by sesame, with what is wrong with it
# (getopt's own message, prefixed with the subcommand, is off).
for c in "secret get -p|option -p needs a value" "secret get --bogus k|unknown option '--bogus'" \
	"secret get -yz k|unknown option -z" "secret get --json=1 k|option '--json' takes no value" \
	"lock --profile|option '--profile' needs a value" "export -f|option -f needs a value" \
	"env --format shell -- true|--format is for export, not env" "audit tail -x|unknown option -x" \
	"ssh list -k x|-k, --key is for ssh enroll and revoke, not ssh list" "unlock -x|unknown option -x" \
	"status --bogus|unknown option '--bogus'" "status --output|option '--output' needs a value" \
	"profile list --reset|--reset is for profile default" "config show --jsn|unknown option '--jsn'" \
	"passwd --profile|option '--profile' needs a value" "daemon secrets --idle-lock|option '--idle-lock' needs a value" \
	"audit tail --lines|option '--lines' needs a value"; do
	args=${c%%|*} want=${c#*|}
	run "$SESAME" $args
	is "$rc" 2 "sesame $args: exit 2"
	is "$(head -1 "$T/err")" "sesame: $want" "sesame $args: $want"
	is "$(wc -l <"$T/err" | tr -d ' ')" 2 "sesame $args: the reason and where to look, nothing else"
done

# Numbers typed on the command line: one reading everywhere (parse_range).
# An empty -n was taken as 0, "-1" as an entry id of 2^64-1, " 5" and "+5"
# as 5; each is a usage error now, quoting what was typed and the range.
for c in "audit tail -n|''|0 to 1000000" "clipboard history --limit|-1|1 to 1000" \
	"clipboard get --|-1|1 to 9223372036854775807" "clipboard get|+7|1 to 9223372036854775807" \
	"launch search x -n| 5|1 to 200" "unlock --wait|99999999999999999999|0 to 3600" \
	"daemon secrets --idle-lock|1s|0 to 2592000"; do
	args=${c%%|*} rest=${c#*|} val=${rest%%|*} range=${rest#*|}
	[ "$val" = "''" ] && val=
	run "$SESAME" $args "$val"
	is "$rc" 2 "sesame $args '$val': a usage error (exit 2)"
	contains "$T/err" "'$val' is not a number from $range" "  quoting it and the range $range"
done

# Output errors are reported, not swallowed.
if [ -w /dev/full ]; then
	"$SESAME" --help >/dev/full 2>/dev/null
	is "$?" 1 "a write error on stdout (/dev/full) exits 1"
else
	skip "/dev/full is not available"
fi

done_testing
