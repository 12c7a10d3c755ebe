#!/bin/sh
# sesame workspace (issue 31, first part): init, link and unlink in
# workspaces.toml (canonical keys, the rest of the file kept), what
# applies in a directory and where from (config show), and a shell with
# exactly the right profile's secrets: -p > repo .sesame.toml > the
# organisation's > link > SESAME_PROFILES > default; a .sesame.toml's env
# through the denylist; hostile .sesame.toml files refused.
. "$(dirname "$0")/lib.sh"

use_private_paths
start_hub
start_secrets
for p in work personal default; do printf 'pw\n' | "$SESAME" init -p $p >/dev/null; done
printf 'w-token' | "$SESAME" secret set -p work api-token >/dev/null
printf 'p-token' | "$SESAME" secret set -p personal api-token >/dev/null
printf 'p-only' | "$SESAME" secret set -p personal diary >/dev/null
printf 'd-token' | "$SESAME" secret set -p default api-token >/dev/null
W=$T/ws
CONF=$SESAME_CONFIG_DIR/workspaces.toml

run "$SESAME" workspace init --root "$W" --user me
ok "$rc" "workspace init"
[ -d "$W/me" ]; ok $? "makes {root}/{user}"
contains "$T/out" "Workspace initialized: $W/me" "and says so"
contains "$CONF" "root = \"$W\"" "settings.root is written to workspaces.toml"
is "$(stat -c %a "$CONF")" 600 "workspaces.toml is 0600"
run "$SESAME" workspace init --root /usr
is "$rc" 1 "init refuses a system directory"
contains "$T/err" "/usr is a system directory" "saying so"

API=$W/me/github.com/work-org/api
BLOG=$W/me/github.com/me/blog
mkdir -p "$API/src" "$BLOG"
# A comment and an unrelated key of the user's survive every edit.
printf '# my workspaces\n' | cat - "$CONF" >"$T/c" && cat "$T/c" >"$CONF"
printf '\n[forge]\n# GitHub Enterprise\napi_url = "https://ghe.example/api/v3"\n' >>"$CONF"

(cd "$W/me/github.com/work-org" && "$SESAME" workspace link -p work) >"$T/out" 2>"$T/err"
ok $? "workspace link -p work (the current directory)"
contains "$T/out" "Linked $W/me/github.com/work-org -> profile \"work\"" "says what it linked"
ln -s "$W/me/github.com/me" "$T/mine"
run "$SESAME" workspace link -p personal "$T/mine/../me/blog/./"
ok "$rc" "link through a symbolic link and dots"
contains "$CONF" "\"$BLOG\" = \"personal\"" "the key is the canonical path"
contains "$CONF" "# my workspaces" "the user's comment is kept"
contains "$CONF" "# GitHub Enterprise" "and the forge table with its comment"
run "$SESAME" workspace link -p personal "$BLOG"
is "$(grep -c "$BLOG" "$CONF")" 1 "linking again replaces the link, not a second one"

run "$SESAME" workspace config show "$API/src"
ok "$rc" "config show"
contains "$T/out" "Workspace: $API/src" "names the directory"
contains "$T/out" "Profile: work (source: user config link)" "the organisation's link applies below it"

# .sesame.toml: the organisation's, then the repository's over it.
cat >"$W/me/github.com/work-org/.sesame.toml" <<'EOT'
secret_prefix = "ORG"
tags = ["work"]
[env]
STAGE = "org"
ORG_ONLY = "1"
EOT
cat >"$API/.sesame.toml" <<'EOT'
profile = "personal"
tags = ["backend", "go"]
[env]
STAGE = "repo"
EOT
run "$SESAME" workspace config show "$API"
contains "$T/out" "Profile: personal (source: repo .sesame.toml)" "a repository's .sesame.toml wins over the link"
contains "$T/out" "Secret prefix: ORG (source: workspace .sesame.toml)" "the organisation's prefix applies"
contains "$T/out" "  STAGE=repo  (source: repo .sesame.toml)" "the repository's env wins a variable"
contains "$T/out" "  ORG_ONLY=1  (source: workspace .sesame.toml)" "the organisation's adds its own"
contains "$T/out" "Tags: backend, go (source: repo .sesame.toml)" "tags, from the repository"

# The shell: exactly the profile's secrets, the env, the two variables.
show='printf "%s|%s|%s|%s|%s|%s|%s" "$ORG_API_TOKEN" "${ORG_DIARY-}" "${API_TOKEN-unset}" "$STAGE" "$SESAME_PROFILES" "$SESAME_WORKSPACE" "$PWD"'
run "$SESAME" workspace shell "$API" -- sh -c "$show"
is "$(cat "$T/out")" "p-token|p-only|unset|repo|personal|$API|$API" \
	"shell: the repo's profile's secrets, with the prefix, its env, SESAME_PROFILES and SESAME_WORKSPACE, in it"
run "$SESAME" workspace shell -p work "$API" -- sh -c "$show"
is "$(cat "$T/out")" "w-token||unset|repo|work|$API|$API" "-p wins over every file"
rm "$API/.sesame.toml"
run "$SESAME" workspace shell "$API" -- sh -c "$show"
is "$(cat "$T/out")" "w-token||unset|org|work|$API|$API" "without the repo's file: the link's profile, the org's env"
rm "$W/me/github.com/work-org/.sesame.toml"
run "$SESAME" workspace unlink "$W/me/github.com/work-org"
contains "$T/out" "Unlinked $W/me/github.com/work-org" "unlink"
SESAME_PROFILES=personal run "$SESAME" workspace shell "$API" -- sh -c 'printf "%s" "$API_TOKEN"'
is "$(cat "$T/out")" "p-token" "no file, no link: SESAME_PROFILES"
run "$SESAME" workspace shell "$API" -- sh -c 'printf "%s" "$API_TOKEN"'
is "$(cat "$T/out")" "d-token" "and then the default profile"
run "$SESAME" workspace unlink "$W/me/github.com/work-org"
is "$rc" 1 "unlink of a path with no link: exit 1"
contains "$T/err" "no link found for $W/me/github.com/work-org" "saying so"
run "$SESAME" workspace shell "$API" -- sh -c 'exit 9'
is "$rc" 9 "shell exits with the command's status"
run "$SESAME" workspace shell "$API" -- /nonexistent/cmd
is "$rc" 127 "a command that cannot be found: 127"
SHELL=/bin/false run "$SESAME" workspace shell "$API"
is "$rc" 1 "no command: \$SHELL runs (here /bin/false, exit 1)"
run "$SESAME" workspace shell --shell /bin/true "$API"
is "$rc" 0 "--shell BIN runs that"

# A checkout's .sesame.toml cannot change how programs load.
printf '[env]\nLD_PRELOAD = "/tmp/evil.so"\n' >"$BLOG/.sesame.toml"
run "$SESAME" workspace shell "$BLOG" -- sh -c 'echo RAN'
is "$rc" 1 "an env of LD_PRELOAD in .sesame.toml: refused"
contains "$T/err" "$BLOG/.sesame.toml:2: env LD_PRELOAD: a variable that changes how programs load or run" \
	"naming the file, the line and the variable"
is "$(cat "$T/out")" "" "and nothing ran"
run "$SESAME" workspace shell --allow LD_PRELOAD "$BLOG" -- sh -c 'printf "%s" "$LD_PRELOAD"'
is "$(cat "$T/out")" "/tmp/evil.so" "--allow NAME lets it through when meant"
run "$SESAME" workspace config show "$BLOG"
contains "$T/out" "LD_PRELOAD=/tmp/evil.so  (source: repo .sesame.toml)  refused" "config show marks it refused"
rm "$BLOG/.sesame.toml"
ln -s /etc/passwd "$BLOG/.sesame.toml"
run "$SESAME" workspace config show "$BLOG"
is "$rc" 1 "a .sesame.toml that is a symbolic link: refused"
contains "$T/err" "a symbolic link; sesame reads no .sesame.toml through one" "saying why"
rm "$BLOG/.sesame.toml"
printf 'profile = "work"\nsurprise = 1\n' >"$BLOG/.sesame.toml"
run "$SESAME" workspace config show "$BLOG"
contains "$T/err" "$BLOG/.sesame.toml:2:1: surprise: unknown key" "an unknown key: file:line:col"
printf 'profile = "no good"\n' >"$BLOG/.sesame.toml"
run "$SESAME" workspace config show "$BLOG"
contains "$T/err" "$BLOG/.sesame.toml:1:11: profile: expected a profile's name" "a bad profile name: where"
rm "$BLOG/.sesame.toml"

# workspaces.toml mistakes are named where they are; workspaces.d adds.
cp "$CONF" "$T/conf.bak"
printf '[settings]\nroot = "relative"\n' >"$CONF"
run "$SESAME" workspace config show "$BLOG"
contains "$T/err" "$CONF:2:8: settings.root: 'relative' is not an absolute path" "settings.root must be absolute (file:line:col)"
printf '[links]\n"%s" = "bad name"\n' "$BLOG" >"$CONF"
run "$SESAME" workspace config show "$BLOG"
contains "$T/err" "$CONF:2:" "a bad profile in [links] too"
cp "$T/conf.bak" "$CONF"
mkdir -p "$SESAME_CONFIG_DIR/workspaces.d"
printf '[links]\n"%s" = "work"\n' "$BLOG" >"$SESAME_CONFIG_DIR/workspaces.d/10-team.toml"
run "$SESAME" workspace config show "$BLOG"
contains "$T/out" "Profile: work (source: user config link)" "workspaces.d's links apply, a later file winning"
run "$SESAME" workspace unlink "$BLOG"
is "$rc" 1 "unlink of a link from workspaces.d: refused"
contains "$T/err" "10-team.toml:2; remove it there" "pointing at that file"

run "$SESAME" ws config show "$BLOG"
ok "$rc" "ws is workspace"
run "$SESAME" workspace shell "$API" extra -- true
is "$rc" 2 "shell: one PATH before --, no more"

done_testing
