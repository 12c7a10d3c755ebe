#!/bin/sh
# The README's Workspaces walk-through, run as written: every "    $ "
# line of the section is a command (run in order, in one shell, from the
# home directory), the lines under it its exact output (stdout and
# stderr; ~ for the home directory).  The daemons and the vault of
# profile work are set up first, as the README says they must be.
. "$(dirname "$0")/lib.sh"

if ! command -v git >/dev/null 2>&1; then
	skip "the walk-through makes its repository with git (make deps installs it)"
	done_testing
	exit
fi
if "$SESAME" workspace list 2>&1 | grep -q "built with GIT=0"; then
	skip "this build has no git (GIT=0)"
	done_testing
	exit
fi
export HOME=$T/home
mkdir -p "$HOME" "$T/bin"
export SESAME_RUNTIME_DIR="$T/run" SESAME_CONFIG_DIR="$HOME/.config/pds" SESAME_DATA_DIR="$HOME/.local/share/pds" \
	SESAME_CACHE_DIR="$T/cache"
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID SESAME_PROFILES SESAME_WORKSPACE_ROOT XDG_CONFIG_HOME
ln -s "$SESAME" "$T/bin/sesame"
export PATH="$T/bin:$PATH"
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p work >/dev/null
ok $? "set-up: the daemons run and the vault of profile work is unlocked"

# The section: from its title to the next title's underline.
awk -v dir="$T" '
	/^Workspaces$/ { inside = 1; next }
	inside && /^-+$/ && seen++ { exit }
	!inside { next }
	/^    \$ / { n++; sub(/^    \$ /, ""); printf "{ %s\n} >\"%s/rw.out.%d\" 2>&1\n", $0, dir, n >> (dir "/rw.sh");
		print $0 > (dir "/rw.cmd." n); printf "" > (dir "/rw.want." n); next }
	/^    / && n { sub(/^    /, ""); print >> (dir "/rw.want." n); next }
	/^$/ { next }
	n { exit }
' "$SESAME_SRC/README"
N=$(ls "$T"/rw.cmd.* 2>/dev/null | wc -l)
[ "$N" -ge 10 ]; ok $? "the README's Workspaces section has a walk-through ($N commands)"
(cd "$HOME" && . "$T/rw.sh")
i=1
while [ "$i" -le "$N" ]; do
	sed "s|$HOME|~|g" "$T/rw.out.$i" >"$T/rw.got.$i"
	cmd=$(sed 's/\\/\\\\/g' "$T/rw.cmd.$i")	# ok's echo would read a \n as a line break
	if cmp -s "$T/rw.got.$i" "$T/rw.want.$i"; then
		ok 0 "\$ $cmd"
	else
		ok 1 "\$ $cmd"
		diff "$T/rw.want.$i" "$T/rw.got.$i" | sed 's/^/#   /'
	fi
	i=$((i + 1))
done
done_testing
