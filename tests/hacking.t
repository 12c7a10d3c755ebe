#!/bin/sh
# HACKING's "Add a command" walk-through, done as written: in a copy of
# the tree, one new file applets/hello.c and nothing else, then make; the
# command runs and its help, man page and completions have it.
. "$(dirname "$0")/lib.sh"

if ! command -v git >/dev/null || ! git -C "$SESAME_SRC" rev-parse --git-dir >/dev/null 2>&1; then
	skip "needs the git checkout to copy the tree from"
	done_testing; exit
fi
(cd "$SESAME_SRC" && git ls-files -z | tar --null -T - -cf -) | (mkdir -p "$T/tree" && tar -x -C "$T/tree")
# The example, as HACKING gives it (indented there by eight spaces).
sed -n '/^        #include "applets\/applet.h"/,/^        }$/p' "$SESAME_SRC/HACKING" | sed 's/^        //' \
	>"$T/tree/applets/hello.c"
grep -q 'hello_main' "$T/tree/applets/hello.c"; ok $? "HACKING's example taken as applets/hello.c"
git -C "$SESAME_SRC" ls-files | sort >"$T/before"
(cd "$T/tree" && find . -type f | sed 's|^\./||' | sort) >"$T/after"
is "$(comm -13 "$T/before" "$T/after" | tr '\n' ' ')" "applets/hello.c " "one file added, no other touched"
# A fresh make, as someone following HACKING runs it: none of the variables
# of the make check that runs this test (STATIC=1 would build another
# binary), only the paths and a pkg-config.
env -i PATH="$PATH" HOME="${HOME:-/}" ${PKG_CONFIG_PATH:+PKG_CONFIG_PATH="$PKG_CONFIG_PATH"} \
	make -C "$T/tree" -j2 DESKTOP=0 SQLITE=system sesame >"$T/make.log" 2>&1
ok $? "make builds it" || tail -20 "$T/make.log" | sed 's/^/# /'
run "$T/tree/sesame" hello sesame
is "$(cat "$T/out")" "hello sesame" "sesame hello runs"
run "$T/tree/sesame" hello --loud sesame
is "$(cat "$T/out")" "HELLO sesame!" "its option, from its help's option line, works"
run "$T/tree/sesame" hello --quiet
contains "$T/err" "unknown option '--quiet'" "an option its help does not list is refused"
run "$T/tree/sesame" help hello
contains "$T/out" "usage: sesame hello [-l] [NAME]" "its help is there"
run "$T/tree/sesame" --help
contains "$T/out" "say hello" "sesame --help lists it"
grep -q '^\.SS hello' "$T/tree/build/gen/sesame.1"; ok $? "the man page has it"
grep -q "hello) echo '--loud -l'" "$T/tree/build/gen/sesame.bash"; ok $? "so do the completions, with its option"
grep -q "from hello' -s l -l loud" "$T/tree/build/gen/sesame.fish"; ok $? "fish's too"
done_testing
