# mktable.awk - generate the applet table, the man page and the shell
# completions from the help blocks in sesame.c and applets/ (each file
# with one, in applets/ and applets/ROLE/).
#
# A help block is a C comment that starts a line with "/*APPLET":
#
#   /*APPLET secret secret_main "store and read secrets in a vault"
#   usage: sesame secret set|get|list|delete [-p PROFILE] KEY
#
#   Help text, written for a terminal, up to the closing line.
#   */
#
# Header words: the applet name, its main function ("-" if it has no code
# yet: running it says so and exits 1), optional flags ("role" for a daemon
# role, run as `sesame daemon NAME` or through a `daemon-NAME` symlink;
# "top" for the block describing sesame itself; "desktop" for a file the
# Makefile builds only with DESKTOP=1, "nodesktop" only with DESKTOP=0),
# then a quoted summary.  The Makefile builds every file with a block (so a new
# command is one new file); the table, the man page and the completions
# list the applets sorted by name, whatever the files' order.
# The usage is every line up to the first blank one.
#
# Options are the help's lines that start with two spaces and a dash:
#
#   -p, --profile NAME   the profile            (-p or --profile, an argument)
#   --json               a JSON array           (long only, no argument)
#   --ssh-key[=KEY]      an agent key           (an optional argument, --ssh-key=K)
#
# one line each (the description goes on, further indented, on the lines
# after).  An argument is a word in capitals; FILE and PATH complete file
# names, and --profile's argument profile names.  From them come the
# getopt tables (options.h: OPTSTR_<applet> for getopt_long, which an
# applet may prefix with "+", longopts_<applet>, and OPT_<NAME> for each
# long-only option, which getopt_long returns for it; options.c), and the
# options the completions offer.  The help's list is what the command
# takes, so the two cannot drift; tests/options.t checks that each one is
# handled in the code.
#
# awk -v out=DIR -v version=V -f applets/mktable.awk sesame.c FILE...
# writes DIR/mains.h (prototypes), DIR/applets.h (the table), DIR/options.h
# and DIR/options.c (the getopt tables), DIR/roles, DIR/sesame.1, and the
# completions DIR/sesame.bash, DIR/_sesame (zsh) and DIR/sesame.fish.

function fatal(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
	exit 1
}

# Backslashes are doubled by hand: in a gsub replacement a backslash is an
# escape itself, read differently by different awks ("\\\\" gives one
# backslash in mawk and gawk, so a help text's "\n" became a newline).
function cstr(s,    n, i, part, out) {
	n = split(s, part, "\\")
	out = part[1]
	for (i = 2; i <= n; i++)
		out = out "\\\\" part[i]
	s = out
	gsub(/"/, "\\\"", s)
	gsub(/\t/, "\\t", s)
	gsub(/\n/, "\\n\"\n\t  \"", s)
	return "\"" s "\""
}

function roff(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}

/^\/\*APPLET[ \t]/ {
	if (inblock)
		fatal("help block inside a help block")
	if (!match($0, /"[^"]*"[ \t]*$/))
		fatal("help block header needs a quoted summary at the end")
	summary = substr($0, RSTART + 1, RLENGTH - 1)
	sub(/"[ \t]*$/, "", summary)
	head = substr($0, 1, RSTART - 1)
	sub(/[ \t]+$/, "", head)
	nw = split(head, w, /[ \t]+/)
	if (nw < 3)
		fatal("help block header: /*APPLET name function [flags] \"summary\"")
	n++
	name[n] = w[2]; fn[n] = w[3]; sum[n] = summary; flags[n] = ""
	for (i = 4; i <= nw; i++) {
		if (w[i] != "role" && w[i] != "top" && w[i] != "desktop" && w[i] != "nodesktop")
			fatal("unknown applet flag '" w[i] "'")
		flags[n] = flags[n] " " w[i]
	}
	if (name[n] in seen)
		fatal("applet '" name[n] "' declared twice")
	seen[name[n]] = 1
	inblock = 1; inusage = 1; usage[n] = ""; help[n] = ""; nlines[n] = 0
	next
}

inblock && /^[ \t]*\*\/[ \t]*$/ {
	if (usage[n] !~ /^usage: /)
		fatal("help block for '" name[n] "' must start with 'usage: '")
	inblock = 0
	next
}

inblock {
	line = $0
	if (inusage && line == "") {
		inusage = 0
		lines[n, ++nlines[n]] = ""
		next
	}
	if (inusage) {
		usage[n] = usage[n] line "\n"
		if (flags[n] ~ / role/ && line ~ /^usage: daemon-/) {
			alt = line
			sub(/^usage: daemon-/, "   or: sesame daemon ", alt)
			usage[n] = usage[n] alt "\n"
		}
	} else {
		help[n] = help[n] line "\n"
		if (line ~ /^  -/)
			option(n, line)
	}
	lines[n, ++nlines[n]] = line
	next
}

# An option line of applet i's help (see the top of this file).
function option(i, l,   sh, lo, kind, arg, k, d) {
	sh = ""
	if (l ~ /^  -[A-Za-z0-9], --/) {
		sh = substr(l, 4, 1)
		l = substr(l, 9)
	} else if (l ~ /^  --[a-z0-9]/) {
		l = substr(l, 5)
	} else if (l ~ /^  -- /) {
		return	# "--" ends the options: not one
	} else {
		fatal("option line '" l "': write it as '  -x, --long ARG  text' or '  --long  text'")
	}
	match(l, /^[a-z0-9][a-z0-9-]*/)
	lo = substr(l, 1, RLENGTH)
	l = substr(l, RLENGTH + 1)
	kind = 0; arg = ""
	if (match(l, /^\[=[A-Z][A-Z0-9_]*\]/)) {
		kind = 2; arg = substr(l, 3, RLENGTH - 3)
	} else if (match(l, /^[ =][A-Z][A-Z0-9_]*(\.\.\.)?( |$)/)) {
		kind = 1; arg = substr(l, 2, RLENGTH - 1)
		sub(/ $/, "", arg)
	} else {
		RLENGTH = 0
	}
	l = substr(l, RLENGTH + 1)
	if (l != "" && l !~ /^ /)
		fatal("option --" lo ": '" l "' after it (an argument is a word in capitals)")
	d = l
	sub(/^ +/, "", d)
	for (k = 1; k <= nopt[i]; k++)
		if (olong[i, k] == lo) {
			if (okind[i, k] != kind || oshort[i, k] != sh)
				fatal("option --" lo " given twice, differently")
			return
		} else if (sh != "" && oshort[i, k] == sh) {
			fatal("option -" sh " given to --" olong[i, k] " and --" lo)
		}
	k = ++nopt[i]
	oshort[i, k] = sh; olong[i, k] = lo; okind[i, k] = kind; oarg[i, k] = arg; odesc[i, k] = d
	if (sh == "")
		longonly[lo] = 1
}

# What an option's argument completes to: file, profile, value (nothing
# to offer), or "" when it takes no separate word (none, or --opt=ARG).
function argkind(i, k) {
	if (okind[i, k] != 1)
		return ""
	if (olong[i, k] == "profile")
		return "profile"
	return oarg[i, k] ~ /^(FILE|PATH)$/ ? "file" : "value"
}

# Sort the applets by name (insertion sort: a few dozen), moving each one's
# fields and help lines together.
function sort_applets(   i, j, k, t, tl) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && name[j - 1] > name[j]; j--) {
			t = name[j]; name[j] = name[j - 1]; name[j - 1] = t
			t = fn[j]; fn[j] = fn[j - 1]; fn[j - 1] = t
			t = sum[j]; sum[j] = sum[j - 1]; sum[j - 1] = t
			t = flags[j]; flags[j] = flags[j - 1]; flags[j - 1] = t
			t = usage[j]; usage[j] = usage[j - 1]; usage[j - 1] = t
			t = help[j]; help[j] = help[j - 1]; help[j - 1] = t
			tl = nlines[j] > nlines[j - 1] ? nlines[j] : nlines[j - 1]
			for (k = 1; k <= tl; k++) {
				t = lines[j, k]; lines[j, k] = lines[j - 1, k]; lines[j - 1, k] = t
			}
			t = nlines[j]; nlines[j] = nlines[j - 1]; nlines[j - 1] = t
			tl = nopt[j] > nopt[j - 1] ? nopt[j] : nopt[j - 1]
			for (k = 1; k <= tl; k++) {
				t = oshort[j, k]; oshort[j, k] = oshort[j - 1, k]; oshort[j - 1, k] = t
				t = olong[j, k]; olong[j, k] = olong[j - 1, k]; olong[j - 1, k] = t
				t = okind[j, k]; okind[j, k] = okind[j - 1, k]; okind[j - 1, k] = t
				t = oarg[j, k]; oarg[j, k] = oarg[j - 1, k]; oarg[j - 1, k] = t
				t = odesc[j, k]; odesc[j, k] = odesc[j - 1, k]; odesc[j - 1, k] = t
			}
			t = nopt[j]; nopt[j] = nopt[j - 1]; nopt[j - 1] = t
		}
}

END {
	if (!failed)
		sort_applets()
	if (failed)
		exit 1
	if (inblock)
		fatal("unterminated help block for '" name[n] "'")
	m = out "/mains.h"
	print "/* Generated by applets/mktable.awk from the help blocks; do not edit. */" > m
	for (i = 1; i <= n; i++)
		if (fn[i] != "-")
			print "int " fn[i] "(int argc, char **argv);" > m
	close(m)
	h = out "/applets.h"
	print "/* Generated by applets/mktable.awk from the help blocks; do not edit. */" > h
	print "static const struct applet applet_table[] = {" > h
	for (i = 1; i <= n; i++) {
		if (flags[i] ~ / top/) {
			top = i
			continue
		}
		f = flags[i] ~ / role/ ? "APPLET_ROLE" : "0"
		printf "\t{ %s, %s, %s, %s,\n\t  %s,\n", cstr(name[i]), fn[i] == "-" ? "NULL" : fn[i], \
			f, cstr(sum[i]), cstr(usage[i]) > h
		printf "\t  %s },\n", help[i] == "" ? "\"\"" : cstr(help[i]) > h
	}
	print "};" > h
	if (!top)
		fatal("no 'top' help block (sesame.c)")
	printf "static const char sesame_usage[] = %s;\n", cstr(usage[top]) > h
	printf "static const char sesame_help[] = %s;\n", cstr(help[top]) > h
	close(h)
	r = out "/roles"
	printf "" > r
	# the roles this build runs: make install links them
	for (i = 1; i <= n; i++)
		if (flags[i] ~ / role/ && fn[i] != "-")
			print name[i] > r
	close(r)
	options(out)
	manpage(out "/sesame.1")
	aliases()
	completions(out)
	fish(out "/sesame.fish")
}

# A role's short name: daemon-secrets is secrets.
function role_of(i,   r) {
	r = name[i]
	sub(/^daemon-/, "", r)
	return r
}

function cid(s) {
	gsub(/-/, "_", s)
	return s
}

function options(dir,   h, c, i, k, o, nl, lo, names, v) {
	h = dir "/options.h"
	c = dir "/options.c"
	print "/* Generated by applets/mktable.awk from the help blocks' option lines; do not edit. */" > h
	print "#ifndef SESAME_OPTIONS_H" > h
	print "#define SESAME_OPTIONS_H" > h
	print "#include <getopt.h>" > h
	# Long-only options: one number each, the same in every applet.
	nl = 0
	for (lo in longonly)
		names[++nl] = lo
	for (i = 2; i <= nl; i++)
		for (k = i; k > 1 && names[k - 1] > names[k]; k--) {
			v = names[k]; names[k] = names[k - 1]; names[k - 1] = v
		}
	print "enum {" > h
	for (k = 1; k <= nl; k++) {
		v = toupper(cid(names[k]))
		printf "\tOPT_%s%s,\n", v, k == 1 ? " = 256" : "" > h
		optval[names[k]] = "OPT_" v
	}
	print "};" > h
	print "/* Generated by applets/mktable.awk from the help blocks' option lines; do not edit. */" > c
	print "#include \"options.h\"" > c
	print "#include <stddef.h>" > c
	for (i = 1; i <= n; i++) {
		o = ":"
		for (k = 1; k <= nopt[i]; k++)
			if (oshort[i, k] != "")
				o = o oshort[i, k] (okind[i, k] == 1 ? ":" : okind[i, k] == 2 ? "::" : "")
		printf "#define OPTSTR_%s \"%s\"\n", cid(name[i]), o > h
		printf "extern const struct option longopts_%s[];\n", cid(name[i]) > h
		printf "const struct option longopts_%s[] = {\n", cid(name[i]) > c
		for (k = 1; k <= nopt[i]; k++)
			printf "\t{ \"%s\", %s, NULL, %s },\n", olong[i, k], \
				okind[i, k] == 1 ? "required_argument" : okind[i, k] == 2 ? "optional_argument" : "no_argument", \
				oshort[i, k] != "" ? "'" oshort[i, k] "'" : optval[olong[i, k]] > c
		print "\t{ NULL, 0, NULL, 0 }" > c
		print "};" > c
	}
	print "#endif" > h
	close(h)
	close(c)
}

# fish: each command, its sub-commands and options, and the roles (as
# `sesame daemon ROLE` and as daemon-ROLE).
function fish(f,   i, k, r, nc, c, cond, subs, line) {
	print "# fish completion for sesame; generated by applets/mktable.awk." > f
	print "complete -c sesame -f" > f
	print "function __sesame_profiles" > f
	print "\tcommand -q sesame; and sesame profile list 2>/dev/null | string match -rv '^NAME ' | string replace -r ' .*' ''" > f
	print "end" > f
	print "complete -c sesame -n __fish_use_subcommand -a help -d 'show help for a command'" > f
	for (i = 1; i <= n; i++) {
		if (i == top)
			continue
		if (flags[i] ~ / role/) {
			r = role_of(i)
			print "complete -c sesame -n '__fish_seen_subcommand_from daemon' -a " r " -d '" fq(sum[i]) "'" > f
			print "complete -c " name[i] " -f" > f
			nc = 2
			cond[1] = "-c sesame -n '__fish_seen_subcommand_from " r "'"
			cond[2] = "-c " name[i]
		} else {
			print "complete -c sesame -n __fish_use_subcommand -a " name[i] " -d '" fq(sum[i]) "'" > f
			print "complete -c sesame -n '__fish_seen_subcommand_from help' -a " name[i] > f
			nc = 1
			cond[1] = "-c sesame -n '__fish_seen_subcommand_from " name[i] "'"
			subs = subcommands(i)
			if (subs != "")
				print "complete " cond[1] " -a '" subs "'" > f
		}
		for (c = 1; c <= nc; c++)
			for (k = 1; k <= nopt[i]; k++) {
				line = "complete " cond[c]
				if (oshort[i, k] != "")
					line = line " -s " oshort[i, k]
				line = line " -l " olong[i, k]
				if (argkind(i, k) == "file")
					line = line " -r -F"
				else if (argkind(i, k) == "profile")
					line = line " -x -a '(__sesame_profiles)'"
				else if (okind[i, k] == 1)
					line = line " -x"
				print line " -d '" fq(odesc[i, k]) "'" > f
			}
	}
	close(f)
}

function fq(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/'/, "\\'", s)
	return s
}

# The sub-commands of applet i: its usage's first word after its name
# when that is a list a|b|c.
function subcommands(i,   u, parts, m, k, subs) {
	subs = ""
	u = usage[i]
	sub(/\n.*/, "", u)
	m = split(u, parts, /[ \t]+/)
	for (k = 2; k <= m; k++) {
		if (parts[k] == "sesame" || parts[k] == name[i])
			continue
		if (parts[k] ~ /^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)+$/) {
			subs = parts[k]
			gsub(/\|/, " ", subs)
		}
		break
	}
	return subs
}

# Another name for a command, in the completions: an applet whose
# summary ends "the same as sesame NAME" (ws, cl) or "(sesame NAME SUB)"
# (clone) completes NAME's options, and NAME's sub-commands if it names
# no SUB of its own.  Twice over, for an alias of an alias (cl).
function aliases(   i, j, k, pass, w, m, t, parts) {
	for (pass = 1; pass <= 2; pass++)
		for (i = 1; i <= n; i++) {
			if (!match(sum[i], /(the same as |\()sesame [a-z][a-z0-9-]*( [a-z][a-z0-9-]*)?\)?$/))
				continue
			w = substr(sum[i], RSTART, RLENGTH)
			sub(/^(the same as |\()sesame /, "", w)
			sub(/\)$/, "", w)
			m = split(w, parts, " ")
			t = 0
			for (j = 1; j <= n; j++)
				if (name[j] == parts[1] && j != i)
					t = j
			if (!t || nopt[i] >= nopt[t])
				continue
			nopt[i] = nopt[t]
			for (k = 1; k <= nopt[t]; k++) {
				oshort[i, k] = oshort[t, k]; olong[i, k] = olong[t, k]; okind[i, k] = okind[t, k]
				oarg[i, k] = oarg[t, k]; odesc[i, k] = odesc[t, k]
			}
			subsof[i] = m > 1 || nosubs[t] ? "" : subcommands(t)
			nosubs[i] = m > 1 || nosubs[t]
			aliased[i] = 1
		}
}

# Sub-commands and options of applet i, for completions.
function words_of(i,   k, w) {
	w = aliased[i] ? subsof[i] : subcommands(i)
	for (k = 1; k <= nopt[i]; k++)
		w = w " --" olong[i, k] (oshort[i, k] != "" ? " -" oshort[i, k] : "")
	sub(/^ /, "", w)
	return w
}

function manpage(f,   i, j, l, sect) {
	print ".\\\" Generated by applets/mktable.awk from the help blocks; do not edit." > f
	print ".TH SESAME 1 \"\" \"sesame " version "\" \"User Commands\"" > f
	print ".SH NAME" > f
	print "sesame \\- " roff(sum[top]) > f
	print ".SH SYNOPSIS" > f
	print ".nf" > f
	split(usage[top], ul, "\n")
	for (j = 1; ul[j] != ""; j++) {
		l = ul[j]
		sub(/^(usage|   or): /, "", l)
		print roff(l) > f
	}
	print ".fi" > f
	print ".SH DESCRIPTION" > f
	topsect(f)
	for (sect = 0; sect < 2; sect++) {
		print ".SH " (sect ? "DAEMON ROLES" : "COMMANDS") > f
		for (i = 1; i <= n; i++) {
			if (i == top || (flags[i] ~ / role/) != sect)
				continue
			print ".SS " roff(name[i]) > f
			print roff(sum[i]) "." > f
			print ".PP" > f
			print ".nf" > f
			for (j = 1; j <= nlines[i]; j++)
				print (lines[i, j] == "" ? "" : roff(lines[i, j])) > f
			print ".fi" > f
		}
	}
	for (j = 1; j <= ntail; j++)
		print tailline[j] > f
	close(f)
}

# The top block's text: lines in capitals start sections; everything after
# the first such heading goes after the command list.
function topsect(f,   j, l, after) {
	after = 0; ntail = 0
	for (j = 1; j <= nlines[top]; j++) {
		l = lines[top, j]
		if (l ~ /^usage: / || l ~ /^   or: /)
			continue
		if (l ~ /^[A-Z][A-Z ]+$/) {
			after = 1
			tailline[++ntail] = ".SH " l
			tailline[++ntail] = ".nf"
			continue
		}
		if (after)
			tailline[++ntail] = roff(l)
		else
			print (l == "" ? ".PP" : roff(l)) > f
	}
	if (after)
		tailline[++ntail] = ".fi"
}

function completions(dir,   b, z, i, k, cmds, roles, r) {
	b = dir "/sesame.bash"
	z = dir "/_sesame"
	cmds = "help daemon"; roles = ""
	for (i = 1; i <= n; i++) {
		if (i == top)
			continue
		if (flags[i] ~ / role/) {
			r = role_of(i)
			roles = roles " " r
		} else {
			cmds = cmds " " name[i]
		}
	}
	print "# bash completion for sesame; generated by applets/mktable.awk." > b
	# What an option's argument is: file, profile or value (nothing to offer).
	print "_sesame_arg() {" > b
	print "\tcase \"$1 $2\" in" > b
	for (i = 1; i <= n; i++)
		for (k = 1; k <= nopt[i]; k++)
			if (argkind(i, k) != "")
				print "\t'" name[i] " --" olong[i, k] "'" (oshort[i, k] != "" ? "|'" name[i] " -" oshort[i, k] "'" : "") \
					") echo " argkind(i, k) " ;;" > b
	print "\tesac" > b
	print "}" > b
	print "_sesame_words() {" > b
	print "\tcase $1 in" > b
	for (i = 1; i <= n; i++)
		if (i != top)
			print "\t" name[i] ") echo '" words_of(i) "' ;;" > b
	print "\tesac" > b
	print "}" > b
	print "_sesame() {" > b
	print "\tlocal cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} first=2" > b
	print "\tif [ \"${COMP_WORDS[0]##*/}\" != sesame ]; then cmd=${COMP_WORDS[0]##*/}; first=1" > b
	print "\telif [ \"$COMP_CWORD\" -eq 1 ]; then" > b
	print "\t\tCOMPREPLY=($(compgen -W '--help --list --version " cmds "' -- \"$cur\")); return" > b
	print "\telif [ \"$cmd\" = daemon ]; then" > b
	print "\t\tif [ \"$COMP_CWORD\" -eq 2 ]; then COMPREPLY=($(compgen -W '" roles "' -- \"$cur\")); return; fi" > b
	print "\t\tcmd=daemon-${COMP_WORDS[2]}; first=3" > b
	print "\telif [ \"$cmd\" = help ]; then" > b
	print "\t\tCOMPREPLY=($(compgen -W '" cmds "' -- \"$cur\")); return" > b
	print "\tfi" > b
	print "\tcase $(_sesame_arg \"$cmd\" \"${COMP_WORDS[COMP_CWORD-1]}\") in" > b
	print "\tfile) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;" > b
	print "\tprofile) COMPREPLY=($(compgen -W \"$(sesame profile list 2>/dev/null | awk 'NR > 1 { print $1 }')\" -- \"$cur\")); return ;;" > b
	print "\tvalue) COMPREPLY=(); return ;;" > b
	print "\tesac" > b
	print "\tCOMPREPLY=($(compgen -W \"$(_sesame_words \"$cmd\") --help\" -- \"$cur\"))" > b
	print "}" > b
	printf "complete -F _sesame sesame" > b
	for (i = 1; i <= n; i++)
		if (flags[i] ~ / role/)
			printf " %s", name[i] > b
	print "" > b
	close(b)

	print "#compdef sesame" > z
	print "# zsh completion for sesame; generated by applets/mktable.awk." > z
	print "_sesame() {" > z
	print "\tlocal -a cmds roles" > z
	printf "\tcmds=(" > z
	printf " 'help:show help for a command'" > z
	for (i = 1; i <= n; i++)
		if (i != top && flags[i] !~ / role/)
			printf " '%s:%s'", name[i], zq(sum[i]) > z
	print " )" > z
	printf "\troles=(" > z
	for (i = 1; i <= n; i++)
		if (flags[i] ~ / role/) {
			r = role_of(i)
			printf " '%s:%s'", r, zq(sum[i]) > z
		}
	print " )" > z
	print "\tif (( CURRENT == 2 )); then _describe command cmds; return; fi" > z
	print "\tlocal cmd=$words[2]" > z
	print "\tif [[ $cmd == daemon ]]; then" > z
	print "\t\tif (( CURRENT == 3 )); then _describe role roles; return; fi" > z
	print "\t\tcmd=daemon-$words[3]" > z
	print "\telif [[ $cmd == help ]]; then _describe command cmds; return; fi" > z
	print "\tcase $cmd in" > z
	for (i = 1; i <= n; i++)
		if (i != top)
			print "\t" name[i] ") compadd -- " words_of(i) " --help ;;" > z
	print "\tesac" > z
	print "}" > z
	print "_sesame \"$@\"" > z
	close(z)
}

function zq(s) {
	gsub(/'/, "'\\''", s)
	gsub(/:/, "\\:", s)
	return s
}
