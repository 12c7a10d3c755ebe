/* hub.c - the bus server; see hub.h for its promises. */
#include "applets/profile/hub.h"
#include "applets/profile/peer.h"
#include "lib/bus/bus.h"
#include "lib/bus/noise.h"
#include "lib/bus/role.h"
#include "lib/bus/wire.h"
#include "lib/core/log.h"
#include "lib/core/sdnotify.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef SESAME_VERSION
#define SESAME_VERSION "unknown"
#endif

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
	int unconfirmed;	/* a role's, until its first message (claim_role) */
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

/* Frame buffers (64 KiB each) are kept for the next connections: a CLI
 * call is one connection, and mapping, faulting in and unmapping 64 KiB
 * each time is a tenth of the hub's work. */
#define BODY_CACHE 16
static uint8_t *body_cache[BODY_CACHE];
static int nbody_cache;

/* The next handshake's ephemeral key pair is made ahead by a thread of
 * idle priority (SCHED_IDLE), which runs only on a CPU that nothing else
 * wants: the scalar multiplication (~30 us) is then off the path of
 * anyone waiting, the hub's clients and every other process.  Made in the
 * event loop between requests, it delayed whatever was to run next on
 * that CPU (often the shell a command had just answered).  Started after
 * the sandbox is entered, so that the thread is confined like the rest
 * (Landlock binds the threads created after it only).  Without it, or
 * when it has not caught up, a handshake makes its own key. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *pair;		/* secure memory: [0..31] private, [32..63] public */
	int ready, stop, running;
	pthread_t thread;
} ahead = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void *ahead_main(void *arg)
{
	uint8_t *pair = arg;	/* secure memory, 64 bytes: made outside the lock */

	pthread_mutex_lock(&ahead.mu);
	while (!ahead.stop) {
		if (ahead.ready) {
			pthread_cond_wait(&ahead.cv, &ahead.mu);
			continue;
		}
		pthread_mutex_unlock(&ahead.mu);
		noise_keypair(pair, pair + 32);
		pthread_mutex_lock(&ahead.mu);
		memcpy(ahead.pair, pair, 64);
		sodium_memzero(pair, 64);
		ahead.ready = 1;
	}
	pthread_mutex_unlock(&ahead.mu);
	secmem_free(pair);
	return NULL;
}

static void ahead_stop(void);

/* The thread is set to SCHED_IDLE by this thread before it does anything:
 * it waits for the lock held here meanwhile.  (pthread_attr_setschedpolicy
 * would do it at creation, but glibc's takes only OTHER, FIFO and RR.) */
static void ahead_start(void)
{
	struct sched_param sp = { 0 };
	uint8_t *pair = secmem_alloc(64);
	int r;

	if (!pair || !(ahead.pair = secmem_alloc(64))) {
		secmem_free(pair);
		log_warn("no key thread: %s", last_error());
		return;
	}
	pthread_mutex_lock(&ahead.mu);
	if ((r = pthread_create(&ahead.thread, NULL, ahead_main, pair)) != 0) {
		pthread_mutex_unlock(&ahead.mu);
		secmem_free(pair);
		secmem_free(ahead.pair);
		ahead.pair = NULL;
		log_warn("no key thread (%s): each handshake makes its own key", strerror(r));
		return;
	}
	ahead.running = 1;
	r = pthread_setschedparam(ahead.thread, SCHED_IDLE, &sp);
	pthread_mutex_unlock(&ahead.mu);
	if (r != 0) {
		ahead_stop();
		log_warn("no key thread (idle priority: %s): each handshake makes its own key", strerror(r));
	}
}

static void ahead_stop(void)
{
	if (!ahead.running)
		return;
	pthread_mutex_lock(&ahead.mu);
	ahead.stop = 1;
	pthread_cond_signal(&ahead.cv);
	pthread_mutex_unlock(&ahead.mu);
	pthread_join(ahead.thread, NULL);
	secmem_free(ahead.pair);	/* wipes */
	ahead.pair = NULL;
	ahead.running = ahead.ready = 0;
}

/* Move a ready key pair into pair and ask for the next; 0 if none is. */
static int ahead_take(uint8_t pair[64])
{
	int got;

	if (!ahead.running)
		return 0;
	pthread_mutex_lock(&ahead.mu);
	if ((got = ahead.ready)) {
		memcpy(pair, ahead.pair, 64);
		sodium_memzero(ahead.pair, 64);
		ahead.ready = 0;
		pthread_cond_signal(&ahead.cv);
	}
	pthread_mutex_unlock(&ahead.mu);
	return got;
}

static uint8_t *body_get(void)
{
	return nbody_cache ? body_cache[--nbody_cache] : xmalloc(WIRE_MAX_FRAME);
}

static void body_put(uint8_t *b)
{
	if (b && nbody_cache < BODY_CACHE)
		body_cache[nbody_cache++] = b;	/* ciphertext only: nothing to wipe */
	else
		free(b);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void hub_config_defaults(struct hub_config *cfg)
{
	*cfg = (struct hub_config){ 256, 5000, 5000, 10000, 1024, 4u << 20, 64, 60000, 16, -1 };
}

static uint64_t handle(int slot, const struct conn *c)
{
	return (uint64_t)c->gen << 32 | (uint32_t)slot;
}

static struct conn *lookup(struct hub *h, uint64_t hnd, int *slot)
{
	uint32_t s = (uint32_t)hnd;
	struct conn *c;

	if (!hnd || s >= (uint32_t)h->cfg->max_clients || !(c = h->conns[s]) || c->gen != hnd >> 32)
		return NULL;
	if (slot)
		*slot = (int)s;
	return c;
}

static const char *who(const struct conn *c)
{
	return c->role == NO_ROLE ? "cli" : wire_role_name(c->role);
}

static void send_error(struct hub *h, int slot, uint32_t id, uint32_t code, const char *text);

/* The requests in flight, newest first: hub ids are handed out in
 * sequence, so these sit just behind next_seq, and the walk stops once it
 * has met as many as there were when it began (not all 4096 slots). */
struct pending_walk {
	uint32_t back;
	int left;
};

static struct pending *pending_next(struct hub *h, struct pending_walk *w)
{
	while (w->left > 0 && w->back < MAX_PENDING) {
		struct pending *p = &h->pending[(h->next_seq - w->back++) % MAX_PENDING];

		if (p->hub_id) {
			w->left--;
			return p;
		}
	}
	return NULL;
}

static void conn_close(struct hub *h, int slot, const char *why)
{
	struct conn *c = h->conns[slot];
	struct pending *p;
	struct frame *f;
	uint64_t hnd = handle(slot, c);

	if (why)
		log_info("closing connection %d (pid %d, %s): %s", slot, (int)c->pid, who(c), why);
	/* Gone from the table first, so nothing below routes to it. */
	h->conns[slot] = NULL;
	h->nconns--;
	h->nlast -= c->last;
	for (int i = WR_SECRETS; i < WR_COUNT; i++)
		if (h->role_conn[i] == hnd) {
			h->role_conn[i] = 0;
			h->role_since[i] = now_ms();
			log_info("role %s disconnected", wire_role_name(i));
		}
	/* Its requests are forgotten; requests waiting on it fail now. */
	for (struct pending_walk w = { 0, h->npending }; (p = pending_next(h, &w)); ) {
		struct conn *from;
		int fslot;

		if (p->from != hnd && p->to != hnd)
			continue;
		p->hub_id = 0;
		h->npending--;
		if (p->to == hnd && (from = lookup(h, p->from, &fslot))) {
			from->inflight--;
			/* A requester still in its handshake has no keys to be
			 * answered with: handshake() closes it instead. */
			if (from->established)
				send_error(h, fslot, p->orig_id, WIRE_E_UNAVAILABLE, "the daemon went away");
			else
				from->lost = 1;
		}
	}
	epoll_ctl(h->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	while ((f = c->out_head)) {
		c->out_head = f->next;
		sodium_memzero(f->data, f->len);
		free(f);
	}
	noise_handshake_free(c->hs);
	secmem_free(c->k);
	body_put(c->rd.body);
	free(c);
}

static void watch(struct hub *h, int slot, struct conn *c, int out)
{
	struct epoll_event ev = { EPOLLIN | (out ? EPOLLOUT : 0), { .u64 = handle(slot, c) } };

	if (out != c->want_out) {
		c->want_out = out;
		epoll_ctl(h->ep, EPOLL_CTL_MOD, c->fd, &ev);
	}
}

/* Write what the socket takes now.  -1 if the connection is dead. */
static int flush(struct hub *h, int slot, struct conn *c)
{
	struct frame *f;

	while ((f = c->out_head)) {
		ssize_t n = send(c->fd, f->data + f->off, f->len - f->off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -1;
		f->off += n;
		c->stalled_since = now_ms();	/* progress */
		if (f->off < f->len)
			continue;
		c->out_head = f->next;
		if (!c->out_head)
			c->out_tail = NULL;
		c->out_bytes -= f->len;
		c->out_frames--;
		free(f);
	}
	if (!c->out_head)
		c->stalled_since = 0;
	watch(h, slot, c, c->out_head != NULL);
	return 0;
}

/* Queue bytes (already a frame) and flush; closes a connection whose
 * queue is over its bounds.  Returns -1 if the connection was closed. */
static int queue_raw(struct hub *h, int slot, const uint8_t *data, size_t len)
{
	struct conn *c = h->conns[slot];
	struct frame *f;

	if (c->out_frames >= h->cfg->queue_frames || c->out_bytes + len > h->cfg->queue_bytes) {
		conn_close(h, slot, "output queue full (client does not read)");
		return -1;
	}
	f = xmalloc(sizeof(*f) + len);
	f->next = NULL;
	f->len = len;
	f->off = 0;
	memcpy(f->data, data, len);
	if (c->out_tail)
		c->out_tail->next = f;
	else
		c->out_head = f;
	c->out_tail = f;
	c->out_bytes += len;
	c->out_frames++;
	if (!c->stalled_since)
		c->stalled_since = now_ms();
	if (flush(h, slot, c) < 0) {
		conn_close(h, slot, "write failed");
		return -1;
	}
	return 0;
}

static int send_msg(struct hub *h, int slot, const uint8_t *msg, size_t len)
{
	struct conn *c = h->conns[slot];
	size_t n;

	if (bus_seal(&c->k->send, msg, len, h->sealed, &n) < 0) {
		conn_close(h, slot, last_error());
		return -1;
	}
	return queue_raw(h, slot, h->sealed, n);
}

static void send_error(struct hub *h, int slot, uint32_t id, uint32_t code, const char *text)
{
	static struct wire_out o; /* not reentrant: built and sent before any other send_error */
	struct wire_msg req = { .id = id };

	wire_error(&o, &req, code, text);
	send_msg(h, slot, o.buf, o.len);
}

static int find_role(struct hub *h, const uint8_t *pub)
{
	for (int i = WR_SECRETS; i < WR_COUNT; i++)
		if (sodium_memcmp(h->role_pub[i], pub, 32) == 0)
			return i;
	return NO_ROLE;
}

/* 1 if a connection's peer is still there: a role stopped (SIGSTOP) is,
 * one that died has hung up even if its hang-up is not read yet. */
static int conn_alive(const struct conn *c)
{
	struct pollfd pfd = { c->fd, POLLIN | POLLRDHUP, 0 };

	return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & (POLLHUP | POLLRDHUP | POLLERR | POLLNVAL));
}

/* The role r is free: nobody holds it, or its holder died (closed now). */
static int hub_role_free(struct hub *h, struct conn *c, int r)
{
	struct conn *prev;
	int old;

	if (!(prev = lookup(h, h->role_conn[r], &old)))
		return 0;
	if (conn_alive(prev)) {
		log_warn("refusing pid %d as role %s: pid %d holds the role and is alive; a live role "
			"is never replaced", (int)c->writer, wire_role_name(r), (int)prev->pid);
		return fail("role %s is connected already (pid %d)", wire_role_name(r), (int)prev->pid);
	}
	conn_close(h, old, "hung up (a new connection for its role arrived first)");
	return 0;
}

/* Is the process that wrote to c (c->writer) role r?  Its key is not
 * enough (wire.h): it runs this executable as that role, untraced, as
 * our uid; or it is the very process accepted as r before (same pid and
 * start time: a role that reconnects after WIRE_REKEY, no longer dumpable
 * so its executable cannot be read).  Sets c->start. */
static int peer_is_role(struct hub *h, struct conn *c, int r)
{
	struct peer_facts f;
	const char *name = wire_role_name(r);

	if (h->cfg->peer_fd < 0)
		return fail("role %s: no peer checker to tell who pid %d is: refused", name, (int)c->writer);
	if (c->writer <= 0)
		return fail("role %s from a process outside this pid namespace: refused", name);
	if (peer_check(h->cfg->peer_fd, c->writer, &f) < 0)
		return -1;
	if (!f.ok)
		return fail("role %s: %s", name, f.why);
	if (c->start) {
		/* Its first message: the process checked at message 1 (one
		 * writer, same start time), which has run sesame's code for
		 * the role ever since and may have hardened meanwhile. */
		if (f.start != c->start)
			return fail("role %s: pid %d is another process than the one that began", name,
				(int)c->writer);
		return 0;
	}
	c->start = f.start;
	if (f.uid != geteuid())
		return fail("role %s: pid %d runs as uid %u", name, (int)c->writer, f.uid);
	if (f.tracer)
		return fail("role %s: pid %d is traced by pid %d: refused", name, (int)c->writer, (int)f.tracer);
	if (h->verified[r].pid == c->writer && h->verified[r].start == f.start)
		return 0;
	switch (f.exe) {
	case PEER_EXE_SAME:
		if (strcmp(f.role, name))
			return fail("role %s: pid %d runs sesame as %s%s, not daemon-%s", name, (int)c->writer,
				f.role[0] ? "daemon-" : "a command", f.role, name);
		return 0;
	case PEER_EXE_EXTRA:
		return 0;
	case PEER_EXE_HIDDEN:
		return fail("role %s: pid %d is not dumpable, so what it runs cannot be checked (a role proves "
			"itself before it hardens, and restarts when its daemon-profile does)", name, (int)c->writer);
	default:
		return fail("role %s: pid %d runs %s, not this sesame", name, (int)c->writer,
			f.exe_path[0] ? f.exe_path : "another program");
	}
}

/* An IK initiator claims a role: its static key must be one the hub
 * issued, for a role nobody alive holds (a live role is never replaced),
 * and the process that wrote message 1 must be that role (peer_is_role).
 * It becomes the role only with its first message, which must be
 * WIRE_ROLE_INFO from that same process (confirm_role): a process that
 * wrote message 1 and then exec'ed sesame cannot leave a child of its
 * own to read what the role is sent.  Sets c->role; -1 to refuse. */
static int claim_role(struct hub *h, struct conn *c)
{
	int r = find_role(h, noise_remote_static(c->hs));

	if (r == NO_ROLE)
		return fail("IK with a static key the hub never issued (the CLI uses NNpsk0): refused");
	if (hub_role_free(h, c, r) < 0 || peer_is_role(h, c, r) < 0) {
		log_warn("refusing pid %d as role %s: %s", (int)c->writer, wire_role_name(r), last_error());
		return -1;
	}
	c->role = r;
	return 0;
}

/* The responder's handshake state for the pattern the client named,
 * with the ephemeral key computed while idle. */
static struct noise_handshake *responder(struct hub *h, uint8_t pattern)
{
	struct noise_protocol proto;
	struct noise_handshake *hs;

	if (pattern != WIRE_HS_IK && pattern != WIRE_HS_CLI)
		return fail("unknown handshake %u", pattern), NULL;
	if (noise_protocol_parse(pattern == WIRE_HS_IK ? WIRE_NOISE_IK : WIRE_NOISE_CLI, &proto) < 0 ||
	    !(hs = noise_handshake_new(&proto, 0, (const uint8_t *)WIRE_PROLOGUE, strlen(WIRE_PROLOGUE))))
		return NULL;
	if (pattern == WIRE_HS_IK)
		noise_set_static(hs, h->server_priv, h->server_pub);
	else
		noise_add_psk(hs, h->cli_psk);
	if (ahead_take(h->plain)) {
		noise_set_ephemeral(hs, h->plain, h->plain + 32);
		sodium_memzero(h->plain, 64);
	}
	return hs;
}

static void request(struct hub *h, int slot, struct conn *c, size_t pl);
static void early_request(struct hub *h, int slot, struct conn *c, size_t pl);
static int route_request(struct hub *h, int slot, struct conn *c, const struct wire_msg *m, size_t len,
	int early);

/* A 0-RTT request goes to its role before message 2 is computed (a DH):
 * the role works on it meanwhile.  Its reply cannot overtake message 2,
 * this loop reads it only after the handshake is done.  1 if forwarded. */
static int forward_early(struct hub *h, int slot, struct conn *c, size_t pl)
{
	struct wire_msg m;

	if (c->rd.body[0] != WIRE_HS_CLI || wire_decode(h->plain, pl, &m) < 0 || m.flags & WIRE_F_REPLY ||
	    !wire_type_early(m.type) || !route_request(h, slot, c, &m, pl, 1))
		return 0;
	sodium_memzero(h->plain, pl);
	return 1;
}

/* The requests of a WIRE_BATCH (message 1's payload, in h->batch): with
 * early set, forward those a role serves (bit i of the result: request i
 * went); without, handle the rest, as if each had come alone. */
static uint64_t batch_each(struct hub *h, int slot, struct conn *c, size_t len, int early, uint64_t went)
{
	struct wire_msg b;
	size_t pos = 0;
	const uint8_t *v;
	uint16_t l;
	uint64_t hnd = handle(slot, c);

	wire_decode(h->batch, len, &b);
	for (unsigned i = 0; wire_next_tag(&b, &pos, WF_MSG, &v, &l); i++) {
		if (i < 64 && went & 1ull << i)
			continue;
		memcpy(h->plain, v, l);
		if (!early) {
			early_request(h, slot, c, l);
			if (!lookup(h, hnd, NULL))
				break;	/* closed: its output queue overflowed */
		} else if (i < 64 && forward_early(h, slot, c, l)) {
			went |= 1ull << i;
		} else {
			sodium_memzero(h->plain, l);
		}
	}
	return went;
}

static int is_batch(const uint8_t *buf, size_t len)
{
	struct wire_msg m;

	return len <= WIRE_EARLY_MAX && wire_decode(buf, len, &m) == 0 && m.type == WIRE_BATCH;
}

static void handshake(struct hub *h, int slot, struct conn *c, size_t len)
{
	uint8_t out[256];
	size_t n, pl = 0, bl = 0;
	uint64_t went = 0;

	if (len < 1 || !(c->hs = responder(h, c->rd.body[0])) ||
	    noise_read_message(c->hs, c->rd.body + 1, len - 1, h->plain, WIRE_MAX_MESSAGE, &pl) < 0 ||
	    (c->rd.body[0] == WIRE_HS_IK && claim_role(h, c) < 0)) {
		sodium_memzero(h->plain, pl);
		conn_close(h, slot, last_error());
		return;
	}
	if (pl && c->rd.body[0] == WIRE_HS_CLI && is_batch(h->plain, pl)) {
		memcpy(h->batch, h->plain, bl = pl);
		sodium_memzero(h->plain, pl);
		pl = 0;
		went = batch_each(h, slot, c, bl, 1, 0);
		log_debug("connection %d: message 1 holds a batch, %d of its requests sent on early",
			slot, __builtin_popcountll(went));
	} else if (pl && forward_early(h, slot, c, pl)) {
		pl = 0;
	}
	if (c->lost) {
		sodium_memzero(h->plain, pl);
		sodium_memzero(h->batch, bl);
		conn_close(h, slot, "a daemon it asked went away during the handshake");
		return;
	}
	if (noise_write_message(c->hs, NULL, 0, out + 4, sizeof(out) - 4, &n) < 0 ||
	    noise_split(c->hs, &c->k->send, &c->k->recv) < 0) {
		sodium_memzero(h->plain, pl);
		sodium_memzero(h->batch, bl);
		conn_close(h, slot, last_error());
		return;
	}
	wire_frame_header(out, (uint32_t)n);
	noise_handshake_free(c->hs);
	c->hs = NULL;
	c->established = 1;
	if (queue_raw(h, slot, out, n + 4) < 0) {
		sodium_memzero(h->plain, pl);
		sodium_memzero(h->batch, bl);
		return;
	}
	c->unconfirmed = c->role != NO_ROLE;
	log_debug("connection %d established as %s", slot, who(c));
	if (bl) {
		batch_each(h, slot, c, bl, 0, went);
		sodium_memzero(h->batch, bl);
	} else if (pl) {
		early_request(h, slot, c, pl);	/* 0-RTT: the first request came along */
	} else {
		sodium_memzero(h->plain, WIRE_HEADER);
	}
}

static void reply_status(struct hub *h, int slot, const struct wire_msg *m)
{
	static struct wire_out o;

	wire_begin(&o, m->type, WIRE_F_REPLY, m->id);
	wire_put_str(&o, WF_VERSION, SESAME_VERSION);
	wire_put_u64(&o, WF_UPTIME_MS, (uint64_t)(now_ms() - h->started));
	wire_put_u32(&o, WF_CLIENTS, (uint32_t)h->nconns);
	wire_put_u32(&o, WF_PID, (uint32_t)getpid());
	wire_put_str(&o, WF_SANDBOX, sandbox_describe());
	/* The connected roles, then those that went. */
	for (int gone = 0; gone < 2; gone++)
		for (int i = WR_SECRETS; i < WR_COUNT; i++) {
			struct conn *rc = lookup(h, h->role_conn[i], NULL);

			if (gone ? rc || !h->role_connects[i] : !rc)
				continue;
			wire_put_str(&o, gone ? WF_GONE : WF_ROLE, wire_role_name(i));
			if (rc)
				wire_put_u32(&o, WF_PID, (uint32_t)rc->pid);
			wire_put_u32(&o, WF_CONNECTS, h->role_connects[i]);
			wire_put_u64(&o, WF_SINCE_MS, (uint64_t)(now_ms() - h->role_since[i]));
			if (rc && rc->sandbox[0])
				wire_put_str(&o, WF_SANDBOX, rc->sandbox);
		}
	if (wire_end(&o) == 0)
		send_msg(h, slot, o.buf, o.len);
}


static void rotate_keys(struct hub *h, int slot, const struct wire_msg *m);

static void serve_local(struct hub *h, int slot, const struct wire_msg *m, size_t len)
{
	static struct wire_out o;
	const uint8_t *v;
	uint16_t l;

	switch (m->type) {
	case WIRE_PING:
		wire_begin(&o, m->type, WIRE_F_REPLY, m->id);
		if (wire_find(m, WF_DATA, &v, &l))
			wire_put(&o, WF_DATA, v, l);
		send_msg(h, slot, o.buf, o.len);
		break;
	case WIRE_STATUS:
		reply_status(h, slot, m);
		break;
	case WIRE_ROTATE_KEYS:
		rotate_keys(h, slot, m);
		break;
	case WIRE_BATCH:
		send_error(h, slot, m->id, WIRE_E_BAD_MESSAGE,
			"a batch is only accepted as message 1's payload (4 KiB at most)");
		break;
	case WIRE_SUBSCRIBE: {
		size_t pos = 0;
		uint32_t subs = 0;
		uint16_t tag;
		char name[32];

		while (wire_next(m, &pos, &tag, &v, &l)) {
			int r;

			if (tag != WF_ROLE)
				continue;
			snprintf(name, sizeof(name), "%.*s", l < 31 ? (int)l : 31, (const char *)v);
			if ((r = wire_role_index(name)) <= WR_PROFILE) {
				send_error(h, slot, m->id, WIRE_E_BAD_MESSAGE, "no such role to subscribe to");
				return;
			}
			subs |= 1u << r;
		}
		if (!subs) {
			send_error(h, slot, m->id, WIRE_E_BAD_MESSAGE, "subscribe to which role?");
			return;
		}
		h->conns[slot]->subs |= subs;
		wire_begin(&o, m->type, WIRE_F_REPLY, m->id);
		send_msg(h, slot, o.buf, o.len);
		break;
	}
	default:
		if (h->hooks && h->hooks->serve) {
			char text[200] = "failed";
			uint32_t code;

			wire_begin(&o, m->type, WIRE_F_REPLY, m->id);
			code = h->hooks->serve(h->hooks->ctx, m, &o, text, sizeof(text));
			if (code)
				send_error(h, slot, m->id, code, text);
			else if (wire_end(&o) == 0)
				send_msg(h, slot, o.buf, o.len);
			else
				send_error(h, slot, m->id, WIRE_E_FAILED, "reply too large");
			break;
		}
		send_error(h, slot, m->id, WIRE_E_UNKNOWN_TYPE, "no such request");
	}
	(void)len;
}

/* Watched fds are keyed 2 + fd: below 2^32, where connections never are. */
int hub_watch_fd(struct hub *h, int fd)
{
	struct epoll_event ev = { EPOLLIN, { .u64 = 2 + (uint64_t)fd } };

	if (epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		return fail("epoll: %s", strerror(errno));
	return 0;
}

void hub_unwatch_fd(struct hub *h, int fd)
{
	epoll_ctl(h->ep, EPOLL_CTL_DEL, fd, NULL);
}


/* A reply from a role: back to whoever asked, under their id. */
static void route_reply(struct hub *h, int slot, struct conn *c, const struct wire_msg *m, size_t len)
{
	struct pending *p = &h->pending[m->id % MAX_PENDING];
	struct conn *from;
	int fslot;

	if (c->role == NO_ROLE || !p->hub_id || p->hub_id != m->id || p->to != handle(slot, c)) {
		log_debug("dropping a reply (id %u) that answers nothing pending from %s", m->id, who(c));
		return;
	}
	from = lookup(h, p->from, &fslot);
	p->hub_id = 0;
	h->npending--;
	if (!from)
		return;		/* the requester left */
	from->inflight--;
	from->active = now_ms();
	wire_set_id(h->plain, p->orig_id);
	send_msg(h, fslot, h->plain, len);
}

static void put_field_u64(uint8_t *at, uint16_t tag, uint64_t v)
{
	at[0] = (uint8_t)(tag >> 8), at[1] = (uint8_t)tag, at[2] = 0, at[3] = 8;
	for (int i = 0; i < 8; i++)
		at[4 + i] = (uint8_t)(v >> (56 - 8 * i));
}

/* Replace any WF_CALLER* and WF_DEADLINE fields the client sent with the
 * hub's own, in h->plain: the caller, and (deadline > 0) the earlier of
 * the client's deadline less the margin and the hub's (wire.h).  The new
 * length, or 0 if they do not fit. */
static size_t stamp_caller(struct hub *h, const struct conn *c, uint64_t caller, const struct wire_msg *m,
	long long deadline)
{
	const char *role = c->role == NO_ROLE ? "cli" : wire_role_name(c->role);
	size_t pos = 0, out = WIRE_HEADER, rl = strlen(role);
	uint16_t tag, len;
	const uint8_t *v;

	while (wire_next(m, &pos, &tag, &v, &len)) {
		if (tag == WF_DEADLINE && len == 8 && deadline > 0) {
			long long theirs = (long long)(wire_uint(v, len) & INT64_MAX) - WIRE_DEADLINE_MARGIN_MS;

			if (theirs < deadline)
				deadline = theirs;
		}
		if (tag == WF_CALLER || tag == WF_CALLER_ROLE || tag == WF_DEADLINE)
			continue;
		memmove(h->plain + out, v - 4, 4 + (size_t)len);	/* never forward of v */
		out += 4 + (size_t)len;
	}
	if (out + 12 + 4 + 8 + 4 + rl > WIRE_MAX_MESSAGE)
		return 0;
	if (deadline > 0) {
		put_field_u64(h->plain + out, WF_DEADLINE, (uint64_t)deadline);
		out += 12;
	}
	put_field_u64(h->plain + out, WF_CALLER, caller);
	out += 12;
	h->plain[out] = 0, h->plain[out + 1] = WF_CALLER_ROLE, h->plain[out + 2] = 0, h->plain[out + 3] = (uint8_t)rl;
	memcpy(h->plain + out + 4, role, rl);
	return out + 4 + rl;
}

/* Route a request to the role that serves it (or serve it here).  With
 * early set, the client's session keys do not exist yet: only forward,
 * send nothing to the client and leave h->plain untouched if anything
 * stands in the way; returns 1 if forwarded. */
static int route_request(struct hub *h, int slot, struct conn *c, const struct wire_msg *m, size_t len,
	int early)
{
	int r = wire_type_role_index(m->type), to;
	struct conn *dst;
	struct pending *p = NULL;

	if (m->flags & WIRE_F_LAST && !c->last)
		c->last = 1, h->nlast++;
	if (early && (r <= WR_PROFILE || c->inflight >= h->cfg->max_inflight ||
	    len + 16 + strlen(who(c)) > WIRE_MAX_MESSAGE))
		return 0;
	if (r < 0) {
		send_error(h, slot, m->id, WIRE_E_UNKNOWN_TYPE, "unknown request type");
		return 0;
	}
	if (r == WR_PROFILE) {
		serve_local(h, slot, m, len);
		return 0;
	}
	if (!(dst = lookup(h, h->role_conn[r], &to))) {
		char text[96];

		if (early)
			return 0;
		snprintf(text, sizeof(text), "daemon-%s is not running", wire_role_name(r));
		send_error(h, slot, m->id, WIRE_E_UNAVAILABLE, text);
		return 0;
	}
	if (c->inflight >= h->cfg->max_inflight) {
		send_error(h, slot, m->id, WIRE_E_BUSY, "too many requests in flight");
		return 0;
	}
	/* A free pending slot; hub ids encode their slot. */
	for (int tries = 0; tries < MAX_PENDING; tries++) {
		uint32_t id = ++h->next_seq;

		if (id == 0)
			id = h->next_seq = 1;
		if (!h->pending[id % MAX_PENDING].hub_id) {
			p = &h->pending[id % MAX_PENDING];
			p->hub_id = id;
			h->npending++;
			break;
		}
	}
	if (!p) {
		if (!early)
			send_error(h, slot, m->id, WIRE_E_BUSY, "the bus is saturated");
		return 0;
	}
	p->deadline = now_ms() + (wire_type_kdf(m->type) && h->cfg->request_timeout_ms < WIRE_KDF_TIMEOUT_MS ?
		WIRE_KDF_TIMEOUT_MS : h->cfg->request_timeout_ms);
	if (!(len = stamp_caller(h, c, handle(slot, c), m, p->deadline))) {
		p->hub_id = 0;
		h->npending--;
		send_error(h, slot, m->id, WIRE_E_BAD_MESSAGE, "request too large");
		return 0;
	}
	h->plain[3] &= (uint8_t)~WIRE_F_LAST;	/* the hub's business only */
	p->orig_id = m->id;
	p->from = handle(slot, c);
	p->to = h->role_conn[r];
	p->type = m->type;
	c->inflight++;
	wire_set_id(h->plain, p->hub_id);
	send_msg(h, to, h->plain, len);
	return 1;
}

/* An event from a role, to each connection subscribed to it.  (The CLI
 * cannot publish, says wire.c's table: an event's origin is the role the
 * hub knows.) */
static void publish(struct hub *h, int slot, struct conn *c, const struct wire_msg *m)
{
	size_t len;

	if (!(len = stamp_caller(h, c, handle(slot, c), m, 0)))
		return;
	wire_set_id(h->plain, 0);
	h->plain[2] = 0, h->plain[3] = WIRE_F_EVENT;
	for (int i = 0; i < h->cfg->max_clients; i++) {
		struct conn *s = h->conns[i];

		if (s && s->established && s->k && s->subs & 1u << c->role)
			send_msg(h, i, h->plain, len);	/* a full queue closes that one only */
	}
}

/* What confines a role, as it says: kept for WIRE_STATUS, never answered
 * (from a role only: wire.c's table). */
static void hub_role_info(struct hub *h, int slot, struct conn *c, const struct wire_msg *m)
{
	if (wire_get_str(m, WF_SANDBOX, c->sandbox, sizeof(c->sandbox)) < 0) {
		c->sandbox[0] = 0;
		return;
	}
	for (char *s = c->sandbox; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';	/* shown as it is by sesame status */
}

/* A role's first message (claim_role): WIRE_ROLE_INFO, from the process
 * checked at message 1, which must still be that role.  Then it is the
 * role: requests are routed to it.  -1 if refused (c is closed). */
static int confirm_role(struct hub *h, int slot, struct conn *c, size_t pl)
{
	struct wire_msg m;
	int r = c->role;

	if (wire_decode(h->plain, pl, &m) < 0 || m.type != WIRE_ROLE_INFO || m.flags & WIRE_F_REPLY)
		fail("role %s: its first message is not WIRE_ROLE_INFO", wire_role_name(r));
	else if (hub_role_free(h, c, r) == 0 && peer_is_role(h, c, r) == 0)
		goto accepted;
	log_warn("refusing pid %d as role %s: %s", (int)c->writer, wire_role_name(r), last_error());
	sodium_memzero(h->plain, pl);
	conn_close(h, slot, last_error());
	return -1;
accepted:
	c->unconfirmed = 0;
	h->verified[r].pid = c->writer;
	h->verified[r].start = c->start;
	h->role_conn[r] = handle(slot, c);
	h->role_connects[r]++;
	h->role_since[r] = now_ms();
	log_info("role %s connected (pid %d)", wire_role_name(r), (int)c->writer);
	return 0;
}

static void message(struct hub *h, int slot, struct conn *c, size_t len)
{
	size_t pl;

	if (noise_decrypt(&c->k->recv, NULL, 0, c->rd.body, len, h->plain, WIRE_MAX_MESSAGE, &pl) < 0) {
		conn_close(h, slot, last_error());
		return;
	}
	c->active = now_ms();
	if (c->unconfirmed && confirm_role(h, slot, c, pl) < 0)
		return;
	request(h, slot, c, pl);
}

/* A decrypted message of pl bytes in h->plain: route it, then wipe it. */
static void request(struct hub *h, int slot, struct conn *c, size_t pl)
{
	struct wire_msg m;
	const char *why;

	if (wire_decode(h->plain, pl, &m) < 0) {
		uint32_t id = pl >= WIRE_HEADER ?
			(uint32_t)h->plain[4] << 24 | h->plain[5] << 16 | h->plain[6] << 8 | h->plain[7] : 0;

		send_error(h, slot, id, WIRE_E_BAD_MESSAGE, last_error());
	} else if (m.flags & WIRE_F_REPLY) {
		route_reply(h, slot, c, &m, pl);
	} else if ((why = wire_type_sender_refused(m.type, who(c)))) {
		send_error(h, slot, m.id, WIRE_E_DENIED, why);
	} else if (m.type == WIRE_EVENT) {
		publish(h, slot, c, &m);
	} else if (m.type == WIRE_ROLE_INFO) {
		hub_role_info(h, slot, c, &m);
	} else {
		route_request(h, slot, c, &m, pl, 0);
	}
	sodium_memzero(h->plain, pl);
}

/* A request that came in message 1, handled once the handshake is done:
 * only the read-only ones wire_type_early allows, since message 1 can be
 * replayed (wire.h).  Anything else is refused, not carried out. */
static void early_request(struct hub *h, int slot, struct conn *c, size_t pl)
{
	struct wire_msg m;
	char text[120];

	if (wire_decode(h->plain, pl, &m) < 0 || m.flags & WIRE_F_REPLY || wire_type_early(m.type)) {
		request(h, slot, c, pl);
		return;
	}
	sodium_memzero(h->plain, pl);
	snprintf(text, sizeof(text), "%s may not ride in message 1 (0-RTT, replayable): send it after the handshake",
		wire_type_name(m.type));
	send_error(h, slot, m.id, WIRE_E_DENIED, text);
}

/* Read into at, noting who wrote it (SO_PASSCRED is on: the kernel
 * never mixes two writers' bytes in one read).  Until a connection is
 * known for the CLI's, and for a role's always, every byte must come
 * from one process: the one checked (claim_role).  A role's connection
 * is its own; a child or a stranger given the descriptor writes in vain. */
static ssize_t recv_checked(struct conn *c, uint8_t *at, size_t room)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} cm;
	struct iovec iov = { at, room };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &cm, .msg_controllen = sizeof(cm) };
	struct cmsghdr *ch;
	pid_t pid = 0;
	ssize_t n;

	if (c->established && c->role == NO_ROLE)
		return recv(c->fd, at, room, MSG_DONTWAIT);
	if ((n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) <= 0)
		return n;
	for (ch = CMSG_FIRSTHDR(&mh); ch; ch = CMSG_NXTHDR(&mh, ch)) {
		if (ch->cmsg_level == SOL_SOCKET && ch->cmsg_type == SCM_CREDENTIALS) {
			struct ucred u;

			memcpy(&u, CMSG_DATA(ch), sizeof(u));
			pid = u.pid;
		} else if (ch->cmsg_level == SOL_SOCKET && ch->cmsg_type == SCM_RIGHTS) {
			int fds = (int)((ch->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			for (int i = 0; i < fds; i++) {	/* nobody sends us descriptors */
				int fd;

				memcpy(&fd, CMSG_DATA(ch) + i * sizeof(int), sizeof(fd));
				close(fd);
			}
		}
	}
	if (!pid)
		pid = -1;	/* a writer outside our pid namespace */
	if (!c->writer)
		c->writer = pid;
	if (pid != c->writer) {
		errno = EPERM;
		return fail("bytes from pid %d on a connection pid %d writes: refused", (int)pid, (int)c->writer);
	}
	return n;
}

/* Read what is there; at most a few frames per wake-up, so one busy
 * client cannot monopolise the loop (epoll is level-triggered). */
static void readable(struct hub *h, int slot, struct conn *c)
{
	for (int frames = 0; frames < 16; ) {
		size_t room;
		uint8_t *at = wire_reader_space(&c->rd, &room);
		ssize_t n = recv_checked(c, at, room);
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			conn_close(h, slot, n == 0 ? NULL : errno == EPERM ? last_error() : strerror(errno));
			return;
		}
		if ((r = wire_reader_commit(&c->rd, (size_t)n)) < 0) {
			conn_close(h, slot, last_error());
			return;
		}
		if (r == 0)
			continue;
		frames++;
		if (c->established)
			message(h, slot, c, c->rd.len);
		else
			handshake(h, slot, c, c->rd.len);
		if (h->conns[slot] != c)
			return;	/* closed while handling */
	}
}

/* Refusals are counted and logged at most once a second: a flood of them
 * must not become a flood of log lines. */
static void refused(const char *why, pid_t pid)
{
	static long long last;
	static unsigned quiet;
	long long now = now_ms();

	if (now - last < 1000) {
		quiet++;
		return;
	}
	if (pid)
		log_warn("refusing a connection from pid %d: %s%s", (int)pid, why,
			quiet ? " (and more in the last second)" : "");
	else
		log_warn("%s%s", why, quiet ? " (and more in the last second)" : "");
	last = now;
	quiet = 0;
}

/* A connection that costs nothing to lose: idle (nothing asked, nothing
 * queued, no subscription) for ms, and the CLI's, not a role's. */
static int conn_idle(const struct conn *c, long long now, long long ms)
{
	return c->established && c->role == NO_ROLE && !c->inflight && !c->out_head && !c->subs &&
		now - c->active >= ms;
}

/* How many connections each connection's process holds, into h->held[]
 * (slot order): an open-addressing count over at most max_clients pids,
 * in h->pidkey and h->pidcnt (pidcap entries, made in setup). */
static void pid_counts(struct hub *h)
{
	int cap = h->pidcap, *n = h->held, *cnt = h->pidcnt;
	pid_t *key = h->pidkey;

	memset(key, 0, (size_t)cap * sizeof(*key));
	memset(cnt, 0, (size_t)cap * sizeof(*cnt));
	for (int pass = 0; pass < 2; pass++)
		for (int s = 0; s < h->cfg->max_clients; s++) {
			const struct conn *c = h->conns[s];
			unsigned i;

			if (!c)
				continue;
			/* pid 0 (a peer in another pid namespace) is kept as -1:
			 * 0 marks a free entry. */
			for (i = (unsigned)c->pid * 2654435761u & (unsigned)(cap - 1);
			     key[i] && key[i] != (c->pid ? c->pid : -1); i = (i + 1) & (unsigned)(cap - 1))
				;
			key[i] = c->pid ? c->pid : -1;
			if (pass == 0)
				cnt[i]++;
			else
				n[s] = cnt[i];
		}
}

/* The table is full: close the connection that costs least to lose.  It
 * belongs to the process holding the most connections (a command holds
 * one; whoever floods holds many), and of those is one still in its
 * handshake, oldest first, else the command connection idle longest.
 * Roles and subscribers are never chosen.  -1 if every one is busy. */
static int evict_one(struct hub *h)
{
	long long now = now_ms(), vt = 0;
	int *n = h->held, victim = -1, vn = 0, vhalf = 0;

	pid_counts(h);
	for (int s = 0; s < h->cfg->max_clients; s++) {
		struct conn *c = h->conns[s];
		int half;
		long long t;

		if (!c || (c->established && !c->unconfirmed && !conn_idle(c, now, 0)))
			continue;
		half = !c->established || c->unconfirmed;
		t = half ? c->handshake_deadline : c->active;
		if (victim < 0 || n[s] > vn || (n[s] == vn && (half > vhalf || (half == vhalf && t < vt))))
			victim = s, vn = n[s], vhalf = half, vt = t;
	}
	if (victim >= 0) {
		log_debug("connection %d (pid %d, holding %d): its slot was needed (%s)", victim,
			(int)h->conns[victim]->pid, vn, vhalf ? "still in its handshake" : "idle");
		conn_close(h, victim, NULL);
		refused("every slot was taken: the one that cost least to lose was closed", 0);
	}
	return victim;
}

static int conns_of(const struct hub *h, pid_t pid)
{
	int n = 0;

	for (int s = 0, seen = 0; s < h->cfg->max_clients && seen < h->nconns; s++)
		if (h->conns[s]) {
			seen++;
			n += h->conns[s]->pid == pid;
		}
	return n;
}

/* At most ACCEPT_BURST connections per wake-up: a flood of connects (each
 * remade as soon as it is closed) would otherwise keep this loop here and
 * starve the replies everyone else waits for (epoll is level-triggered:
 * the rest are taken on the next turn). */
#define ACCEPT_BURST 16

static void accept_all(struct hub *h)
{
	for (int burst = 0; burst < ACCEPT_BURST; burst++) {
		int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), slot;
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		struct conn *c;
		struct epoll_event ev;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_error("accept: %s", strerror(errno));
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || cred.uid != geteuid()) {
			log_warn("refusing a connection from uid %d (pid %d): the bus belongs to uid %d",
				(int)cred.uid, (int)cred.pid, (int)geteuid());
			close(fd);
			continue;
		}
		if (conns_of(h, cred.pid) >= h->cfg->max_per_pid) {
			refused("it holds the most connections one process may", cred.pid);
			close(fd);
			continue;
		}
		if (h->nconns >= h->cfg->max_clients && evict_one(h) < 0) {
			refused("every connection is busy", cred.pid);
			close(fd);
			continue;
		}
		for (slot = 0; h->conns[slot]; slot++)
			;
		c = xcalloc(1, sizeof(*c));
		c->fd = fd;
		c->gen = ++h->next_gen ? h->next_gen : ++h->next_gen;
		c->pid = cred.pid;
		c->role = NO_ROLE;
		c->rd.body = body_get();
		c->active = now_ms();
		c->handshake_deadline = c->active + h->cfg->handshake_timeout_ms;
		c->k = secmem_alloc(sizeof(*c->k));
		if (!c->k) {
			log_error("cannot accept pid %d: %s", (int)cred.pid, last_error());
			body_put(c->rd.body);
			free(c);
			close(fd);
			continue;
		}
		h->conns[slot] = c;
		h->nconns++;
		ev = (struct epoll_event){ EPOLLIN, { .u64 = handle(slot, c) } };
		epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev);
		log_debug("connection %d from pid %d", slot, (int)cred.pid);
		/* A CLI's message 1 is usually there already: no second wake-up. */
		readable(h, slot, c);
	}
}

/* 1 if the connection's limit has passed (it is closed, saying why);
 * else next is brought forward to the limit. */
static int expired(struct hub *h, int s, long long now, long long limit, const char *why, long long *next)
{
	if (now >= limit) {
		conn_close(h, s, why);
		return 1;
	}
	if (limit < *next)
		*next = limit;
	return 0;
}

/* Deadlines: handshakes, idle commands, slow readers, routed requests.  Returns the
 * milliseconds until the next one (for epoll_wait), at most 1000. */
static int timers(struct hub *h)
{
	long long now = now_ms(), next = now + 1000;
	struct pending *p;

	for (int s = 0, seen = 0, n = h->nconns; s < h->cfg->max_clients && seen < n; s++) {
		struct conn *c = h->conns[s];

		if (!c)
			continue;
		seen++;
		if (!c->established || c->unconfirmed) {
			if (expired(h, s, now, c->handshake_deadline, c->established ?
			    "a role that never sent its first message" : "no handshake before the deadline", &next))
				continue;
		} else if (conn_idle(c, now, 0) &&
		    expired(h, s, now, c->active + h->cfg->idle_timeout_ms, "idle", &next)) {
			continue;
		}
		if (c->stalled_since && expired(h, s, now, c->stalled_since + h->cfg->slow_timeout_ms,
		    "slow reader: output made no progress", &next))
			continue;
	}
	for (struct pending_walk w = { 0, h->npending }; (p = pending_next(h, &w)); ) {
		struct conn *from;
		int fslot;

		if (now < p->deadline) {
			if (p->deadline < next)
				next = p->deadline;
			continue;
		}
		p->hub_id = 0;
		h->npending--;
		if ((from = lookup(h, p->from, &fslot))) {
			from->inflight--;
			send_error(h, fslot, p->orig_id, WIRE_E_TIMEOUT, "the daemon did not answer in time");
		}
	}
	if (h->watchdog_ms) {
		if (now >= h->next_watchdog) {
			sdnotify("WATCHDOG=1");
			h->next_watchdog = now + h->watchdog_ms;
		}
		if (h->next_watchdog < next)
			next = h->next_watchdog;
	}
	return (int)(next > now ? next - now : 0);
}

/* A live bus.sock means another hub is running: refuse, never steal it. */
static int bind_socket(struct hub *h)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	if (strlen(h->sock_path) >= sizeof(sa.sun_path))
		return fail("socket path too long: %s", h->sock_path);
	strcpy(sa.sun_path, h->sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return fail("another daemon-profile is serving %s", h->sock_path);
	}
	if (fd >= 0)
		close(fd);
	unlink(h->sock_path);
	h->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->lfd < 0)
		return fail("socket: %s", strerror(errno));
	/* Accepted connections inherit it: who wrote each read (recv_checked). */
	if (setsockopt(h->lfd, SOL_SOCKET, SO_PASSCRED, &(int){ 1 }, sizeof(int)) < 0)
		return fail("SO_PASSCRED: %s", strerror(errno));
	old = umask(077);
	if (bind(h->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		umask(old);
		return fail("cannot bind %s: %s", h->sock_path, strerror(errno));
	}
	umask(old);
	if (chmod(h->sock_path, 0600) < 0 || listen(h->lfd, 128) < 0)
		return fail("cannot listen on %s: %s", h->sock_path, strerror(errno));
	return 0;
}

/* New keys: the server's (it lives only in this process, its public half
 * in bus.pub), each role's (written for the roles to read), the CLI's
 * pre-shared key.  At every start, and on WIRE_ROTATE_KEYS.  The old ones
 * are refused from then on: connections made with them keep their
 * sessions until they end. */
static int new_keys(struct hub *h)
{
	char dir[PATH_MAX], path[PATH_MAX];
	uint8_t pub[32], *priv;

	if (paths_join(dir, h->paths->runtime, "keys") < 0 || paths_mkdir_private(dir) < 0)
		return -1;
	if ((!h->server_priv && !(h->server_priv = secmem_alloc(32))) || !(priv = secmem_alloc(32)) ||
	    (!h->cli_psk && !(h->cli_psk = secmem_alloc(32))))
		return -1;
	for (int i = WR_SECRETS; i < WR_COUNT; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s.key", wire_role_name(i));
		noise_keypair(priv, h->role_pub[i]);
		if (paths_join(path, dir, name) < 0 || bus_write_key(path, priv, 0600) < 0) {
			secmem_free(priv);
			return -1;
		}
	}
	/* The server's last, once the role keys are in place. */
	noise_keypair(priv, pub);
	randombytes_buf(h->cli_psk, 32);
	if (paths_join(path, h->paths->runtime, "cli.psk") < 0 || bus_write_key(path, h->cli_psk, 0600) < 0) {
		secmem_free(priv);
		return -1;
	}
	memcpy(h->server_priv, priv, 32);
	memcpy(h->server_pub, pub, 32);
	secmem_free(priv);
	/* bus.pub last: at start, its presence says the hub is ready. */
	return bus_write_key(h->pub_path, pub, 0644);
}

/* WIRE_ROTATE_KEYS: new keys, then each connected role is told to come
 * back with its new one (the original's sesame status --rotate-keys). */
static void rotate_keys(struct hub *h, int slot, const struct wire_msg *m)
{
	static struct wire_out o, rk;

	if (new_keys(h) < 0) {
		send_error(h, slot, m->id, WIRE_E_FAILED, last_error());
		return;
	}
	wire_begin(&o, m->type, WIRE_F_REPLY, m->id);
	wire_begin(&rk, WIRE_REKEY, 0, 0);
	for (int i = WR_SECRETS; i < WR_COUNT; i++) {
		int rs;

		if (!lookup(h, h->role_conn[i], &rs))
			continue;
		wire_put_str(&o, WF_ROLE, wire_role_name(i));
		send_msg(h, rs, rk.buf, rk.len);
	}
	log_info("keys rotated: the hub's, the CLI's and every role's");
	if (wire_end(&o) == 0)
		send_msg(h, slot, o.buf, o.len);
}

static int setup(struct hub *h)
{
	struct epoll_event ev = { EPOLLIN, { .u64 = 0 } };

	if (paths_mkdir_private(h->paths->runtime) < 0)
		return -1;
	paths_join(h->sock_path, h->paths->runtime, "bus.sock");
	paths_join(h->pub_path, h->paths->runtime, "bus.pub");
	unlink(h->pub_path);
	if (bind_socket(h) < 0 || new_keys(h) < 0)
		return -1;
	h->conns = xcalloc(h->cfg->max_clients, sizeof(*h->conns));
	for (h->pidcap = 1; h->pidcap < 2 * h->cfg->max_clients; h->pidcap <<= 1)
		;
	h->held = xcalloc(h->cfg->max_clients, sizeof(*h->held));
	h->pidcnt = xcalloc(h->pidcap, sizeof(*h->pidcnt));
	h->pidkey = xcalloc(h->pidcap, sizeof(*h->pidkey));
	h->plain = secmem_alloc(WIRE_MAX_MESSAGE);
	h->sealed = xmalloc(4 + WIRE_MAX_FRAME);
	h->batch = secmem_alloc(WIRE_EARLY_MAX);
	if (!h->plain || !h->batch)
		return -1;
	if ((h->sfd = daemon_signals(SFD_NONBLOCK)) < 0)
		return -1;
	if ((h->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return fail("epoll: %s", strerror(errno));
	/* u64 0 and 1 are the listener and the signals; connections are
	 * never 0 or 1 because their generation is at least 1. */
	epoll_ctl(h->ep, EPOLL_CTL_ADD, h->lfd, &ev);
	ev.data.u64 = 1;
	epoll_ctl(h->ep, EPOLL_CTL_ADD, h->sfd, &ev);
	h->watchdog_ms = sdnotify_watchdog_ms();
	h->started = now_ms();
	return 0;
}

static void teardown(struct hub *h)
{
	char path[PATH_MAX];

	for (int s = 0; h->conns && s < h->cfg->max_clients; s++)
		if (h->conns[s])
			conn_close(h, s, NULL);
	if (h->lfd >= 0) {
		close(h->lfd);
		unlink(h->sock_path);
	}
	unlink(h->pub_path);
	if (paths_join(path, h->paths->runtime, "cli.psk") == 0)
		unlink(path);
	for (int i = WR_SECRETS; i < WR_COUNT; i++) {
		char name[64];

		snprintf(name, sizeof(name), "keys/%s.key", wire_role_name(i));
		if (paths_join(path, h->paths->runtime, name) == 0)
			unlink(path);
	}
	if (h->ep >= 0)
		close(h->ep);
	if (h->sfd >= 0)
		close(h->sfd);
	free(h->conns);
	free(h->held);
	free(h->pidcnt);
	free(h->pidkey);
	free(h->sealed);
	secmem_free(h->plain);
	secmem_free(h->batch);
	secmem_free(h->server_priv);
	secmem_free(h->cli_psk);
}

/* Close the connections whose last request is answered and written: the
 * hub hangs up first, on a CPU that is awake anyway, so the client's exit
 * wakes no one (closing a socket wakes its peer, ~10 us of a command's
 * time here). */
static void close_answered(struct hub *h)
{
	for (int s = 0; h->nlast && s < h->cfg->max_clients; s++) {
		struct conn *c = h->conns[s];

		if (c && c->last && c->established && !c->inflight && !c->out_head)
			conn_close(h, s, NULL);
	}
}

int hub_run(const struct paths *p, const struct hub_config *cfg, const struct hub_hooks *hooks)
{
	static struct hub hub;
	struct hub *h = &hub;
	struct epoll_event evs[64];
	int stop = 0, r = 0;

	memset(h, 0, sizeof(*h));
	h->cfg = cfg;
	h->hooks = hooks;
	h->paths = p;
	h->lfd = h->sfd = h->ep = -1;
	if (setup(h) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", last_error());
		teardown(h);
		return fail("%s", why);
	}
	log_info("bus listening on %s (max %d clients)", h->sock_path, cfg->max_clients);
	if (hooks && hooks->started && hooks->started(h, hooks->ctx) < 0) {	/* enters the sandbox */
		char why[512];

		snprintf(why, sizeof(why), "%s", last_error());
		teardown(h);	/* no dead bus.sock left for clients to find */
		return fail("%s", why);
	}
	ahead_start();
	sdnotify("READY=1\nSTATUS=bus up");
	while (!stop) {
		int n, wait;

		wait = timers(h);
		if (hooks && hooks->tick) {
			int t = hooks->tick(hooks->ctx);
			if (t >= 0 && t < wait)
				wait = t;
		}
		n = epoll_wait(h->ep, evs, ARRAY_LEN(evs), wait);

		if (n < 0 && errno != EINTR) {
			r = fail("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64;
			struct conn *c;
			int slot;

			if (d == 0) {
				accept_all(h);
			} else if (d == 1) {
				struct signalfd_siginfo si;

				if (read(h->sfd, &si, sizeof(si)) != sizeof(si)) {
					continue;
				} else if (si.ssi_signo == SIGHUP) {
					log_info("signal %u: reloading the configuration", si.ssi_signo);
					if (hooks && hooks->hangup)
						hooks->hangup(hooks->ctx);
				} else {
					log_info("signal %u: stopping", si.ssi_signo);
					stop = 1;
				}
			} else if (d < (1ULL << 32)) {
				if (hooks && hooks->ready)
					hooks->ready(h, hooks->ctx, (int)(d - 2));
			} else if ((c = lookup(h, d, &slot))) {
				if (evs[i].events & (EPOLLERR | EPOLLHUP) && !(evs[i].events & EPOLLIN)) {
					conn_close(h, slot, NULL);
					continue;
				}
				if (evs[i].events & EPOLLOUT && flush(h, slot, c) < 0) {
					conn_close(h, slot, "write failed");
					continue;
				}
				if (evs[i].events & EPOLLIN)
					readable(h, slot, c);
			}
		}
		if (h->nlast)
			close_answered(h);
	}
	sdnotify("STOPPING=1");
	ahead_stop();
	teardown(h);
	return r;
}
