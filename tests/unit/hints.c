/* Unit tests for the switcher's hints (applets/wm/hints.h): one letter
 * each while 26 go round, two letters beyond with no hint the start of
 * another, a window's hint kept while its name stays, names taken from
 * the app id's meaningful part. */
#include "applets/wm/hints.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static struct hint_slot s[64];

static void name(int i, const char *app_id)
{
	memset(&s[i], 0, sizeof(s[i]));
	hints_app_name(app_id, s[i].name, sizeof(s[i].name));
}

/* "h0 h1 ..." of the first n slots. */
static const char *hints(int n)
{
	static char out[256];
	size_t at = 0;

	out[0] = 0;
	for (int i = 0; i < n && at < sizeof(out) - 4; i++)
		at += (size_t)snprintf(out + at, sizeof(out) - at, "%s%s", i ? " " : "", s[i].hint);
	return out;
}

/* 1 if no two hints are equal and none is the start of another. */
static int prefix_free(int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			if (i != j && (!s[i].hint[0] || !strncmp(s[j].hint, s[i].hint, strlen(s[i].hint))))
				return 0;
	return 1;
}

int main(void)
{
	char out[33];
	static const struct { const char *app_id, *name; } names[] = {
		{ "org.telegram.desktop", "telegram" }, { "org.gnome.Music", "music" }, { "foot", "foot" },
		{ "firefox-esr", "firefoxesr" }, { "com.example.App", "example" }, { "desktop", "desktop" },
		{ "", "" }, { "org.kde.kate.desktop", "kate" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		hints_app_name(names[i].app_id, out, sizeof(out));
		ok(!strcmp(out, names[i].name), "the name of '%s' is '%s' (got '%s')", names[i].app_id, names[i].name, out);
	}
	{
		static const struct { const char *app_id, *label; } labels[] = {
			{ "org.gnome.Music", "Music" }, { "foot", "Foot" }, { "firefox-esr", "Firefox-esr" },
			{ "org.telegram.desktop", "Telegram" }, { "", "" }, { "com.example.\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9" },
		};

		for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
			hints_app_label(labels[i].app_id, out, sizeof(out));
			ok(!strcmp(out, labels[i].label), "the card's label of '%s' is '%s' (got '%s')", labels[i].app_id,
				labels[i].label, out);
		}
		hints_app_label("org.example.\xc3\xa9\xc3\xa9", out, 4);
		ok(!strcmp(out, "\xc3\xa9"), "a label is cut at a character boundary (got %zu bytes)", strlen(out));
	}
	hints_app_name("a.very-long-application-identifier-that-goes-on-and-on", out, 8);
	ok(!strcmp(out, "verylon"), "a name is its last part, cut to fit (got '%s')", out);

	/* The cases, most recently focused first. */
	name(0, "mail"), name(1, "mail"), name(2, "org.gnome.Music");
	hints_assign(s, 3, "asdfghjkl");
	ok(!strcmp(hints(3), "m a u"), "mail, mail, org.gnome.Music: m a u, not m mm mmm (got %s)", hints(3));
	for (int i = 0; i < 4; i++)
		name(i, "foot");
	name(4, "firefox");
	hints_assign(s, 5, "asdfghjkl");
	ok(!strcmp(hints(5), "f o t a i"), "four foot and a firefox: f o t a i, not f ff fff ffff fffff (got %s)",
		hints(5));
	name(0, "org.telegram.desktop");
	hints_assign(s, 1, "asdfghjkl");
	ok(!strcmp(hints(1), "t"), "org.telegram.desktop: t, not d (got %s)", hints(1));

	/* Kept: the most recent window changes, the hints do not. */
	name(0, "mail"), name(1, "org.gnome.Music");
	hints_assign(s, 2, "asdfghjkl");
	{
		struct hint_slot t = s[0];

		s[0] = s[1], s[1] = t;
	}
	name(2, "mail");
	hints_assign(s, 3, "asdfghjkl");
	ok(!strcmp(hints(3), "u m a"), "a focus change keeps the hints, a new window takes a free letter (got %s)",
		hints(3));
	/* A window whose name changed (a key_bindings letter added) is given
	 * a hint anew. */
	snprintf(s[0].name, sizeof(s[0].name), "x");
	hints_assign(s, 3, "asdfghjkl");
	ok(!strcmp(s[0].hint, "x") && !strcmp(hints(3) + 2, "m a"), "a renamed window's hint follows its name (got %s)",
		hints(3));
	/* A stale hint that another window holds now is not kept twice. */
	snprintf(s[2].hint, sizeof(s[2].hint), "m");
	snprintf(s[2].made_for, sizeof(s[2].made_for), "%s", s[2].name);
	hints_assign(s, 3, "asdfghjkl");
	ok(prefix_free(3), "a hint is never kept twice (got %s)", hints(3));

	/* 26 windows: one letter each; 27 and more: two letters for some,
	 * prefix-free, never more than two. */
	static const int counts[] = { 26, 27, 40, 64 };

	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		int n = counts[c], two = 0, longest = 0;

		for (int i = 0; i < n; i++)
			name(i, "foot");
		hints_assign(s, n, "asdfghjkl");
		for (int i = 0; i < n; i++) {
			int l = (int)strlen(s[i].hint);

			two += l == 2;
			longest = l > longest ? l : longest;
		}
		ok(prefix_free(n) && longest <= 2 && (n > 26 ? two > 0 : two == 0),
			"%d windows of one app: every hint distinct, none the start of another, at most two letters "
			"(%d of two)", n, two);
	}
	/* The most recent windows get the one-letter hints. */
	for (int i = 0; i < 30; i++)
		name(i, "foot");
	hints_assign(s, 30, "asdfghjkl");
	ok(strlen(s[0].hint) == 1 && strlen(s[1].hint) == 1 && strlen(s[29].hint) == 2,
		"with 30 windows the most recent have one letter, the oldest two (%s, %s, %s)", s[0].hint, s[1].hint,
		s[29].hint);
	return done_testing();
}
