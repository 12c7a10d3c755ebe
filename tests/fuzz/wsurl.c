/* libFuzzer target for clone URLs (applets/workspace/url.h): any bytes.
 * What parses has a server, org and repo that are usable directory names
 * (never "..", never with a slash), and a layout path under the root. */
#include "applets/workspace/url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 1), path[2048];
	struct ws_url u;

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
	free(url);
	return 0;
}
