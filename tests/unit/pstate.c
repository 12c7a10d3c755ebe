/* Unit tests for lib/pstate: daemon-profile's state file, well formed and
 * damaged. */
#include "applets/profile/pstate.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static char got[512];

static void collect(enum pstate_kind kind, const char *name, void *ctx)
{
	size_t n = strlen(got);

	(void)ctx;
	snprintf(got + n, sizeof(got) - n, "%s:%s;", kind == PSTATE_DEFAULT ? "d" : "a", name);
}

/* parse TEXT (len given, so NUL bytes may be in it): the lines taken, and
 * in *bad the number skipped */
static const char *parse(const char *text, size_t len, size_t *bad)
{
	got[0] = 0;
	*bad = pstate_parse(text, len, collect, NULL);
	return got;
}

#define P(s, bad) parse(s, sizeof(s) - 1, bad)

int main(void)
{
	char name64[80], long_line[200];
	size_t bad;

	ok(!strcmp(P("default work\nactive home\nactive dev-2\n", &bad), "d:work;a:home;a:dev-2;") && bad == 0,
		"default and active lines are taken, in order");
	ok(!strcmp(P("default work", &bad), "d:work;") && bad == 0, "the last line needs no newline");
	ok(!strcmp(P("", &bad), "") && bad == 0 && !strcmp(P("\n\n", &bad), "") && bad == 0,
		"an empty file and empty lines hold nothing, and nothing is damaged");
	P("default  work\ndefault work x\ndefault\ndefault \nDefault work\nactive ../x\n", &bad);
	ok(!got[0] && bad == 6,
		"a doubled space, trailing words, no name, another case, a name with a slash: all 6 skipped (%zu)", bad);
	ok(!strcmp(P("default wo\0rk\nactive home\n", &bad), "a:home;") && bad == 1,
		"a NUL byte spoils its line only");
	ok(!strcmp(P("active home\r\n", &bad), "") && bad == 1, "a carriage return is not part of a name");
	memset(name64, 'n', 64);
	snprintf(name64 + 64, sizeof(name64) - 64, "\n");
	ok(!strcmp(parse("active ", 7, &bad), "") && bad == 1, "a keyword with nothing after it");
	{
		char buf[100];

		snprintf(buf, sizeof(buf), "active %s", name64);
		ok(!strcmp(parse(buf, strlen(buf), &bad), "a:nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn;") &&
			bad == 0, "a name of 64 bytes is taken");
		snprintf(buf, sizeof(buf), "active n%s", name64);
		ok(!strcmp(parse(buf, strlen(buf), &bad), "") && bad == 1, "one of 65 is not");
	}
	/* The old reader took 127 bytes at a time: the end of a long line
	 * came back as a line of its own. */
	memset(long_line, 'x', sizeof(long_line));
	memcpy(long_line + 150, "\nactive home", 12);
	memcpy(long_line + 127, "active evil ", 12);
	ok(!strcmp(parse(long_line, 162, &bad), "a:home;") && bad == 1,
		"a long line is one damaged line, however it ends");
	done_testing();
}
