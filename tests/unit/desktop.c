/* Unit tests: desktop entries (localized keys, escapes, lists, Exec
 * quoting and field codes), the fuzzy scorer's ordering, and the
 * template parser. */
#include "applets/launcher/desktop.h"
#include "applets/launcher/fuzzy.h"
#include "lib/core/template.h"
#include "tap.h"

#include <string.h>

static int parse(const char *text, const char *locale, struct desktop_entry *e)
{
	char loc[4][64];
	int n = desktop_locales(locale, loc);

	return desktop_parse(text, strlen(text), loc, n, e);
}

static const char *argv_str(const char *exec)
{
	static char out[1024];
	struct desktop_entry e = { 0 };
	char **argv;
	int argc;

	e.exec = (char *)exec;
	e.name = "My App";
	e.icon = "my-icon";
	if (desktop_exec_argv(&e, "/a/b.desktop", &argv, &argc) < 0)
		return "ERROR";
	out[0] = 0;
	for (int i = 0; i < argc; i++) {
		strcat(out, "<");
		strcat(out, argv[i]);
		strcat(out, ">");
	}
	desktop_argv_free(argv);
	return out;
}

static int score(const char *query, const char *text)
{
	struct fuzzy_query q;

	fuzzy_compile(&q, query);
	return fuzzy_score(&q.atom[0], text, strlen(text));
}

int main(void)
{
	struct desktop_entry e;
	char loc[4][64];
	struct template_part parts[16];
	int n;

	/* Desktop actions: those Actions lists, with a Name and an Exec, in
	 * their groups' order; a malformed line drops its action only. */
	{
		static const char *text =
			"[Desktop Entry]\nType=Application\nName=A\nExec=a\nActions=one;two;three;dup;\n\n"
			"[Desktop Action one]\nName=One\nName[de]=Eins\nExec=a --one\n\n"
			"[Desktop Action two]\nName=Two\n\n"
			"[Desktop Action three]\nbroken line\nName=Three\nExec=a\n"
			"[Desktop Action unlisted]\nName=U\nExec=u\n"
			"[Desktop Action dup]\nName=Dup\nExec=d\n[Desktop Action dup]\nName=Dup2\nExec=e\n"
			"[Other]\n!!! not a key\n";

		ok(parse(text, "de_DE.UTF-8", &e) == 0, "an entry with actions parses (and the lines of other groups are not read)");
		ok(e.nactions == 2 && !strcmp(e.action[0].id, "one") && !strcmp(e.action[1].id, "dup"),
			"two actions: one and dup (two has no Exec, three a malformed line, unlisted is not listed)");
		ok(e.nactions == 2 && !strcmp(e.action[0].name, "Eins") && !strcmp(e.action[0].exec, "a --one"),
			"an action's Name is localized, its Exec read");
		ok(e.nactions == 2 && !strcmp(e.action[1].name, "Dup"), "a repeated action group: the first counts");
		desktop_free(&e);
		ok(e.nactions == 0 && !e.actions, "desktop_free lets go of them");
	}

	n = desktop_locales("sr_YU.UTF-8@Latn", loc);
	ok(n == 4 && !strcmp(loc[0], "sr_YU@Latn") && !strcmp(loc[1], "sr_YU") && !strcmp(loc[2], "sr@Latn") &&
		!strcmp(loc[3], "sr"), "locale match order: lang_COUNTRY@MOD, lang_COUNTRY, lang@MOD, lang");
	ok(desktop_locales("C", loc) == 0 && desktop_locales(NULL, loc) == 0, "C and unset give no locale");

	ok(parse("# c\n[Desktop Entry]\nType=Application\nName=Files\nName[de]=Dateien\nName[de_DE]=Dateien DE\n"
		"Exec=x\n", "de_DE.UTF-8", &e) == 0 && !strcmp(e.name, "Dateien DE"), "the most specific locale wins");
	desktop_free(&e);
	ok(parse("[Desktop Entry]\nName[fr]=Fichiers\nName=Files\nExec=x\n", "de_AT", &e) == 0 &&
		!strcmp(e.name, "Files"), "no matching locale: the plain value");
	desktop_free(&e);
	ok(parse("[Desktop Entry]\nName = A\\sB\\nC\\\\\nKeywords=a\\;b;c;\nHidden=true\n", NULL, &e) == 0 &&
		!strcmp(e.name, "A B\nC\\") && e.hidden && desktop_list_has(e.keywords, "a;b") &&
		desktop_list_has(e.keywords, "c") && !desktop_list_has(e.keywords, "a"),
		"spaces around '=', string escapes, lists with \\;, booleans");
	desktop_free(&e);
	ok(parse("[Other]\n[Desktop Entry]\nName=x\n", NULL, &e) < 0, "[Desktop Entry] must be the first group");
	ok(parse("[Desktop Entry]\nNoDisplay=yes\n", NULL, &e) < 0, "a boolean must be true or false");
	ok(parse("[Desktop Entry]\nName=\xff\n", NULL, &e) < 0, "invalid UTF-8 is refused");
	ok(parse("[Desktop Entry]\nType=Application\nName=A\n[Desktop Action x]\nName=B\n", NULL, &e) == 0 &&
		!strcmp(e.name, "A") && e.type == DESKTOP_APPLICATION, "later groups are not read into the entry");
	desktop_free(&e);
	ok(parse("[Desktop Entry]\nName=A\nOnlyShowIn=KDE;\n", NULL, &e) == 0 && !desktop_shows_in(&e, "sway") &&
		desktop_shows_in(&e, "sway:KDE"), "OnlyShowIn against XDG_CURRENT_DESKTOP");
	desktop_free(&e);

	ok(!strcmp(argv_str("foo %U --x"), "<foo><--x>"), "%%U without files vanishes");
	ok(!strcmp(argv_str("\"/opt/my app/run\" \"a \\\"q\\\" \\$HOME \\\\ \\`\""), "</opt/my app/run><a \"q\" $HOME \\ `>"),
		"quoting undone: spaces, \\\" \\$ \\\\ \\`");
	ok(!strcmp(argv_str("app %i --name=%c %k 100%%"), "<app><--icon><my-icon><--name=My App></a/b.desktop><100%>"),
		"%%i, %%c, %%k and %%%%");
	ok(!strcmp(argv_str("app %d %m x"), "<app><x>"), "deprecated codes vanish");
	ok(!strcmp(argv_str("app %z"), "ERROR"), "an unknown field code is an error");
	ok(!strcmp(argv_str("app \"open"), "ERROR"), "an unclosed quote is an error");
	ok(!strcmp(argv_str("  %f  "), "ERROR"), "an Exec with no program is an error");

	ok(score("fire", "Firefox") > score("fire", "LibreOffice Writer"), "a prefix beats a scattered match");
	ok(score("ff", "Firefox") < score("fi", "Firefox"), "consecutive letters beat a gap");
	ok(score("code", "Visual Studio Code") > score("code", "decoder"), "a word start beats the middle of a word");
	ok(score("nau", "org.gnome.Nautilus") > 0 && score("xyz", "Nautilus") == 0, "match, and no match");
	ok(score("Fire", "firefox") == 0 && score("fire", "FIREFOX") > 0, "smart case");
	{
		struct fuzzy_query q;

		fuzzy_compile(&q, "fierfox");
		ok(fuzzy_score(&q.atom[0], "Firefox", 7) == 0 && fuzzy_typo(&q.atom[0], "Firefox", 7) > 0,
			"a transposition is found by the typo fallback only");
		fuzzy_compile(&q, "xbcd");
		ok(fuzzy_typo(&q.atom[0], "Firefox", 7) == 0, "the typo fallback is not a wildcard");
	}

	ok(template_parse("a $$ b ${date:%H} ${env:HOME}$x", 31, parts, 16, &n) == 0 && n == 6 &&
		parts[0].kind == TPL_TEXT && parts[0].len == 2 && parts[1].kind == TPL_TEXT && parts[1].len == 4 &&
		!memcmp(parts[1].s, "$ b ", 4) && parts[2].kind == TPL_DATE && !memcmp(parts[2].s, "%H", 2) &&
		parts[4].kind == TPL_ENV && !memcmp(parts[4].s, "HOME", 4) && parts[5].len == 2 &&
		!memcmp(parts[5].s, "$x", 2),
		"template parts: text, $$, date, env, a lone $ kept");
	ok(template_parse("${secret:}", 10, parts, 16, &n) < 0, "${secret:} needs a name");
	ok(template_parse("${clipboard:x}", 14, parts, 16, &n) < 0, "${clipboard} takes no argument");
	ok(template_parse("${env:1X}", 9, parts, 16, &n) < 0, "an env name cannot start with a digit");
	return done_testing();
}
