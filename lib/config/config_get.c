/* config_get.c - typed reads of the merged configuration (config.h). */
#include "lib/config/config_int.h"
#include "lib/core/names.h"
#include "lib/core/util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct toml_value *config_get(const struct config *c, const char *path)
{
	const struct entry *e = c ? config_entry(c, path) : NULL;

	return e ? e->v : NULL;
}

const char *config_str(const struct config *c, const char *path, const char *def)
{
	const char *s = toml_cstr(config_get(c, path));

	return s ? s : def;
}

long long config_int(const struct config *c, const char *path, long long def)
{
	const struct toml_value *v = config_get(c, path);

	return v && v->type == TOML_INTEGER ? v->i : def;
}

int config_color(const char *s, uint32_t *out)
{
	size_t n = strlen(s);

	if (s[0] != '#' || (n != 7 && n != 9) || strspn(s + 1, "0123456789abcdefABCDEF") != n - 1)
		return -1;
	*out = (uint32_t)strtoul(s + 1, NULL, 16);
	if (n == 7)
		*out = *out << 8 | 0xff;
	return 0;
}

double config_float(const struct config *c, const char *path, double def)
{
	const struct toml_value *v = config_get(c, path);

	if (v && v->type == TOML_INTEGER)
		return (double)v->i;
	return v && v->type == TOML_FLOAT ? v->f : def;
}

int config_bool(const struct config *c, const char *path, int def)
{
	const struct toml_value *v = config_get(c, path);

	return v && v->type == TOML_BOOL ? v->b : def;
}

const char *config_strv(const struct config *c, const char *path, size_t n)
{
	const struct toml_value *v = config_get(c, path);

	if (!v || v->type != TOML_ARRAY || n >= v->arr.n)
		return NULL;
	return toml_cstr(v->arr.v[n]);
}

int config_locked(const struct config *c, const char *path)
{
	const struct entry *e = c ? config_entry(c, path) : NULL;

	return e && e->locked;
}

const char *config_source(const struct config *c, const char *path, char *buf, size_t n)
{
	const struct entry *e = c ? config_entry(c, path) : NULL;

	if (!e)
		return NULL;
	snprintf(buf, n, "%s:%d", c->layers[e->layer].file, e->line);
	return buf;
}

size_t config_profiles(const struct config *c, const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; c && i < c->n; i++) {
		const char *p = c->e[i].path;
		if (strncmp(p, "profiles.", 9) || strchr(p + 9, '.'))
			continue;
		if (n < max)
			names[n] = p + 9;
		n++;
	}
	return n;
}

const char *config_default_profile(const struct config *c)
{
	return config_str(c, "global.default_profile", "default");
}

void config_each(const struct config *c, config_each_fn *fn, void *ctx)
{
	const struct rule *r;
	char src[PATH_MAX + 16];

	for (size_t i = 0; i < c->n; i++) {
		const struct entry *e = &c->e[i];
		if (e->rule->kind == K_TABLE)
			continue;
		snprintf(src, sizeof(src), "%s%s%s%s:%d", e->from ? "inherited from " : "", e->from ? e->from : "",
			e->from ? " at " : "", c->layers[e->layer].file, e->line);
		fn(e->path, e->v, NULL, src, e->locked, ctx);
	}
	for (size_t i = 0; (r = config_rule(i)); i++)
		if (r->def && !strchr(r->pat, '*') && !config_entry(c, r->pat))
			fn(r->pat, NULL, r->def, "default", 0, ctx);
}
