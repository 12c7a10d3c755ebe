/* toml.c - TOML 1.0.0: one pass over the bytes, building the tree as it
 * goes.  The document is checked for valid UTF-8 first, so the scanner
 * works on ASCII and lets other characters through only inside strings
 * and comments.
 *
 * Redefinition rules, as the spec states them: a [header] defines a table
 * once (a table only implied by an earlier header may be defined later);
 * tables made by dotted keys may grow by more dotted keys in the section
 * that made them, never by a [header] of their own; inline tables and
 * static arrays are closed; [[header]] only appends to arrays it made.
 *
 * One idea, the parser, and so one file past the ~800 lines the others
 * keep to: its scanner, its value readers and its table rules lean on
 * each other at every step (HACKING).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/toml.h"
#include "lib/core/util.h"

#define MAX_KEY_PARTS TOML_MAX_DEPTH

struct parser {
	const char *start, *p, *end;
	const char *name;
	const char *line_start;
	int line;
	int failed;
	unsigned section;	/* counts [headers]; 1 is the root's */
	struct toml_value *root, *cur;
};

struct key {
	char *s;
	size_t len;
	const char *at;
};

struct buf {
	char *s;
	size_t len, cap;
};

/* ---- errors and positions ------------------------------------------ */

static int col_of(const char *from, const char *at)
{
	int col = 1;

	for (; from < at; from++)
		if ((*from & 0xC0) != 0x80)
			col++;
	return col;
}

PRINTF(3, 4)
static int perr(struct parser *ps, const char *at, const char *fmt, ...)
{
	char msg[256];
	const char *q, *ls = ps->start;
	int line = 1;
	va_list ap;

	if (ps->failed)
		return -1;
	ps->failed = 1;
	if (at > ps->end)
		at = ps->end;
	for (q = ps->start; q < at; q++)
		if (*q == '\n') {
			line++;
			ls = q + 1;
		}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail("%s:%d:%d: %s", ps->name, line, col_of(ls, at), msg);
}

static void saw_newline(struct parser *ps, const char *after)
{
	ps->line++;
	ps->line_start = after;
}

static void set_pos(struct parser *ps, const char *at, int *line, int *col)
{
	*line = ps->line;
	*col = col_of(ps->line_start, at);
}

/* A printable form of a key for messages: quoted, control bytes as '?'. */
static const char *key_text(const struct key *k, char *out, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < k->len && o + 4 < n; i++) {
		unsigned char c = k->s[i];
		out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (i < k->len && o + 4 <= n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = 0;
	return out;
}

/* ---- UTF-8 ---------------------------------------------------------- */

static int check_utf8(struct parser *ps)
{
	const unsigned char *s = (const unsigned char *)ps->start;
	const unsigned char *end = (const unsigned char *)ps->end;
	int n;

	while (s < end) {
		if (!(n = (int)utf8_seq(s, (size_t)(end - s))))
			return perr(ps, (const char *)s, "invalid UTF-8");
		s += n;
	}
	return 0;
}

static void put_utf8(struct buf *b, unsigned cp);

/* ---- buffers -------------------------------------------------------- */

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xreallocarray(b->s, cap, 1);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

static void put_utf8(struct buf *b, unsigned cp)
{
	char o[4];

	if (cp < 0x80) {
		o[0] = (char)cp;
		buf_add(b, o, 1);
	} else if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, o, 2);
	} else if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, o, 3);
	} else {
		o[0] = (char)(0xF0 | cp >> 18);
		o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[3] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, o, 4);
	}
}

/* ---- values and tables ---------------------------------------------- */

static struct toml_value *value_new(enum toml_type t, int depth)
{
	struct toml_value *v = xcalloc(1, sizeof(*v));

	v->type = t;
	v->depth = depth;
	return v;
}

void toml_free(struct toml_value *v)
{
	size_t i;

	if (!v)
		return;
	switch (v->type) {
	case TOML_TABLE:
		for (i = 0; i < v->tab.n; i++) {
			free(v->tab.kv[i].key);
			toml_free(v->tab.kv[i].val);
		}
		free(v->tab.kv);
		free(v->tab.index);
		break;
	case TOML_ARRAY:
		for (i = 0; i < v->arr.n; i++)
			toml_free(v->arr.v[i]);
		free(v->arr.v);
		break;
	case TOML_STRING: case TOML_DATETIME: case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL: case TOML_TIME_LOCAL:
		free(v->str.s);
		break;
	default:
		break;
	}
	free(v);
}

static uint32_t key_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void index_put(struct toml_table *t, size_t pos)
{
	size_t m = t->index_cap - 1;
	size_t i = key_hash(t->kv[pos].key, t->kv[pos].len) & m;

	while (t->index[i])
		i = (i + 1) & m;
	t->index[i] = (uint32_t)(pos + 1);
}

static struct toml_kv *table_find(const struct toml_table *t, const char *k, size_t n)
{
	size_t i;

	if (t->index) {
		size_t m = t->index_cap - 1;
		for (i = key_hash(k, n) & m; t->index[i]; i = (i + 1) & m) {
			struct toml_kv *kv = &t->kv[t->index[i] - 1];
			if (kv->len == n && !memcmp(kv->key, k, n))
				return kv;
		}
		return NULL;
	}
	for (i = 0; i < t->n; i++)
		if (t->kv[i].len == n && !memcmp(t->kv[i].key, k, n))
			return &t->kv[i];
	return NULL;
}

/* Adds key (taking its bytes) to t; the caller checked it is new. */
static struct toml_kv *table_add(struct toml_table *t, struct key *k, struct toml_value *v)
{
	struct toml_kv *kv;
	size_t i;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4;
		t->kv = xreallocarray(t->kv, t->cap, sizeof(*t->kv));
	}
	kv = &t->kv[t->n++];
	kv->key = k->s;
	kv->len = k->len;
	kv->val = v;
	k->s = NULL;
	if (t->n > 8 && t->n * 2 > t->index_cap) {
		free(t->index);
		t->index_cap = t->index_cap ? t->index_cap * 2 : 32;
		while (t->index_cap < t->n * 2)
			t->index_cap *= 2;
		t->index = xcalloc(t->index_cap, sizeof(*t->index));
		for (i = 0; i < t->n; i++)
			index_put(t, i);
	} else if (t->index) {
		index_put(t, t->n - 1);
	}
	return kv;
}

static void array_add(struct toml_array *a, struct toml_value *v)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 4;
		a->v = xreallocarray(a->v, a->cap, sizeof(*a->v));
	}
	a->v[a->n++] = v;
}

static struct toml_value *container_new(struct parser *ps, const char *at, enum toml_type t,
	const struct toml_value *parent)
{
	struct toml_value *v;

	if (parent->depth + 1 > TOML_MAX_DEPTH) {
		perr(ps, at, "tables and arrays nest more than %d deep", TOML_MAX_DEPTH);
		return NULL;
	}
	v = value_new(t, parent->depth + 1);
	return v;
}

static void keys_free(struct key *k, int n)
{
	while (n-- > 0)
		free(k[n].s);
}

/* ---- scanning ------------------------------------------------------- */

static int at_end(const struct parser *ps)
{
	return ps->p >= ps->end;
}

static int peek(const struct parser *ps, size_t off)
{
	return ps->p + off < ps->end ? (unsigned char)ps->p[off] : -1;
}

static int is_ctl(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

static void skip_ws(struct parser *ps)
{
	while (!at_end(ps) && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

/* Consumes a newline (LF or CRLF) if one is next; 1 if it did. */
static int eat_newline(struct parser *ps)
{
	if (peek(ps, 0) == '\n') {
		ps->p++;
	} else if (peek(ps, 0) == '\r' && peek(ps, 1) == '\n') {
		ps->p += 2;
	} else {
		return 0;
	}
	saw_newline(ps, ps->p);
	return 1;
}

/* At '#': skips to the end of the line, refusing control characters. */
static int skip_comment(struct parser *ps)
{
	ps->p++;
	while (!at_end(ps)) {
		int c = (unsigned char)*ps->p;
		if (c == '\n' || (c == '\r' && peek(ps, 1) == '\n'))
			return 0;
		if (is_ctl(c))
			return perr(ps, ps->p, "control character 0x%02x in a comment", c);
		ps->p++;
	}
	return 0;
}

/* Whitespace, newlines and comments (inside arrays, between lines). */
static int skip_blank(struct parser *ps)
{
	for (;;) {
		skip_ws(ps);
		if (peek(ps, 0) == '#') {
			if (skip_comment(ps) < 0)
				return -1;
		} else if (!eat_newline(ps)) {
			return 0;
		}
	}
}

/* After a key/value pair or a header: only a comment may follow. */
static int expect_eol(struct parser *ps, const char *what)
{
	skip_ws(ps);
	if (peek(ps, 0) == '#' && skip_comment(ps) < 0)
		return -1;
	if (at_end(ps) || eat_newline(ps))
		return 0;
	if (*ps->p == '\r')
		return perr(ps, ps->p, "carriage return not followed by a newline");
	if (*ps->p < 0x20 || *ps->p > 0x7e)
		return perr(ps, ps->p, "expected a newline after %s", what);
	return perr(ps, ps->p, "expected a newline after %s, found '%c'", what, *ps->p);
}

/* ---- strings -------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* At a backslash in a basic string. */
static int escape(struct parser *ps, struct buf *b)
{
	const char *at = ps->p;
	int c = peek(ps, 1), n, i, h;
	unsigned cp = 0;

	ps->p += 2;
	switch (c) {
	case 'b': buf_addc(b, '\b'); return 0;
	case 't': buf_addc(b, '\t'); return 0;
	case 'n': buf_addc(b, '\n'); return 0;
	case 'f': buf_addc(b, '\f'); return 0;
	case 'r': buf_addc(b, '\r'); return 0;
	case '"': buf_addc(b, '"'); return 0;
	case '\\': buf_addc(b, '\\'); return 0;
	case 'u': n = 4; break;
	case 'U': n = 8; break;
	case -1:
		return perr(ps, at, "unterminated escape sequence");
	default:
		if (c < 0x20 || c >= 0x7f)
			return perr(ps, at, "invalid escape sequence");
		return perr(ps, at, "invalid escape sequence \\%c", c);
	}
	for (i = 0; i < n; i++) {
		if ((h = hexval(peek(ps, 0))) < 0)
			return perr(ps, at, "\\%c needs %d hexadecimal digits", c, n);
		cp = cp << 4 | (unsigned)h;
		ps->p++;
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return perr(ps, at, "\\%c%.*s is not a Unicode scalar value", c, n, at + 2);
	put_utf8(b, cp);
	return 0;
}

/* Copies one character that is allowed raw in a string (UTF-8 is valid). */
static int string_char(struct parser *ps, struct buf *b, const char *kind)
{
	int c = (unsigned char)*ps->p, n;

	if (is_ctl(c))
		return perr(ps, ps->p, "control character 0x%02x in a %s string", c, kind);
	n = (int)utf8_seq((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
	buf_add(b, ps->p, (size_t)n);
	ps->p += n;
	return 0;
}

/* Opening quote(s) consumed by the caller in each of these. */
static int basic_string(struct parser *ps, struct buf *b, const char *open)
{
	for (;;) {
		int c = peek(ps, 0);
		if (c == -1 || c == '\n' || (c == '\r' && peek(ps, 1) == '\n'))
			return perr(ps, open, "unterminated string");
		if (c == '"') {
			ps->p++;
			return 0;
		}
		if (c == '\\') {
			if (escape(ps, b) < 0)
				return -1;
		} else if (string_char(ps, b, "basic") < 0) {
			return -1;
		}
	}
}

static int literal_string(struct parser *ps, struct buf *b, const char *open)
{
	for (;;) {
		int c = peek(ps, 0);
		if (c == -1 || c == '\n' || (c == '\r' && peek(ps, 1) == '\n'))
			return perr(ps, open, "unterminated string");
		if (c == '\'') {
			ps->p++;
			return 0;
		}
		if (string_char(ps, b, "literal") < 0)
			return -1;
	}
}

/* Multi-line strings: a newline right after the opening delimiter is
 * dropped; up to two quotes may stand next to the closing three. */
static int multiline_string(struct parser *ps, struct buf *b, const char *open, char q)
{
	eat_newline(ps);
	for (;;) {
		int c = peek(ps, 0);
		if (c == -1)
			return perr(ps, open, "unterminated multi-line string");
		if (c == q) {
			size_t run = 0;
			while (peek(ps, run) == q)
				run++;
			if (run < 3) {
				buf_add(b, ps->p, run);
				ps->p += run;
				continue;
			}
			if (run > 5)
				return perr(ps, ps->p + 5, "too many quotes at the end of a multi-line string");
			buf_add(b, ps->p, run - 3);
			ps->p += run;
			return 0;
		}
		if (c == '\n' || (c == '\r' && peek(ps, 1) == '\n')) {
			eat_newline(ps);
			buf_addc(b, '\n');
			continue;
		}
		if (c == '\\' && q == '"') {
			/* A backslash ending a line eats the whitespace up to the
			 * next non-blank character, newlines included. */
			size_t i = 1;
			while (peek(ps, i) == ' ' || peek(ps, i) == '\t')
				i++;
			if (peek(ps, i) == '\n' || (peek(ps, i) == '\r' && peek(ps, i + 1) == '\n')) {
				ps->p += i;
				for (;;) {
					skip_ws(ps);
					if (!eat_newline(ps))
						break;
				}
				continue;
			}
			if (escape(ps, b) < 0)
				return -1;
			continue;
		}
		if (string_char(ps, b, "multi-line") < 0)
			return -1;
	}
}

/* Any of the four string forms at ps->p; *multi says which it was. */
static int string(struct parser *ps, struct buf *b, int *multi)
{
	const char *open = ps->p;
	char q = *ps->p;

	*multi = peek(ps, 1) == q && peek(ps, 2) == q;
	if (*multi) {
		ps->p += 3;
		return multiline_string(ps, b, open, q);
	}
	ps->p++;
	return q == '"' ? basic_string(ps, b, open) : literal_string(ps, b, open);
}

/* ---- keys ----------------------------------------------------------- */

static int is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '-';
}

/* A dotted key into k[]; returns the number of parts or -1. */
static int parse_key(struct parser *ps, struct key *k)
{
	int n = 0;

	for (;;) {
		struct buf b = {0};
		int c, multi;

		skip_ws(ps);
		if (n == MAX_KEY_PARTS) {
			keys_free(k, n);
			return perr(ps, ps->p, "a key has more than %d parts", MAX_KEY_PARTS);
		}
		k[n].at = ps->p;
		c = peek(ps, 0);
		if (c == '"' || c == '\'') {
			if (string(ps, &b, &multi) < 0 || (multi && perr(ps, k[n].at,
			    "a multi-line string cannot be a key") < 0)) {
				free(b.s);
				keys_free(k, n);
				return -1;
			}
			if (!b.s)
				buf_add(&b, "", 0);
		} else if (is_bare(c)) {
			const char *s = ps->p;
			while (is_bare(peek(ps, 0)))
				ps->p++;
			buf_add(&b, s, (size_t)(ps->p - s));
		} else {
			keys_free(k, n);
			if (c == -1 || c == '\n' || c == '\r' || c == '=')
				return perr(ps, ps->p, "expected a key");
			return perr(ps, ps->p, "invalid character '%c' in a key", c < 0x20 || c > 0x7e ? '?' : c);
		}
		k[n].s = b.s;
		k[n].len = b.len;
		n++;
		skip_ws(ps);
		if (peek(ps, 0) != '.')
			return n;
		ps->p++;
	}
}

/* ---- numbers and dates ---------------------------------------------- */

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Digits of base with '_' only between two digits; copies the digits to
 * out (size n); returns how many, or -1. */
static int digits(const char *s, const char *e, int base, char *out, size_t n)
{
	size_t o = 0;
	const char *q;

	if (s == e)
		return -1;
	for (q = s; q < e; q++) {
		int v = hexval((unsigned char)*q);
		if (*q == '_') {
			if (q == s || q + 1 == e || q[1] == '_')
				return -1;
			continue;
		}
		if (v < 0 || v >= base || o + 1 >= n)
			return -1;
		out[o++] = *q;
	}
	out[o] = 0;
	return (int)o;
}

static int parse_integer(struct parser *ps, const char *s, const char *e, struct toml_value *v)
{
	char d[96];
	const char *at = s;
	int neg = 0, base = 10, n;
	unsigned long long u;
	char *end;

	if (*s == '+' || *s == '-') {
		neg = *s == '-';
		s++;
	}
	if (s == e)
		return perr(ps, at, "invalid integer '%.*s'", (int)(e - at), at);
	if (e - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		if (s != at)
			return perr(ps, at, "a sign is not allowed on hexadecimal, octal or binary integers");
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		s += 2;
	} else if (s[0] == '0' && e - s > 1) {
		return perr(ps, at, "leading zeros are not allowed in a decimal integer");
	}
	if ((n = digits(s, e, base, d, sizeof(d))) < 0)
		return perr(ps, at, "invalid integer '%.*s'", (int)(e - at), at);
	errno = 0;
	u = strtoull(d, &end, base);
	if (errno || *end || u > (unsigned long long)INT64_MAX + (unsigned)neg)
		return perr(ps, at, "integer '%.*s' does not fit in 64 bits", (int)(e - at), at);
	v->type = TOML_INTEGER;
	v->i = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

static int parse_float(struct parser *ps, const char *s, const char *e, struct toml_value *v)
{
	char d[512], *end;
	const char *at = s, *ip, *dot, *ex;
	size_t o = 0;
	int n;

	v->type = TOML_FLOAT;
	if (*s == '+' || *s == '-')
		d[o++] = *s++;
	if (e - s == 3 && (!memcmp(s, "inf", 3) || !memcmp(s, "nan", 3))) {
		v->f = s[0] == 'i' ? INFINITY : NAN;
		if (*at == '-')
			v->f = -v->f;
		return 0;
	}
	/* int part [. frac] [e exp] */
	ip = s;
	for (dot = s; dot < e && *dot != '.' && *dot != 'e' && *dot != 'E'; dot++)
		;
	if ((n = digits(ip, dot, 10, d + o, sizeof(d) - o)) < 0)
		goto bad;
	if (n > 1 && d[o] == '0')
		return perr(ps, at, "leading zeros are not allowed in a float");
	o += (size_t)n;
	ex = dot;
	if (dot < e && *dot == '.') {
		for (ex = dot + 1; ex < e && *ex != 'e' && *ex != 'E'; ex++)
			;
		d[o++] = '.';
		if ((n = digits(dot + 1, ex, 10, d + o, sizeof(d) - o)) < 0)
			goto bad;
		o += (size_t)n;
	}
	if (ex < e) {
		const char *x = ex + 1;
		d[o++] = 'e';
		if (x < e && (*x == '+' || *x == '-'))
			d[o++] = *x++;
		if ((n = digits(x, e, 10, d + o, sizeof(d) - o)) < 0)
			goto bad;
		o += (size_t)n;
	}
	d[o] = 0;
	errno = 0;
	v->f = strtod(d, &end);
	if (*end)
		goto bad;
	if (errno == ERANGE && isinf(v->f))
		return perr(ps, at, "float '%.*s' is out of range", (int)(e - at), at);
	return 0;
bad:
	return perr(ps, at, "invalid number '%.*s'", (int)(e - at), at);
}

/* n decimal digits at s, or -1. */
static int fixed(const char *s, const char *e, int n)
{
	int v = 0;

	if (e - s < n)
		return -1;
	while (n--) {
		if (!is_digit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

static int days_in(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* HH:MM:SS[.frac] at *s; appends the canonical form to b. */
static int parse_time(struct parser *ps, const char **sp, const char *e, struct buf *b)
{
	const char *s = *sp, *at = s;
	int h = fixed(s, e, 2), mi = -1, sec = -1;

	if (h >= 0 && e - s > 2 && s[2] == ':')
		mi = fixed(s + 3, e, 2);
	if (mi >= 0 && e - s > 5 && s[5] == ':')
		sec = fixed(s + 6, e, 2);
	if (sec < 0)
		return perr(ps, at, "a time must be HH:MM:SS");
	if (h > 23 || mi > 59 || sec > 60)
		return perr(ps, at, "time %.8s is out of range", at);
	buf_add(b, s, 8);
	s += 8;
	if (s < e && *s == '.') {
		const char *f = ++s;
		while (s < e && is_digit((unsigned char)*s))
			s++;
		if (s == f)
			return perr(ps, at, "a fraction of a second needs digits");
		buf_add(b, f - 1, (size_t)(s - f + 1));
	}
	*sp = s;
	return 0;
}

/* Dates and times; e is the end of the token (which may hold one space). */
static int parse_datetime(struct parser *ps, const char *s, const char *e, struct toml_value *v)
{
	struct buf b = {0};
	const char *at = s;
	int y, m, d;

	if (e - s > 2 && s[2] == ':') {
		v->type = TOML_TIME_LOCAL;
		if (parse_time(ps, &s, e, &b) < 0)
			goto out;
		goto done;
	}
	y = fixed(s, e, 4);
	m = e - s >= 7 && s[4] == '-' ? fixed(s + 5, e, 2) : -1;
	d = e - s >= 10 && s[7] == '-' ? fixed(s + 8, e, 2) : -1;
	if (y < 0 || m < 0 || d < 0) {
		perr(ps, at, "a date must be YYYY-MM-DD");
		goto out;
	}
	if (m < 1 || m > 12 || d < 1 || d > days_in(y, m)) {
		perr(ps, at, "date %.10s does not exist", at);
		goto out;
	}
	buf_add(&b, s, 10);
	s += 10;
	if (s == e) {
		v->type = TOML_DATE_LOCAL;
		goto done;
	}
	if (*s != 'T' && *s != 't' && *s != ' ') {
		perr(ps, s, "expected 'T' or a space between date and time");
		goto out;
	}
	s++;
	buf_addc(&b, 'T');
	if (parse_time(ps, &s, e, &b) < 0)
		goto out;
	v->type = TOML_DATETIME_LOCAL;
	if (s < e && (*s == 'Z' || *s == 'z')) {
		buf_addc(&b, 'Z');
		s++;
		v->type = TOML_DATETIME;
	} else if (s < e && (*s == '+' || *s == '-')) {
		int oh = fixed(s + 1, e, 2), om = e - s >= 6 && s[3] == ':' ? fixed(s + 4, e, 2) : -1;
		if (oh < 0 || om < 0 || oh > 23 || om > 59) {
			perr(ps, s, "a time offset must be +HH:MM or -HH:MM");
			goto out;
		}
		buf_add(&b, s, 6);
		s += 6;
		v->type = TOML_DATETIME;
	}
	if (s != e) {
		perr(ps, s, "unexpected characters after a date-time");
		goto out;
	}
done:
	if (s != e) {
		perr(ps, s, "unexpected characters after a time");
		goto out;
	}
	v->str.s = b.s;
	v->str.len = b.len;
	return 0;
out:
	free(b.s);
	return -1;
}

static int token_char(int c)
{
	return is_bare(c) || c == '+' || c == '.' || c == ':';
}

/* Numbers, dates, times, inf and nan all start here. */
static int scalar(struct parser *ps, struct toml_value *v)
{
	const char *s = ps->p, *e = s, *q;

	while (e < ps->end && token_char((unsigned char)*e))
		e++;
	/* "1979-05-27 07:32:00": a date, one space, then a time. */
	if (e - s == 10 && s[4] == '-' && e + 3 < ps->end && e[0] == ' ' &&
	    is_digit((unsigned char)e[1]) && is_digit((unsigned char)e[2]) && e[3] == ':')
		for (e++; e < ps->end && token_char((unsigned char)*e); e++)
			;
	ps->p = e;
	if (e == s)
		return perr(ps, s, "expected a value");
	if ((e - s >= 5 && is_digit((unsigned char)s[0]) && s[4] == '-' &&
	     is_digit((unsigned char)s[1])) || (e - s >= 3 && is_digit((unsigned char)s[0]) && s[2] == ':'))
		return parse_datetime(ps, s, e, v);
	q = s + (*s == '+' || *s == '-');
	if ((e - q == 3 && (!memcmp(q, "inf", 3) || !memcmp(q, "nan", 3))) ||
	    (!(e - q > 1 && q[0] == '0' && (q[1] == 'x' || q[1] == 'o' || q[1] == 'b')) &&
	     (memchr(q, '.', (size_t)(e - q)) || memchr(q, 'e', (size_t)(e - q)) ||
	      memchr(q, 'E', (size_t)(e - q)))))
		return parse_float(ps, s, e, v);
	return parse_integer(ps, s, e, v);
}

/* ---- values --------------------------------------------------------- */

static int keyval(struct parser *ps, struct toml_value *table);
static void freeze(struct toml_value *v);

static struct toml_value *value(struct parser *ps, const struct toml_value *parent);

static int array(struct parser *ps, struct toml_value *a)
{
	ps->p++;
	for (;;) {
		struct toml_value *v;
		if (skip_blank(ps) < 0)
			return -1;
		if (peek(ps, 0) == ']') {
			ps->p++;
			return 0;
		}
		if (!(v = value(ps, a)))
			return -1;
		array_add(&a->arr, v);
		if (skip_blank(ps) < 0)
			return -1;
		if (peek(ps, 0) == ',') {
			ps->p++;
		} else if (peek(ps, 0) == ']') {
			ps->p++;
			return 0;
		} else {
			return perr(ps, ps->p, at_end(ps) ? "unterminated array" :
				"expected ',' or ']' in an array");
		}
	}
}

static int inline_table(struct parser *ps, struct toml_value *t)
{
	const char *open = ps->p++;

	skip_ws(ps);
	if (peek(ps, 0) == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (peek(ps, 0) == '}')
			return perr(ps, ps->p, "a trailing comma is not allowed in an inline table");
		if (keyval(ps, t) < 0)
			return -1;
		skip_ws(ps);
		if (peek(ps, 0) == ',') {
			ps->p++;
			skip_ws(ps);
		} else if (peek(ps, 0) == '}') {
			ps->p++;
			return 0;
		} else if (at_end(ps) || peek(ps, 0) == '\n' || peek(ps, 0) == '\r') {
			return perr(ps, at_end(ps) ? open : ps->p, "an inline table must close on the line it opens");
		} else {
			return perr(ps, ps->p, "expected ',' or '}' in an inline table");
		}
	}
}

static int word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) || token_char(peek(ps, n)))
		return 0;
	ps->p += n;
	return 1;
}

static struct toml_value *value(struct parser *ps, const struct toml_value *parent)
{
	struct toml_value *v;
	const char *at = ps->p;
	int c = peek(ps, 0), line, col, rc;

	set_pos(ps, at, &line, &col);
	if (c == '[' || c == '{') {
		if (!(v = container_new(ps, at, c == '[' ? TOML_ARRAY : TOML_TABLE, parent)))
			return NULL;
		rc = c == '[' ? array(ps, v) : inline_table(ps, v);
		freeze(v);
	} else if (c == '"' || c == '\'') {
		struct buf b = {0};
		int multi;
		v = value_new(TOML_STRING, parent->depth + 1);
		rc = string(ps, &b, &multi);
		if (!b.s)
			buf_add(&b, "", 0);
		v->str.s = b.s;
		v->str.len = b.len;
	} else if (c == 't' || c == 'f') {
		v = value_new(TOML_BOOL, parent->depth + 1);
		v->b = c == 't';
		rc = word(ps, c == 't' ? "true" : "false") ? 0 :
			perr(ps, at, "expected a value (true and false are lowercase)");
	} else if (c == -1 || c == '\n' || c == '\r' || c == '#' || c == ',' || c == ']' || c == '}') {
		perr(ps, at, "expected a value");
		return NULL;
	} else if (is_digit(c) || c == '+' || c == '-' || c == 'i' || c == 'n') {
		v = value_new(TOML_INTEGER, parent->depth + 1);
		rc = scalar(ps, v);
	} else {
		perr(ps, at, "expected a value, found '%c'", c < 0x20 || c > 0x7e ? '?' : c);
		return NULL;
	}
	v->line = line;
	v->col = col;
	if (rc < 0) {
		toml_free(v);
		return NULL;
	}
	return v;
}

static void freeze(struct toml_value *v)
{
	if (v->type == TOML_TABLE)
		v->tab.frozen = 1;
}

/* ---- tables --------------------------------------------------------- */

static const char *type_article(enum toml_type t)
{
	return t == TOML_INTEGER || t == TOML_ARRAY ? "an" : "a";
}

/* One step down a dotted key inside a key/value pair: the table under k,
 * created if missing. */
static struct toml_value *dotted_step(struct parser *ps, struct toml_value *t, struct key *k)
{
	char kt[80];
	struct toml_kv *kv = table_find(&t->tab, k->s, k->len);
	struct toml_value *c;

	if (!kv) {
		if (!(c = container_new(ps, k->at, TOML_TABLE, t)))
			return NULL;
		c->tab.dotted = ps->section;
		set_pos(ps, k->at, &c->line, &c->col);
		kv = table_add(&t->tab, k, c);
		set_pos(ps, k->at, &kv->line, &kv->col);
		return c;
	}
	c = kv->val;
	if (c->type != TOML_TABLE) {
		perr(ps, k->at, "key '%s' is %s %s (line %d), not a table", key_text(k, kt, sizeof(kt)),
			type_article(c->type), toml_type_name(c->type), kv->line);
		return NULL;
	}
	if (c->tab.frozen) {
		perr(ps, k->at, "'%s' is an inline table (line %d); it cannot be extended",
			key_text(k, kt, sizeof(kt)), kv->line);
		return NULL;
	}
	if (c->tab.is_explicit || (c->tab.dotted && c->tab.dotted != ps->section)) {
		perr(ps, k->at, "table '%s' is already defined (line %d); dotted keys cannot extend it here",
			key_text(k, kt, sizeof(kt)), kv->line);
		return NULL;
	}
	c->tab.dotted = ps->section;
	return c;
}

static int keyval(struct parser *ps, struct toml_value *table)
{
	struct key k[MAX_KEY_PARTS];
	struct toml_value *t = table, *v;
	struct toml_kv *kv;
	char kt[80];
	int n, i, line, col;

	if ((n = parse_key(ps, k)) < 0)
		return -1;
	if (peek(ps, 0) != '=') {
		perr(ps, ps->p, at_end(ps) || peek(ps, 0) == '\n' || peek(ps, 0) == '\r' ?
			"expected '=' after a key" : "expected '=' after a key, found '%c'",
			peek(ps, 0) < 0x20 || peek(ps, 0) > 0x7e ? '?' : peek(ps, 0));
		goto fail;
	}
	ps->p++;
	skip_ws(ps);
	for (i = 0; i < n - 1; i++)
		if (!(t = dotted_step(ps, t, &k[i])))
			goto fail;
	if ((kv = table_find(&t->tab, k[n - 1].s, k[n - 1].len))) {
		perr(ps, k[n - 1].at, "key '%s' is already defined (line %d)",
			key_text(&k[n - 1], kt, sizeof(kt)), kv->line);
		goto fail;
	}
	set_pos(ps, k[n - 1].at, &line, &col);
	if (!(v = value(ps, t)))
		goto fail;
	kv = table_add(&t->tab, &k[n - 1], v);
	kv->line = line;
	kv->col = col;
	keys_free(k, n);
	return 0;
fail:
	keys_free(k, n);
	return -1;
}

/* [a.b.c] and [[a.b.c]]: walks to the parent of the last part, making
 * implied tables; the last element of an array of tables stands for it. */
static struct toml_value *header_walk(struct parser *ps, struct key *k, int n)
{
	struct toml_value *t = ps->root;
	char kt[80];
	int i;

	for (i = 0; i < n; i++) {
		struct toml_kv *kv = table_find(&t->tab, k[i].s, k[i].len);
		struct toml_value *c;
		if (!kv) {
			if (!(c = container_new(ps, k[i].at, TOML_TABLE, t)))
				return NULL;
			set_pos(ps, k[i].at, &c->line, &c->col);
			kv = table_add(&t->tab, &k[i], c);
			set_pos(ps, k[i].at, &kv->line, &kv->col);
			t = c;
			continue;
		}
		c = kv->val;
		if (c->type == TOML_ARRAY && c->arr.of_tables) {
			t = c->arr.v[c->arr.n - 1];
		} else if (c->type == TOML_TABLE && !c->tab.frozen) {
			t = c;
		} else {
			perr(ps, k[i].at, "'%s' is %s %s (line %d), not a table",
				key_text(&k[i], kt, sizeof(kt)),
				c->type == TOML_TABLE ? "an" : type_article(c->type),
				c->type == TOML_TABLE ? "inline table" : toml_type_name(c->type), kv->line);
			return NULL;
		}
	}
	return t;
}

static int header(struct parser *ps)
{
	struct key k[MAX_KEY_PARTS];
	struct toml_value *t, *c;
	struct toml_kv *kv;
	const char *open = ps->p;
	int aot = peek(ps, 1) == '[', n;
	char kt[80];

	ps->p += aot ? 2 : 1;
	ps->section++;
	if ((n = parse_key(ps, k)) < 0)
		return -1;
	if (peek(ps, 0) != ']' || (aot && peek(ps, 1) != ']')) {
		perr(ps, ps->p, aot ? "expected ']]' to close the header" : "expected ']' to close the header");
		goto fail;
	}
	ps->p += aot ? 2 : 1;
	if (!(t = header_walk(ps, k, n - 1)))
		goto fail;
	kv = table_find(&t->tab, k[n - 1].s, k[n - 1].len);
	key_text(&k[n - 1], kt, sizeof(kt));
	if (aot) {
		struct toml_value *a;
		if (kv && !(kv->val->type == TOML_ARRAY && kv->val->arr.of_tables)) {
			perr(ps, open, "'%s' is already defined as %s %s (line %d); [[%s]] cannot append to it",
				kt, type_article(kv->val->type), toml_type_name(kv->val->type), kv->line, kt);
			goto fail;
		}
		if (kv) {
			a = kv->val;
		} else {
			if (!(a = container_new(ps, k[n - 1].at, TOML_ARRAY, t)))
				goto fail;
			a->arr.of_tables = 1;
			set_pos(ps, k[n - 1].at, &a->line, &a->col);
			kv = table_add(&t->tab, &k[n - 1], a);
			set_pos(ps, k[n - 1].at, &kv->line, &kv->col);
		}
		if (!(c = container_new(ps, open, TOML_TABLE, a)))
			goto fail;
		set_pos(ps, open, &c->line, &c->col);
		array_add(&a->arr, c);
	} else if (!kv) {
		if (!(c = container_new(ps, k[n - 1].at, TOML_TABLE, t)))
			goto fail;
		set_pos(ps, open, &c->line, &c->col);
		kv = table_add(&t->tab, &k[n - 1], c);
		set_pos(ps, k[n - 1].at, &kv->line, &kv->col);
	} else {
		c = kv->val;
		if (c->type != TOML_TABLE || c->tab.frozen || c->tab.is_explicit || c->tab.dotted) {
			perr(ps, open, "'%s' is already defined (line %d)", kt, kv->line);
			goto fail;
		}
		/* A table implied before is defined here. */
		kv->line = ps->line;
		kv->col = col_of(ps->line_start, open);
	}
	c->tab.is_explicit = 1;
	ps->cur = c;
	keys_free(k, n);
	return expect_eol(ps, "a table header");
fail:
	keys_free(k, n);
	return -1;
}

struct toml_value *toml_parse(const char *buf, size_t len, const char *name)
{
	struct parser ps = {
		.start = buf, .p = buf, .end = buf + len, .name = name ? name : "-",
		.line_start = buf, .line = 1, .section = 1,
	};

	ps.root = value_new(TOML_TABLE, 0);
	ps.root->tab.is_explicit = 1;
	ps.cur = ps.root;
	ps.root->line = ps.root->col = 1;
	if (check_utf8(&ps) < 0)
		goto fail;
	/* A byte order mark is allowed at the start. */
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		ps.p += 3;
	for (;;) {
		if (skip_blank(&ps) < 0)
			goto fail;
		if (at_end(&ps))
			break;
		if (*ps.p == '[') {
			if (header(&ps) < 0)
				goto fail;
		} else if (*ps.p == '\r') {
			perr(&ps, ps.p, "carriage return not followed by a newline");
			goto fail;
		} else if (keyval(&ps, ps.cur) < 0 || expect_eol(&ps, "a value") < 0) {
			goto fail;
		}
	}
	return ps.root;
fail:
	toml_free(ps.root);
	return NULL;
}

/* ---- reading -------------------------------------------------------- */

const struct toml_value *toml_get(const struct toml_value *v, const char *key)
{
	struct toml_kv *kv;

	if (!v || v->type != TOML_TABLE)
		return NULL;
	kv = table_find(&v->tab, key, strlen(key));
	return kv ? kv->val : NULL;
}

const char *toml_cstr(const struct toml_value *v)
{
	if (!v || v->type != TOML_STRING || memchr(v->str.s, 0, v->str.len))
		return NULL;
	return v->str.s;
}

const char *toml_type_name(enum toml_type t)
{
	static const char *const names[] = {
		[TOML_STRING] = "string", [TOML_INTEGER] = "integer", [TOML_FLOAT] = "float",
		[TOML_BOOL] = "bool", [TOML_DATETIME] = "datetime",
		[TOML_DATETIME_LOCAL] = "datetime-local", [TOML_DATE_LOCAL] = "date-local",
		[TOML_TIME_LOCAL] = "time-local", [TOML_ARRAY] = "array", [TOML_TABLE] = "table",
	};

	return (unsigned)t < ARRAY_LEN(names) ? names[t] : "?";
}
