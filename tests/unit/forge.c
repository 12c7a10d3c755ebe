/* Unit tests for reading a forge's answers (applets/workspace/forge.c):
 * pages of repositories, the Link header's next page (never on another
 * server: the token goes with it), error messages, the API's URL. */
#include "applets/workspace/forge.h"
#include "lib/core/util.h"
#include "tap.h"

#include <string.h>

int main(void)
{
	const char *base = "https://ghe.example.com/api/v3";
	struct forge_list l = { 0 };
	struct ws_url u;
	char out[2048];
	size_t added;
	const char *page = "[{\"name\":\"api\",\"fork\":false,\"archived\":false,\"clone_url\":\"https://x/y.git\"},"
		"{\"name\":\"fork\",\"fork\":true},{\"name\":\"old\",\"archived\":true},{\"name\":\"..\"},"
		"{\"name\":\"a\\u001bb\"}]";

	ok(forge_page_add(&l, page, strlen(page), &added) == 0 && added == 5 && l.n == 5, "a page of five reads");
	ok(!strcmp(l.v[0].name, "api") && !l.v[0].fork && !l.v[0].archived && !l.v[0].bad, "a plain repository");
	ok(l.v[1].fork && l.v[2].archived, "fork and archived are read");
	ok(l.v[3].bad && l.v[4].bad && !strcmp(l.v[4].name, "a?b"),
		"'..' and a name with an escape character are marked, not usable, and printable");
	ok(forge_page_add(&l, page, strlen(page), &added) == 0 && added == 0 && l.n == 5,
		"the same page again adds nothing (a server ignoring page= cannot loop)");
	ok(forge_page_add(&l, "{\"message\":\"x\"}", 15, &added) < 0 && strstr(last_error(), "not a list"),
		"an object instead of a list: refused");
	ok(forge_page_add(&l, "[{\"fork\":true}]", 15, &added) < 0 && strstr(last_error(), "no name"),
		"a repository without a name: refused");
	ok(forge_page_add(&l, "[{\"name\":\"a\",\"name\":\"b\"}]", 25, &added) < 0 && strstr(last_error(), "twice"),
		"a repository with two names: refused");
	forge_list_free(&l);

	ok(forge_link_next("<https://ghe.example.com/api/v3/organizations/7/repos?page=2>; rel=\"next\", "
		"<https://ghe.example.com/api/v3/organizations/7/repos?page=9>; rel=\"last\"", base, out, sizeof(out)) == 1 &&
		!strcmp(out, "https://ghe.example.com/api/v3/organizations/7/repos?page=2"), "rel=\"next\" is followed");
	ok(forge_link_next("<https://ghe.example.com/x?page=1>; rel=\"prev first\"", base, out, sizeof(out)) == 0,
		"no next: the last page");
	ok(forge_link_next("<https://ghe.example.com/x?page=3>; rel=\"last next\"", base, out, sizeof(out)) == 1,
		"next among several relations");
	ok(forge_link_next("<https://ghe.example.com.evil.org/x?page=2>; rel=\"next\"", base, out, sizeof(out)) < 0 &&
		strstr(last_error(), "another server"), "a next page on a host that only starts the same: refused");
	ok(forge_link_next("<http://ghe.example.com/api/v3/x?page=2>; rel=\"next\"", base, out, sizeof(out)) < 0,
		"a next page over http:// from https://: refused");
	ok(forge_link_next("<https://api.github.com/organizations/1/repos?page=2>; rel=next",
		"https://api.github.com", out, sizeof(out)) == 1, "a base without a path, an unquoted rel");
	ok(forge_link_next("<https://api.github.com:444/x>; rel=next", "https://api.github.com", out,
		sizeof(out)) < 0, "another port: refused");
	ok(forge_link_next("<https://ghe.example.com/a b>; rel=next", base, out, sizeof(out)) < 0,
		"a URL with a space: refused");

	forge_message("{\"message\":\"Bad\\ncredentials\"}", 30, out, sizeof(out));
	ok(!strcmp(out, "Bad?credentials"), "an error's message, made printable (%s)", out);
	ws_url_parse("https://github.com/org/r", &u);
	ok(forge_api_base(NULL, &u, out, sizeof(out)) == 0 && !strcmp(out, "https://api.github.com"),
		"github.com: api.github.com");
	ws_url_parse("https://git.example.com/org/r", &u);
	ok(forge_api_base("", &u, out, sizeof(out)) < 0 && strstr(last_error(), "api/v1"),
		"another server without forge.api_url: an error saying how to set it");
	ok(forge_api_base("https://git.example.com/api/v1//", &u, out, sizeof(out)) == 0 &&
		!strcmp(out, "https://git.example.com/api/v1"), "a configured URL, trailing slashes dropped");
	ok(forge_api_base("ftp://x", &u, out, sizeof(out)) < 0, "only http(s)");
	ok(forge_page_url(base, "orgs", "we/ird org", 3, out, sizeof(out)) == 0 &&
		!strcmp(out, "https://ghe.example.com/api/v3/orgs/we%2Fird%20org/repos?per_page=100&limit=100&type=all&page=3"),
		"the page URL, the name percent-encoded");
	return done_testing();
}
