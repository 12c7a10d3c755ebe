/* url.c - clone URLs and the workspace layout (url.h). */
#include "applets/workspace/url.h"
#include "lib/core/util.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int ws_component_valid(const char *s, size_t n)
{
	if (!n || n > WS_NAME_MAX || s[0] == '.' || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == '\\' || s[i] == ':' || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return utf8_valid(s, n);
}

/* Copy [s, s + n) into out (WS_NAME_MAX + 1 bytes) if it is a valid
 * component; -1 naming what, else. */
static int component(const char *what, const char *s, size_t n, char *out)
{
	if (!ws_component_valid(s, n))
		return fail("the %s '%.*s' is not a usable directory name (empty, a leading dot, a slash, "
			"a control character, surrounding spaces or over %d bytes)", what, (int)(n > 64 ? 64 : n), s,
			WS_NAME_MAX);
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

/* host[:port] at s (n bytes) into u: a host name of letters, digits,
 * dots and dashes, lower-cased; a port of 1 to 65535. */
static int host_port(const char *s, size_t n, struct ws_url *u)
{
	const char *colon = memchr(s, ':', n);
	size_t hl = colon ? (size_t)(colon - s) : n;

	if (!hl || hl > 253)
		return fail("no host name in the URL");
	for (size_t i = 0; i < hl; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return fail("the host '%.*s' has a character a host name cannot have", (int)(hl > 64 ? 64 : hl), s);
		u->host[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	u->host[hl] = 0;
	if (u->host[0] == '.' || u->host[0] == '-')
		return fail("the host '%s' is not a host name", u->host);
	u->port = 0;
	if (colon) {
		size_t pl = n - hl - 1;
		unsigned long p = 0;

		if (!pl || pl > 5)
			return fail("the port in the URL is not a number from 1 to 65535");
		for (size_t i = 0; i < pl; i++) {
			if (colon[1 + i] < '0' || colon[1 + i] > '9')
				return fail("the port in the URL is not a number from 1 to 65535");
			p = p * 10 + (unsigned long)(colon[1 + i] - '0');
		}
		if (!p || p > 65535)
			return fail("the port in the URL is not a number from 1 to 65535");
		u->port = (unsigned)p;
	}
	{
		char dir[WS_NAME_MAX + 16];	/* host (253 at most) and "_65535" */

		if (u->port)
			snprintf(dir, sizeof(dir), "%s_%u", u->host, u->port);
		else
			snprintf(dir, sizeof(dir), "%s", u->host);
		return component("server", dir, strlen(dir), u->server);
	}
}

/* "org[/repo[.git]][/]" at p into u; repo may be left empty only if
 * org_only. */
static int org_repo(const char *p, struct ws_url *u, int org_only)
{
	const char *slash = strchr(p, '/'), *r, *end;
	size_t rn;

	if (!slash) {
		if (!org_only)
			return fail("the URL names no repository (expected .../ORG/REPO)");
		return component("organisation", p, strlen(p), u->org);
	}
	if (component("organisation", p, (size_t)(slash - p), u->org) < 0)
		return -1;
	r = slash + 1;
	end = r + strlen(r);
	if (end > r && end[-1] == '/')
		end--;
	if (memchr(r, '/', (size_t)(end - r)))
		return fail("the URL has more than ORG/REPO after the host");
	rn = (size_t)(end - r);
	if (rn > 4 && !memcmp(end - 4, ".git", 4))
		rn -= 4;
	if (!rn) {
		if (!org_only)
			return fail("the URL names no repository (expected .../ORG/REPO)");
		return 0;
	}
	return component("repository", r, rn, u->repo);
}

int ws_url_parse(const char *url, struct ws_url *u)
{
	const char *p, *at, *colon, *slash;

	memset(u, 0, sizeof(*u));
	if (!url || !*url || strlen(url) > 4096)
		return fail("no URL, or one too long");
	if (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7) || !strncmp(url, "ssh://", 6)) {
		u->scheme = url[1] == 's' ? WS_SSH : url[4] == 's' ? WS_HTTPS : WS_HTTP;
		p = strstr(url, "://") + 3;
		if (!(slash = strchr(p, '/')))
			return fail("the URL has no path after the host (expected .../ORG/REPO)");
		at = memchr(p, '@', (size_t)(slash - p));
		if (at) {
			if (u->scheme != WS_SSH)
				return fail("an https URL with a user name or token in it: leave it out (a token "
					"comes from the environment or the profile)");
			if (component("user", p, (size_t)(at - p), u->user) < 0)
				return -1;
			p = at + 1;
		}
		if (host_port(p, (size_t)(slash - p), u) < 0)
			return -1;
		return org_repo(slash + 1, u, u->scheme != WS_SSH);
	}
	if (!strncmp(url, "git://", 6)) {
		u->scheme = WS_GIT;
		p = url + 6;
		if (!(slash = strchr(p, '/')))
			return fail("the URL has no path after the host (expected .../ORG/REPO)");
		if (host_port(p, (size_t)(slash - p), u) < 0)
			return -1;
		return org_repo(slash + 1, u, 0);
	}
	if (!strncmp(url, "file:///", 8)) {
		/* A local repository: the server is "localhost", the organisation
		 * and the repository the path's last two directories. */
		const char *end = url + strlen(url), *r, *o;

		u->scheme = WS_FILE;
		while (end > url + 8 && end[-1] == '/')
			end--;
		for (r = end; r > url + 7 && r[-1] != '/'; r--)
			;
		for (o = r - 1; o > url + 7 && o[-1] != '/'; o--)
			;
		if (r <= url + 8 || o < url + 8 || o >= r - 1)
			return fail("a file:// URL needs a path .../ORG/REPO");
		snprintf(u->host, sizeof(u->host), "localhost");
		snprintf(u->server, sizeof(u->server), "localhost");
		if (component("organisation", o, (size_t)(r - 1 - o), u->org) < 0)
			return -1;
		{
			size_t rn = (size_t)(end - r);

			if (rn > 4 && !memcmp(end - 4, ".git", 4))
				rn -= 4;
			return component("repository", r, rn, u->repo);
		}
	}
	if (strstr(url, "://"))
		return fail("only https://, http://, ssh://, git:// and file:// URLs, or user@host:org/repo, are "
			"understood");
	/* user@host:org/repo, as scp writes it */
	if (!(colon = strchr(url, ':')) || !(at = memchr(url, '@', (size_t)(colon - url))))
		return fail("'%s' is no URL: expected https://HOST/ORG/REPO or USER@HOST:ORG/REPO", url);
	u->scheme = WS_SSH;
	if (component("user", url, (size_t)(at - url), u->user) < 0)
		return -1;
	if (host_port(at + 1, (size_t)(colon - at - 1), u) < 0)
		return -1;
	if (u->port)
		return fail("user@host:path has no port: use ssh://user@host:PORT/org/repo");
	return org_repo(colon + 1, u, 0);
}

int ws_url_org(const char *url, struct ws_url *u, char *org_url, size_t n)
{
	char buf[4200];
	size_t l = strlen(url);

	while (l > 1 && url[l - 1] == '/')
		l--;
	if (l > 4096 || (size_t)snprintf(org_url, n, "%.*s", (int)l, url) >= n)
		return fail("the URL is too long");
	snprintf(buf, sizeof(buf), "%s/x", org_url);	/* the organisation's URL with a repository */
	if ((l < 4 || strcmp(org_url + l - 4, ".git")) && ws_url_parse(buf, u) == 0 && !strcmp(u->repo, "x")) {
		*u->repo = 0;
		return 0;
	}
	if (ws_url_parse(url, u) < 0)
		return -1;
	if (*u->repo) {	/* a repository's URL: its organisation's is all before the last '/' */
		char *slash = strrchr(org_url, '/');

		if (!slash)
			return fail("'%s' names no organisation", url);
		*slash = 0;
		*u->repo = 0;
	}
	return 0;
}

int ws_url_in_org(const char *org_url, const char *repo, char *out, size_t n)
{
	if ((size_t)snprintf(out, n, "%s/%s.git", org_url, repo) >= n)
		return fail("the URL of %s is too long", repo);
	return 0;
}

int ws_layout_path(const char *root, const char *user, const struct ws_url *u, char *out, size_t n)
{
	int w;

	if (!ws_component_valid(user, strlen(user)))
		return fail("the workspace user '%s' is not a usable directory name", user);
	w = *u->repo ? snprintf(out, n, "%s/%s/%s/%s/%s", root, user, u->server, u->org, u->repo) :
		snprintf(out, n, "%s/%s/%s/%s", root, user, u->server, u->org);
	if (w < 0 || (size_t)w >= n)
		return fail("the checkout's path is too long");
	return 0;
}

void ws_url_norm(const char *url, char *out, size_t n)
{
	size_t l;

	snprintf(out, n, "%s", url);
	for (char *c = out; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	while ((l = strlen(out)) && out[l - 1] == '/')
		out[l - 1] = 0;
	if ((l = strlen(out)) > 4 && !strcmp(out + l - 4, ".git"))
		out[l - 4] = 0;
}

int ws_is_checkout(const char *dir)
{
	char p[4096];
	struct stat sb;

	return (size_t)snprintf(p, sizeof(p), "%s/.git", dir) < sizeof(p) && lstat(p, &sb) == 0;
}
