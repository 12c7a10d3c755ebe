/* hub_role.c - who may be a role: a key the hub issued, for a role nobody
 * alive holds, presented by a process that runs this sesame as that role
 * (peer.h), confirmed by its first message. */
#include "applets/profile/hub_int.h"
#include "applets/profile/peer.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#include <poll.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

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

	if (!(prev = hub_lookup(h, h->role_conn[r], &old)))
		return 0;
	if (conn_alive(prev)) {
		log_warn("refusing pid %d as role %s: pid %d holds the role and is alive; a live role "
			"is never replaced", (int)c->writer, wire_role_name(r), (int)prev->pid);
		return fail("role %s is connected already (pid %d)", wire_role_name(r), (int)prev->pid);
	}
	hub_close(h, old, "hung up (a new connection for its role arrived first)");
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
 * WIRE_ROLE_INFO from that same process (hub_confirm_role): a process that
 * wrote message 1 and then exec'ed sesame cannot leave a child of its
 * own to read what the role is sent.  Sets c->role; -1 to refuse. */
int hub_claim_role(struct hub *h, struct conn *c)
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

/* A role's first message (hub_claim_role): WIRE_ROLE_INFO, from the process
 * checked at message 1, which must still be that role.  Then it is the
 * role: requests are routed to it.  -1 if refused (c is closed). */
int hub_confirm_role(struct hub *h, int slot, struct conn *c, size_t pl)
{
	struct wire_msg m;
	int r = c->role;

	if (wire_decode(h->plain, pl, &m) < 0 || m.type != WIRE_ROLE_INFO || m.flags & WIRE_F_REPLY)
		fail("role %s: its first message is not WIRE_ROLE_INFO", wire_role_name(r));
	else if (hub_role_free(h, c, r) == 0 && peer_is_role(h, c, r) == 0)
		goto accepted;
	log_warn("refusing pid %d as role %s: %s", (int)c->writer, wire_role_name(r), last_error());
	sodium_memzero(h->plain, pl);
	hub_close(h, slot, last_error());
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

/* What confines a role, as it says: kept for WIRE_STATUS, never answered
 * (from a role only: wire.c's table). */
void hub_role_info(struct hub *h, int slot, struct conn *c, const struct wire_msg *m)
{
	if (wire_get_str(m, WF_SANDBOX, c->sandbox, sizeof(c->sandbox)) < 0) {
		c->sandbox[0] = 0;
		return;
	}
	for (char *s = c->sandbox; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';	/* shown as it is by sesame status */
}
