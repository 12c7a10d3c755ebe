/* hub.c - the bus server (hub.h): its setup, its loop, accepting and
 * evicting connections, and their deadlines.  hub_int.h says where the
 * rest is. */
#include "applets/profile/hub_int.h"
#include "lib/bus/role.h"
#include "lib/core/log.h"
#include "lib/core/paths.h"
#include "lib/core/sdnotify.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

void hub_config_defaults(struct hub_config *cfg)
{
	*cfg = (struct hub_config){ 256, 5000, 5000, 10000, 1024, 4u << 20, 64, 60000, 16, -1 };
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
		hub_close(h, victim, NULL);
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
		c->rd.body = hub_body_get();
		c->active = now_ms();
		c->handshake_deadline = c->active + h->cfg->handshake_timeout_ms;
		c->k = secmem_alloc(sizeof(*c->k));
		if (!c->k) {
			log_error("cannot accept pid %d: %s", (int)cred.pid, last_error());
			hub_body_put(c->rd.body);
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
		hub_readable(h, slot, c);
	}
}

/* 1 if the connection's limit has passed (it is closed, saying why);
 * else next is brought forward to the limit. */
static int expired(struct hub *h, int s, long long now, long long limit, const char *why, long long *next)
{
	if (now >= limit) {
		hub_close(h, s, why);
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
	for (struct pending_walk w = { 0, h->npending }; (p = hub_pending_next(h, &w)); ) {
		struct conn *from;
		int fslot;

		if (now < p->deadline) {
			if (p->deadline < next)
				next = p->deadline;
			continue;
		}
		p->hub_id = 0;
		h->npending--;
		if ((from = hub_lookup(h, p->from, &fslot))) {
			from->inflight--;
			hub_send_error(h, fslot, p->orig_id, WIRE_E_TIMEOUT, "the daemon did not answer in time");
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

static int setup(struct hub *h)
{
	struct epoll_event ev = { EPOLLIN, { .u64 = 0 } };

	if (paths_mkdir_private(h->paths->runtime) < 0)
		return -1;
	paths_join(h->sock_path, h->paths->runtime, "bus.sock");
	paths_join(h->pub_path, h->paths->runtime, "bus.pub");
	unlink(h->pub_path);
	if (bind_socket(h) < 0 || hub_new_keys(h) < 0)
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
			hub_close(h, s, NULL);
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
			hub_close(h, s, NULL);
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
	hub_ahead_start();
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
			} else if ((c = hub_lookup(h, d, &slot))) {
				if (evs[i].events & (EPOLLERR | EPOLLHUP) && !(evs[i].events & EPOLLIN)) {
					hub_close(h, slot, NULL);
					continue;
				}
				if (evs[i].events & EPOLLOUT && hub_flush(h, slot, c) < 0) {
					hub_close(h, slot, "write failed");
					continue;
				}
				if (evs[i].events & EPOLLIN)
					hub_readable(h, slot, c);
			}
		}
		if (h->nlast)
			close_answered(h);
	}
	sdnotify("STOPPING=1");
	hub_ahead_stop();
	teardown(h);
	return r;
}
