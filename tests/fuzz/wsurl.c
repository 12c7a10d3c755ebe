/* libFuzzer target for clone URLs (applets/workspace/url.h): any bytes.
 * What parses has a server, org and repo that are usable directory names
 * (never "..", never with a slash), and a layout path under the root.
 * Read as an organisation's URL (clone --project), a repository's URL
 * made from it reads back as that organisation's on the same server. */
#include "applets/workspace/url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 1), path[2048], org_url[4200], repo_url[4300];
	struct ws_url u, r;

	if (!url)
		return 0;
	memcpy(url, data, size);
	url[size] = 0;
	if (ws_url_parse(url, &u) == 0) {
		if (!ws_component_valid(u.server, strlen(u.server)) || !ws_component_valid(u.org, strlen(u.org)) ||
		    (*u.repo && !ws_component_valid(u.repo, strlen(u.repo))) || strstr(u.server, "..") == u.server ||
		    !strcmp(u.org, "..") || !strcmp(u.repo, ".."))
			abort();
		if (ws_layout_path("/root", "me", &u, path, sizeof(path)) == 0 &&
		    (strncmp(path, "/root/me/", 9) || strstr(path, "/../") || strstr(path, "//")))
			abort();
	}
	if (ws_url_org(url, &u, org_url, sizeof(org_url)) == 0) {
		if (*u.repo || !ws_component_valid(u.org, strlen(u.org)))
			abort();
		if (ws_url_in_org(org_url, "some-repo", repo_url, sizeof(repo_url)) == 0 &&
		    (ws_url_parse(repo_url, &r) < 0 || strcmp(r.org, u.org) || strcmp(r.server, u.server) ||
		     strcmp(r.repo, "some-repo")))
			abort();
	}
	free(url);
	return 0;
}
