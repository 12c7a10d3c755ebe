#!/bin/sh
# sesame workspace clone --project (issue 31): an organisation's
# repositories as a forge's API lists them, against a local server of
# GitHub-shaped pages (tests/workspace/forge.py) and local bare
# repositories: pages followed by Link headers and without them, the user
# fallback, forks and archived ones filtered, a name that is no directory
# refused, the tally and its exit status, a 401 and a token (from the
# environment or from the profile's secret, never printed), a used-up
# rate limit, a next page on another server, and no token over http://
# off this machine.
. "$(dirname "$0")/lib.sh"

if ! command -v git >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	skip "git and python3 are needed for the fixtures (make deps installs them)"
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
unset GITHUB_TOKEN
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
for r in api web forked old; do repo work-org $r; done
repo me blog
repo private-org secret-repo
spawn python3 "$SESAME_SRC/tests/workspace/forge.py" "$T/forge.port" "$T/forge.requests"
wait_for 10 test -s "$T/forge.port"
ok $? "the forge fixture listens on 127.0.0.1"
FP=$(cat "$T/forge.port")
W=$T/ws
"$SESAME" workspace init --root "$W" --user me >/dev/null
CONF=$SESAME_CONFIG_DIR/workspaces.toml
ORG=$W/me/localhost/work-org

run "$SESAME" workspace clone --project "file://$SRV/work-org"
is "$rc" 1 "no API is known for a server other than github.com: exit 1"
contains "$T/err" "no forge API is known for localhost" "and it says how to set one"
printf '[forge]\napi_url = "http://127.0.0.1:%s/api/v3/"\n' "$FP" >"$CONF.new"
cat "$CONF" >>"$CONF.new" && mv "$CONF.new" "$CONF"

run "$SESAME" workspace clone --project "file://$SRV/work-org"
is "$rc" 1 "--project with one repository failing: exit 1 (the original exits 0)"
contains "$T/err" "Cloned api" "api cloned"
contains "$T/err" "Cloned web" "web cloned"
contains "$T/err" "Failed missing:" "one the git server lacks: failed"
contains "$T/err" "Failed ..: not a usable directory name" "a name that is no directory: refused, not cloned"
contains "$T/err" "2 cloned, 0 skipped (exist), 2 failed" "the tally"
is "$(cat "$ORG/api/README")" "api" "the checkout is at {org}/api"
[ ! -e "$ORG/forked" ] && [ ! -e "$ORG/old" ]; ok $? "a fork and an archived repository: skipped by default"
[ ! -e "$W/me/localhost/.." ] || [ "$(ls "$W/me" | wc -l)" -eq 1 ]; ok $? "nothing made of the name '..'"
is "$(grep -c '/api/v3/orgs/work-org/repos' "$T/forge.requests")" 4 "all four pages asked, by their Link headers"
grep -q '^/api/v3/orgs/work-org/repos?per_page=2&page=4 auth=none$' "$T/forge.requests"
ok $? "the last one as the server linked it, without a token when there is none"
! grep -q "forge.invalid" "$T/err" "$T/out"; ok $? "the API's clone_url is not used: ORG-URL/NAME.git is"

run "$SESAME" ws clone --project "file://$SRV/work-org/api.git" --include-forks --include-archived
is "$rc" 1 "again, with forks and archived ones (missing still fails)"
contains "$T/err" "api (exists)" "an existing checkout: skipped"
contains "$T/err" "Cloned forked" "--include-forks clones the fork"
contains "$T/err" "Cloned old" "--include-archived clones the archived one"
contains "$T/err" "2 cloned, 2 skipped (exist), 2 failed" "the tally"

run "$SESAME" clone --project "file://$SRV/me" -p personal
ok "$rc" "a user's repositories, when there is no organisation of that name"
contains "$T/err" "Cloned blog" "blog cloned"
contains "$T/err" "1 cloned, 0 skipped (exist), 0 failed" "the tally"
grep -q '^/api/v3/orgs/me/repos.* auth=none$' "$T/forge.requests" &&
	grep -q '^/api/v3/users/me/repos?.*page=2 auth=none$' "$T/forge.requests"
ok $? "orgs/ answered 404, then users/ page by page until an empty one (no Link header)"
contains "$T/out" "Linked $W/me/localhost/me -> profile \"personal\"" "-p links the organisation's directory"

run "$SESAME" clone --project "file://$SRV/private-org"
is "$rc" 1 "a 401 without a token: exit 1"
contains "$T/err" "the forge refused the request (401: Bad credentials); a token may help" "naming the way out"
GITHUB_TOKEN=wrong-token run "$SESAME" clone --project "file://$SRV/private-org"
contains "$T/err" "the token was not accepted" "a wrong token: said so"
! grep -q "wrong-token" "$T/err" "$T/out"; ok $? "and not printed"
GITHUB_TOKEN=s3cret-token run "$SESAME" clone --project "file://$SRV/private-org"
ok "$rc" "\$GITHUB_TOKEN: sent as a bearer token, accepted"
contains "$T/err" "Cloned secret-repo" "the private organisation's repository cloned"
contains "$T/err" "warning: the forge allows 3 more API requests until" "a nearly used-up rate limit: warned"
! grep -q "s3cret-token" "$T/err" "$T/out"; ok $? "the token is printed nowhere"
GITHUB_TOKEN=s3cret-token run "$SESAME" clone --project "http://forge.example.com/private-org"
is "$rc" 1 "a token for an http:// API off this machine: refused"
sed -i "s|^api_url = .*|api_url = \"http://forge.example.com/api/v3\"|" "$CONF"
GITHUB_TOKEN=s3cret-token run "$SESAME" clone --project "http://forge.example.com/private-org"
contains "$T/err" "the token would cross the network unencrypted; not sent" "before anything is asked"
sed -i "s|^api_url = .*|api_url = \"http://127.0.0.1:$FP/api/v3\"|" "$CONF"
GITHUB_TOKEN='a
Host: x' run "$SESAME" clone --project "file://$SRV/private-org"
contains "$T/err" "holds a line break" "a token with a line break is refused (no header injection)"

start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p work >/dev/null
printf 's3cret-token' | "$SESAME" secret set -p work forge-token >/dev/null
sed -i 's/^\[forge\]$/[forge]\ntoken_secret = "forge-token"/' "$CONF"
rm -rf "$W/me/localhost/private-org"
run "$SESAME" clone --project "file://$SRV/private-org" -p work
ok "$rc" "the token from forge.token_secret of the profile"
contains "$T/err" "Cloned secret-repo" "accepted"
grep -q '^/api/v3/orgs/private-org/repos.* auth=ok$' "$T/forge.requests"; ok $? "sent as the bearer token"
! grep -rq "s3cret-token" "$T/err" "$T/out" "$T"/*.log; ok $? "printed and logged nowhere"

run "$SESAME" clone --project "file://$SRV/limited" -p work
is "$rc" 1 "a used-up rate limit: exit 1"
contains "$T/err" "the forge's API rate limit is used up until" "with the time it resets"
run "$SESAME" clone --project "file://$SRV/evil" -p work
is "$rc" 1 "a next page on another server: exit 1"
contains "$T/err" "on another server (http://evil.example.com/" "not followed"
[ ! -e "$W/me/localhost/evil" ]; ok $? "and nothing cloned"

run "$SESAME" clone "file://$SRV/work-org/web.git" --include-forks
is "$rc" 2 "--include-forks without --project: a usage error"
run "$SESAME" clone "file://$SRV/work-org/web.git" --depth 1
is "$rc" 1 "--depth: refused with this libgit2"
contains "$T/err" "shallow clones need libgit2 1.7 or later; this sesame was built with libgit2" "naming the version"
done_testing
