/* libFuzzer target for the workspaces' files: workspaces.toml (settings,
 * forge, links: every link key canonical and absolute, every profile
 * valid) and .sesame.toml (profile, prefix, tags, env within their
 * bounds), read from the same bytes. */
#include "applets/workspace/dotfile.h"
#include "applets/workspace/wsconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_conf c;
	static struct ws_effective e;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	ws_conf_defaults(&c);
	if (ws_conf_parse(&c, s, size, "fuzz.toml") == 0) {
		if (c.root[0] != '/' || !ws_component_valid(c.user, strlen(c.user)))
			abort();
		for (int i = 0; i < c.nlinks; i++)
			if (c.links[i].path[0] != '/' || strstr(c.links[i].path, "/../") ||
			    !profile_name_valid(c.links[i].profile))
				abort();
	}
	ws_conf_free(&c);
	memset(&e, 0, sizeof(e));
	if (ws_dotfile_parse(&e, s, size, "fuzz/.sesame.toml", "repo .sesame.toml") == 0) {
		if (e.nenv > WS_MAX_ENV || e.ntags > WS_MAX_TAGS || (e.profile_from && !profile_name_valid(e.profile)))
			abort();
		for (int i = 0; i < e.nenv; i++)
			if (!e.env[i].name[0] || (e.env[i].name[0] >= '0' && e.env[i].name[0] <= '9'))
				abort();
	}
	free(s);
	return 0;
}
