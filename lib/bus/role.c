/* role.c - the common frame of a daemon role (role.h). */
#include "lib/bus/role.h"
#include "lib/core/log.h"
#include "lib/core/sdnotify.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"
#include "lib/store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define REKEY_MS 5000	/* to reconnect with a new key (WIRE_REKEY) */

static void lost(struct role *r);

long long role_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void apply_logging(const struct config *c)
{
	log_configure(config_str(c, "global.logging.level", "info"), config_bool(c, "global.logging.json", 0),
		config_bool(c, "global.logging.journald", 1));
}

uint64_t role_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One instance per role and bus: an exclusive lock on NAME.lock, kept
 * for the life of the process (the kernel drops it with the process). */
static void xsingle_instance(struct role *r)
{
	char path[PATH_MAX], file[64], pid[24] = "?";
	ssize_t n;

	snprintf(file, sizeof(file), "%s.lock", r->name);
	if (paths_mkdir_private(r->p.runtime) < 0 || paths_join(path, r->p.runtime, file) < 0)
		die("daemon-%s: %s", r->name, last_error());
	if ((r->lock = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		die("daemon-%s: cannot open %s: %s", r->name, path, strerror(errno));
	if (flock(r->lock, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			die("daemon-%s: cannot lock %s: %s", r->name, path, strerror(errno));
		if ((n = pread(r->lock, pid, sizeof(pid) - 1, 0)) > 0)
			pid[strcspn(pid, "\n")] = 0;
		die("daemon-%s is already running on this bus (pid %s, holding %s)", r->name,
			n > 0 ? pid : "?", path);
	}
	if (ftruncate(r->lock, 0) < 0 || dprintf(r->lock, "%d\n", (int)getpid()) < 0)
		log_warn("%s: cannot write the pid: %s", path, strerror(errno));
}

void xrole_setup(struct role *r, const char *name)
{
	char file[64];

	memset(r, 0, sizeof(*r));
	r->name = name;
	r->watch = -1;
	r->watchdog_ms = sdnotify_watchdog_ms();
	if (paths_resolve(&r->p) < 0)
		die("daemon-%s: %s", name, last_error());
	xsingle_instance(r);
	if (!(r->conf = config_load(&r->p, NULL, NULL)))
		die("daemon-%s: configuration: %s", name, last_error());
	apply_logging(r->conf);
	snprintf(file, sizeof(file), "keys/%s.key", name);
	if (paths_join(r->key, r->p.runtime, file) < 0)
		die("daemon-%s: %s", name, last_error());
	if ((r->sfd = daemon_signals(0)) < 0)
		die("daemon-%s: %s", name, last_error());
	if ((r->watch = config_watch(&r->p)) < 0)
		log_error("config: %s; changes will not be picked up", last_error());
}

int daemon_signals(int flags)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);	/* reload, as `sv reload` and systemctl reload ask */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGHUP, SIG_DFL);	/* one ignored by nohup would never arrive */
	signal(SIGPIPE, SIG_IGN);
	/* Under a file size limit a write fails (EFBIG, handled like a full
	 * disk) instead of killing the daemon in the middle of it. */
	signal(SIGXFSZ, SIG_IGN);
	if ((fd = signalfd(-1, &set, SFD_CLOEXEC | flags)) < 0)
		return fail("signalfd: %s", strerror(errno));
	return fd;
}

static void reload(struct role *r)
{
	r->reload_at = 0;
	if (config_reload(&r->p, &r->conf, &r->watch)) {
		apply_logging(r->conf);
		log_info("config: reloaded");
	}
}

int xrole_poll(struct role *r, struct pollfd *extra, int nextra, int timeout_ms)
{
	struct pollfd pf[3 + 8];
	int flags = 0, n = 3;
	long long wait;

	if (nextra > 8)
		nextra = 8;
	if (!r->c && r->rekey_until && role_now_ms() > r->rekey_until) {
		fail("no daemon-profile took the new key within %d ms", REKEY_MS);
		lost(r);
	}
	if (r->exit_code) {
		for (int i = 0; i < nextra; i++)
			extra[i].revents = 0;
		return ROLE_STOP;
	}
	if (!r->c && (r->c = bus_connect_retry(&r->p, r->key, 2000))) {
		static struct wire_out o;

		/* The hub has checked this process (message 1): from now on
		 * nothing else of the user's may read or trace it. */
		if (!r->accepted++ && sandbox_undumpable() < 0)
			log_error("%s", last_error());
		r->rekey_until = 0;
		log_info("connected to the bus");
		flags |= ROLE_CONNECTED;
		wire_begin(&o, WIRE_ROLE_INFO, 0, 0);
		wire_put_str(&o, WF_SANDBOX, sandbox_describe());
		role_send(r, &o);
		if (!r->ready++) {
			char st[160];

			snprintf(st, sizeof(st), "READY=1\nSTATUS=%s", r->status ? r->status : "serving");
			sdnotify(st);
		}
	}
	if (r->watchdog_ms)
		sdnotify("WATCHDOG=1");
	pf[0] = (struct pollfd){ r->sfd, POLLIN, 0 };
	pf[1] = (struct pollfd){ r->c ? bus_fd(r->c) : -1, POLLIN, 0 };
	pf[2] = (struct pollfd){ r->watch, POLLIN, 0 };
	for (int i = 0; i < nextra; i++)
		pf[n++] = extra[i];
	if (!r->c && (timeout_ms < 0 || timeout_ms > 200))
		timeout_ms = 200;	/* keep trying to connect */
	if (r->watchdog_ms && (timeout_ms < 0 || timeout_ms > r->watchdog_ms))
		timeout_ms = (int)r->watchdog_ms;
	if (flags & ROLE_CONNECTED)
		timeout_ms = 0;		/* the caller has work to do now it is connected */
	if (r->reload_at) {
		wait = r->reload_at - role_now_ms();
		if (wait < 0)
			wait = 0;
		if (timeout_ms < 0 || wait < timeout_ms)
			timeout_ms = (int)wait;
	}
	if (poll(pf, (nfds_t)n, timeout_ms) < 0) {
		if (errno != EINTR)
			die("daemon-%s: poll: %s", r->name, strerror(errno));
		for (int i = 0; i < n; i++)
			pf[i].revents = 0;
	}
	for (int i = 0; i < nextra; i++)
		extra[i].revents = pf[3 + i].revents;
	if (pf[0].revents & POLLIN) {
		struct signalfd_siginfo si;

		if (read(r->sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGHUP) {
			log_info("signal %u: reloading the configuration", si.ssi_signo);
			r->reload_at = role_now_ms();
		} else {
			flags |= ROLE_STOP;
		}
	}
	if (pf[1].revents & (POLLIN | POLLHUP | POLLERR))
		flags |= ROLE_BUS;
	if (pf[2].revents & POLLIN && config_watch_changed(r->watch) && !r->reload_at)
		r->reload_at = role_now_ms() + CONFIG_RELOAD_DELAY_MS;
	if (r->reload_at && role_now_ms() >= r->reload_at) {
		reload(r);
		flags |= ROLE_RELOADED;
	}
	return flags;
}

/* A role accepted once is no longer dumpable: no daemon-profile can
 * check it again (peer.h) but the one that accepted it, after a
 * WIRE_REKEY.  So it stops (exit status 1), for its supervisor to start
 * a fresh one, which proves itself. */
static void lost(struct role *r)
{
	log_error("%s; a role proves who it is only before it hardens: stopping, for a fresh daemon-%s to "
		"take its place", last_error(), r->name);
	r->exit_code = 1;
}

void role_disconnect(struct role *r)
{
	if (!r->accepted || r->rekey_until)
		log_warn("%s; reconnecting", last_error());
	else
		lost(r);
	bus_close(r->c);
	r->c = NULL;
}

int role_dispatch(struct role *r, void (*handle)(const struct wire_msg *m))
{
	/* Requests and replies may carry passwords and values: secure memory,
	 * wiped after each. */
	static uint8_t *in;
	struct wire_msg m;
	uint64_t deadline;
	long long late;

	if (!in)
		in = xsecmem_alloc(WIRE_MAX_MESSAGE);
	if (bus_recv(r->c, in, &m, BUS_CLI_TIMEOUT_MS) < 0) {
		sodium_memzero(in, WIRE_MAX_MESSAGE);
		role_disconnect(r);
		return -1;
	}
	if (m.type == WIRE_REKEY && !(m.flags & WIRE_F_REPLY)) {
		/* Only the hub speaks on this connection: it has new keys. */
		sodium_memzero(in, WIRE_HEADER + m.fields_len);
		fail("the hub rotated the keys: taking the new one");
		r->rekey_until = role_now_ms() + REKEY_MS;
		role_disconnect(r);
		return -1;
	}
	/* Past its deadline the requester has given up (wire.h, WF_DEADLINE):
	 * carried out now, it would be done behind the back of someone told
	 * it timed out.  (A role stopped for a while wakes up to such.) */
	if (!(m.flags & (WIRE_F_REPLY | WIRE_F_EVENT)) && wire_get_u64(&m, WF_DEADLINE, &deadline) == 0 &&
	    (late = role_now_ms() - (long long)(deadline & INT64_MAX)) >= 0) {
		log_info("dropping a %s request: its deadline passed %lld ms ago", wire_type_name(m.type), late);
		role_reply_error(r, m.id, WIRE_E_TIMEOUT, "the request's deadline passed before it was read");
	} else {
		handle(&m);
	}
	sodium_memzero(in, WIRE_HEADER + m.fields_len);
	return 0;
}

int role_close(struct role *r)
{
	sdnotify("STOPPING=1");
	bus_close(r->c);
	r->c = NULL;
	config_free(r->conf);
	r->conf = NULL;
	if (r->watch >= 0)
		close(r->watch);
	close(r->sfd);
	close(r->lock);
	return r->exit_code;
}

void role_send(struct role *r, struct wire_out *o)
{
	if (!r->c)
		return;
	if (wire_end(o) < 0 || bus_send(r->c, o) < 0)
		log_warn("reply: %s", last_error());
}

void role_reply_error(struct role *r, uint32_t id, uint32_t code, const char *fmt, ...)
{
	static struct wire_out o;
	struct wire_msg req = { .id = id };
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	wire_error(&o, &req, code, text);
	role_send(r, &o);
}

void xrole_load_sqlite(struct role *r)
{
	if (store_load() < 0)
		die("daemon-%s: %s", r->name, last_error());
}

void xrole_sandbox(struct role *r, const struct sandbox_path *own, size_t n)
{
	struct sandbox_path paths[40 + 5];
	char policy_dir[PATH_MAX], extra_dir[PATH_MAX];
	int best = !strcmp(config_str(r->conf, "global.sandbox", SANDBOX_DEFAULT), "best-effort");
	size_t k = 0;

	if (n > 40)
		die("daemon-%s: sandbox: too many paths", r->name);
	for (size_t i = 0; i < n; i++)
		paths[k++] = own[i];
	paths[k++] = (struct sandbox_path){ r->p.config, SB_READ };
	paths[k++] = (struct sandbox_path){ paths_policy_dir(&r->p, 0, policy_dir), SB_READ };
	paths[k++] = (struct sandbox_path){ paths_policy_dir(&r->p, 1, extra_dir), SB_READ };
	paths[k++] = (struct sandbox_path){ r->p.runtime, SB_READ };
	paths[k++] = (struct sandbox_path){ sandbox_sanitized() ? "/proc" : NULL, SB_READ };
	if (sandbox_enter(r->name, paths, k, best) < 0)
		die("daemon-%s: sandbox: %s (global.sandbox = \"best-effort\" runs without)", r->name, last_error());
	log_info("sandbox: %s", sandbox_describe());
	sandbox_selftest();
}
