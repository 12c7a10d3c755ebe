/* Unit tests for lib/log: exact line formats, escaping that keeps one
 * event on one line, valid JSON for hostile input, safe truncation. */
#include "lib/core/log.h"
#include "tap.h"

#include <string.h>

static const char *fmt(int json, const char *msg, size_t size)
{
	static char buf[8192];

	log_format(buf, size, LOGL_INFO, "daemon-secrets", "2026-01-02T03:04:05.006Z", msg, json);
	return buf;
}

static int no_raw_controls(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + 1 < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return 0;
	return n && s[n - 1] == '\n';
}

int main(void)
{
	char big[6000];
	const char *l;

	ok(!strcmp(fmt(0, "bus listening", 4096),
		"ts=2026-01-02T03:04:05.006Z level=info role=daemon-secrets msg=\"bus listening\"\n"),
		"plain line is ts, level, role, quoted msg");
	ok(!strcmp(fmt(1, "bus listening", 4096),
		"{\"ts\":\"2026-01-02T03:04:05.006Z\",\"level\":\"info\",\"role\":\"daemon-secrets\","
		"\"msg\":\"bus listening\"}\n"), "JSON line has the same fields");
	ok(!strcmp(fmt(0, "a\nlevel=error msg=\"forged\"", 4096),
		"ts=2026-01-02T03:04:05.006Z level=info role=daemon-secrets "
		"msg=\"a\\nlevel=error msg=\\\"forged\\\"\"\n"),
		"a newline and quotes in a message cannot forge a second plain line");
	ok(!strcmp(fmt(1, "tab\there \x01 \\", 4096),
		"{\"ts\":\"2026-01-02T03:04:05.006Z\",\"level\":\"info\",\"role\":\"daemon-secrets\","
		"\"msg\":\"tab\\there \\u0001 \\\\\"}\n"), "JSON escapes controls and backslashes");
	ok(strstr(fmt(1, "bad \xff\xfe utf8 \xc3\xa9", 4096), "\"bad \\ufffd\\ufffd utf8 \xc3\xa9\""),
		"invalid UTF-8 becomes U+FFFD in JSON, valid UTF-8 passes");
	ok(strstr(fmt(0, "bad \xff", 4096), "msg=\"bad \\xff\""), "invalid UTF-8 is shown as \\xHH in plain");
	ok(strstr(fmt(1, "\xed\xa0\x80", 4096), "\\ufffd"), "an encoded UTF-16 surrogate is invalid");

	memset(big, '"', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	l = fmt(1, big, 300);
	ok(strlen(l) < 300 && !strcmp(l + strlen(l) - 3, "\"}\n") && no_raw_controls(l),
		"a truncated JSON line still closes its string and object");
	l = fmt(0, big, 300);
	ok(strlen(l) < 300 && !strcmp(l + strlen(l) - 2, "\"\n"), "a truncated plain line closes its quote");
	{
		/* Never split a two-byte escape: the byte before the closing quote
		 * must not be a lone backslash. */
		size_t n = strlen(l);
		size_t bs = 0;

		for (size_t i = n - 3; i > 0 && l[i] == '\\'; i--)
			bs++;
		ok(bs % 2 == 0, "no dangling backslash before the closing quote");
	}
	ok(log_level_parse("debug") == LOGL_DEBUG && log_level_parse("loud") == -1,
		"level names parse, unknown ones are refused");
	log_set_level(LOGL_WARN);
	ok(!log_enabled(LOGL_INFO) && log_enabled(LOGL_ERROR), "levels below the threshold are dropped");
	return done_testing();
}
