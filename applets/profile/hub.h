/* hub.h - the bus server hosted by daemon-profile.
 *
 * One epoll loop, no threads.  Every connection is non-blocking and bounded:
 * a handshake deadline, a cap on connections, a cap on queued output (frames
 * and bytes), a cap on requests in flight, and a slow-reader timeout; a
 * client that breaks any of them is disconnected and nobody else notices.
 * Requests are routed to the role that serves their type (wire.h) under a
 * hub-assigned id, and the reply goes back to the requester only.
 */
#ifndef SESAME_HUB_H
#define SESAME_HUB_H

#include "lib/core/paths.h"

#include <stddef.h>
#include <stdint.h>

struct hub_config {
	int max_clients;		/* connections at once */
	int handshake_timeout_ms;	/* from accept to a finished handshake */
	int slow_timeout_ms;		/* queued output making no progress */
	int request_timeout_ms;		/* a role's time to answer */
	int queue_frames;		/* queued output frames per connection */
	size_t queue_bytes;		/* queued output bytes per connection */
	int max_inflight;		/* routed requests per connection */
	int idle_timeout_ms;		/* a CLI connection with nothing to do */
	int max_per_pid;		/* connections one process may hold */
	int peer_fd;			/* the peer checker (peer.h); -1: none, no role accepted */
};

/* The defaults: 256, 5000, 5000, 10000, 1024, 4 MiB, 64, 60000, 16, -1.
 * Slots: when the table is full, a new connection takes the slot of the
 * one that costs least to lose: of the process holding the most, one
 * still in its handshake (oldest first), else the CLI connection idle
 * longest; so processes holding idle or half-open connections cannot
 * lock others, roles included, out. */
void hub_config_defaults(struct hub_config *cfg);

struct hub;
struct wire_msg;
struct wire_out;

/* What daemon-profile adds to the loop; every hook may be NULL.  The
 * hooks run on the loop, so they must not block.  cfg may be changed by
 * the hooks between calls (except max_clients). */
struct hub_hooks {
	void *ctx;
	/* Once, when the bus is up: add fds with hub_watch_fd.  -1 with a
	 * reason stops the hub before it serves anyone (bus.sock, bus.pub
	 * and the keys removed), and hub_run returns -1. */
	int (*started)(struct hub *h, void *ctx);
	/* A request of the "profile" role that the hub does not serve
	 * itself.  Write the reply into out (wire_begin done, with the
	 * request's type, id and the reply flag); return 0, or a
	 * WIRE_E_* code with a reason in text to answer with an error. */
	uint32_t (*serve)(void *ctx, const struct wire_msg *m, struct wire_out *out, char *text, size_t n);
	/* After every wake-up: milliseconds until it wants to run again, or -1. */
	int (*tick)(void *ctx);
	/* A watched fd is readable (or hung up). */
	void (*ready)(struct hub *h, void *ctx, int fd);
	/* SIGHUP arrived: reload the configuration (tick runs next). */
	void (*hangup)(void *ctx);
};

int hub_watch_fd(struct hub *h, int fd);
void hub_unwatch_fd(struct hub *h, int fd);

/* Run the hub until SIGTERM or SIGINT: create the runtime directory,
 * bus.sock, bus.pub and the role keys in keys/, then serve.  Returns 0 on
 * a clean stop, -1 with a reason if it could not start. */
int hub_run(const struct paths *p, const struct hub_config *cfg, const struct hub_hooks *hooks);

#endif
