/* log.c - structured lines on stderr; see log.h. */
#include "lib/core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const names[] = { "error", "warn", "info", "debug" };
static enum log_level threshold = LOGL_INFO;
static int use_json, use_journald;
static char role_name[64] = "sesame";

int log_level_parse(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return -1;
}

void log_configure(const char *level, int json, int journald)
{
	const char *v;
	int l;

	if (!((v = getenv("SESAME_LOG")) && *v) && level && (l = log_level_parse(level)) >= 0)
		threshold = l;
	if (!((v = getenv("SESAME_LOG_FORMAT")) && *v))
		use_json = json;
	use_journald = journald && (v = getenv("JOURNAL_STREAM")) && *v;
}

void log_init(const char *role)
{
	const char *v;

	if (role)
		snprintf(role_name, sizeof(role_name), "%s", role);
	if ((v = getenv("SESAME_LOG")) && *v) {
		int l = log_level_parse(v);

		if (l < 0)
			complain("SESAME_LOG: unknown level '%s' (error, warn, info, debug); using info", v);
		else
			threshold = l;
	}
	if ((v = getenv("SESAME_LOG_FORMAT")) && *v) {
		if (!strcmp(v, "json"))
			use_json = 1;
		else if (strcmp(v, "plain"))
			complain("SESAME_LOG_FORMAT: unknown format '%s' (plain, json); using plain", v);
	}
}

void log_set_level(enum log_level level) { threshold = level; }
void log_set_json(int on) { use_json = on; }
int log_enabled(enum log_level level) { return level <= threshold; }

struct out {
	char *buf;
	size_t size, len; /* size leaves room for a closing '"}', '\n', NUL */
	int trunc, in_str;
};

/* All or nothing: an escape or UTF-8 sequence is never split, and once
 * the line is full everything after is dropped. */
static void put(struct out *o, const char *s, size_t n)
{
	if (o->trunc || n > o->size - o->len) {
		o->trunc = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s) { put(o, s, strlen(s)); }

/* Append s as a quoted string, escaped for JSON or for logfmt. */
static void put_quoted(struct out *o, const char *s, int json)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	char esc[8];

	put(o, "\"", 1);
	o->in_str = 1;
	while (n) {
		size_t l = utf8_seq(p, n);

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\', esc[1] = *p;
			put(o, esc, 2);
		} else if (*p == '\n') {
			puts_(o, "\\n");
		} else if (*p == '\t') {
			puts_(o, "\\t");
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), json ? "\\u%04x" : "\\x%02x", *p);
			puts_(o, esc);
		} else if (l == 0) {
			/* Invalid UTF-8: JSON must stay valid; plain shows the byte. */
			if (json)
				puts_(o, "\\ufffd");
			else {
				snprintf(esc, sizeof(esc), "\\x%02x", *p);
				puts_(o, esc);
			}
			l = 1;
		} else {
			put(o, (const char *)p, l);
		}
		if (l == 0)
			l = 1;
		p += l, n -= l;
	}
	put(o, "\"", 1);
	if (!o->trunc)
		o->in_str = 0;
}

size_t log_format(char *buf, size_t size, enum log_level level, const char *role,
	const char *ts, const char *msg, int json)
{
	struct out o = { buf, size > 4 ? size - 4 : 0, 0, 0, 0 };
	const char *lvl = level <= LOGL_DEBUG ? names[level] : "debug";

	if (size < 4) {
		if (size)
			buf[0] = 0;
		return 0;
	}
	if (json) {
		puts_(&o, "{\"ts\":\"");
		puts_(&o, ts);
		puts_(&o, "\",\"level\":\"");
		puts_(&o, lvl);
		puts_(&o, "\",\"role\":");
		put_quoted(&o, role, 1);
		puts_(&o, ",\"msg\":");
		put_quoted(&o, msg, 1);
		puts_(&o, "}");
	} else {
		puts_(&o, "ts=");
		puts_(&o, ts);
		puts_(&o, " level=");
		puts_(&o, lvl);
		puts_(&o, " role=");
		puts_(&o, role);
		puts_(&o, " msg=");
		put_quoted(&o, msg, 0);
	}
	if (o.trunc) {
		/* A cut line still closes its string (and object): the reserve. */
		if (o.in_str)
			buf[o.len++] = '"';
		if (json)
			buf[o.len++] = '}';
	}
	buf[o.len++] = '\n';
	buf[o.len] = 0;
	return o.len;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[2048], line[4096 + 64], ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;
	size_t n;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - n, ".%03ldZ", now.tv_nsec / 1000000);
	if (use_journald) {
		/* sd-daemon(3): the journal reads "<N>" as the priority. */
		static const char prio[] = { '3', '4', '6', '7' };
		line[0] = '<', line[1] = prio[level], line[2] = '>';
		n = 3;
	} else {
		n = 0;
	}
	n += log_format(line + n, sizeof(line) - n, level, role_name, ts, msg, use_json);
	(void)write_all(STDERR_FILENO, line, n);
}
