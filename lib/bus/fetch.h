/* fetch.h - a role asking other roles for values over the bus without
 * blocking its loop: secrets from daemon-secrets (WIRE_SECRET_GET), the
 * clipboard from daemon-clipboard (WIRE_CLIPBOARD_GET).  All requests of
 * a fetch go out at once; replies are matched by id as they come.
 * Values are kept in secure memory and wiped by fetch_free.
 */
#ifndef SESAME_FETCH_H
#define SESAME_FETCH_H

#include "lib/bus/bus.h"
#include "lib/store/vault.h"

#define FETCH_MAX 64

struct fetch_item {
	uint8_t type;			/* WIRE_SECRET_GET or WIRE_CLIPBOARD_GET */
	char profile[PROFILE_BUF];
	char name[VAULT_MAX_NAME + 1];	/* the secret; empty for the clipboard */
	uint32_t id;
	uint8_t *value;			/* secure memory, NUL-terminated */
	size_t len;
};

struct fetch {
	struct fetch_item v[FETCH_MAX];
	int n, got;
	uint32_t code;			/* the first error's code, 0 if none */
	char error[1024];		/* and what to tell the user */
	char profile[PROFILE_BUF];	/* and whose item it was */
	long long deadline;		/* monotonic ms */
	uint32_t req;			/* the request that waits for these values */
	struct fetch *next;		/* in a list of pending fetches */
};

/* Add an item unless the same one is there; -1 if there are too many. */
int fetch_add(struct fetch *f, uint8_t type, const char *profile, const char *name);
/* Send every request (ids from *next_id); -1 with a reason. */
int fetch_send(struct fetch *f, struct bus_client *c, uint32_t *next_id, long long deadline);
/* A reply: 0 if it answers none of f's requests, else 1 (f->got counts
 * it; on an error reply f->code and f->error are set, naming role, the
 * role that asked, in the advice). */
int fetch_reply(struct fetch *f, const struct wire_msg *m, const char *role);
/* The value of an item, or NULL. */
const struct fetch_item *fetch_find(const struct fetch *f, uint8_t type, const char *profile, const char *name);
/* 1 once every reply came (or one failed). */
int fetch_done(const struct fetch *f);
void fetch_free(struct fetch *f);

/* A role's pending fetches (each the first member of the role's own
 * record, so that a fetch pointer is a record pointer). */
void fetch_list_add(struct fetch **list, struct fetch *f);
/* Hand a reply to the fetch it answers; that fetch, unlinked, once it is
 * complete or failed (f->code), else NULL. */
struct fetch *fetch_list_reply(struct fetch **list, const struct wire_msg *m, const char *role);
/* One fetch past its deadline at now_ms, unlinked, or NULL. */
struct fetch *fetch_list_expired(struct fetch **list, long long now_ms);

#endif
