/* hub_route.c - what the hub does with a message: route a request to the
 * role that serves it (the table of requests in flight), a reply back to
 * whoever asked, an event to the subscribers; or serve it here (ping,
 * status, subscriptions, key rotation, daemon-profile's own requests). */
#include "applets/profile/hub_int.h"
#include "lib/core/log.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef SESAME_VERSION
#define SESAME_VERSION "unknown"
#endif

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
			struct conn *rc = hub_lookup(h, h->role_conn[i], NULL);

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
		hub_send(h, slot, o.buf, o.len);
}

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
		hub_send(h, slot, o.buf, o.len);
		break;
	case WIRE_STATUS:
		reply_status(h, slot, m);
		break;
	case WIRE_ROTATE_KEYS:
		hub_rotate_keys(h, slot, m);
		break;
	case WIRE_BATCH:
		hub_send_error(h, slot, m->id, WIRE_E_BAD_MESSAGE,
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
				hub_send_error(h, slot, m->id, WIRE_E_BAD_MESSAGE, "no such role to subscribe to");
				return;
			}
			subs |= 1u << r;
		}
		if (!subs) {
			hub_send_error(h, slot, m->id, WIRE_E_BAD_MESSAGE, "subscribe to which role?");
			return;
		}
		h->conns[slot]->subs |= subs;
		wire_begin(&o, m->type, WIRE_F_REPLY, m->id);
		hub_send(h, slot, o.buf, o.len);
		break;
	}
	default:
		if (h->hooks && h->hooks->serve) {
			char text[200] = "failed";
			uint32_t code;

			wire_begin(&o, m->type, WIRE_F_REPLY, m->id);
			code = h->hooks->serve(h->hooks->ctx, m, &o, text, sizeof(text));
			if (code)
				hub_send_error(h, slot, m->id, code, text);
			else if (wire_end(&o) == 0)
				hub_send(h, slot, o.buf, o.len);
			else
				hub_send_error(h, slot, m->id, WIRE_E_FAILED, "reply too large");
			break;
		}
		hub_send_error(h, slot, m->id, WIRE_E_UNKNOWN_TYPE, "no such request");
	}
	(void)len;
}

struct pending *hub_pending_next(struct hub *h, struct pending_walk *w)
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
	from = hub_lookup(h, p->from, &fslot);
	p->hub_id = 0;
	h->npending--;
	if (!from)
		return;		/* the requester left */
	from->inflight--;
	from->active = now_ms();
	wire_set_id(h->plain, p->orig_id);
	hub_send(h, fslot, h->plain, len);
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
int hub_route_request(struct hub *h, int slot, struct conn *c, const struct wire_msg *m, size_t len,
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
		hub_send_error(h, slot, m->id, WIRE_E_UNKNOWN_TYPE, "unknown request type");
		return 0;
	}
	if (r == WR_PROFILE) {
		serve_local(h, slot, m, len);
		return 0;
	}
	if (!(dst = hub_lookup(h, h->role_conn[r], &to))) {
		char text[96];

		if (early)
			return 0;
		snprintf(text, sizeof(text), "daemon-%s is not running", wire_role_name(r));
		hub_send_error(h, slot, m->id, WIRE_E_UNAVAILABLE, text);
		return 0;
	}
	if (c->inflight >= h->cfg->max_inflight) {
		hub_send_error(h, slot, m->id, WIRE_E_BUSY, "too many requests in flight");
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
			hub_send_error(h, slot, m->id, WIRE_E_BUSY, "the bus is saturated");
		return 0;
	}
	p->deadline = now_ms() + (wire_type_kdf(m->type) && h->cfg->request_timeout_ms < WIRE_KDF_TIMEOUT_MS ?
		WIRE_KDF_TIMEOUT_MS : h->cfg->request_timeout_ms);
	if (!(len = stamp_caller(h, c, handle(slot, c), m, p->deadline))) {
		p->hub_id = 0;
		h->npending--;
		hub_send_error(h, slot, m->id, WIRE_E_BAD_MESSAGE, "request too large");
		return 0;
	}
	h->plain[3] &= (uint8_t)~WIRE_F_LAST;	/* the hub's business only */
	p->orig_id = m->id;
	p->from = handle(slot, c);
	p->to = h->role_conn[r];
	p->type = m->type;
	c->inflight++;
	wire_set_id(h->plain, p->hub_id);
	hub_send(h, to, h->plain, len);
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
			hub_send(h, i, h->plain, len);	/* a full queue closes that one only */
	}
}

/* A decrypted message of pl bytes in h->plain: route it, then wipe it. */
void hub_request(struct hub *h, int slot, struct conn *c, size_t pl)
{
	struct wire_msg m;
	const char *why;

	if (wire_decode(h->plain, pl, &m) < 0) {
		uint32_t id = pl >= WIRE_HEADER ?
			(uint32_t)h->plain[4] << 24 | h->plain[5] << 16 | h->plain[6] << 8 | h->plain[7] : 0;

		hub_send_error(h, slot, id, WIRE_E_BAD_MESSAGE, last_error());
	} else if (m.flags & WIRE_F_REPLY) {
		route_reply(h, slot, c, &m, pl);
	} else if ((why = wire_type_sender_refused(m.type, who(c)))) {
		hub_send_error(h, slot, m.id, WIRE_E_DENIED, why);
	} else if (m.type == WIRE_EVENT) {
		publish(h, slot, c, &m);
	} else if (m.type == WIRE_ROLE_INFO) {
		hub_role_info(h, slot, c, &m);
	} else {
		hub_route_request(h, slot, c, &m, pl, 0);
	}
	sodium_memzero(h->plain, pl);
}

/* A request that came in message 1, handled once the handshake is done:
 * only the read-only ones wire_type_early allows, since message 1 can be
 * replayed (wire.h).  Anything else is refused, not carried out. */
void hub_early_request(struct hub *h, int slot, struct conn *c, size_t pl)
{
	struct wire_msg m;
	char text[120];

	if (wire_decode(h->plain, pl, &m) < 0 || m.flags & WIRE_F_REPLY || wire_type_early(m.type)) {
		hub_request(h, slot, c, pl);
		return;
	}
	sodium_memzero(h->plain, pl);
	snprintf(text, sizeof(text), "%s may not ride in message 1 (0-RTT, replayable): send it after the handshake",
		wire_type_name(m.type));
	hub_send_error(h, slot, m.id, WIRE_E_DENIED, text);
}
