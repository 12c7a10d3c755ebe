/* access.c - who may read which secret, and how often. */
#include "applets/secrets/secrets.h"
#include "lib/config/config.h"

#include <stdio.h>
#include <string.h>

/* 1 if this caller may read now. */
int secrets_rate_ok(uint64_t caller)
{
	long long now = role_now_ms();
	struct bucket *b = NULL, *oldest = &TT.buckets[0];

	for (size_t i = 0; i < BUCKETS; i++) {
		if (TT.buckets[i].caller == caller) {
			b = &TT.buckets[i];
			break;
		}
		if (TT.buckets[i].last < oldest->last)
			oldest = &TT.buckets[i];
	}
	if (!b) {
		/* A caller not seen lately starts full; the stalest slot goes. */
		b = oldest;
		*b = (struct bucket){ caller, READ_BURST, now };
	}
	b->tokens += (double)(now - b->last) * READ_RATE / 1000.0;
	if (b->tokens > READ_BURST)
		b->tokens = READ_BURST;
	b->last = now;
	if (b->tokens < 1)
		return 0;
	b->tokens -= 1;
	return 1;
}

/* The rule: the CLI runs as the vault's owner (the bus checked the uid),
 * so an unlocked profile is open to it.  A role may only read, and only
 * the names that [profiles.<p>.secrets.access] lists for it; with no
 * such list it may read nothing. */
int secrets_acl_allows(const char *role, const char *profile, const char *key)
{
	char path[160];
	const char *s;

	if (!strcmp(role, "cli"))
		return 1;
	snprintf(path, sizeof(path), "profiles.%s.secrets.access.%s", profile, role);
	for (size_t i = 0; (s = config_strv(TT.r.conf, path, i)); i++)
		if (!key || !strcmp(s, key))
			return 1;
	return 0;
}
