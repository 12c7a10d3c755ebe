#!/bin/sh
# The README's walk-throughs, run as written: every "    $ " line is a
# command, the lines under it its exact output (stdout and stderr; ~ for
# the home directory; <...> for what differs from run to run).  Each
# section's commands run in order in one shell that starts in the home
# directory.  What the README says must be there first is set up here:
# the daemons, an ssh-agent, and the vault of profile work unlocked.
. "$(dirname "$0")/lib.sh"

if ! command -v git >/dev/null 2>&1; then
	skip "the Workspaces walk-through makes its repository with git (make deps installs it)"
	done_testing
	exit
fi
if "$SESAME" workspace list 2>&1 | grep -q "built with GIT=0"; then
	skip "this build has no git (GIT=0): the Workspaces walk-through needs it"
	done_testing
	exit
fi
export HOME=$T/home
mkdir -p "$HOME" "$T/bin"
export SESAME_RUNTIME_DIR="$T/run" SESAME_CONFIG_DIR="$HOME/.config/pds" SESAME_DATA_DIR="$HOME/.local/share/pds" \
	SESAME_CACHE_DIR="$T/cache" SESAME_POLICY="$T/policy.toml"
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID SESAME_PROFILES SESAME_WORKSPACE_ROOT XDG_CONFIG_HOME
ln -s "$SESAME" "$T/bin/sesame"
export PATH="$T/bin:$PATH"
rm -rf /dev/shm/demo-creds
mkdir -m 700 "$HOME/.ssh"
start_ssh_agent
start_hub
start_secrets
printf 'pw\n' | "$SESAME" init -p work >/dev/null
ok $? "set-up: the daemons run and the vault of profile work is unlocked"

# The commands, each in { } with its output to rw.out.N; a new section
# starts again in the home directory.
awk -v dir="$T" '
	/^-+$/ && prev != "" { section = prev; next }
	{ prev = $0 }
	/^    \$ / { n++; sub(/^    \$ /, "");
		if (section != last) { printf "cd \"$HOME\"\n" >> (dir "/rw.sh"); last = section }
		printf "{ %s\n} >\"%s/rw.out.%d\" 2>&1\n", $0, dir, n >> (dir "/rw.sh");
		print $0 > (dir "/rw.cmd." n); print section > (dir "/rw.sec." n); printf "" > (dir "/rw.want." n);
		out = 1; next }
	/^    / && out { sub(/^    /, ""); print >> (dir "/rw.want." n); next }
	{ out = 0 }
' "$SESAME_SRC/README"
N=$(ls "$T"/rw.cmd.* 2>/dev/null | wc -l)
[ "$N" -ge 30 ]; ok $? "the README has walk-throughs ($N commands)"
(. "$T/rw.sh")

# want matches got: line by line, <...> standing for any text.
matches() {
	awk 'NR == FNR { w[FNR] = $0; nw = FNR; next }
	{ g[FNR] = $0; ng = FNR }
	END {
		if (nw != ng) exit 1
		for (i = 1; i <= nw; i++) {
			n = split(w[i], part, /<\.\.\.>/); s = g[i]
			if (n == 1) { if (s != w[i]) exit 1; continue }
			if (substr(s, 1, length(part[1])) != part[1]) exit 1
			s = substr(s, length(part[1]) + 1)
			for (k = 2; k < n; k++) { p = index(s, part[k]); if (!p) exit 1; s = substr(s, p + length(part[k])) }
			if (length(s) < length(part[n]) || substr(s, length(s) - length(part[n]) + 1) != part[n]) exit 1
		}
	}' "$1" "$2"
}
i=1
while [ "$i" -le "$N" ]; do
	sed "s|$HOME|~|g" "$T/rw.out.$i" >"$T/rw.got.$i"
	cmd=$(sed 's/\\/\\\\/g' "$T/rw.cmd.$i")	# ok's echo would read a \n as a line break
	if matches "$T/rw.want.$i" "$T/rw.got.$i"; then
		ok 0 "$(cat "$T/rw.sec.$i"): \$ $cmd"
	else
		ok 1 "$(cat "$T/rw.sec.$i"): \$ $cmd"
		diff "$T/rw.want.$i" "$T/rw.got.$i" | sed 's/^/#   /'
	fi
	i=$((i + 1))
done
rm -rf /dev/shm/demo-creds
done_testing
