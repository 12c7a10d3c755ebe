/* json.c - recursive-descent JSON reader; see json.h. */
#include "lib/core/json.h"
#include "lib/core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct parser {
	const char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	int failed;
	size_t values;
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

static struct json *node(struct parser *p, enum json_type t)
{
	struct json *j;

	if (++p->values > JSON_MAX_VALUES)
		return jfail(p, "more than %u values", JSON_MAX_VALUES);
	if (!(j = calloc(1, sizeof(*j))))
		return jfail(p, "out of memory");
	j->type = t;
	return j;
}

static int push(struct json *j, char *key, struct json *v)
{
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 4;
		struct json **items = realloc(j->items, cap * sizeof(*items));
		char **keys;

		if (!items)
			return -1;
		j->items = items;
		if (j->type == JSON_OBJECT) {
			if (!(keys = realloc(j->keys, cap * sizeof(*keys))))
				return -1;
			j->keys = keys;
		}
		j->cap = cap;
	}
	if (j->type == JSON_OBJECT)
		j->keys[j->n] = key;
	j->items[j->n++] = v;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An object's keys, each once (sorted in a copy: n log n, not n^2). */
static int keys_unique(struct parser *p, const struct json *j)
{
	char **k;
	int ok = 1;

	if (j->n < 2)
		return 0;
	if (!(k = malloc(j->n * sizeof(*k))))
		return jfail(p, "out of memory"), -1;
	memcpy(k, j->keys, j->n * sizeof(*k));
	qsort(k, j->n, sizeof(*k), key_cmp);
	for (size_t i = 1; i < j->n && ok; i++)
		if (!strcmp(k[i - 1], k[i]))
			ok = 0, jfail(p, "key \"%.40s\" twice in one object", k[i]);
	free(k);
	return ok ? 0 : -1;
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
		if (c >= 0x80) {	/* a whole UTF-8 sequence, checked */
			size_t l = utf8_seq((const unsigned char *)p->s + p->pos - 1, p->len - p->pos + 1);

			if (!l)
				return free(o), p->pos--, jfail(p, "invalid UTF-8 in string");
			memcpy(o + n, p->s + p->pos - 1, l);
			n += l;
			p->pos += l - 1;
			continue;
		}
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
			n += utf8_encode(cp, o + n);
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
	struct json *j = node(p, object ? JSON_OBJECT : JSON_ARRAY), *v;
	char close = object ? '}' : ']';

	if (!j)
		return NULL;
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
			if (j->n == JSON_MAX_MEMBERS)
				return json_free(j), jfail(p, "more than %d members in one object", JSON_MAX_MEMBERS);
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
			if (object && keys_unique(p, j) < 0)
				return json_free(j), NULL;
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
	if (!(j = node(p, JSON_NUMBER)))
		return NULL;
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
	if (!(j = node(p, t)))
		return NULL;
	j->boolean = b;
	return j;
}

static struct json *value(struct parser *p, int depth)
{
	struct json *j;
	char c;

	if (depth > JSON_MAX_DEPTH)
		return jfail(p, "nested too deeply");
	ws(p);
	if (p->pos >= p->len)
		return jfail(p, "unexpected end of input");
	c = p->s[p->pos];
	if (c == '{' || c == '[')
		return container(p, depth, c == '{');
	if (c == '"') {
		if (!(j = node(p, JSON_STRING)))
			return NULL;
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
	struct parser p = { text, len, 0, err, errlen, 0, 0 };
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

const char *json_get_str(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_STRING && strlen(v->str) == v->len ? v->str : NULL;
}

int json_get_bool(const struct json *obj, const char *key, int def)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_BOOL ? v->boolean : def;
}
