#!/bin/sh
# make install: a staged tree (DESTDIR, PREFIX) that works when run from
# there, with role symlinks, man page and completions; make uninstall
# removes it.
. "$(dirname "$0")/lib.sh"

dest=$T/stage
# Installed as it was built: with or without the desktop roles.
desktop=1
"$SESAME" daemon wm --help | grep -q "no Wayland support" && desktop=0
run make -C "$SESAME_SRC" install DESTDIR="$dest" PREFIX=/usr BIN="$SESAME" \
	O="${SESAME_BUILD:-build}" DESKTOP=$desktop
ok "$rc" "make install DESTDIR=... PREFIX=/usr succeeds"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/err" | tail -5

bin=$dest/usr/bin
[ -x "$bin/sesame" ]; ok $? "the binary is installed"
# Desktop roles: linked and given units only when the build has them.
units=$dest/usr/lib/systemd/user
if [ $desktop = 0 ]; then
	[ ! -e "$bin/daemon-wm" ] && [ ! -e "$bin/daemon-clipboard" ] && [ ! -e "$bin/daemon-input" ] &&
		[ ! -e "$units/sesame-wm.service" ] && [ ! -e "$units/sesame-desktop.target" ]
	ok $? "a build without desktop roles installs none of their symlinks or units"
	[ -e "$units/sesame-secrets.service" ]; ok $? "(but the headless roles' units)"
else
	[ -L "$bin/daemon-wm" ] && [ -e "$units/sesame-wm.service" ] && [ -e "$units/sesame-desktop.target" ]
	ok $? "a build with desktop roles installs their symlinks and units"
	[ -e "$units/sesame-secrets.service" ]; ok $? "(and the headless roles')"
fi
[ ! -e "$dest/etc/init.d" ] && [ ! -e "$dest/etc/sv" ]
ok $? "by default (INIT=systemd) no OpenRC or runit files"
if [ $desktop = 0 ]; then
	# The tree an embedded image gets, entry by entry (Buildroot's, as
	# contrib/check-recipes.sh checks it too).
	run make -C "$SESAME_SRC" install DESTDIR="$T/sysv" PREFIX=/usr BIN="$SESAME" O="${SESAME_BUILD:-build}" \
		DESKTOP=0 INIT=sysv
	(cd "$T/sysv" && find . -mindepth 1 | sort) >"$T/sysv.tree"
	diff -u "$SESAME_SRC/contrib/buildroot/expected-tree.txt" "$T/sysv.tree" >"$T/tree.diff"
	ok $? "make install DESTDIR=d PREFIX=/usr DESKTOP=0 INIT=sysv installs exactly the expected tree" ||
		sed 's/^/#   /' "$T/tree.diff"
else
	skip "a DESKTOP=1 build: the DESKTOP=0 INIT=sysv tree is checked on the static build (make check STATIC=1)"
fi
for r in daemon-profile daemon-secrets daemon-launcher daemon-snippets; do
	[ "$(readlink "$bin/$r")" = sesame ]; ok $? "$r is a relative symlink to sesame"
done
run "$bin/daemon-secrets" --help
contains "$T/out" "usage: daemon-secrets" "an installed role symlink runs and shows its help"
run "$bin/sesame" --version
ok "$rc" "the installed binary runs from the staged tree"

man=$dest/usr/share/man/man1/sesame.1
[ -f "$man" ]; ok $? "the man page is installed"
if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man -l "$man" >"$T/man" 2>"$T/manerr"
	contains "$T/man" "daemon-secrets" "the man page renders and documents the roles"
	[ ! -s "$T/manerr" ]; ok $? "the man page renders without warnings"
else
	skip "man is not installed"
	skip "man is not installed"
fi
[ -f "$dest/usr/share/bash-completion/completions/sesame" ]; ok $? "bash completion is installed"
[ -f "$dest/usr/share/zsh/site-functions/_sesame" ]; ok $? "zsh completion is installed"
[ -f "$dest/usr/share/fish/vendor_completions.d/sesame.fish" ]; ok $? "fish completion is installed"
dups=$(grep '^	cmds=' "$dest/usr/share/zsh/site-functions/_sesame" | grep -o " '[a-z-]*:" | sort | uniq -d)
is "$dups" "" "zsh completion offers each command once"
if command -v bash >/dev/null 2>&1; then
	out=$(bash -c '. "$1"; COMP_WORDS=(sesame daemon s); COMP_CWORD=2; _sesame; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$dest/usr/share/bash-completion/completions/sesame" | sort | tr '\n' ' ')
	is "$out" "secrets snippets " "bash completion completes role names"
	out=$(bash -c '. "$1"; COMP_WORDS=(daemon-secrets --he); COMP_CWORD=1; _sesame; echo "${COMPREPLY[*]}"' \
		_ "$dest/usr/share/bash-completion/completions/sesame")
	is "$out" "--help" "bash completion works for a role symlink"
else
	skip "bash is not installed"
fi

run make -C "$SESAME_SRC" uninstall DESTDIR="$dest" PREFIX=/usr O="${SESAME_BUILD:-build}"
ok "$rc" "make uninstall succeeds"
left=$(find "$dest" -type f -o -type l | wc -l | tr -d ' ')
is "$left" 0 "make uninstall leaves no file or symlink behind"

done_testing
