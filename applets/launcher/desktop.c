/* desktop.c - desktop entry files, read the way the Desktop Entry
 * Specification 1.5 says: UTF-8 text of lines, '#' comments, groups, the
 * [Desktop Entry] group first, "Key[locale]=value" with spaces around '='
 * ignored, string escapes (\s \n \t \r \\) and lists split at unescaped
 * ';'.  A localized key takes the best locale match (desktop_locales);
 * the first of duplicated keys counts.
 */
#include "applets/launcher/desktop.h"
#include "lib/core/util.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int desktop_locales(const char *locale, char out[4][64])
{
	char lang[24] = "", country[16] = "", mod[20] = "";
	const char *p = locale, *end;
	int n = 0;

	if (!locale || !*locale || !strcmp(locale, "C") || !strcmp(locale, "POSIX") ||
	    strlen(locale) >= 64)
		return 0;
	/* Parts too long for any real locale mean no match at all. */
	end = p + strcspn(p, "_.@");
	if ((size_t)(end - p) >= sizeof(lang))
		return 0;
	memcpy(lang, p, (size_t)(end - p));
	if (*end == '_') {
		p = end + 1;
		end = p + strcspn(p, ".@");
		if ((size_t)(end - p) >= sizeof(country))
			return 0;
		memcpy(country, p, (size_t)(end - p));
	}
	if (*end == '.')
		end += strcspn(end, "@");
	if (*end == '@') {
		if (strlen(end + 1) >= sizeof(mod))
			return 0;
		strcpy(mod, end + 1);
	}
	if (!*lang)
		return 0;
	if (*country && *mod)
		snprintf(out[n++], 64, "%s_%s@%s", lang, country, mod);
	if (*country)
		snprintf(out[n++], 64, "%s_%s", lang, country);
	if (*mod)
		snprintf(out[n++], 64, "%s@%s", lang, mod);
	snprintf(out[n++], 64, "%s", lang);
	return n;
}

const char *desktop_env_locale(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };

	for (size_t i = 0; i < ARRAY_LEN(vars); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return v;
	}
	return NULL;
}

/* A key being filled: its value and how well its locale matched
 * (0: unlocalized, 1..4: locales[rank - 1], lower is better; -1: unset). */
struct slot {
	const char *key;
	int localized, list;
	char **dst;
	int rank;
};

/* Undo the string escapes of value (n bytes) into a new string; in a list
 * "\;" stays escaped until the split (desktop_list_has honours it). */
static char *unescape(const char *v, size_t n, int list)
{
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (v[i] != '\\' || i + 1 == n) {
			*o++ = v[i];
			continue;
		}
		switch (v[++i]) {
		case 's': *o++ = ' '; break;
		case 'n': *o++ = '\n'; break;
		case 't': *o++ = '\t'; break;
		case 'r': *o++ = '\r'; break;
		case '\\': *o++ = '\\'; if (list) *o++ = '\\'; break;
		case ';': if (list) *o++ = '\\'; *o++ = ';'; break;
		default: *o++ = '\\'; *o++ = v[i]; break;
		}
	}
	*o = 0;
	return out;
}

static int boolean(const char *v, size_t n, int *out)
{
	if (n == 4 && !memcmp(v, "true", 4))
		return *out = 1, 0;
	if (n == 5 && !memcmp(v, "false", 5))
		return *out = 0, 0;
	return -1;
}

static int key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* One "Key[locale]=value" line of the [Desktop Entry] group. */
static int entry_line(const char *s, size_t n, char locales[][64], int nloc, struct slot *slots,
	size_t nslots, struct desktop_entry *e)
{
	size_t k = 0, lb = 0, le = 0, v;
	int rank = 0;

	while (k < n && key_char(s[k]))
		k++;
	if (!k)
		return fail("expected a key");
	if (k < n && s[k] == '[') {
		lb = k + 1;
		le = lb;
		while (le < n && s[le] != ']')
			le++;
		if (le == n || le == lb)
			return fail("malformed locale in a key");
		v = le + 1;
	} else {
		v = k;
	}
	while (v < n && (s[v] == ' ' || s[v] == '\t'))
		v++;
	if (v == n || s[v] != '=')
		return fail("expected '=' after the key");
	v++;
	while (v < n && (s[v] == ' ' || s[v] == '\t'))
		v++;
	if (lb) {
		rank = -1;
		for (int i = 0; i < nloc; i++)
			if (strlen(locales[i]) == le - lb && !memcmp(locales[i], s + lb, le - lb)) {
				rank = i + 1;
				break;
			}
		if (rank < 0)
			return 0;	/* another language */
	}
	for (size_t i = 0; i < nslots; i++) {
		struct slot *sl = &slots[i];

		if (strlen(sl->key) != k || memcmp(sl->key, s, k))
			continue;
		if (lb && !sl->localized)
			return 0;
		/* Unlocalized first; a localized value beats it, a better
		 * locale beats a worse one; a repeated key keeps the first. */
		if (sl->rank >= 0 && (rank == sl->rank || (rank == 0 && sl->rank > 0) ||
		    (rank > 0 && sl->rank > 0 && rank > sl->rank)))
			return 0;
		free(*sl->dst);
		*sl->dst = unescape(s + v, n - v, sl->list);
		sl->rank = rank;
		return 0;
	}
	if (lb)
		return 0;
	{
		static const struct { const char *key; size_t off; } bools[] = {
			{ "NoDisplay", offsetof(struct desktop_entry, no_display) },
			{ "Hidden", offsetof(struct desktop_entry, hidden) },
			{ "Terminal", offsetof(struct desktop_entry, terminal) },
			{ "DBusActivatable", offsetof(struct desktop_entry, dbus_activatable) },
		};

		for (size_t i = 0; i < ARRAY_LEN(bools); i++)
			if (strlen(bools[i].key) == k && !memcmp(bools[i].key, s, k) &&
			    boolean(s + v, n - v, (int *)((char *)e + bools[i].off)) < 0)
				return fail("%s is not true or false", bools[i].key);
	}
	if (k == 4 && !memcmp(s, "Type", 4) && e->type == DESKTOP_OTHER) {
		size_t len = n - v;

		e->type = len == 11 && !memcmp(s + v, "Application", 11) ? DESKTOP_APPLICATION :
			len == 4 && !memcmp(s + v, "Link", 4) ? DESKTOP_LINK :
			len == 9 && !memcmp(s + v, "Directory", 9) ? DESKTOP_DIRECTORY : DESKTOP_OTHER;
	}
	return 0;
}

static void action_free(struct desktop_action *a)
{
	free(a->name);
	free(a->exec);
	free(a->icon);
	memset(a, 0, sizeof(*a));
}

/* The header line h (n bytes) starts the group of an action the entry
 * lists, not seen before, with room for it: that action, else NULL. */
static struct desktop_action *action_begin(struct desktop_entry *e, const char *h, size_t n)
{
	static const char pre[] = "[Desktop Action ";
	size_t pl = sizeof(pre) - 1, idn;
	struct desktop_action *a;

	if (e->nactions == DESKTOP_MAX_ACTIONS || n < pl + 2 || memcmp(h, pre, pl) || h[n - 1] != ']' ||
	    !e->actions)
		return NULL;
	idn = n - pl - 1;
	if (idn >= DESKTOP_MAX_ACTION_ID || memchr(h + pl, ';', idn) || memchr(h + pl, '\\', idn))
		return NULL;
	a = &e->action[e->nactions];
	memcpy(a->id, h + pl, idn);
	a->id[idn] = 0;
	if (!desktop_list_has(e->actions, a->id))
		return NULL;
	for (int i = 0; i < e->nactions; i++)
		if (!strcmp(e->action[i].id, a->id))
			return NULL;
	return a;
}

/* An action's group is over: kept if it is whole. */
static void action_end(struct desktop_entry *e, struct desktop_action *a, int bad)
{
	if (!a)
		return;
	if (bad || !a->name || !*a->name || !a->exec || !*a->exec)
		action_free(a);
	else
		e->nactions++;
}

int desktop_parse(const char *text, size_t len, char locales[][64], int nlocales, struct desktop_entry *e)
{
	struct slot slots[] = {
		{ "Name", 1, 0, &e->name, -1 }, { "GenericName", 1, 0, &e->generic, -1 },
		{ "Comment", 1, 0, &e->comment, -1 }, { "Icon", 1, 0, &e->icon, -1 },
		{ "Keywords", 1, 1, &e->keywords, -1 }, { "Exec", 0, 0, &e->exec, -1 },
		{ "TryExec", 0, 0, &e->try_exec, -1 }, { "Path", 0, 0, &e->path, -1 },
		{ "Categories", 0, 1, &e->categories, -1 }, { "OnlyShowIn", 0, 1, &e->only_show_in, -1 },
		{ "NotShowIn", 0, 1, &e->not_show_in, -1 }, { "Actions", 0, 1, &e->actions, -1 },
	};
	struct slot aslots[3];
	struct desktop_entry scratch;	/* what an action's group sets besides its slots */
	struct desktop_action *act = NULL;
	int abad = 0;
	/* 0: none yet, 1: [Desktop Entry], 2: a group skipped, 3: an action's */
	int lineno = 0, group = 0;
	const char *p = text, *end = text + len;

	memset(e, 0, sizeof(*e));
	if (len > DESKTOP_MAX_FILE)
		return fail("larger than %d bytes", DESKTOP_MAX_FILE);
	if (!utf8_valid(text, len))
		return fail("not valid UTF-8");
	if (memchr(text, 0, len))
		return fail("holds a NUL byte");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		if (!n || p[0] == '#') {
			/* blank or comment */
		} else if (p[0] == '[' && group) {
			/* After the entry: an action's group, or one skipped
			 * (a malformed header too: past the entry it harms none). */
			action_end(e, act, abad);
			act = action_begin(e, p, n);
			abad = 0;
			group = act ? 3 : 2;
			if (act) {
				struct slot a[] = { { "Name", 1, 0, &act->name, -1 }, { "Exec", 0, 0, &act->exec, -1 },
					{ "Icon", 1, 0, &act->icon, -1 } };

				memcpy(aslots, a, sizeof(aslots));
			}
		} else if (p[0] == '[') {
			if (p[n - 1] != ']' || n < 3) {
				fail("line %d: malformed group header", lineno);
				goto bad;
			}
			if (n - 2 == 13 && !memcmp(p + 1, "Desktop Entry", 13))
				group = 1;
			else {
				fail("line %d: the first group is not [Desktop Entry]", lineno);
				goto bad;
			}
		} else if (group == 2) {
			/* a group a launcher does not read */
		} else if (group == 3) {
			memset(&scratch, 0, sizeof(scratch));
			if (entry_line(p, n, locales, nlocales, aslots, ARRAY_LEN(aslots), &scratch) < 0)
				abad = 1;
		} else if (!group) {
			fail("line %d: a key before the [Desktop Entry] group", lineno);
			goto bad;
		} else if (entry_line(p, n, locales, nlocales, slots, ARRAY_LEN(slots), e) < 0) {
			char why[200];

			snprintf(why, sizeof(why), "%s", last_error());
			fail("line %d: %s", lineno, why);
			goto bad;
		}
		p = nl ? nl + 1 : end;
	}
	action_end(e, act, abad);
	if (!group) {
		fail("no [Desktop Entry] group");
		goto bad;
	}
	return 0;
bad:
	desktop_free(e);
	return -1;
}

void desktop_free(struct desktop_entry *e)
{
	char **s[] = { &e->name, &e->generic, &e->comment, &e->icon, &e->exec, &e->try_exec, &e->path,
		&e->keywords, &e->categories, &e->only_show_in, &e->not_show_in, &e->actions };

	for (size_t i = 0; i < ARRAY_LEN(s); i++) {
		free(*s[i]);
		*s[i] = NULL;
	}
	for (int i = 0; i < DESKTOP_MAX_ACTIONS; i++)
		action_free(&e->action[i]);
	e->nactions = 0;
}

int desktop_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	if (!list)
		return 0;
	for (const char *p = list; *p; ) {
		const char *q = p;
		size_t i = 0;
		int same = 1;

		while (*q && *q != ';') {
			char c = *q;

			if (c == '\\' && (q[1] == ';' || q[1] == '\\'))
				c = *++q;
			if (i >= n || item[i] != c)
				same = 0;
			i++, q++;
		}
		if (same && i == n && (i || *q == ';'))
			return 1;
		p = *q ? q + 1 : q;
	}
	return 0;
}

int desktop_shows_in(const struct desktop_entry *e, const char *current)
{
	char name[128];
	int only = 0;

	for (const char *p = current; p && *p; ) {
		size_t n = strcspn(p, ":");

		if (n && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = 0;
			if (desktop_list_has(e->not_show_in, name))
				return 0;
			if (desktop_list_has(e->only_show_in, name))
				only = 1;
		}
		p += n + (p[n] == ':');
	}
	return !e->only_show_in || !*e->only_show_in || only;
}

/* ---- Exec ----------------------------------------------------------- */

struct argv_build {
	char **v;
	int n;
};

static int push(struct argv_build *a, const char *s, size_t n)
{
	char *copy;

	if (a->n + 1 >= DESKTOP_MAX_ARGS)
		return fail("Exec has more than %d arguments", DESKTOP_MAX_ARGS - 1);
	copy = xmalloc(n + 1);
	memcpy(copy, s, n);
	copy[n] = 0;
	a->v[a->n++] = copy;
	a->v[a->n] = NULL;
	return 0;
}

/* Expand the field codes of one unquoted argument (n bytes) and push what
 * it becomes: nothing, one argument or (for a lone %i) two. */
static int expand(struct argv_build *a, const char *arg, size_t n, const struct desktop_entry *e,
	const char *file)
{
	char *out;
	size_t o = 0, cap = n + 1;
	int codes = 0;

	if (n == 2 && !memcmp(arg, "%i", 2)) {
		if (!e->icon || !*e->icon)
			return 0;
		if (push(a, "--icon", 6) < 0)
			return -1;
		return push(a, e->icon, strlen(e->icon));
	}
	for (size_t i = 0; i < n; i++)
		if (arg[i] == '%' && i + 1 < n && (arg[i + 1] == 'c' || arg[i + 1] == 'k'))
			cap += 4096;
	out = xmalloc(cap);
	for (size_t i = 0; i < n; i++) {
		const char *add = NULL;

		if (arg[i] != '%') {
			out[o++] = arg[i];
			continue;
		}
		if (++i == n) {
			free(out);
			return fail("Exec ends with a lone '%%'");
		}
		switch (arg[i]) {
		case '%': out[o++] = '%'; continue;
		case 'f': case 'F': case 'u': case 'U':	/* no files or URLs to give */
		case 'd': case 'D': case 'n': case 'N': case 'v': case 'm':	/* deprecated */
		case 'i':
			codes++;
			continue;
		case 'c': add = e->name ? e->name : ""; break;
		case 'k': add = file ? file : ""; break;
		default:
			free(out);
			return fail("Exec has the unknown field code %%%c", arg[i]);
		}
		codes++;
		if (strlen(add) > 4095) {
			free(out);
			return fail("Exec: a field code expands past 4095 bytes");
		}
		memcpy(out + o, add, strlen(add));
		o += strlen(add);
	}
	/* An argument that was only field codes standing for nothing goes. */
	if (!(o == 0 && codes)) {
		if (push(a, out, o) < 0) {
			free(out);
			return -1;
		}
	}
	free(out);
	return 0;
}

int desktop_exec_argv(const struct desktop_entry *e, const char *file, char ***argv, int *argc)
{
	struct argv_build a = { xcalloc(DESKTOP_MAX_ARGS, sizeof(char *)), 0 };
	const char *s = e->exec;
	char *arg;

	if (!s || !*s) {
		free(a.v);
		return fail("no Exec line");
	}
	arg = xmalloc(strlen(s) + 1);
	while (*s) {
		size_t n = 0;

		if (*s == ' ' || *s == '\t' || *s == '\n') {
			s++;
			continue;
		}
		/* One argument: quoted in whole or plain (quotes may also
		 * start mid-word, as shells allow). */
		while (*s && *s != ' ' && *s != '\t' && *s != '\n') {
			if (*s != '"') {
				arg[n++] = *s++;
				continue;
			}
			for (s++; *s != '"'; s++) {
				if (!*s) {
					fail("Exec has an unclosed quote");
					goto bad;
				}
				if (*s == '\\' && (s[1] == '"' || s[1] == '`' || s[1] == '$' || s[1] == '\\'))
					s++;
				arg[n++] = *s;
			}
			s++;
		}
		if (expand(&a, arg, n, e, file) < 0)
			goto bad;
	}
	free(arg);
	if (!a.n) {
		free(a.v);
		return fail("Exec names no program");
	}
	*argv = a.v;
	*argc = a.n;
	return 0;
bad:
	free(arg);
	desktop_argv_free(a.v);
	return -1;
}

void desktop_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}
