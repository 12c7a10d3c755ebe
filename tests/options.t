#!/bin/sh
# Options and help cannot drift apart: the getopt tables are made from the
# help blocks' option lines (applets/mktable.awk), so what `sesame help X`
# lists is what X takes.  Here: no applet writes a table of its own; each
# option the help lists is handled in the applet's code; the completions
# (bash, zsh, fish) offer every one.  (env once took --profile and
# --format that its help never mentioned.)
. "$(dirname "$0")/lib.sh"

G=$SESAME_BUILD/gen
if [ ! -f "$G/options.c" ]; then
	skip "no $G/options.c: build first"
	done_testing; exit
fi

own=$(grep -ln 'struct option [a-z_]*\[\] = ' "$SESAME_SRC"/applets/*.c "$SESAME_SRC"/applets/*/*.c)
is "$own" "" "no applet writes a getopt table of its own (they are made from the help)"

# APPLET NAME FILE: where each applet's code is (its folder, if it has one).
grep -H '^/\*APPLET [a-z0-9-]* \([a-z_][a-z0-9_]*\|- top\) ' "$SESAME_SRC"/sesame.c "$SESAME_SRC"/applets/*.c \
	"$SESAME_SRC"/applets/*/*.c | sed 's|^\([^:]*\):/\*APPLET \([a-z0-9-]*\) .*|\2 \1|' >"$T/files"

# TABLE LONG VALUE, from the generated tables.
awk '/^const struct option longopts_/ { t = $4; sub(/^longopts_/, "", t); sub(/\[\]$/, "", t); next }
	/^\t\{ "/ { l = $2; gsub(/[",]/, "", l); v = $(NF - 1); print t, l, v }' "$G/options.c" >"$T/opts"
[ -s "$T/opts" ]; ok $? "options found in the generated tables ($(wc -l <"$T/opts" | tr -d ' '))"

# Handled: a short option's 'x' or a long-only one's OPT_NAME appears in a
# case or a comparison of the applet's code; sesame.c's own options are
# compared as strings.
missing=
while read -r table long val; do
	name=$(echo "$table" | tr _ -)
	file=$(awk -v n="$name" '$1 == n { print $2; exit }' "$T/files")
	[ -n "$file" ] || { missing="$missing $name(no file)"; continue; }
	case $file in
	*/applets/*/*.c) code=$(dirname "$file")/*.c ;;
	*) code=$file ;;
	esac
	case $val in
	"'"?"'") pat="(case|o ==) $val" ;;
	*) pat="\\b$val\\b" ;;
	esac
	# shellcheck disable=SC2086
	grep -Eq "$pat" $code || grep -q "\"--$long\"" $code || missing="$missing $name:--$long"
done <"$T/opts"
is "$missing" "" "each option a help lists is handled in its applet's code"

# The completions offer each one.
if command -v bash >/dev/null; then
	miss=
	while read -r table long val; do
		name=$(echo "$table" | tr _ -)
		[ "$name" = sesame ] && continue	# sesame's own: offered as the first word
		bash -c '. "$1"; _sesame_words "$2"' sh "$G/sesame.bash" "$name" | grep -q -- "--$long\b" ||
			miss="$miss $name:--$long"
	done <"$T/opts"
	is "$miss" "" "bash completion offers every option"
	: >"$T/k.key"
	got=$(cd "$T" && bash -c '. "$1"; COMP_WORDS=(sesame init --keyfile k.); COMP_CWORD=3; _sesame; echo "${COMPREPLY[*]}"' \
		sh "$G/sesame.bash")
	is "$got" "k.key" "bash completes a FILE argument with file names"
	got=$(bash -c '. "$1"; COMP_WORDS=(sesame daemon secrets --idle-lock ""); COMP_CWORD=4; _sesame; echo "${#COMPREPLY[@]}"' \
		sh "$G/sesame.bash")
	is "$got" "0" "and offers nothing for a value (no options as --idle-lock's argument)"
	got=$(bash -c '. "$1"; COMP_WORDS=(sesame ws clone --proj); COMP_CWORD=3; _sesame; echo "${COMPREPLY[*]}"' \
		sh "$G/sesame.bash")
	is "$got" "--project" "another name (ws) completes the options of the command it stands for"
	got=$(bash -c '. "$1"; COMP_WORDS=(sesame cl --include-f); COMP_CWORD=2; _sesame; echo "${COMPREPLY[*]}"' \
		sh "$G/sesame.bash")
	is "$got" "--include-forks" "and so does an alias of an alias (cl, of clone, of workspace clone)"
	"$SESAME" ws --help | head -1 | grep -q "^usage: sesame workspace init"
	ok $? "ws --help is workspace's help"
else
	skip "no bash"
fi
if command -v zsh >/dev/null; then
	zsh -n "$G/_sesame"; ok $? "zsh completion parses (zsh -n)"
	miss=
	while read -r table long val; do
		name=$(echo "$table" | tr _ -)
		[ "$name" = sesame ] && continue
		grep "^	$name) compadd" "$G/_sesame" | grep -q -- "--$long\b" || miss="$miss $name:--$long"
	done <"$T/opts"
	is "$miss" "" "zsh completion offers every option"
else
	skip "zsh is not installed (make deps installs it)"
	skip "likewise"
fi
if command -v fish >/dev/null; then
	fish -n "$G/sesame.fish"; ok $? "fish completion parses (fish -n)"
	export HOME="$T" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
	miss=
	while read -r table long val; do
		name=$(echo "$table" | tr _ -)
		case $name in
		sesame) continue ;;
		daemon-*) line="$name --" ;;
		*) line="sesame $name --" ;;
		esac
		fish -c "source '$G/sesame.fish'; complete -C '$line'" 2>/dev/null | grep -q -- "^--$long\b" ||
			miss="$miss $name:--$long"
	done <"$T/opts"
	is "$miss" "" "fish completion offers every option (sesame CMD -- and daemon-ROLE --)"
	got=$(fish -c "source '$G/sesame.fish'; complete -C 'sesame daemon '" 2>/dev/null | cut -f1 | tr '\n' ' ')
	contains_str() { case $1 in *"$2"*) return 0 ;; esac; return 1; }
	contains_str "$got" "secrets " && contains_str "$got" "profile "
	ok $? "fish completes sesame daemon with the roles ($got)"
else
	skip "fish is not installed (make deps installs it)"
	skip "likewise"
	skip "likewise"
fi
done_testing
