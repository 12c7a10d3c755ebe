/* role.h - what every daemon role other than the hub does around its own
 * work: paths and configuration (reloaded on change or SIGHUP, a broken
 * file logged and the previous one kept), SIGTERM/SIGINT through a
 * signalfd, the bus connection with its role key, sd_notify READY and
 * WATCHDOG.  Until the hub first accepts it a role waits for the bus and
 * stays dumpable (the hub checks what it runs: peer.h); then it hardens,
 * and from then on it reconnects only to take a new key (WIRE_REKEY): a
 * role that loses its daemon-profile stops with status 1, and its
 * supervisor starts a fresh one.  The role's main loop calls
 * xrole_poll() and handles what it reports.
 */
#ifndef SESAME_ROLE_H
#define SESAME_ROLE_H

#include "lib/bus/bus.h"
#include "lib/config/config.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"

#include <poll.h>

struct role {
	const char *name;		/* "launcher" */
	struct paths p;
	struct config *conf;
	struct bus_client *c;		/* NULL while disconnected */
	int sfd, watch, ready;
	int lock;			/* NAME.lock in the runtime dir, held */
	long long reload_at, watchdog_ms;
	char key[PATH_MAX];		/* keys/NAME.key */
	const char *status;		/* sd_notify STATUS= once connected */
	int accepted;			/* the hub accepted it once: not dumpable since */
	long long rekey_until;		/* reconnecting after WIRE_REKEY, until then */
	int exit_code;			/* 1: lost its hub (xrole_poll says ROLE_STOP) */
};

enum { ROLE_STOP = 1, ROLE_BUS = 2, ROLE_RELOADED = 4, ROLE_CONNECTED = 8 };

/* What every daemon, the hub included, does with signals: SIGTERM, SIGINT
 * and SIGHUP (reload) blocked and read from the signalfd returned
 * (flags: SFD_NONBLOCK, or 0), SIGHUP back to its default (nohup would
 * have it ignored), SIGPIPE and SIGXFSZ ignored (a failed write is an
 * error, not a death).  -1 with a reason. */
int daemon_signals(int flags);

/* Set up r for role name, dying with a clear message if the paths or
 * the configuration are unusable, or if the role already runs on this
 * bus (NAME.lock in the runtime dir is held: two instances would take
 * the hub's one connection for the role from each other, endlessly).  SIGTERM and SIGINT (a clean stop) and
 * SIGHUP (a reload) are blocked and read from r->sfd; SIGPIPE is
 * ignored. */
void xrole_setup(struct role *r, const char *name);
/* Connect if needed (retrying for up to 2 s per call), then poll the
 * role's descriptors and the extra ones for at most timeout_ms (-1: no
 * limit).  Returns ROLE_* flags; extra[i].revents are set. */
int xrole_poll(struct role *r, struct pollfd *extra, int nextra, int timeout_ms);
/* Drop the bus connection after a failure (logged); the next xrole_poll
 * reconnects, or, for a role the hub had accepted, says ROLE_STOP. */
void role_disconnect(struct role *r);
/* Read the message xrole_poll reported (ROLE_BUS) and hand it to handle,
 * then wipe it; -1 if the connection failed (dropped, as by
 * role_disconnect). */
int role_dispatch(struct role *r, void (*handle)(const struct wire_msg *m));
/* The status to exit with: 0, or 1 if the role lost its hub. */
int role_close(struct role *r);
/* Confine the role (sandbox.h) to the paths it names (at most 16) and
 * what every role reads: its config, the policy file's directory, the
 * runtime directory (keys; no right is needed to connect to the bus),
 * and /proc under sanitizers.  Logs what is in force; dies with the
 * reason unless global.sandbox = "best-effort". */
struct sandbox_path;
void xrole_sandbox(struct role *r, const struct sandbox_path *own, size_t n);
/* For a role that opens SQLite files once inside its sandbox: load SQLite
 * (lib/core/dynlib.h) while the library directories are open; dies if absent. */
void xrole_load_sqlite(struct role *r);
/* Send a reply (nothing while disconnected: the hub has answered the
 * requester already); failures are logged. */
void role_send(struct role *r, struct wire_out *o);
/* An error reply to request id. */
void role_reply_error(struct role *r, uint32_t id, uint32_t code, const char *fmt, ...) PRINTF(4, 5);
/* Milliseconds on the monotonic clock. */
long long role_now_ms(void);
/* Milliseconds since the epoch (times stored or shown). */
uint64_t role_wall_ms(void);

#endif
