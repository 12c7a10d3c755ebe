/* project.c - asking the forge for an organisation's repositories
 * (project.h). */
#include "applets/workspace/project.h"
#include "applets/workspace/http.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_PAGES 100
#define MAX_ANSWER (16u << 20)

/* 1 if an http:// base is on this machine (a token may go there). */
static int loopback(const char *base)
{
	static const char *const ok[] = { "http://127.", "http://localhost:", "http://localhost/", "http://[::1]" };

	for (size_t i = 0; i < ARRAY_LEN(ok); i++)
		if (!strncasecmp(base, ok[i], strlen(ok[i])))
			return 1;
	return !strcasecmp(base, "http://localhost");
}

/* x-ratelimit-reset (seconds since 1970) as a local time, or "later". */
static const char *reset_time(const struct ws_http *r, char *out, size_t n)
{
	long long t;
	struct tm tm;
	time_t tt;

	if (parse_range(r->rate_reset, 0, 1LL << 40, &t) < 0)
		return "later";
	tt = (time_t)t;
	if (!localtime_r(&tt, &tm) || !strftime(out, n, "%H:%M", &tm))
		return "later";
	return out;
}

static int refused(const struct ws_http *r, const char *org, int token)
{
	const char *hint = token ? "" : "; a token may help: $GITHUB_TOKEN, or forge.token_secret in workspaces.toml";
	char msg[256], when[16];

	forge_message(r->body, r->len, msg, sizeof(msg));
	if ((r->status == 403 || r->status == 429) && !strcmp(r->rate_remaining, "0"))
		return fail("the forge's API rate limit is used up until %s%s", reset_time(r, when, sizeof(when)),
			token ? "" : " (a token raises it: $GITHUB_TOKEN, or forge.token_secret in workspaces.toml)");
	if (r->status == 401)
		return fail("the forge refused the request (401%s%s)%s", *msg ? ": " : "", msg,
			token ? "; the token was not accepted (wrong, expired or revoked)" : hint);
	if (r->status == 403)
		return fail("the forge refused the request (403%s%s)%s", *msg ? ": " : "", msg, hint);
	if (r->status == 404)
		return fail("the forge has no organisation or user '%s' (404)%s", org, hint);
	if (r->status >= 300 && r->status < 400)
		return fail("the forge answered %ld, moved to %s: not followed (set forge.api_url to where it is)",
			r->status, *r->location ? r->location : "somewhere it did not say");
	return fail("the forge answered %ld%s%s", r->status, *msg ? ": " : "", msg);
}

int ws_project_list(const char *base, const char *org, const char *token, int timeout_s, struct forge_list *l)
{
	const char *hdr[4] = { "Accept: application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28", NULL, NULL };
	const char *kind = "orgs";
	char url[2048], next[2048], *auth = NULL;
	int warned = 0, rc = -1, page = 1;

	if (token) {
		size_t n = strlen(token) + 32;

		if (!strncasecmp(base, "http://", 7) && !loopback(base))
			return fail("%s is http://: the token would cross the network unencrypted; not sent (use "
				"https://)", base);
		if (!(auth = secmem_alloc(n)))
			return fail("out of memory");
		snprintf(auth, n, "Authorization: Bearer %s", token);
		hdr[2] = auth;
	}
	if (forge_page_url(base, kind, org, page, url, sizeof(url)) < 0)
		goto out;
	for (int asked = 0;; asked++) {
		struct ws_http r;
		size_t added;
		long long left;
		int got;

		if (asked == MAX_PAGES) {
			fail("the forge gave more than %d pages; stopped", MAX_PAGES);
			goto out;
		}
		if (ws_http_get(url, hdr, timeout_s, MAX_ANSWER, &r) < 0) {
			fail("%s: %s", base, last_error());
			goto out;
		}
		if (!warned && parse_range(r.rate_remaining, 0, 1LL << 40, &left) == 0 && left <= 5) {
			char when[16];

			fprintf(stderr, "sesame: warning: the forge allows %lld more API request%s until %s%s\n", left,
				left == 1 ? "" : "s", reset_time(&r, when, sizeof(when)),
				token ? "" : " (a token raises the limit: $GITHUB_TOKEN)");
			warned = 1;
		}
		if (r.status == 404 && !strcmp(kind, "orgs") && !l->n) {	/* perhaps a user */
			ws_http_free(&r);
			kind = "users";
			if (forge_page_url(base, kind, org, page = 1, url, sizeof(url)) < 0)
				goto out;
			continue;
		}
		if (r.status != 200 || forge_page_add(l, r.body, r.len, &added) < 0 ||
			(got = forge_link_next(r.link, base, next, sizeof(next))) < 0) {
			if (r.status != 200)
				refused(&r, org, token != NULL);
			ws_http_free(&r);
			goto out;
		}
		ws_http_free(&r);
		if (!added)	/* an empty page, or the same one again */
			break;
		if (got)
			memcpy(url, next, sizeof(url));
		else if (*r.link)	/* pages linked, and this the last */
			break;
		else if (forge_page_url(base, kind, org, ++page, url, sizeof(url)) < 0)
			goto out;	/* no links: on until a page adds nothing */
	}
	rc = 0;
out:
	if (auth)
		secmem_free(auth);	/* wiped */
	return rc;
}
