/* Unit tests for lib/binding: combinations (modifiers in any order and
 * case, aliases, errors that name the part) and command splitting
 * (quotes, escapes, limits). */
#include "lib/config/binding.h"
#include "lib/core/util.h"
#include "tap.h"

#include <string.h>

static int combo(const char *s, unsigned want_mods, const char *want_key)
{
	unsigned mods;
	char key[BIND_MAX_KEY];

	return binding_parse(s, &mods, key) == 0 && mods == want_mods && !strcmp(key, want_key);
}

static int bad(const char *s, const char *reason)
{
	unsigned mods;
	char key[BIND_MAX_KEY];

	return binding_parse(s, &mods, key) < 0 && strstr(last_error(), reason);
}

static const char *split(const char *cmd)
{
	static char joined[512];
	char buf[256], *argv[BIND_MAX_ARGS];
	int n = binding_split(cmd, argv, BIND_MAX_ARGS, buf, sizeof(buf));

	if (n < 0)
		return NULL;
	joined[0] = 0;
	for (int i = 0; i < n; i++) {
		strcat(joined, "[");
		strcat(joined, argv[i]);
		strcat(joined, "]");
	}
	return joined;
}

int main(void)
{
	char out[64], many[200] = "";
	const char *s;

	ok(combo("alt+space", BIND_ALT, "space"), "alt+space");
	ok(combo("Ctrl+ALT+t", BIND_CTRL | BIND_ALT, "t"), "modifiers are case-insensitive");
	ok(combo("shift+control+super+F5", BIND_SHIFT | BIND_CTRL | BIND_SUPER, "F5"), "control, super");
	ok(combo("logo+Return", BIND_SUPER, "Return"), "logo is super");
	ok(combo("XF86AudioMute", 0, "XF86AudioMute"), "a key alone");
	ok(bad("alt+alt+t", "twice"), "a modifier twice is refused");
	ok(bad("hyper+t", "'hyper' is not a modifier"), "an unknown modifier is named");
	ok(bad("alt+", "empty part"), "a trailing '+'");
	ok(bad("", "empty part"), "an empty combination");
	ok(bad("alt+sp ace", "not a key name"), "a blank in the key");
	binding_format(BIND_SUPER | BIND_CTRL, "t", out, sizeof(out));
	ok(!strcmp(out, "ctrl+super+t"), "format writes modifiers in a fixed order");

	ok((s = split("wm overlay --launcher")) && !strcmp(s, "[wm][overlay][--launcher]"), "words");
	ok((s = split("  profile\tactivate  work ")) && !strcmp(s, "[profile][activate][work]"), "blanks");
	ok((s = split("launch run 'my app' \"say \\\"hi\\\" \\\\ \"")) &&
		!strcmp(s, "[launch][run][my app][say \"hi\" \\ ]"), "quotes and escapes");
	ok((s = split("a'b c'd")) && !strcmp(s, "[ab cd]"), "quotes inside a word");
	ok((s = split("''")) && !strcmp(s, "[]"), "an empty quoted word is a word");
	ok(!split("") && strstr(last_error(), "empty"), "an empty command is refused");
	ok(!split("say 'oops") && strstr(last_error(), "unclosed '"), "an unclosed quote is refused");
	for (int i = 0; i < 40; i++)
		strcat(many, "w ");
	ok(!split(many) && strstr(last_error(), "more than"), "too many words are refused");
	done_testing();
}
