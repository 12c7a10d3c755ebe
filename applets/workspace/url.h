/* url.h - a repository's clone URL as workspaces read it: where it lives
 * ({server}/{org}/{repo} under the workspace root) and how to reach it.
 *
 * Accepted: https://host[:port]/org[/repo[.git]], http://... (the same,
 * marked insecure: the caller warns), ssh://[user@]host[:port]/org/repo,
 * user@host:org/repo[.git], git://host[:port]/org/repo (insecure too) and
 * file:///.../org/repo[.git] (server "localhost").  The server is lower-cased; each of
 * server, org and repo is a directory name and must be one: non-empty,
 * at most 255 bytes, no leading '.', no '/', '\\', ':' or NUL, no control
 * characters, no spaces around it.  Apart from the command so that it can
 * be tested alone (tests/unit/wsurl.c, tests/fuzz/wsurl.c).
 */
#ifndef SESAME_WS_URL_H
#define SESAME_WS_URL_H

#include <stddef.h>

#define WS_NAME_MAX 255

enum ws_scheme { WS_HTTPS, WS_HTTP, WS_SSH, WS_GIT, WS_FILE };

struct ws_url {
	enum ws_scheme scheme;
	char user[WS_NAME_MAX + 1];	/* ssh's login ("git"), or "" */
	char host[WS_NAME_MAX + 1];	/* lower case, without the port */
	unsigned port;			/* 0: the scheme's own */
	char server[WS_NAME_MAX + 1];	/* the directory: host, or host_port */
	char org[WS_NAME_MAX + 1];
	char repo[WS_NAME_MAX + 1];	/* without ".git"; "" for an organisation's URL */
};

/* Read url into u; -1 with a reason naming the part that is wrong. */
int ws_url_parse(const char *url, struct ws_url *u);
/* 1 if s (n bytes) may be a directory name of the layout. */
int ws_component_valid(const char *s, size_t n);
/* For clone --project: url read as an organisation's (u->repo ""), and
 * its URL without a trailing '/' into org_url (n bytes).  A repository's
 * URL stands for its organisation's; file:// and git:// URLs not ending
 * in ".git" name the organisation's directory itself.  -1 with a reason. */
int ws_url_org(const char *url, struct ws_url *u, char *org_url, size_t n);
/* The clone URL of repo, an organisation's repository: org_url/repo.git
 * (as GitHub, Gitea, git daemon and bare directories all take it). */
int ws_url_in_org(const char *org_url, const char *repo, char *out, size_t n);
/* {root}/{user}/{server}/{org}[/{repo}] into out (n bytes); -1 with a
 * reason if user is not a valid component or it does not fit. */
int ws_layout_path(const char *root, const char *user, const struct ws_url *u, char *out, size_t n);

/* url as origins are compared (the original's way): lower case, without
 * trailing '/' or ".git". */
void ws_url_norm(const char *url, char *out, size_t n);
/* 1 if dir holds a checkout (a .git directory or file). */
int ws_is_checkout(const char *dir);

#endif
