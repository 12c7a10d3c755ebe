/* binding.c - key binding syntax (binding.h). */
#include "lib/config/binding.h"
#include "lib/core/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	unsigned bit;
} mod_names[] = {
	{ "shift", BIND_SHIFT }, { "ctrl", BIND_CTRL }, { "control", BIND_CTRL }, { "alt", BIND_ALT },
	{ "mod1", BIND_ALT }, { "super", BIND_SUPER }, { "logo", BIND_SUPER }, { "win", BIND_SUPER },
	{ "mod4", BIND_SUPER },
};

static int key_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int binding_parse(const char *s, unsigned *mods, char key[BIND_MAX_KEY])
{
	const char *p = s;

	*mods = 0;
	for (;;) {
		const char *plus = strchr(p, '+');
		size_t n = plus ? (size_t)(plus - p) : strlen(p);
		size_t i;

		if (!n)
			return fail("'%.64s': an empty part (a '+' too many?)", s);
		if (!plus) {
			if (n >= BIND_MAX_KEY)
				return fail("'%.64s': the key name is too long", s);
			for (i = 0; i < n; i++)
				if (!key_char((unsigned char)p[i]))
					return fail("'%.64s': '%.64s' is not a key name (letters, digits, '_')", s, p);
			memcpy(key, p, n);
			key[n] = 0;
			return 0;
		}
		for (i = 0; i < ARRAY_LEN(mod_names); i++)
			if (strlen(mod_names[i].name) == n && !strncasecmp(p, mod_names[i].name, n))
				break;
		if (i == ARRAY_LEN(mod_names))
			return fail("'%.64s': '%.*s' is not a modifier (shift, ctrl, alt, super)", s,
				n > 32 ? 32 : (int)n, p);
		if (*mods & mod_names[i].bit)
			return fail("'%.64s': '%.*s' twice", s, (int)n, p);
		*mods |= mod_names[i].bit;
		p = plus + 1;
	}
}

int binding_split(const char *cmd, char **argv, int max, char *buf, size_t bufsz)
{
	const char *p = cmd;
	size_t o = 0;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n >= max - 1)
			return fail("more than %d words", max - 1);
		argv[n++] = buf + o;
		while (*p && *p != ' ' && *p != '\t') {
			char q = *p;

			if (q == '\'' || q == '"') {
				p++;
				while (*p && *p != q) {
					if (q == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
						p++;
					if (o + 1 >= bufsz)
						return fail("the command is too long");
					buf[o++] = *p++;
				}
				if (*p != q)
					return fail("an unclosed %c", q);
				p++;
			} else {
				if (o + 1 >= bufsz)
					return fail("the command is too long");
				buf[o++] = *p++;
			}
		}
		if (o + 1 >= bufsz)
			return fail("the command is too long");
		buf[o++] = 0;
	}
	if (!n)
		return fail("an empty command");
	argv[n] = NULL;
	return n;
}

void binding_format(unsigned mods, const char *key, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s%s%s%s", mods & BIND_CTRL ? "ctrl+" : "", mods & BIND_ALT ? "alt+" : "",
		mods & BIND_SHIFT ? "shift+" : "", mods & BIND_SUPER ? "super+" : "", key);
}
