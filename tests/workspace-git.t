#!/bin/sh
# sesame workspace clone, status and list through libgit2 (issue 31):
# local bare repositories served by file:// and by a real `git daemon` on
# 127.0.0.1; adopt and origin mismatch; a server that stops answering, a
# Ctrl-C and a SIGKILL during a clone leave nothing behind.  (The git CLI
# only makes the fixtures: sesame runs none.)
. "$(dirname "$0")/lib.sh"

if ! command -v git >/dev/null 2>&1; then
	skip "git is not installed (make deps installs it): no fixture repositories"
	done_testing
	exit
fi
if "$SESAME" workspace list 2>&1 | grep -q "built with GIT=0"; then
	skip "this build has no git (GIT=0)"
	done_testing
	exit
fi
use_private_paths
export HOME=$T/home
mkdir -p "$HOME"
g() { git -c user.email=t@example.com -c user.name=Test -c init.defaultBranch=main "$@"; }
SRV=$T/srv
repo() { # repo ORG NAME: a bare repository with one commit on main
	g init -q --bare "$SRV/$1/$2.git"
	g clone -q "$SRV/$1/$2.git" "$T/tmp-$2" 2>/dev/null
	echo "$2" >"$T/tmp-$2/README"
	g -C "$T/tmp-$2" add README && g -C "$T/tmp-$2" commit -q -m "first commit of $2"
	g -C "$T/tmp-$2" push -q origin HEAD:main 2>/dev/null
	rm -rf "$T/tmp-$2"
}
repo work-org api
repo work-org web
repo me blog
W=$T/ws
"$SESAME" workspace init --root "$W" --user me >/dev/null

run "$SESAME" clone "file://$SRV/work-org/api.git" -p work
ok "$rc" "clone file://...: ok"
API=$W/me/localhost/work-org/api
contains "$T/out" "Cloned to: $API" "into {root}/{user}/localhost/{org}/{repo}"
contains "$T/out" "Linked -> profile \"work\"" "-p links it"
is "$(cat "$API/README")" "api" "the checkout has the files"
run "$SESAME" workspace status "$API/" -v
contains "$T/out" "Remote: file://$SRV/work-org/api.git" "status: the remote"
contains "$T/out" "Branch: main" "the branch"
grep -q "^Commit: [0-9a-f]\{7\} first commit of api$" "$T/out"; ok $? "the short commit and its summary"
contains "$T/out" "Tracking: origin/main (up to date)" "tracking"
contains "$T/out" "Status: clean" "clean"
contains "$T/out" "Profile: work (source: user config link)" "the profile and where it comes from"
contains "$T/out" "Convention: $W / me / localhost / work-org / api" "-v: the layout"
grep -q "^Disk: [0-9.]* MiB$" "$T/out"; ok $? "-v: the disk it takes"

echo change >>"$API/README"
g -C "$API" commit -q -am "a local change"
echo new >"$API/untracked"
run "$SESAME" workspace status "$API"
contains "$T/out" "Tracking: origin/main (ahead)" "a local commit: ahead"
contains "$T/out" "  1 ahead, 0 behind" "counted"
contains "$T/out" "Status: dirty" "an untracked file: dirty"

run "$SESAME" workspace clone "file://$SRV/work-org/api.git"
ok "$rc" "cloning it again: the checkout is adopted"
contains "$T/out" "Adopted existing repository: $API" "and says so"
run "$SESAME" workspace clone "FILE://$SRV/work-org/api.git/" --no-adopt
is "$rc" 1 "--no-adopt: an existing checkout is an error"
g init -q --bare "$T/elsewhere/work-org/api.git"
run "$SESAME" workspace clone "file://$T/elsewhere/work-org/api.git"
is "$rc" 1 "another origin for the same place: refused"
contains "$T/err" "is a checkout of file://$SRV/work-org/api.git, not of file://$T/elsewhere/work-org/api.git" \
	"naming both"
run "$SESAME" workspace clone "file://$SRV/work-org/missing.git"
is "$rc" 1 "a repository that is not there: exit 1"
[ ! -e "$W/me/localhost/work-org/missing" ] && ! ls -a "$W/me/localhost/work-org" | grep -q sesame-clone
ok $? "and nothing left behind"

# A real git daemon on 127.0.0.1.
PORT=$((20000 + $$ % 20000))
git daemon --export-all --base-path="$SRV" --listen=127.0.0.1 --port=$PORT --reuseaddr \
	--pid-file="$T/daemon.pid" "$SRV" 2>"$T/daemon.log" &
DAEMON=$!
wait_for 10 sh -c "git ls-remote git://127.0.0.1:$PORT/work-org/web.git >/dev/null 2>&1"
ok $? "git daemon serves on 127.0.0.1:$PORT"
run "$SESAME" workspace clone "git://127.0.0.1:$PORT/work-org/web.git"
ok "$rc" "clone git://127.0.0.1:$PORT/work-org/web.git"
contains "$T/out" "Cloned to: $W/me/127.0.0.1_$PORT/work-org/web" "the server directory carries the port"
contains "$T/err" "is not encrypted" "with a warning: git:// is not private"

# git's smart HTTP: git http-backend behind a small local HTTP server.
HP=$((PORT + 3))
python3 "$SESAME_SRC/tests/workspace/githttp.py" $HP "$SRV" "$T/http.up" 2>"$T/http.log" &
HTTPD=$!
wait_for 10 test -e "$T/http.up"
run "$SESAME" workspace clone --no-workspace "http://127.0.0.1:$HP/me/blog.git"
ok "$rc" "clone http://127.0.0.1:$HP/me/blog.git (git http-backend)"
is "$(cat "$W/me/127.0.0.1_$HP/me/blog/README" 2>/dev/null)" "blog" "the checkout is there"
contains "$T/err" "is not encrypted" "with the warning http:// gets"
rm -rf "$W/me/127.0.0.1_$HP"
kill "$HTTPD" 2>/dev/null

run "$SESAME" workspace list
ok "$rc" "workspace list"
contains "$T/out" "localhost/work-org" "an organisation's header"
grep -q "^  api  *main  *[0-9a-f]\{7\}  *dirty  profile: work$" "$T/out"; ok $? "a row: repo, branch, commit, state, profile"
contains "$T/out" "2 servers, 2 orgs, 2 repos" "and the count"
run "$SESAME" workspace list --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert sorted(r["repo"] for r in d) == ["api", "web"] and [r["profile"] for r in d if r["repo"] == "api"] == ["work"] and all(r["is_workspace_git"] is False for r in d)' "$T/out"
ok $? "--json is parsable, with repo, profile and is_workspace_git"
run "$SESAME" workspace list --server localhost -f json
is "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")" 1 "--server filters"
run "$SESAME" workspace list -p work
contains "$T/out" "1 server, 1 org, 1 repo" "-p filters by profile"

# A server that takes the connection and says nothing: the clone times out.
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
open(sys.argv[2], "w").write("up")
conns = []
while True:
	c, _ = s.accept(); conns.append(c)
' $((PORT + 1)) "$T/stall.up" &
STALL=$!
wait_for 5 test -e "$T/stall.up"
STALLED=$W/me/127.0.0.1_$((PORT + 1))/work-org
left() { ls -A "$STALLED" 2>/dev/null | tr '\n' ' '; }
run "$SESAME" workspace clone --no-workspace --timeout 2 "git://127.0.0.1:$((PORT + 1))/work-org/api.git"
is "$rc" 1 "a server that never answers: the clone gives up (--timeout 2)"
contains "$T/err" "no answer for 2 s; nothing was left behind" "saying so"
is "$(left)" "" "and nothing is left"

"$SESAME" workspace clone --no-workspace "git://127.0.0.1:$((PORT + 1))/work-org/api.git" >/dev/null 2>"$T/int.err" &
CLONE=$!
wait_for 5 sh -c "ls -A '$STALLED' 2>/dev/null | grep -q sesame-clone"
ok $? "during a clone its checkout is a temporary directory beside the place ($(left))"
kill -INT "$CLONE"
wait "$CLONE"
is "$?" 130 "Ctrl-C: exit 130"
contains "$T/int.err" "interrupted; nothing was left behind" "saying so"
is "$(left)" "" "and nothing is left"

"$SESAME" workspace clone --no-workspace "git://127.0.0.1:$((PORT + 1))/work-org/api.git" >/dev/null 2>&1 &
CLONE=$!
wait_for 5 sh -c "ls -A '$STALLED' 2>/dev/null | grep -q sesame-clone"
kill -KILL "$CLONE"
wait "$CLONE" 2>/dev/null
sleep 0.3
ls -A "$STALLED" | grep -q sesame-clone; ok $? "SIGKILL: the temporary directory stays ($(left))"
kill "$STALL"
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(0.1)
' $((PORT + 1)) 2>/dev/null
run "$SESAME" workspace clone --no-workspace --timeout 2 "git://127.0.0.1:$((PORT + 1))/work-org/api.git"
is "$(left)" "" "the next clone there removes what a killed one left"

# ssh: a checkout made with git is adopted without the network.
g clone -q "$SRV/me/blog.git" "$W/me/github.com/me/blog" 2>/dev/null
g -C "$W/me/github.com/me/blog" remote set-url origin git@github.com:me/blog.git
run "$SESAME" clone git@github.com:me/blog.git
ok "$rc" "an ssh URL whose checkout is there: adopted, no network"

# A real OpenSSH sshd on 127.0.0.1, a key in a real ssh-agent, and the
# server's host key checked against known_hosts (hashed, as Debian's ssh
# writes it).  The sshd serves git-upload-pack on $SRV whatever the path.
SSHD=/usr/sbin/sshd
if [ "$(id -u)" != 0 ] || [ ! -x "$SSHD" ] || ! command -v ssh-keyscan >/dev/null; then
	skip "no sshd test: it needs root (sshd's privilege separation) and openssh-server (make deps installs it)"
else
	SP=$((PORT + 2))
	D=$T/sshd
	mkdir -p "$D" /run/sshd "$HOME/.ssh"
	ssh-keygen -q -t ed25519 -N '' -f "$D/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$D/other_key"
	ssh-keygen -q -t ed25519 -N '' -f "$D/user_key"
	cp "$D/user_key.pub" "$D/authorized_keys"
	cat >"$D/serve" <<EOS
#!/bin/sh
# ForceCommand: git-upload-pack on \$SRV, the path as the client gave it
set -f
cmd=\${SSH_ORIGINAL_COMMAND%% *} path=\${SSH_ORIGINAL_COMMAND#* }
path=\${path#\'} path=\${path%\'} path=\${path#/}
[ "\$cmd" = git-upload-pack ] || exit 1
exec git-upload-pack "$SRV/\$path"
EOS
	chmod 755 "$D/serve"
	cat >"$D/config" <<EOS
Port $SP
ListenAddress 127.0.0.1
HostKey $D/host_key
AuthorizedKeysFile $D/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $D/pid
ForceCommand $D/serve
PermitRootLogin prohibit-password
EOS
	"$SSHD" -D -e -f "$D/config" 2>"$T/sshd.log" &
	SSHD_PID=$!
	start_ssh_agent
	ssh-add -q "$D/user_key" 2>/dev/null
	wait_for 10 sh -c "ssh-keyscan -p $SP 127.0.0.1 2>/dev/null | grep -q ed25519"
	ok $? "sshd listens on 127.0.0.1:$SP"
	SURL="ssh://$(id -un)@127.0.0.1:$SP/work-org/api.git"
	SDEST=$W/me/127.0.0.1_$SP/work-org/api
	run "$SESAME" clone "$SURL"
	is "$rc" 1 "an ssh server whose host key is not known: refused"
	contains "$T/err" "the host key of 127.0.0.1 is not in ~/.ssh/known_hosts" "saying what to do"
	[ ! -e "$SDEST" ]; ok $? "and nothing cloned"
	ssh-keyscan -H -p $SP 127.0.0.1 2>/dev/null >"$HOME/.ssh/known_hosts"
	grep -q '^|1|' "$HOME/.ssh/known_hosts"; ok $? "known_hosts now has it, hashed"
	run "$SESAME" clone "$SURL" -p work
	ok "$rc" "clone over ssh with the agent's key"
	is "$(cat "$SDEST/README" 2>/dev/null)" "api" "the checkout is there"
	run "$SESAME" workspace status "$SDEST"
	contains "$T/out" "Remote: $SURL" "its origin is the ssh URL"
	printf '[127.0.0.1]:%s %s\n' "$SP" "$(cut -d' ' -f1,2 "$D/other_key.pub")" >"$HOME/.ssh/known_hosts"
	run "$SESAME" clone "ssh://$(id -un)@127.0.0.1:$SP/work-org/web.git"
	is "$rc" 1 "a host key that is not the known one: refused"
	contains "$T/err" "is NOT the one in known_hosts" "saying so"
	[ ! -e "$W/me/127.0.0.1_$SP/work-org/web" ]; ok $? "and nothing cloned"
	ssh-keyscan -p $SP 127.0.0.1 2>/dev/null >"$HOME/.ssh/known_hosts"
	ssh-add -qD 2>/dev/null
	run "$SESAME" clone "ssh://$(id -un)@127.0.0.1:$SP/work-org/web.git"
	is "$rc" 1 "no key in the agent: refused by the server"
	[ ! -e "$W/me/127.0.0.1_$SP/work-org/web" ]; ok $? "and nothing cloned"
	kill "$SSHD_PID" 2>/dev/null
fi

# The organisation's workspace.git: checked out as {org}, repositories inside.
repo team workspace
repo team api
repo team web
repo solo api
repo solo workspace
TEAM=$W/me/localhost/team
run "$SESAME" clone "file://$SRV/team/api.git"
ok "$rc" "clone team/api"
contains "$T/out" "Cloned the organisation's workspace repository to $TEAM" "the organisation's workspace.git is found and cloned first"
[ -e "$TEAM/.git" ] && [ "$(cat "$TEAM/README")" = workspace ] && [ -e "$TEAM/api/.git" ]
ok $? "{org} is its checkout, the repository inside it"
run "$SESAME" workspace list --org team --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [(r["repo"], r["is_workspace_git"]) for r in d] == [(None, True), ("api", False)], d' "$T/out"
ok $? "list --json: the workspace.git row, then its repository"
run "$SESAME" workspace list --org team
contains "$T/out" "localhost/team (workspace)" "the table marks the organisation (workspace)"
run "$SESAME" workspace status "$TEAM/api"
contains "$T/out" "Namespace: team (workspace.git)" "status names the namespace's workspace.git"

# Upstream moves on: auto says so, --workspace-update fast-forwards.
g clone -q "$SRV/team/workspace.git" "$T/tmp-ws" 2>/dev/null
echo more >"$T/tmp-ws/NEWS" && g -C "$T/tmp-ws" add NEWS && g -C "$T/tmp-ws" commit -q -m news
g -C "$T/tmp-ws" push -q origin HEAD:main 2>/dev/null
run "$SESAME" clone "file://$SRV/team/web.git"
contains "$T/out" "Note: the organisation's workspace at $TEAM is 1 commit behind its upstream" "auto: a workspace behind is pointed out"
[ ! -e "$TEAM/NEWS" ]; ok $? "and left as it is"
run "$SESAME" clone --workspace-update "file://$SRV/team/web.git"
contains "$T/out" "Updated the organisation's workspace at $TEAM" "--workspace-update fast-forwards it"
is "$(cat "$TEAM/NEWS" 2>/dev/null)" "more" "its new file is there"
echo local >"$TEAM/NEWS"
echo again >"$T/tmp-ws/NEWS" && g -C "$T/tmp-ws" commit -q -am again && g -C "$T/tmp-ws" push -q origin HEAD:main 2>/dev/null
run "$SESAME" clone --workspace-update "file://$SRV/team/web.git"
contains "$T/err" "warning: the organisation's workspace at $TEAM:" "a change of yours in the way: a warning"
is "$(cat "$TEAM/NEWS")" "local" "and your change is untouched"

# {org} already there without git: a tip; --workspace-init --force makes it the checkout.
mkdir -p "$W/me/localhost/solo" && echo mine >"$W/me/localhost/solo/README" && echo notes >"$W/me/localhost/solo/notes"
run "$SESAME" clone "file://$SRV/solo/api.git"
contains "$T/out" "Tip: the organisation has a workspace repository, file://$SRV/solo/workspace.git" "auto: a tip"
[ ! -e "$W/me/localhost/solo/.git" ]; ok $? "and nothing changed in {org}"
run "$SESAME" clone --workspace-init "file://$SRV/solo/api.git"
contains "$T/err" "exists and is not a checkout: --force makes it the checkout" "--workspace-init alone: a warning"
run "$SESAME" clone --workspace-init --force "file://$SRV/solo/api.git"
[ -e "$W/me/localhost/solo/.git" ]; ok $? "--force: {org} becomes the checkout"
is "$(cat "$W/me/localhost/solo/README")" "mine" "keeping your file where it differs"
contains "$T/err" "kept your $W/me/localhost/solo/README" "and saying so"

# never, prompt without a terminal, --no-workspace, and the URL of workspace.git itself.
g init -q --bare "$SRV/quiet/workspace.git"
repo quiet api
mkdir -p "$SESAME_CONFIG_DIR/workspaces.d"
printf '[settings]\nroot = "%s"\nuser = "me"\nworkspace_auto = "never"\n' "$W" >"$SESAME_CONFIG_DIR/workspaces.d/20-auto.toml"
run "$SESAME" clone "file://$SRV/quiet/api.git"
[ ! -e "$W/me/localhost/quiet/.git" ]; ok $? "workspace_auto = never: no workspace.git"
rm -rf "$W/me/localhost/quiet"
sed -i 's/never/prompt/' "$SESAME_CONFIG_DIR/workspaces.d/20-auto.toml"
run "$SESAME" clone "file://$SRV/quiet/api.git" </dev/null
contains "$T/out" "not cloned (workspace_auto = prompt asks on a terminal)" "prompt without a terminal: a note, nothing cloned"
rm -rf "$W/me/localhost/quiet" "$SESAME_CONFIG_DIR/workspaces.d/20-auto.toml"
run "$SESAME" clone --no-workspace "file://$SRV/quiet/api.git"
[ ! -e "$W/me/localhost/quiet/.git" ]; ok $? "--no-workspace: no workspace.git"
run "$SESAME" clone "file://$SRV/quiet/workspace.git"
is "$rc" 1 "the URL of workspace.git itself, into an {org} that has files: refused"
contains "$T/err" "--force makes it the checkout" "pointing at --force"

run "$SESAME" workspace clone --depth 1 "file://$SRV/me/blog.git"
if grep -q "libgit2 1.7 or later" "$T/err"; then
	is "$rc" 1 "--depth with libgit2 older than 1.7: refused, saying why ($(cat "$T/err"))"
else
	ok "$rc" "--depth 1: a shallow clone"
fi
run "$SESAME" workspace clone --project "https://github.com/work-org"
is "$rc" 1 "--project: not in this version yet, and says so"
run "$SESAME" workspace status "$T"
is "$rc" 1 "status outside the workspace: an error"

kill "$DAEMON" 2>/dev/null
done_testing
