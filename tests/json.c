/* json.c - recursive-descent JSON reader; see json.h. */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct parser {
	const char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	int failed;
};

static void *jfail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return NULL;
	p->failed = 1;
	n = snprintf(p->err, p->errlen, "offset %zu: ", p->pos);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return NULL;
}

static void ws(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

static struct json *node(enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));

	if (j)
		j->type = t;
	return j;
}

static int push(struct json *j, char *key, struct json *v)
{
	struct json **items = realloc(j->items, (j->n + 1) * sizeof(*items));
	char **keys;

	if (!items)
		return -1;
	j->items = items;
	if (j->type == JSON_OBJECT) {
		keys = realloc(j->keys, (j->n + 1) * sizeof(*keys));
		if (!keys)
			return -1;
		j->keys = keys;
		j->keys[j->n] = key;
	}
	j->items[j->n++] = v;
	return 0;
}

static int hex4(struct parser *p, unsigned *out)
{
	*out = 0;
	if (p->len - p->pos < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p->s[p->pos++];

		*out <<= 4;
		if (c >= '0' && c <= '9')
			*out |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*out |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*out |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

static size_t utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80)
		return o[0] = (char)cp, 1;
	if (cp < 0x800)
		return o[0] = (char)(0xc0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3f)), 2;
	if (cp < 0x10000)
		return o[0] = (char)(0xe0 | cp >> 12), o[1] = (char)(0x80 | (cp >> 6 & 0x3f)),
			o[2] = (char)(0x80 | (cp & 0x3f)), 3;
	return o[0] = (char)(0xf0 | cp >> 18), o[1] = (char)(0x80 | (cp >> 12 & 0x3f)),
		o[2] = (char)(0x80 | (cp >> 6 & 0x3f)), o[3] = (char)(0x80 | (cp & 0x3f)), 4;
}

/* A string at p->pos (on the quote); the result is malloc'ed. */
static char *string(struct parser *p, size_t *outlen)
{
	size_t cap = 16, n = 0;
	char *o = malloc(cap), *t;

	if (!o)
		return jfail(p, "out of memory");
	p->pos++;
	for (;;) {
		unsigned char c;

		if (cap - n < 8) {
			if (!(t = realloc(o, cap *= 2)))
				return free(o), jfail(p, "out of memory");
			o = t;
		}
		if (p->pos >= p->len)
			return free(o), jfail(p, "unterminated string");
		c = (unsigned char)p->s[p->pos++];
		if (c == '"')
			break;
		if (c < 0x20)
			return free(o), jfail(p, "control character in string");
		if (c != '\\') {
			o[n++] = (char)c;
			continue;
		}
		if (p->pos >= p->len)
			return free(o), jfail(p, "unterminated escape");
		c = (unsigned char)p->s[p->pos++];
		switch (c) {
		case '"': case '\\': case '/': o[n++] = (char)c; break;
		case 'b': o[n++] = '\b'; break;
		case 'f': o[n++] = '\f'; break;
		case 'n': o[n++] = '\n'; break;
		case 'r': o[n++] = '\r'; break;
		case 't': o[n++] = '\t'; break;
		case 'u': {
			unsigned cp, lo;

			if (hex4(p, &cp) < 0)
				return free(o), jfail(p, "bad \\u escape");
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
					return free(o), jfail(p, "lone surrogate");
				p->pos += 2;
				if (hex4(p, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return free(o), jfail(p, "bad surrogate pair");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				return free(o), jfail(p, "lone surrogate");
			}
			n += utf8_put(o + n, cp);
			break;
		}
		default:
			return free(o), jfail(p, "bad escape '\\%c'", c);
		}
	}
	o[n] = 0;
	*outlen = n;
	return o;
}

static struct json *value(struct parser *p, int depth);

static struct json *container(struct parser *p, int depth, int object)
{
	struct json *j = node(object ? JSON_OBJECT : JSON_ARRAY), *v;
	char close = object ? '}' : ']';

	if (!j)
		return jfail(p, "out of memory");
	p->pos++;
	ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		size_t kl;

		ws(p);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return json_free(j), jfail(p, "expected a key");
			if (!(key = string(p, &kl)))
				return json_free(j), NULL;
			ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return free(key), json_free(j), jfail(p, "expected ':'");
			p->pos++;
		}
		if (!(v = value(p, depth + 1)))
			return free(key), json_free(j), NULL;
		if (push(j, key, v) < 0)
			return free(key), json_free(v), json_free(j), jfail(p, "out of memory");
		ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			return j;
		}
		return json_free(j), jfail(p, "expected ',' or '%c'", close);
	}
}

static struct json *number(struct parser *p)
{
	size_t start = p->pos;
	char buf[64];
	struct json *j;

	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
		return jfail(p, "bad number");
	if (p->s[p->pos] == '0')
		p->pos++;
	else
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
			return jfail(p, "bad number");
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
			return jfail(p, "bad number");
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos - start >= sizeof(buf))
		return jfail(p, "number too long");
	memcpy(buf, p->s + start, p->pos - start);
	buf[p->pos - start] = 0;
	if (!(j = node(JSON_NUMBER)))
		return jfail(p, "out of memory");
	j->num = strtod(buf, NULL);
	return j;
}

static struct json *literal(struct parser *p, const char *word, enum json_type t, int b)
{
	size_t l = strlen(word);
	struct json *j;

	if (p->len - p->pos < l || memcmp(p->s + p->pos, word, l))
		return jfail(p, "unexpected character");
	p->pos += l;
	if (!(j = node(t)))
		return jfail(p, "out of memory");
	j->boolean = b;
	return j;
}

static struct json *value(struct parser *p, int depth)
{
	struct json *j;
	char c;

	if (depth > MAX_DEPTH)
		return jfail(p, "nested too deeply");
	ws(p);
	if (p->pos >= p->len)
		return jfail(p, "unexpected end of input");
	c = p->s[p->pos];
	if (c == '{' || c == '[')
		return container(p, depth, c == '{');
	if (c == '"') {
		if (!(j = node(JSON_STRING)))
			return jfail(p, "out of memory");
		if (!(j->str = string(p, &j->len)))
			return free(j), NULL;
		return j;
	}
	if (c == 't')
		return literal(p, "true", JSON_BOOL, 1);
	if (c == 'f')
		return literal(p, "false", JSON_BOOL, 0);
	if (c == 'n')
		return literal(p, "null", JSON_NULL, 0);
	return number(p);
}

struct json *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser p = { text, len, 0, err, errlen, 0 };
	struct json *j = value(&p, 0);

	if (!j)
		return NULL;
	ws(&p);
	if (p.pos != len) {
		json_free(j);
		return jfail(&p, "trailing data");
	}
	return j;
}

void json_free(struct json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++) {
		json_free(j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
	free(j);
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return obj->items[i];
	return NULL;
}
