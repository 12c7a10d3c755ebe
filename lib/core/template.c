/* template.c - the template parser (syntax in template.h). */
#include "lib/core/template.h"
#include "lib/core/names.h"
#include "lib/core/util.h"

#include <stdio.h>
#include <string.h>


/* "LINE:COL" of p in text, for messages. */
static void where(const char *text, const char *p, char *out, size_t n)
{
	int line = 1, col = 1;

	for (const char *s = text; s < p; s++) {
		if (*s == '\n')
			line++, col = 1;
		else if (((unsigned char)*s & 0xc0) != 0x80)
			col++;
	}
	snprintf(out, n, "%d:%d", line, col);
}

static int add(struct template_part *parts, int max, int *n, enum template_kind k, const char *s, size_t len)
{
	if (k == TPL_TEXT && *n && parts[*n - 1].kind == TPL_TEXT && parts[*n - 1].s + parts[*n - 1].len == s) {
		parts[*n - 1].len += len;
		return 0;
	}
	if (*n == max)
		return fail("more than %d parts", max);
	parts[*n].kind = k;
	parts[*n].s = s;
	parts[*n].len = len;
	parts[*n].profile = NULL;
	parts[*n].plen = 0;
	(*n)++;
	return 0;
}

static int env_name_ok(const char *s, size_t n)
{
	if (!n || n > 255 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int variable(const char *text, const char *at, const char *name, size_t nlen, const char *arg,
	size_t alen, int has_arg, struct template_part *parts, int max, int *n)
{
	char pos[32], tmp[SECRET_NAME_MAX + 1];

	where(text, at, pos, sizeof(pos));
	if (nlen == 4 && !memcmp(name, "date", 4)) {
		if (has_arg && !alen)
			return fail("%s: ${date:} needs a format, e.g. ${date:%%H:%%M}", pos);
		if (alen > 256)
			return fail("%s: a ${date:FORMAT} longer than 256 bytes", pos);
		return add(parts, max, n, TPL_DATE, arg, alen);
	}
	if (nlen == 3 && !memcmp(name, "env", 3)) {
		if (!env_name_ok(arg, alen))
			return fail("%s: ${env:NAME} needs a variable name (letters, digits, _)", pos);
		return add(parts, max, n, TPL_ENV, arg, alen);
	}
	if (nlen == 6 && !memcmp(name, "secret", 6)) {
		if (alen > SECRET_NAME_MAX)
			return fail("%s: the secret name is longer than %d bytes", pos, SECRET_NAME_MAX);
		memcpy(tmp, arg, alen);
		tmp[alen] = 0;
		if (!secret_name_valid(tmp))
			return fail("%s: ${secret:NAME} needs a secret name", pos);
		{
			char *slash = strchr(tmp, '/');

			if (slash && slash[1]) {	/* PROFILE/NAME, if PROFILE is one */
				*slash = 0;
				if (profile_name_valid(tmp) && secret_name_valid(slash + 1)) {
					size_t pl = (size_t)(slash - tmp);

					if (add(parts, max, n, TPL_SECRET, arg + pl + 1, alen - pl - 1) < 0)
						return -1;
					parts[*n - 1].profile = arg;
					parts[*n - 1].plen = pl;
					return 0;
				}
			}
		}
		return add(parts, max, n, TPL_SECRET, arg, alen);
	}
	if (nlen == 9 && !memcmp(name, "clipboard", 9)) {
		if (has_arg)
			return fail("%s: ${clipboard} takes no argument", pos);
		return add(parts, max, n, TPL_CLIPBOARD, arg, 0);
	}
	return fail("%s: unknown variable '%.*s' (known: date, env, secret, clipboard; $$ is a '$')", pos,
		(int)(nlen > 40 ? 40 : nlen), name);
}

int template_parse(const char *text, size_t len, struct template_part *parts, int max, int *nparts)
{
	const char *p = text, *end = text + len;
	char pos[32];

	*nparts = 0;
	if (len > TEMPLATE_MAX)
		return fail("the template is longer than %d bytes", TEMPLATE_MAX);
	if (memchr(text, 0, len))
		return fail("the template holds a NUL byte");
	if (!utf8_valid(text, len))
		return fail("the template is not valid UTF-8");
	while (p < end) {
		const char *d = memchr(p, '$', (size_t)(end - p)), *close, *colon;

		if (!d) {
			return add(parts, max, nparts, TPL_TEXT, p, (size_t)(end - p));
		}
		if (d > p && add(parts, max, nparts, TPL_TEXT, p, (size_t)(d - p)) < 0)
			return -1;
		if (d + 1 == end || (d[1] != '{' && d[1] != '$')) {
			if (add(parts, max, nparts, TPL_TEXT, d, 1) < 0)
				return -1;
			p = d + 1;
			continue;
		}
		if (d[1] == '$') {
			if (add(parts, max, nparts, TPL_TEXT, d + 1, 1) < 0)
				return -1;
			p = d + 2;
			continue;
		}
		close = memchr(d + 2, '}', (size_t)(end - d - 2));
		if (!close || memchr(d + 2, '\n', (size_t)(close - d - 2))) {
			where(text, d, pos, sizeof(pos));
			return fail("%s: '${' without its '}' on the same line (write $${ for a literal)", pos);
		}
		colon = memchr(d + 2, ':', (size_t)(close - d - 2));
		if (variable(text, d, d + 2, (size_t)((colon ? colon : close) - d - 2), colon ? colon + 1 : close,
			colon ? (size_t)(close - colon - 1) : 0, colon != NULL, parts, max, nparts) < 0)
			return -1;
		p = close + 1;
	}
	return 0;
}

int template_needs_secrets(const struct template_part *parts, int n)
{
	for (int i = 0; i < n; i++)
		if (parts[i].kind == TPL_SECRET)
			return 1;
	return 0;
}
