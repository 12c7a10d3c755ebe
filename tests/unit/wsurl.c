/* Unit tests for clone URLs and the workspace layout
 * (applets/workspace/url.h): the forms the original takes, the parts each
 * gives, and the names no checkout directory may have. */
#include "applets/workspace/url.h"
#include "lib/core/util.h"
#include "tap.h"

#include <string.h>

static struct ws_url u;

/* "scheme user host port server org repo" of url, or "ERROR". */
static const char *parts(const char *url)
{
	static char out[2048];

	if (ws_url_parse(url, &u) < 0)
		return "ERROR";
	snprintf(out, sizeof(out), "%s|%s|%s|%u|%s|%s|%s", u.scheme == WS_HTTPS ? "https" : u.scheme == WS_HTTP ?
		"http" : u.scheme == WS_GIT ? "git" : u.scheme == WS_FILE ? "file" : "ssh", u.user, u.host, u.port,
		u.server, u.org, u.repo);
	return out;
}

int main(void)
{
	static const struct { const char *url, *want; } cases[] = {
		{ "https://github.com/work-org/api", "https||github.com|0|github.com|work-org|api" },
		{ "https://GitHub.com/work-org/api.git", "https||github.com|0|github.com|work-org|api" },
		{ "https://github.com/work-org/api/", "https||github.com|0|github.com|work-org|api" },
		{ "http://git.local/o/r", "http||git.local|0|git.local|o|r" },
		{ "https://git.example.com:8443/o/r", "https||git.example.com|8443|git.example.com_8443|o|r" },
		{ "git@github.com:work-org/api.git", "ssh|git|github.com|0|github.com|work-org|api" },
		{ "ssh://git@127.0.0.1:2222/org/repo", "ssh|git|127.0.0.1|2222|127.0.0.1_2222|org|repo" },
		{ "https://github.com/work-org", "https||github.com|0|github.com|work-org|" },
		{ "https://github.com/work-org/", "https||github.com|0|github.com|work-org|" },
		{ "git://127.0.0.1:9418/org/repo.git", "git||127.0.0.1|9418|127.0.0.1_9418|org|repo" },
		{ "git://host/org", "ERROR" },
		{ "file:///srv/git/org/repo.git", "file||localhost|0|localhost|org|repo" },
		{ "file:///srv/git/org/repo/", "file||localhost|0|localhost|org|repo" },
		{ "file:///repo.git", "ERROR" },
		{ "file:///srv/.hidden/repo", "ERROR" },
		{ "file://host/srv/o/r", "ERROR" },
		{ "https://github.com/a/b/c", "ERROR" },
		{ "https://github.com/../api", "ERROR" },
		{ "https://github.com/.hidden/api", "ERROR" },
		{ "https://github.com/org/..", "ERROR" },
		{ "https://github.com/org/.git", "ERROR" },
		{ "https://token@github.com/org/repo", "ERROR" },
		{ "https://github.com", "ERROR" },
		{ "https://gith_ub.com/o/r", "ERROR" },
		{ "https://github.com:0/o/r", "ERROR" },
		{ "https://github.com:65536/o/r", "ERROR" },
		{ "git@github.com:org", "ERROR" },
		{ "git@github.com:22:org/repo", "ERROR" },
		{ "ftp://host/o/r", "ERROR" },
		{ "github.com/org/repo", "ERROR" },
		{ "https://github.com/org/re\\po", "ERROR" },
		{ "https://github.com/org/ repo", "ERROR" },
		{ "https://github.com/org/r\x01po", "ERROR" },
		{ "", "ERROR" },
	};
	char path[4096], big[400];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const char *got = parts(cases[i].url);

		ok(!strcmp(got, cases[i].want), "'%s' -> %s (got %s)", cases[i].url, cases[i].want, got);
	}
	ok(ws_url_parse("https://github.com/../api", &u) < 0 && strstr(last_error(), "organisation '..'"),
		"a refusal names the part (%s)", last_error());

	memset(big, 'a', sizeof(big));
	memcpy(big, "https://h/o/", 12);
	big[12 + 256] = 0;
	ok(ws_url_parse(big, &u) < 0, "a 256-byte repository name is refused");
	big[12 + 255] = 0;
	ok(ws_url_parse(big, &u) == 0 && strlen(u.repo) == 255, "255 bytes are a name");

	ws_url_parse("git@github.com:work-org/api.git", &u);
	ok(ws_layout_path("/home/me/workspace", "me", &u, path, sizeof(path)) == 0 &&
		!strcmp(path, "/home/me/workspace/me/github.com/work-org/api"), "the layout: root/user/server/org/repo (%s)",
		path);
	ws_url_parse("https://github.com/work-org", &u);
	ok(ws_layout_path("/w", "me", &u, path, sizeof(path)) == 0 && !strcmp(path, "/w/me/github.com/work-org"),
		"an organisation's URL: root/user/server/org (%s)", path);
	ok(ws_layout_path("/w", "..", &u, path, sizeof(path)) < 0, "a user '..' is refused");
	ok(ws_layout_path("/w", "me", &u, path, 10) < 0, "a path that does not fit is refused");
	{
		static const struct { const char *url, *org, *org_url; } orgs[] = {
			{ "https://github.com/work-org", "work-org", "https://github.com/work-org" },
			{ "https://github.com/work-org/", "work-org", "https://github.com/work-org" },
			{ "https://github.com/work-org/api.git", "work-org", "https://github.com/work-org" },
			{ "git@github.com:work-org", "work-org", "git@github.com:work-org" },
			{ "git@github.com:work-org/api", "work-org", "git@github.com:work-org" },
			{ "file:///srv/git/work-org", "work-org", "file:///srv/git/work-org" },
			{ "file:///srv/git/work-org/api.git", "work-org", "file:///srv/git/work-org" },
			{ "git://127.0.0.1:9418/work-org", "work-org", "git://127.0.0.1:9418/work-org" },
		};
		char org_url[4200], repo_url[4300];

		for (size_t i = 0; i < sizeof(orgs) / sizeof(orgs[0]); i++)
			ok(ws_url_org(orgs[i].url, &u, org_url, sizeof(org_url)) == 0 && !strcmp(u.org, orgs[i].org) &&
				!*u.repo && !strcmp(org_url, orgs[i].org_url), "--project: %s is organisation %s at %s",
				orgs[i].url, orgs[i].org, orgs[i].org_url);
		ok(ws_url_org("https://github.com", &u, org_url, sizeof(org_url)) < 0, "a server alone names no organisation");
		ok(ws_url_org("https://git", &u, org_url, sizeof(org_url)) < 0,
			"nor does a host with nothing after it (the placeholder repository is not taken for one; fuzz)");
		ws_url_org("git@github.com:work-org", &u, org_url, sizeof(org_url));
		ok(ws_url_in_org(org_url, "api", repo_url, sizeof(repo_url)) == 0 &&
			!strcmp(repo_url, "git@github.com:work-org/api.git"), "a repository's URL: ORG-URL/NAME.git (%s)",
			repo_url);
	}
	return done_testing();
}
