/* hub_conn.c - the hub's connections: reading frames (checking who wrote
 * them), the handshake with its 0-RTT request or batch, decrypting,
 * sealing and queueing output, closing; and the frame buffers kept for
 * the next connections. */
#include "applets/profile/hub_int.h"
#include "lib/bus/bus.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Frame buffers (64 KiB each) are kept for the next connections: a CLI
 * call is one connection, and mapping, faulting in and unmapping 64 KiB
 * each time is a tenth of the hub's work. */
#define BODY_CACHE 16
static uint8_t *body_cache[BODY_CACHE];
static int nbody_cache;

uint8_t *hub_body_get(void)
{
	return nbody_cache ? body_cache[--nbody_cache] : xmalloc(WIRE_MAX_FRAME);
}

void hub_body_put(uint8_t *b)
{
	if (b && nbody_cache < BODY_CACHE)
		body_cache[nbody_cache++] = b;	/* ciphertext only: nothing to wipe */
	else
		free(b);
}

struct conn *hub_lookup(struct hub *h, uint64_t hnd, int *slot)
{
	uint32_t s = (uint32_t)hnd;
	struct conn *c;

	if (!hnd || s >= (uint32_t)h->cfg->max_clients || !(c = h->conns[s]) || c->gen != hnd >> 32)
		return NULL;
	if (slot)
		*slot = (int)s;
	return c;
}

void hub_close(struct hub *h, int slot, const char *why)
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
	for (struct pending_walk w = { 0, h->npending }; (p = hub_pending_next(h, &w)); ) {
		struct conn *from;
		int fslot;

		if (p->from != hnd && p->to != hnd)
			continue;
		p->hub_id = 0;
		h->npending--;
		if (p->to == hnd && (from = hub_lookup(h, p->from, &fslot))) {
			from->inflight--;
			/* A requester still in its handshake has no keys to be
			 * answered with: handshake() closes it instead. */
			if (from->established)
				hub_send_error(h, fslot, p->orig_id, WIRE_E_UNAVAILABLE, "the daemon went away");
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
	hub_body_put(c->rd.body);
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
int hub_flush(struct hub *h, int slot, struct conn *c)
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
		hub_close(h, slot, "output queue full (client does not read)");
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
	if (hub_flush(h, slot, c) < 0) {
		hub_close(h, slot, "write failed");
		return -1;
	}
	return 0;
}

int hub_send(struct hub *h, int slot, const uint8_t *msg, size_t len)
{
	struct conn *c = h->conns[slot];
	size_t n;

	if (bus_seal(&c->k->send, msg, len, h->sealed, &n) < 0) {
		hub_close(h, slot, last_error());
		return -1;
	}
	return queue_raw(h, slot, h->sealed, n);
}

void hub_send_error(struct hub *h, int slot, uint32_t id, uint32_t code, const char *text)
{
	static struct wire_out o; /* not reentrant: built and sent before any other send_error */
	struct wire_msg req = { .id = id };

	wire_error(&o, &req, code, text);
	hub_send(h, slot, o.buf, o.len);
}

/* A 0-RTT request goes to its role before message 2 is computed (a DH):
 * the role works on it meanwhile.  Its reply cannot overtake message 2,
 * this loop reads it only after the handshake is done.  1 if forwarded. */
static int forward_early(struct hub *h, int slot, struct conn *c, size_t pl)
{
	struct wire_msg m;

	if (c->rd.body[0] != WIRE_HS_CLI || wire_decode(h->plain, pl, &m) < 0 || m.flags & WIRE_F_REPLY ||
	    !wire_type_early(m.type) || !hub_route_request(h, slot, c, &m, pl, 1))
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
			hub_early_request(h, slot, c, l);
			if (!hub_lookup(h, hnd, NULL))
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

	if (len < 1 || !(c->hs = hub_responder(h, c->rd.body[0])) ||
	    noise_read_message(c->hs, c->rd.body + 1, len - 1, h->plain, WIRE_MAX_MESSAGE, &pl) < 0 ||
	    (c->rd.body[0] == WIRE_HS_IK && hub_claim_role(h, c) < 0)) {
		sodium_memzero(h->plain, pl);
		hub_close(h, slot, last_error());
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
		hub_close(h, slot, "a daemon it asked went away during the handshake");
		return;
	}
	if (noise_write_message(c->hs, NULL, 0, out + 4, sizeof(out) - 4, &n) < 0 ||
	    noise_split(c->hs, &c->k->send, &c->k->recv) < 0) {
		sodium_memzero(h->plain, pl);
		sodium_memzero(h->batch, bl);
		hub_close(h, slot, last_error());
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
		hub_early_request(h, slot, c, pl);	/* 0-RTT: the first request came along */
	} else {
		sodium_memzero(h->plain, WIRE_HEADER);
	}
}

static void message(struct hub *h, int slot, struct conn *c, size_t len)
{
	size_t pl;

	if (noise_decrypt(&c->k->recv, NULL, 0, c->rd.body, len, h->plain, WIRE_MAX_MESSAGE, &pl) < 0) {
		hub_close(h, slot, last_error());
		return;
	}
	c->active = now_ms();
	if (c->unconfirmed && hub_confirm_role(h, slot, c, pl) < 0)
		return;
	hub_request(h, slot, c, pl);
}

/* Read into at, noting who wrote it (SO_PASSCRED is on: the kernel
 * never mixes two writers' bytes in one read).  Until a connection is
 * known for the CLI's, and for a role's always, every byte must come
 * from one process: the one checked (hub_claim_role).  A role's connection
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
void hub_readable(struct hub *h, int slot, struct conn *c)
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
			hub_close(h, slot, n == 0 ? NULL : errno == EPERM ? last_error() : strerror(errno));
			return;
		}
		if ((r = wire_reader_commit(&c->rd, (size_t)n)) < 0) {
			hub_close(h, slot, last_error());
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
