/* keybind.c - the switcher's binding lines in each compositor's config
 * file: written (setup-keybinding), found and taken out again
 * (remove-keybinding, keybinding-status).  Text only: the files are read
 * and written by the applet.  Any file content is handled (tests/fuzz/
 * keybind.c). */
#include "lib/config/keybind.h"
#include "lib/core/util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const keybind_names[KB_NWM] = { "sway", "hyprland", "river", "labwc" };

/* The lines for wm, running exe, into out; alt is " --alt" (the Tab
 * lines say Alt is held), or "" for the lines sesame wrote before it
 * knew the option. */
static void lines(int wm, const char *exe, const char *alt, char *out, size_t n)
{
	switch (wm) {
	case KB_SWAY:
		snprintf(out, n, "# sesame: the window switcher\n"
			"bindsym Mod1+Tab exec %s wm overlay%s\n"
			"bindsym Mod1+Shift+Tab exec %s wm overlay%s --backward\n"
			"bindsym Mod1+space exec %s wm overlay --launcher\n", exe, alt, exe, alt, exe);
		break;
	case KB_HYPRLAND:
		snprintf(out, n, "# sesame: the window switcher\n"
			"bind = ALT, Tab, exec, %s wm overlay%s\n"
			"bind = ALT SHIFT, Tab, exec, %s wm overlay%s --backward\n"
			"bind = ALT, space, exec, %s wm overlay --launcher\n", exe, alt, exe, alt, exe);
		break;
	case KB_RIVER:
		snprintf(out, n, "# sesame: the window switcher\n"
			"riverctl map normal Alt Tab spawn '%s wm overlay%s'\n"
			"riverctl map normal Alt+Shift Tab spawn '%s wm overlay%s --backward'\n"
			"riverctl map normal Alt Space spawn '%s wm overlay --launcher'\n", exe, alt, exe, alt, exe);
		break;
	default:
		snprintf(out, n, "<!-- sesame: the window switcher -->\n"
			"<keybind key=\"A-Tab\"><action name=\"Execute\" command=\"%s wm overlay%s\"/></keybind>\n"
			"<keybind key=\"A-S-Tab\"><action name=\"Execute\" command=\"%s wm overlay%s --backward\"/></keybind>\n"
			"<keybind key=\"A-space\"><action name=\"Execute\" command=\"%s wm overlay --launcher\"/></keybind>\n",
			exe, alt, exe, alt, exe);
	}
}

void keybind_lines(int wm, const char *exe, char *out, size_t n)
{
	lines(wm, exe, " --alt", out, n);
}

/* Where river's init stops running lines: its first top-level exec. */
static const char *river_exec(const char *old)
{
	for (const char *l = old; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		const char *w = l + strspn(l, " \t");

		if (!strncmp(w, "exec", 4) && (w[4] == ' ' || w[4] == '\t'))
			return l;
	}
	return NULL;
}

int keybind_outdated(int wm, const char *text)
{
	char exe[PATH_MAX];
	int old = 0;

	for (const char *l = text; *l && !old;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);

		keybind_ours(wm, l, n, exe, sizeof(exe), &old);
		l += nl ? n + 1 : n;
	}
	return old;
}

/* The new contents of the config file, or NULL if the lines are there. */
char *keybind_merged(int wm, const char *old, const char *add)
{
	const char *kb, *end, *ex;
	/* labwc loads its default bindings only while rc.xml binds nothing. */
	const char *dflt = strstr(old, "<keybind") || strstr(old, "<default") ? "" : "<default />\n";
	size_t olen = strlen(old);

	if (strstr(old, KEYBIND_MARK)) {
		char *rest, *neu;

		if (!keybind_outdated(wm, old) || !(rest = keybind_without(wm, old)))
			return NULL;
		neu = keybind_merged(wm, rest, add);	/* NULL if a mark is left */
		free(rest);
		return neu;
	}
	if (wm == KB_RIVER && (ex = river_exec(old)))
		return xasprintf("%.*s%s\n%s", (int)(ex - old), old, add, ex);
	if (wm != KB_LABWC)
		return xasprintf("%s%s%s%s", old, olen && old[olen - 1] != '\n' ? "\n" : "", olen ? "\n" : "", add);
	if ((kb = strstr(old, "<keyboard>"))) {
		kb += strlen("<keyboard>");
		return xasprintf("%.*s\n%s%s%s", (int)(kb - old), old, dflt, add, kb);
	}
	if ((end = strstr(old, "</labwc_config>")))
		return xasprintf("%.*s<keyboard>\n%s%s</keyboard>\n%s", (int)(end - old), old, dflt, add, end);
	if (olen)
		return NULL;	/* not a file we understand: the caller says so */
	return xasprintf("<?xml version=\"1.0\"?>\n<labwc_config>\n<keyboard>\n%s%s</keyboard>\n</labwc_config>\n",
		dflt, add);
}

/* What each of the three lines binds, as the line begins (for another
 * binding of the same keys); compared without case. */
const char *const keybind_keys[KB_NWM][3] = {
	[KB_SWAY] = { "bindsym Mod1+Tab ", "bindsym Mod1+Shift+Tab ", "bindsym Mod1+space " },
	[KB_HYPRLAND] = { "bind = ALT, Tab,", "bind = ALT SHIFT, Tab,", "bind = ALT, space," },
	[KB_RIVER] = { "riverctl map normal Alt Tab ", "riverctl map normal Alt+Shift Tab ",
		"riverctl map normal Alt Space " },
	[KB_LABWC] = { "<keybind key=\"A-Tab\"", "<keybind key=\"A-S-Tab\"", "<keybind key=\"A-space\"" },
};
const char *const keybind_key_names[3] = { "Alt+Tab", "Alt+Shift+Tab", "Alt+Space" };

/* Which of the lines of one version (alt as in lines()) line is; as
 * keybind_ours. */
static int ours_in(int wm, const char *alt, const char *line, size_t len, char *exe, size_t exesz)
{
	char tmpl[1024], *t = tmpl, *nl, *hole;

	lines(wm, "\001", alt, tmpl, sizeof(tmpl));
	for (int i = 0; (nl = strchr(t, '\n')); t = nl + 1, i++) {
		size_t pre, suf, elen;

		*nl = 0;
		if (!(hole = strchr(t, '\001'))) {
			if (strlen(t) == len && !memcmp(t, line, len))
				return i;
			continue;
		}
		pre = (size_t)(hole - t), suf = strlen(hole + 1);
		if (len < pre + suf + 6 || memcmp(line, t, pre) || memcmp(line + len - suf, hole + 1, suf))
			continue;
		elen = len - pre - suf;
		if (memchr(line + pre, ' ', elen) || memchr(line + pre, '\'', elen) || memchr(line + pre, '"', elen) ||
		    memcmp(line + pre + elen - 6, "sesame", 6) || elen >= exesz)
			continue;
		memcpy(exe, line + pre, elen);
		exe[elen] = 0;
		return i;
	}
	return -1;
}

int keybind_ours(int wm, const char *line, size_t len, char *exe, size_t exesz, int *outdated)
{
	int k;

	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	if (outdated)
		*outdated = 0;
	if ((k = ours_in(wm, " --alt", line, len, exe, exesz)) >= 0)
		return k;
	if ((k = ours_in(wm, "", line, len, exe, exesz)) > 0 && outdated)
		*outdated = k < 3;	/* the Tab lines changed; the comment and Space did not */
	return k;
}

static int blank(const char *l, size_t n)
{
	return strspn(l, " \t") >= n;
}

/* The blank line keybind_merged put beside a block of its lines: before
 * one it appended (sway, Hyprland; river and labwc when it is the last
 * thing in the file), after one it inserted (river, before an exec;
 * labwc, first in <keyboard>). */
char *keybind_without(int wm, const char *old)
{
	struct line { const char *p; size_t len, full; int keep; } *l = NULL;
	size_t n = 0, cap = 0, o = 0;
	char *out, exe[PATH_MAX];
	int found = 0;

	for (const char *p = old; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (n == cap)
			l = xreallocarray(l, cap = cap ? cap * 2 : 64, sizeof(*l));
		l[n] = (struct line){ p, len, nl ? len + 1 : len, keybind_ours(wm, p, len, exe, sizeof(exe), NULL) < 0 };
		found |= !l[n].keep;
		p += l[n++].full;
	}
	if (!found) {
		free(l);
		return NULL;
	}
	for (size_t i = 0; i < n;) {
		size_t a = i, b;

		if (l[i].keep) {
			i++;
			continue;
		}
		for (b = a; b < n && !l[b].keep; b++)
			;
		if ((wm == KB_RIVER || wm == KB_LABWC) && b < n) {
			if (blank(l[b].p, l[b].len))
				l[b].keep = 0, b++;
		} else if (a > 0 && l[a - 1].keep && blank(l[a - 1].p, l[a - 1].len)) {
			l[a - 1].keep = 0;
		}
		i = b;
	}
	out = xmalloc(strlen(old) + 1);
	for (size_t i = 0; i < n; i++)
		if (l[i].keep)
			memcpy(out + o, l[i].p, l[i].full), o += l[i].full;
	out[o] = 0;
	free(l);
	return out;
}
