/* pstate.c - daemon-profile's state file (pstate.h). */
#include "applets/profile/pstate.h"
#include "lib/core/names.h"

#include <string.h>

/* One line (without its newline): 1 and fn called if it is well formed. */
static int line(const char *s, size_t n,
	void (*fn)(enum pstate_kind kind, const char *name, void *ctx), void *ctx)
{
	static const struct { const char *word; enum pstate_kind kind; } words[] = {
		{ "default ", PSTATE_DEFAULT }, { "active ", PSTATE_ACTIVE },
	};
	char name[PROFILE_BUF];

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t w = strlen(words[i].word);

		if (n <= w || memcmp(s, words[i].word, w) || n - w >= sizeof(name))
			continue;
		memcpy(name, s + w, n - w);
		name[n - w] = 0;
		if (memchr(s + w, 0, n - w) || !profile_name_valid(name))
			return 0;
		fn(words[i].kind, name, ctx);
		return 1;
	}
	return 0;
}

size_t pstate_parse(const char *buf, size_t len,
	void (*fn)(enum pstate_kind kind, const char *name, void *ctx), void *ctx)
{
	size_t bad = 0;

	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		if (n && !line(buf, n, fn, ctx))
			bad++;
		n += nl != NULL;
		buf += n, len -= n;
	}
	return bad;
}
