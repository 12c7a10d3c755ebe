/* libFuzzer target for a forge's answers (applets/workspace/forge.h):
 * the bytes are a page of repositories and, after the first NUL, a Link
 * header.  Nothing crashes or leaks; every repository kept has a
 * printable name, and one marked good is a usable directory name; a
 * next page is never on another server. */
#include "applets/workspace/forge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *base = "https://api.example.com/api/v3";
	const uint8_t *nul = memchr(data, 0, size);
	size_t blen = nul ? (size_t)(nul - data) : size, added;
	struct forge_list l = { 0 };
	char *link, next[2048], msg[256];

	if (forge_page_add(&l, (const char *)data, blen, &added) == 0 && added != l.n)
		abort();
	for (size_t i = 0; i < l.n; i++) {
		for (const char *c = l.v[i].name; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
		if (!l.v[i].bad && (!ws_component_valid(l.v[i].name, strlen(l.v[i].name)) ||
		    !strcmp(l.v[i].name, "..")))
			abort();
	}
	forge_list_free(&l);
	forge_message((const char *)data, blen, msg, sizeof(msg));
	if (nul && (link = malloc(size - blen))) {
		memcpy(link, nul + 1, size - blen - 1);
		link[size - blen - 1] = 0;
		if (forge_link_next(link, base, next, sizeof(next)) == 1 && strncasecmp(next, "https://api.example.com/", 24))
			abort();
		free(link);
	}
	return 0;
}
