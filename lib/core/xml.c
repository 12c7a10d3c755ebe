/* xml.c - the XML reader (xml.h). */
#include "lib/core/xml.h"
#include "lib/core/util.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct p {
	const char *s;
	size_t len, pos, nodes;
	char *err;
	size_t errlen;
	int failed;
};

static void *bad(struct p *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return NULL;
	p->failed = 1;
	n = snprintf(p->err, p->errlen, "offset %zu: ", p->pos);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return NULL;
}

static int at(struct p *p, const char *w)
{
	size_t l = strlen(w);

	return p->len - p->pos >= l && !memcmp(p->s + p->pos, w, l);
}

/* Skip to just past w; -1 if it never comes. */
static int past(struct p *p, const char *w)
{
	const char *f = memmem(p->s + p->pos, p->len - p->pos, w, strlen(w));

	if (!f)
		return -1;
	p->pos = (size_t)(f - p->s) + strlen(w);
	return 0;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		c == '.' || c == ':' || (unsigned char)c >= 0x80;
}

static int append(struct xml *x, const char *s, size_t n)
{
	if (!n)
		return 0;
	if (x->len + n + 1 > x->tcap) {	/* doubling: many small pieces stay linear */
		size_t cap = x->tcap ? x->tcap : 64;
		char *t;

		while (cap < x->len + n + 1)
			cap *= 2;
		if (!(t = malloc(cap)))
			return -1;
		if (x->text) {
			memcpy(t, x->text, x->len);
			sodium_memzero(x->text, x->len);
			free(x->text);
		}
		x->text = t, x->tcap = cap;
	}
	memcpy(x->text + x->len, s, n);
	x->len += n;
	x->text[x->len] = 0;
	return 0;
}

/* Text up to the next '<', entities decoded, into x. */
static int text(struct p *p, struct xml *x)
{
	const char *lt = memchr(p->s + p->pos, '<', p->len - p->pos);
	size_t end = lt ? (size_t)(lt - p->s) : p->len;

	while (p->pos < end) {
		const char *amp = memchr(p->s + p->pos, '&', end - p->pos), *semi;
		size_t stop = amp ? (size_t)(amp - p->s) : end;
		char buf[4];
		size_t bl = 1;

		if (append(x, p->s + p->pos, stop - p->pos) < 0)
			return bad(p, "out of memory"), -1;
		p->pos = stop;
		if (!amp)
			break;
		if (!(semi = memchr(amp, ';', end - stop)) || semi - amp > 12)
			return bad(p, "a '&' that starts no entity"), -1;
		if (!strncmp(amp, "&amp;", 5))
			buf[0] = '&';
		else if (!strncmp(amp, "&lt;", 4))
			buf[0] = '<';
		else if (!strncmp(amp, "&gt;", 4))
			buf[0] = '>';
		else if (!strncmp(amp, "&quot;", 6))
			buf[0] = '"';
		else if (!strncmp(amp, "&apos;", 6))
			buf[0] = '\'';
		else if (amp[1] == '#') {
			char *e;
			unsigned long cp = amp[2] == 'x' ? strtoul(amp + 3, &e, 16) : strtoul(amp + 2, &e, 10);

			if (e != semi || cp == 0 || cp > 0x10ffff || !(bl = utf8_encode((uint32_t)cp, buf)))
				return bad(p, "a bad character reference"), -1;
		} else {
			return bad(p, "an entity XML does not define (a DOCTYPE's are not read)"), -1;
		}
		if (append(x, buf, bl) < 0)
			return bad(p, "out of memory"), -1;
		p->pos = (size_t)(semi - p->s) + 1;
	}
	return 0;
}

/* Skip attributes up to '>' or '/>'; 1 if the element closed itself. */
static int attributes(struct p *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c == '>')
			return p->pos++, 0;
		if (c == '/' && p->pos + 1 < p->len && p->s[p->pos + 1] == '>')
			return p->pos += 2, 1;
		if (c == '"' || c == '\'') {
			const char *q = memchr(p->s + p->pos + 1, c, p->len - p->pos - 1);

			if (!q)
				return bad(p, "an unclosed attribute value"), -1;
			p->pos = (size_t)(q - p->s) + 1;
			continue;
		}
		if (c == '<')
			return bad(p, "a '<' inside a tag"), -1;
		p->pos++;
	}
	return bad(p, "an unclosed tag"), -1;
}

static struct xml *element(struct p *p, int depth)
{
	struct xml *x;
	size_t n = 0;
	int closed;

	if (depth > XML_MAX_DEPTH)
		return bad(p, "nested more than %d deep", XML_MAX_DEPTH);
	if (++p->nodes > XML_MAX_NODES)
		return bad(p, "more than %u elements", XML_MAX_NODES);
	p->pos++;	/* '<' */
	while (p->pos + n < p->len && name_char(p->s[p->pos + n]))
		n++;
	if (!n || n >= sizeof(x->name))
		return bad(p, "an element without a name, or one too long");
	if (!(x = calloc(1, sizeof(*x))))
		return bad(p, "out of memory");
	memcpy(x->name, p->s + p->pos, n);
	p->pos += n;
	if ((closed = attributes(p)) < 0)
		return xml_free(x), NULL;
	if (closed)
		return x;
	for (;;) {
		if (text(p, x) < 0)
			return xml_free(x), NULL;
		if (p->pos >= p->len)
			return bad(p, "<%s> is not closed", x->name), xml_free(x), NULL;
		if (at(p, "<!--")) {
			if (past(p, "-->") < 0)
				return xml_free(x), bad(p, "an unclosed comment");
		} else if (at(p, "<![CDATA[")) {
			const char *e;

			p->pos += 9;
			if (!(e = memmem(p->s + p->pos, p->len - p->pos, "]]>", 3)))
				return xml_free(x), bad(p, "an unclosed CDATA section");
			if (append(x, p->s + p->pos, (size_t)(e - p->s) - p->pos) < 0)
				return xml_free(x), bad(p, "out of memory");
			p->pos = (size_t)(e - p->s) + 3;
		} else if (at(p, "<?")) {
			if (past(p, "?>") < 0)
				return xml_free(x), bad(p, "an unclosed processing instruction");
		} else if (at(p, "</")) {
			size_t l = strlen(x->name);

			p->pos += 2;
			if (p->len - p->pos < l + 1 || memcmp(p->s + p->pos, x->name, l))
				return bad(p, "</...> does not close <%s>", x->name), xml_free(x), NULL;
			p->pos += l;
			while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
				p->pos++;
			if (p->pos >= p->len || p->s[p->pos] != '>')
				return bad(p, "</%s without its '>'", x->name), xml_free(x), NULL;
			p->pos++;
			return x;
		} else if (at(p, "<!")) {
			return xml_free(x), bad(p, "a DOCTYPE or declaration inside an element");
		} else {
			struct xml *k = element(p, depth + 1);

			if (!k)
				return xml_free(x), NULL;
			if (x->n == x->cap) {
				size_t cap = x->cap ? x->cap * 2 : 4;
				struct xml **v = realloc(x->kids, cap * sizeof(*v));

				if (!v)
					return xml_free(k), xml_free(x), bad(p, "out of memory");
				x->kids = v, x->cap = cap;
			}
			x->kids[x->n++] = k;
		}
	}
}

struct xml *xml_parse(const char *s, size_t len, char *err, size_t errlen)
{
	struct p p = { s, len, 0, 0, err, errlen, 0 };
	struct xml *root = NULL;

	*err = 0;
	if (memchr(s, 0, len) || !utf8_valid(s, len))
		return bad(&p, "not UTF-8 text");
	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		p.pos = 3;
	for (;;) {
		while (p.pos < len && strchr(" \t\r\n", s[p.pos]))
			p.pos++;
		if (p.pos >= len)
			break;
		if (at(&p, "<?")) {
			if (past(&p, "?>") < 0)
				return xml_free(root), bad(&p, "an unclosed processing instruction");
		} else if (at(&p, "<!--")) {
			if (past(&p, "-->") < 0)
				return xml_free(root), bad(&p, "an unclosed comment");
		} else if (at(&p, "<!")) {
			return xml_free(root), bad(&p, "a DOCTYPE: refused (its entities are not read)");
		} else if (s[p.pos] == '<' && !root) {
			if (!(root = element(&p, 0)))
				return NULL;
		} else {
			return xml_free(root), bad(&p, "text or a second element after the root");
		}
	}
	if (!root)
		return bad(&p, "no element");
	return root;
}

const struct xml *xml_child(const struct xml *x, const char *name)
{
	for (size_t i = 0; x && i < x->n; i++)
		if (!strcmp(x->kids[i]->name, name))
			return x->kids[i];
	return NULL;
}

void xml_free(struct xml *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++)
		xml_free(x->kids[i]);
	if (x->text) {
		sodium_memzero(x->text, x->len);
		free(x->text);
	}
	free(x->kids);
	free(x);
}
