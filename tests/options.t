#!/bin/sh
# Options and help cannot drift apart: every long option an applet's
# getopt table accepts (the struct option arrays in applets/*.c) is named
# in that applet's --help, so the man page and the completions, made from
# the help, offer it.  (env took --profile and --format that its help
# never mentioned.)
. "$(dirname "$0")/lib.sh"

# FILE FUNCTION OPTION... for each option table: the function it is in.
for f in "$SESAME_SRC"/applets/*.c "$SESAME_SRC"/applets/*/*.c; do
	awk -v file="${f#"$SESAME_SRC"/applets/}" '
		/^[a-z].*[a-z_]+\(/ && !/;$/ { fn = $0; sub(/\(.*/, "", fn); sub(/.*[ *]/, "", fn) }
		/static const struct option [a-z_]+\[\] = \{/ { inopt = 1; line = file " " fn; next }
		inopt && /^\t*\};/ { inopt = 0; print line; next }
		inopt { while (match($0, /\{ "[a-z0-9-]+",/)) { line = line " " substr($0, RSTART + 3, RLENGTH - 5); $0 = substr($0, RSTART + RLENGTH) } }
	' "$f"
done >"$T/tables"
[ -s "$T/tables" ]; ok $? "option tables found in applets/*.c ($(wc -l <"$T/tables" | tr -d ' '))"

# Which applets a main function serves: the APPLET lines (NAME FUNCTION),
# and the mains that dispatch to a helper holding the table.
grep -h '^/\*APPLET [a-z0-9-]* [a-z_]*' "$SESAME_SRC"/sesame.c "$SESAME_SRC"/applets/*.c "$SESAME_SRC"/applets/*/*.c |
	awk '{ print $2, $3 }' >"$T/applets"
while read -r file fn opts; do
	apps=$(awk -v fn="$fn" '$2 == fn { print $1 }' "$T/applets")
	# A table in a helper (env's usage_opts, factor_main): the applets
	# of that file whose mains call it.
	if [ -z "$apps" ]; then
		for m in $(awk '{ print $2 }' "$T/applets"); do
			grep -q "^int $m(" "$SESAME_SRC/applets/$file" && grep -A60 "^int $m(" "$SESAME_SRC/applets/$file" |
				grep -q "$fn(" && apps="$apps $(awk -v m="$m" '$2 == m { print $1 }' "$T/applets")"
		done
	fi
	[ -n "$apps" ]; ok $? "$file: $fn's option table belongs to an applet ($apps)"
	for a in $apps; do
		"$SESAME" help "$a" >"$T/help" 2>&1
		if grep -q "Not in this build" "$T/help"; then
			skip "$a is not in this build (DESKTOP=0): its help is the stub's"
			continue
		fi
		missing=
		for o in $opts; do grep -q -- "--$o\b" "$T/help" || missing="$missing --$o"; done
		is "$missing" "" "sesame help $a names every long option it takes"
	done
done <"$T/tables"
done_testing
