/* hub_int.h - the hub's insides, shared by its files (hub.h is what
 * daemon-profile sees):
 *   hub.c        setup, the loop, accepting and evicting, deadlines
 *   hub_conn.c   a connection: frames in, the handshake, output queues
 *   hub_route.c  requests to roles and replies back, events, local serving
 *   hub_role.c   who may be a role
 *   hub_keys.c   the keys, and the thread that makes handshake keys ahead
 * Everything runs on the loop's thread but the key thread (hub_keys.c),
 * which shares only its own locked state. */
#ifndef SESAME_HUB_INT_H
#define SESAME_HUB_INT_H

#include "applets/profile/hub.h"
#include "lib/bus/noise.h"
#include "lib/bus/wire.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Roles (wire.h): the hub's tables are indexed by enum wire_role; the
 * hub itself is WR_PROFILE, and it issues keys to the others. */
#define NO_ROLE (-1)
#define MAX_PENDING 4096	/* routed requests in flight, all connections */

struct frame {
	struct frame *next;
	size_t len, off;
	uint8_t data[];
};

struct keys {			/* secure memory */
	struct noise_cipherstate send, recv;
};

struct conn {
	int fd;
	uint32_t gen;		/* with the slot index, names this connection */
	int established, role, inflight;
	int unconfirmed;	/* a role's, until its first message (hub_claim_role) */
	int lost;		/* a request it sent on early (0-RTT) found its daemon gone */
	uint32_t subs;		/* roles (bit = index) whose events it gets */
	pid_t pid;		/* SO_PEERCRED: who connected */
	pid_t writer;		/* who wrote what it sent (SCM_CREDENTIALS), while checked */
	uint64_t start;		/* a role's: its start time (peer.h) */
	struct noise_handshake *hs;
	struct keys *k;
	long long handshake_deadline, stalled_since;
	long long active;	/* now_ms() of its last request or reply */
	struct wire_reader rd;	/* rd.body: WIRE_MAX_FRAME bytes */
	struct frame *out_head, *out_tail;
	size_t out_bytes;
	int out_frames, want_out;
	int last;		/* sent a WIRE_F_LAST request: closed once answered */
	char sandbox[48];	/* a role's WIRE_ROLE_INFO; "" until it tells */
};

struct pending {
	uint32_t hub_id, orig_id;
	uint64_t from, to;	/* connection handles */
	long long deadline;
	uint8_t type;
};

struct hub {
	const struct hub_config *cfg;
	const struct hub_hooks *hooks;
	const struct paths *paths;
	int ep, lfd, sfd;
	struct conn **conns;	/* max_clients slots */
	int *held, *pidcnt, pidcap;	/* evict_one's counts: max_clients, pidcap */
	pid_t *pidkey;
	int nconns;
	uint32_t next_gen, next_seq;
	uint64_t role_conn[WR_COUNT];	/* 0: not connected */
	uint32_t role_connects[WR_COUNT];	/* since the hub started */
	long long role_since[WR_COUNT];	/* now_ms() when it connected, or went */
	uint8_t role_pub[WR_COUNT][32];
	struct {
		pid_t pid;
		uint64_t start;
	} verified[WR_COUNT];	/* the process last accepted as each role */
	uint8_t *server_priv;	/* secure memory */
	uint8_t server_pub[32];
	uint8_t *cli_psk;	/* secure memory: the CLI's pre-shared key (cli.psk) */
	struct pending pending[MAX_PENDING];
	int npending;		/* used slots, so idle scans can be skipped */
	int nlast;		/* connections with last set */
	uint8_t *plain;		/* decrypted message, secure memory */
	uint8_t *batch;		/* message 1's WIRE_BATCH while it is handled, secure memory */
	uint8_t *sealed;	/* outgoing frame scratch */
	long long started, watchdog_ms, next_watchdog;
	char sock_path[PATH_MAX], pub_path[PATH_MAX];
};

static inline long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static inline uint64_t handle(int slot, const struct conn *c)
{
	return (uint64_t)c->gen << 32 | (uint32_t)slot;
}

static inline const char *who(const struct conn *c)
{
	return c->role == NO_ROLE ? "cli" : wire_role_name(c->role);
}

/* The requests in flight, newest first: hub ids are handed out in
 * sequence, so these sit just behind next_seq, and the walk stops once it
 * has met as many as there were when it began (not all 4096 slots). */
struct pending_walk {
	uint32_t back;
	int left;
};

/* hub_conn.c */
uint8_t *hub_body_get(void);
void hub_body_put(uint8_t *b);
/* The connection a handle names (and its slot), or NULL if it is gone. */
struct conn *hub_lookup(struct hub *h, uint64_t hnd, int *slot);
/* Close a connection (why logged if not NULL); requests waiting on it fail. */
void hub_close(struct hub *h, int slot, const char *why);
/* Write what the socket takes now.  -1 if the connection is dead. */
int hub_flush(struct hub *h, int slot, struct conn *c);
/* Seal and queue a message; -1 if the connection was closed. */
int hub_send(struct hub *h, int slot, const uint8_t *msg, size_t len);
void hub_send_error(struct hub *h, int slot, uint32_t id, uint32_t code, const char *text);
/* The connection's fd is readable: read, and handle what is complete. */
void hub_readable(struct hub *h, int slot, struct conn *c);

/* hub_route.c */
struct pending *hub_pending_next(struct hub *h, struct pending_walk *w);
/* A decrypted message of pl bytes in h->plain: handle it, then wipe it. */
void hub_request(struct hub *h, int slot, struct conn *c, size_t pl);
/* The same for one that came in message 1 (0-RTT): only what may. */
void hub_early_request(struct hub *h, int slot, struct conn *c, size_t pl);
int hub_route_request(struct hub *h, int slot, struct conn *c, const struct wire_msg *m, size_t len, int early);

/* hub_role.c */
int hub_claim_role(struct hub *h, struct conn *c);
int hub_confirm_role(struct hub *h, int slot, struct conn *c, size_t pl);
void hub_role_info(struct hub *h, int slot, struct conn *c, const struct wire_msg *m);

/* hub_keys.c */
void hub_ahead_start(void);
void hub_ahead_stop(void);
struct noise_handshake *hub_responder(struct hub *h, uint8_t pattern);
int hub_new_keys(struct hub *h);
void hub_rotate_keys(struct hub *h, int slot, const struct wire_msg *m);

#endif
