#!/bin/sh
# sesame env --env-file and --mask (issue 32, point 1): a .env file's
# variables and sesame:// references, only the referenced secrets
# fetched, everything checked before the command runs; --mask conceals
# the values in the command's output (pipe and pseudo-terminal), keeps
# its exit status and passes line-oriented output at once.
. "$(dirname "$0")/lib.sh"

use_private_paths
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p work >/dev/null
printf 'pw\n' | "$SESAME" init -p other >/dev/null
printf 'Pa55-w0rd!' | "$SESAME" secret set -p work db-password >/dev/null
printf 'slashed-value' | "$SESAME" secret set -p work 'a/b c%' >/dev/null
printf 'unrelated-1' | "$SESAME" secret set -p work unrelated >/dev/null
printf 'abc' | "$SESAME" secret set -p other pin >/dev/null
cat >"$T/app.env" <<'ENV'
# the app's environment
export APP_ENV=staging
GREETING="hello\tworld"
LITERAL='no $expansion\n'
PLAIN = some value   # a comment
DB_PASSWORD=sesame://work/db-password
ODD="sesame://work/a%2Fb%20c%25"
ENV
run "$SESAME" env --env-file "$T/app.env" -- sh -c 'printf "%s|%s|%s|%s|%s|%s\n" "$APP_ENV" "$GREETING" "$LITERAL" "$PLAIN" "$DB_PASSWORD" "$ODD"'
ok "$rc" "env --env-file runs the command"
is "$(cat "$T/out")" "staging|hello	world|no \$expansion\\n|some value|Pa55-w0rd!|slashed-value" \
	"plain, quoted and single-quoted values, and references (percent-decoded) all set"
gets() { grep -c '"event":"secret.get"' "$SESAME_DATA_DIR/audit.jsonl"; }
before=$(gets)
run "$SESAME" env --env-file "$T/app.env" -- sh -c 'echo "${UNRELATED-unset}"'
is "$(cat "$T/out")" "unset" "no other secret of the profile is set"
is "$(($(gets) - before))" 2 "and only the two referenced were read (the audit log's secret.get lines)"

printf 'A=1\nX=sesame://work/missing\n' >"$T/bad.env"
run "$SESAME" env --env-file "$T/bad.env" -- touch "$T/ran"
is "$rc" 1 "an unknown reference: exit 1"
[ ! -e "$T/ran" ]; ok $? "and nothing ran"
contains "$T/err" "X: sesame://work/missing" "naming the variable and the reference"
printf 'A=1\nLD_PRELOAD=/tmp/x.so\n' >"$T/bad.env"
run "$SESAME" env --env-file "$T/bad.env" -- touch "$T/ran"
contains "$T/err" "bad.env:2: LD_PRELOAD: a variable that changes how programs load or run; refused" \
	"a denylisted name: refused with file and line"
[ ! -e "$T/ran" ]; ok $? "nothing ran"
"$SESAME" env --env-file "$T/bad.env" --allow LD_PRELOAD -- sh -c 'test "$LD_PRELOAD" = /tmp/x.so' 2>/dev/null
ok $? "--allow lets it through"
printf 'A=1\nA=2\n' >"$T/bad.env"
run "$SESAME" env --env-file "$T/bad.env" -- true
contains "$T/err" "bad.env:2: A is set twice (also line 1)" "a name twice: refused"
printf 'A="open\n' >"$T/bad.env"
run "$SESAME" env --env-file "$T/bad.env" -- true
contains "$T/err" "bad.env:1: an unclosed double quote" "an unclosed quote: refused"
printf 'A=sesame://no-profile\n' >"$T/bad.env"
run "$SESAME" env --env-file "$T/bad.env" -- true
contains "$T/err" "a reference is sesame://PROFILE/NAME" "a malformed reference: refused"
printf 'DB_PASSWORD=1\n' >"$T/bad.env"
run "$SESAME" env -p work --env-file "$T/bad.env" -- true
contains "$T/err" "DB_PASSWORD is set by an env file and by secret 'db-password'" "-p and a file setting one name: refused"

cat >"$T/leak.sh" <<'SH'
echo "db is $DB_PASSWORD, again:$DB_PASSWORD."
echo "to stderr: $DB_PASSWORD" >&2
printf 'split: %s' "Pa55-"; sleep 0.3; printf '%s\n' "w0rd!"
exit 3
SH
run "$SESAME" env --env-file "$T/app.env" --mask -- sh "$T/leak.sh"
is "$rc" 3 "--mask keeps the command's exit status"
contains "$T/out" "db is <concealed by sesame>, again:<concealed by sesame>." "values concealed in stdout"
contains "$T/err" "to stderr: <concealed by sesame>" "and in stderr"
contains "$T/out" "split: Pa55-w0rd!" "a value written in two pieces 300 ms apart is not held back (documented)"
! grep -q "Pa55-w0rd!" "$T/err"; ok $? "no value in stderr"
run "$SESAME" env --env-file "$T/app.env" --mask -- sh -c 'kill -TERM $$'
is "$rc" 143 "a command killed by SIGTERM: 128 + 15"
run "$SESAME" env -p other --mask -- sh -c 'echo "pin $PIN"'
contains "$T/out" "pin abc" "a value under 4 bytes is not concealed"
contains "$T/err" "PIN is shorter than 4 bytes: not concealed" "and that is said"
if command -v python3 >/dev/null; then
	# Under a terminal: the command sees one (line buffered) and each line
	# arrives as soon as it is written, masked.
	run python3 -c '
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
t0, out = time.time(), b""
while True:
    try:
        d = os.read(fd, 1024)
    except OSError:
        break
    if not d:
        break
    out += d
    if b"first" in out and not hasattr(sys, "first_at"):
        sys.first_at = time.time() - t0
os.waitpid(pid, 0)
sys.stdout.write(out.decode().replace("\r", ""))
sys.stdout.write("first line after %.1f s\n" % sys.first_at)
' "$SESAME" env --env-file "$T/app.env" --mask -- python3 -c '
import os, sys, time
print("tty" if sys.stdout.isatty() else "pipe")
print("first " + os.environ["DB_PASSWORD"])
time.sleep(1.5)
print("second")'
	contains "$T/out" "tty" "through a pseudo-terminal the command sees a terminal"
	contains "$T/out" "first <concealed by sesame>" "masked there too"
	grep -q "first line after 0\.[0-9] s" "$T/out"; ok $? "and its first line arrives before the next one is written"
else
	skip "python3 is needed for the terminal case"
fi
done_testing
