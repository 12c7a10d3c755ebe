/* forge.h - what `workspace clone --project` asks a forge: the
 * repositories of an organisation (or a user), through the REST shape
 * GitHub's API has and GitHub Enterprise (/api/v3), Gitea and Forgejo
 * (/api/v1) share: GET {api}/orgs/{org}/repos, page by page (the Link
 * header's rel="next"), falling back to {api}/users/{org}/repos.  Each
 * page is a JSON array of objects with name, fork and archived.  Every
 * answer is hostile input: the reading is apart from the asking so that
 * it can be fuzzed (tests/fuzz/forge.c). */
#ifndef SESAME_WS_FORGE_H
#define SESAME_WS_FORGE_H

#include "applets/workspace/url.h"

#include <stddef.h>

#define FORGE_MAX_REPOS 10000
#define FORGE_PER_PAGE 100

struct forge_repo {
	char name[WS_NAME_MAX + 1];	/* as sent, made printable */
	int fork, archived;
	int bad;		/* its name is no directory name: not cloned */
};

struct forge_list {
	struct forge_repo *v;
	size_t n, cap;
};

/* The API's base URL for u's server: configured (workspaces.toml
 * forge.api_url) when set, else https://api.github.com for github.com.
 * -1 with a reason for another server without one. */
int forge_api_base(const char *configured, const struct ws_url *u, char *out, size_t n);
/* The URL of page (from 1) of org's repositories (kind "orgs"), or a
 * user's ("users").  -1 if it does not fit. */
int forge_page_url(const char *base, const char *kind, const char *org, int page, char *out, size_t n);
/* One page (body, len bytes) read into l: each repository not already
 * in it added (*added counts them).  -1 with a reason if the page is
 * not a JSON array of repository objects, or l would pass
 * FORGE_MAX_REPOS. */
int forge_page_add(struct forge_list *l, const char *body, size_t len, size_t *added);
/* A Link header's rel="next" URL into out: 1, 0 if there is none, -1
 * with a reason if it leaves base's scheme, host and port (a token is
 * sent to it) or is malformed. */
int forge_link_next(const char *link, const char *base, char *out, size_t n);
/* An error answer's "message", made printable, into out ("" if none). */
void forge_message(const char *body, size_t len, char *out, size_t n);
void forge_list_free(struct forge_list *l);

#endif
