/* forge.c - reading a forge's answers (forge.h). */
#include "applets/workspace/forge.h"
#include "lib/core/json.h"
#include "lib/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int forge_api_base(const char *configured, const struct ws_url *u, char *out, size_t n)
{
	size_t l;

	if (configured && *configured) {
		if (strncasecmp(configured, "https://", 8) && strncasecmp(configured, "http://", 7))
			return fail("forge.api_url '%s': an http:// or https:// URL", configured);
		if ((l = (size_t)snprintf(out, n, "%s", configured)) >= n)
			return fail("forge.api_url is too long");
		while (l > 8 && out[l - 1] == '/')
			out[--l] = 0;
		return 0;
	}
	if (!strcmp(u->host, "github.com") && !u->port)
		return snprintf(out, n, "https://api.github.com"), 0;
	return fail("no forge API is known for %s: set it in workspaces.toml, [forge] api_url = "
		"\"https://%s/api/v3\" (GitHub Enterprise) or \"https://%s/api/v1\" (Gitea, Forgejo)",
		u->host, u->host, u->host);
}

int forge_page_url(const char *base, const char *kind, const char *org, int page, char *out, size_t n)
{
	size_t o = (size_t)snprintf(out, n, "%s/%s/", base, kind);

	for (const unsigned char *c = (const unsigned char *)org; *c && o < n; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			strchr("-._~", *c))
			o += (size_t)snprintf(out + o, n - o, "%c", *c);
		else
			o += (size_t)snprintf(out + o, n - o, "%%%02X", *c);
	}
	/* per_page is GitHub's, limit Gitea's; type=all takes the private
	 * ones a token may see (the original asked for public only). */
	if (o >= n || (o += (size_t)snprintf(out + o, n - o, "/repos?per_page=%d&limit=%d&type=all&page=%d",
		FORGE_PER_PAGE, FORGE_PER_PAGE, page)) >= n)
		return fail("the organisation's API URL is too long");
	return 0;
}

static void printable(char *out, size_t n, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < n; i++)
		out[o++] = (unsigned char)s[i] >= 0x20 && s[i] != 0x7f ? s[i] : '?';
	out[o] = 0;
}

int forge_page_add(struct forge_list *l, const char *body, size_t len, size_t *added)
{
	char err[160];
	struct json *j = json_parse(body, len, err, sizeof(err));

	*added = 0;
	if (!j)
		return fail("the forge's answer is not JSON: %s", err);
	if (j->type != JSON_ARRAY) {
		json_free(j);
		return fail("the forge's answer is not a list of repositories");
	}
	for (size_t i = 0; i < j->n; i++) {
		const struct json *r = j->items[i], *name = json_get(r, "name");
		struct forge_repo x = { .fork = 0 };
		int dup = 0;

		if (r->type != JSON_OBJECT || !name || name->type != JSON_STRING) {
			json_free(j);
			return fail("the forge's answer: repository %zu has no name", i + 1);
		}
		printable(x.name, sizeof(x.name), name->str, name->len);
		x.bad = name->len > WS_NAME_MAX || !ws_component_valid(name->str, name->len);
		x.fork = json_get_bool(r, "fork", 0);
		x.archived = json_get_bool(r, "archived", 0);
		for (size_t k = 0; k < l->n && !dup; k++)
			dup = !strcmp(l->v[k].name, x.name);
		if (dup)
			continue;
		if (l->n == FORGE_MAX_REPOS) {
			json_free(j);
			return fail("the organisation has more than %d repositories", FORGE_MAX_REPOS);
		}
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 64;
			struct forge_repo *v = realloc(l->v, cap * sizeof(*v));

			if (!v) {
				json_free(j);
				return fail("out of memory");
			}
			l->v = v, l->cap = cap;
		}
		l->v[l->n++] = x;
		++*added;
	}
	json_free(j);
	return 0;
}

/* The scheme://host[:port]/ of url: its length, 0 if it has none. */
static size_t origin_len(const char *url)
{
	const char *s = strstr(url, "://"), *slash;

	if (!s || s == url)
		return 0;
	slash = strchr(s + 3, '/');
	return slash ? (size_t)(slash - url) + 1 : 0;
}

int forge_link_next(const char *link, const char *base, char *out, size_t n)
{
	const char *p = link;

	while (*p) {
		const char *lt = strchr(p, '<'), *gt, *end;
		size_t ul, ol;
		int next = 0;

		if (!lt)
			return 0;
		if (!(gt = strchr(lt, '>')))
			return fail("the forge's Link header is malformed");
		end = strchr(gt, '<') ? strchr(gt, '<') : gt + strlen(gt);
		for (const char *r = gt; r < end && !next; r++)	/* rel="next" or rel=next, among others */
			if (!strncasecmp(r, "rel=", 4)) {
				const char *v = r + 4 + (r[4] == '"');

				while (v < end && *v != '"' && *v != ';' && *v != ',') {
					if (!strncasecmp(v, "next", 4) && (v + 4 == end || strchr("\" ;,", v[4])))
						next = 1;
					while (v < end && !strchr("\" ;,", *v))
						v++;
					while (v < end && *v == ' ')
						v++;
				}
			}
		if (next) {
			ul = (size_t)(gt - lt - 1);
			if (ul >= n)
				return fail("the forge's next page URL is too long");
			memcpy(out, lt + 1, ul);
			out[ul] = 0;
			for (size_t i = 0; i < ul; i++)
				if ((unsigned char)out[i] <= 0x20 || out[i] == 0x7f)
					return fail("the forge's next page URL is malformed");
			ol = origin_len(base);
			if (!ol) {	/* a base without a path: its origin is all of it */
				ol = strlen(base);
				if (strncasecmp(out, base, ol) || (out[ol] != '/' && out[ol]))
					return fail("the forge's next page is on another server (%.200s); not followed", out);
				return 1;
			}
			if (strncasecmp(out, base, ol))
				return fail("the forge's next page is on another server (%.200s); not followed", out);
			return 1;
		}
		p = end;
	}
	return 0;
}

void forge_message(const char *body, size_t len, char *out, size_t n)
{
	char err[16];
	struct json *j = json_parse(body, len, err, sizeof(err));
	const struct json *m = json_get(j, "message");

	*out = 0;
	if (m && m->type == JSON_STRING)
		printable(out, n, m->str, m->len);
	json_free(j);
}

void forge_list_free(struct forge_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
