/* envfile.c - .env files with secret references (envfile.h). */
#include "lib/cli/envfile.h"
#include "lib/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ?
		c - 'A' + 10 : -1;
}

int secret_ref_parse(const char *s, size_t n, char profile[PROFILE_BUF], char name[SECRET_NAME_MAX + 1])
{
	const char *p, *slash, *end = s + n;
	size_t o = 0;

	if (n < 9 || memcmp(s, "sesame://", 9))
		return 0;
	p = s + 9;
	if (!(slash = memchr(p, '/', (size_t)(end - p))) || slash == p || (size_t)(slash - p) > PROFILE_MAX)
		return fail("'%.*s': a reference is sesame://PROFILE/NAME", (int)(n > 80 ? 80 : n), s);
	memcpy(profile, p, (size_t)(slash - p));
	profile[slash - p] = 0;
	if (!profile_name_valid(profile))
		return fail("'%s' in a reference is not a profile name", profile);
	for (p = slash + 1; p < end; p++) {
		int c = (unsigned char)*p;

		if (c == '%') {
			int hi = end - p > 2 ? hexval(p[1]) : -1, lo = end - p > 2 ? hexval(p[2]) : -1;

			if (hi < 0 || lo < 0)
				return fail("a reference's '%%' must be followed by two hex digits (%%25 for a '%%')");
			c = hi << 4 | lo;
			p += 2;
		}
		if (!c || o == SECRET_NAME_MAX)
			return fail("a reference's secret name holds a NUL or is longer than %d bytes", SECRET_NAME_MAX);
		name[o++] = (char)c;
	}
	name[o] = 0;
	if (!o || !secret_name_valid(name))
		return fail("sesame://%s/...: no valid secret name after the profile", profile);
	return 1;
}

static int name_ok(const char *s, size_t n)
{
	if (!n || n > 255 || (*s >= '0' && *s <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
			s[i] == '_'))
			return 0;
	return 1;
}

/* One value at p (to eol) into out (at least eol - p + 1 bytes): its
 * length, or -1 with a reason. */
static long value(const char *p, const char *eol, char *out, int *quoted)
{
	size_t o = 0;

	*quoted = 0;
	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	if (p < eol && (*p == '"' || *p == '\'')) {
		char q = *p++;

		*quoted = 1;
		for (;; p++) {
			if (p == eol)
				return fail("an unclosed %s quote", q == '"' ? "double" : "single");
			if (*p == q)
				break;
			if (q == '"' && *p == '\\' && p + 1 < eol) {
				const char *esc = strchr("n\nr\rt\t\"\"\\\\$$", p[1]);

				if (!esc || (esc - "n\nr\rt\t\"\"\\\\$$") % 2)
					return fail("'\\%c' is no escape (\\n \\r \\t \\\" \\\\ \\$)", p[1]);
				out[o++] = esc[1];
				p++;
				continue;
			}
			out[o++] = *p;
		}
		for (p++; p < eol && (*p == ' ' || *p == '\t'); p++)
			;
		if (p < eol && *p != '#')
			return fail("text after the closing quote");
		out[o] = 0;
		return (long)o;
	}
	for (; p < eol; p++) {
		if (*p == '#' && (o == 0 || out[o - 1] == ' ' || out[o - 1] == '\t'))
			break;
		out[o++] = *p;
	}
	while (o && (out[o - 1] == ' ' || out[o - 1] == '\t'))
		o--;
	out[o] = 0;
	return (long)o;
}

int envfile_parse(struct envfile *e, const char *text, size_t len, const char *file)
{
	const char *p = text, *end = text + len;
	int line = 0, from = e->n;

	if (len > ENVFILE_MAX)
		return fail("%s: larger than %d bytes", file, ENVFILE_MAX);
	if (memchr(text, 0, len))
		return fail("%s: holds a NUL byte", file);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *eq, *n0, *n1;
		struct envfile_var *v;
		char *buf;
		long l;
		int quoted, r;

		eol = eol ? eol : end;
		line++;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (eol > p && eol[-1] == '\r')	/* CRLF files */
			eol--;
		if (p == eol || *p == '#')
			goto next;
		if (eol - p > 7 && !memcmp(p, "export", 6) && (p[6] == ' ' || p[6] == '\t'))
			for (p += 7; p < eol && (*p == ' ' || *p == '\t'); p++)
				;
		if (!(eq = memchr(p, '=', (size_t)(eol - p)))) {
			fail("%s:%d: no '=' (NAME=VALUE)", file, line);
			goto bad;
		}
		for (n0 = p, n1 = eq; n1 > n0 && (n1[-1] == ' ' || n1[-1] == '\t'); n1--)
			;
		if (!name_ok(n0, (size_t)(n1 - n0))) {
			fail("%s:%d: '%.*s' is not a variable name ([A-Za-z_][A-Za-z0-9_]*)", file, line,
				(int)(n1 - n0 > 60 ? 60 : n1 - n0), n0);
			goto bad;
		}
		for (int k = 0; k < e->n; k++)
			if (strlen(e->v[k].name) == (size_t)(n1 - n0) && !memcmp(e->v[k].name, n0, (size_t)(n1 - n0))) {
				fail("%s:%d: %.*s is set twice (also line %d)", file, line, (int)(n1 - n0), n0,
					e->v[k].line);
				goto bad;
			}
		if (e->n == ENVFILE_MAX_VARS) {
			fail("%s:%d: more than %d variables", file, line, ENVFILE_MAX_VARS);
			goto bad;
		}
		buf = xmalloc((size_t)(eol - eq) + 1);
		if ((l = value(eq + 1, eol, buf, &quoted)) < 0) {
			fail("%s:%d: %s", file, line, last_error());
			free(buf);
			goto bad;
		}
		if (e->n == e->cap)
			e->v = xreallocarray(e->v, (size_t)(e->cap = e->cap ? e->cap * 2 : 16), sizeof(*e->v));
		v = &e->v[e->n];
		memset(v, 0, sizeof(*v));
		snprintf(v->name, sizeof(v->name), "%.*s", (int)(n1 - n0), n0);
		v->line = line;
		v->file = file;
		if ((r = secret_ref_parse(buf, (size_t)l, v->profile, v->secret)) < 0) {
			fail("%s:%d: %s", file, line, last_error());
			free(buf);
			goto bad;
		}
		if (r) {
			free(buf);
		} else {
			v->value = buf;
			v->len = (size_t)l;
		}
		e->n++;
next:
		p = eol < end && *eol == '\r' ? eol + 2 : eol + 1;
	}
	return 0;
bad:
	while (e->n > from)
		free(e->v[--e->n].value);
	return -1;
}

void envfile_free(struct envfile *e)
{
	for (int i = 0; i < e->n; i++)
		free(e->v[i].value);
	free(e->v);
	memset(e, 0, sizeof(*e));
}
