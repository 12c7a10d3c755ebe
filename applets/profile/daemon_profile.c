/* daemon_profile.c - daemon-profile: the bus hub (applets/profile/hub.c), the
 * configuration (lib/config/config.c, reloaded when it changes) and the profiles:
 * which are active, by hand or by context (applets/profile/activation.c), and which
 * one is the default.  Everything runs on the hub's one loop (and the
 * hub's idle-priority key thread, hub.c). */
#include "applets/applet.h"
#include "applets/profile/activation.h"
#include "applets/profile/hub.h"
#include "applets/profile/peer.h"
#include "applets/profile/pstate.h"
#include "lib/bus/wire.h"
#include "lib/config/config.h"
#include "lib/core/log.h"
#include "lib/core/names.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"
#include "lib/store/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*APPLET daemon-profile daemon_profile_main role "bus hub, configuration and profiles (activation by hand or by context)"
usage: daemon-profile [OPTIONS]

Hosts the Noise IK encrypted bus: bus.sock and bus.pub in the runtime
directory, a fresh key for each role in keys/ (0600) at every start.  It
routes each request to the role that serves it and the reply back to the
requester only.  Everything runs on one event loop, but for a thread of
idle priority (SCHED_IDLE) that makes each next handshake's ephemeral key
ahead, when a CPU has nothing else to do.  Runs in the foreground; stop
it with SIGTERM or SIGINT (SIGHUP reloads the configuration).  Under
systemd (NOTIFY_SOCKET set) it reports READY=1 and pets the watchdog at
half of WATCHDOG_USEC.

It reads the configuration (see `sesame config`) and reloads it when a
file changes; a configuration with errors is logged and the previous one
kept.  It keeps the profiles: which are active (`sesame profile
activate`, or by context: a USB device present, a WiFi network, a time
window, per [profiles.NAME.activation]) and which is the default.  The
default and the profiles activated by hand persist in profiles.state in
the data directory.  Every change is written to the audit log.

Every client is bounded; one that breaks a bound is disconnected.  An
option given here wins over the configuration:
  --max-clients N            connections at once (default 256)
  --handshake-timeout-ms N   time to finish the handshake (default 5000)
  --slow-timeout-ms N        time queued output may make no progress
                             before the reader is cut off (default 5000;
                             global.ipc.slow_subscriber_timeout_ms)
  --request-timeout-ms N     time a role has to answer (default 10000)
  --queue-frames N           queued output frames per client (default
                             1024; global.ipc.channel_capacity)
  --idle-timeout-ms N        time a command's connection may sit with
                             nothing asked and nothing to answer (default
                             60000; subscribers and roles are not idle)
  --max-per-pid N            connections one process may hold (default 16)
  --role-exe PATH            also accept a process running PATH as any
                             role (for tests; at most 8)
When every slot is taken, a new connection takes the one that costs least
to lose: a connection still in its handshake, else the command connection
idle longest; so nobody holding idle or half-open connections locks the
others out.

A role's key file is not enough to be that role.  The process that
connects with it must run this same executable (or the file now at its
path) as that role (`daemon-secrets`, `sesame daemon secrets`), as the
same uid, untraced; every byte on the connection must come from that
process; and its first message is checked again.  A small unconfined
process forked before the sandbox looks at /proc for the hub.  A role
stays dumpable until it is accepted, then hardens; so a role that loses
its daemon-profile exits, for its supervisor to start a fresh one.
*/

#define MAX_PROFILES 64

struct prof {
	char name[PROFILE_BUF];
	int manual;		/* activated by hand (persists) */
	int context;		/* activated by a matching rule */
	int suppressed;		/* deactivated by hand while its rule matched */
	char reason[96];
};

static struct {
	struct paths p;
	struct hub_config cfg;
	int set_slow, set_queue;	/* given on the command line */
	struct hub *hub;
	struct config *conf;
	int watch;
	long long reload_at;		/* 0: nothing pending */
	struct audit *audit;
	char state_path[PATH_MAX];
	char def[PROFILE_BUF];			/* set by `profile default`, "" if never */
	struct prof prof[MAX_PROFILES];
	size_t nprof;
	/* context */
	int uevent;
	long long next_eval;
	struct wifi_probe wifi;
	char ssid[33];
	long long next_wifi;
	int usb_warned;
} TT;	/* zero, so in .bss: every role is this binary; the fds are set in main */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int number(const char *opt, const char *v, long min, long max)
{
	long long n;

	if (parse_range(v, min, max, &n) < 0)
		usage_error("daemon-profile", "%s: %s", opt, last_error());
	return (int)n;
}

static struct prof *find(const char *name)
{
	for (size_t i = 0; i < TT.nprof; i++)
		if (!strcmp(TT.prof[i].name, name))
			return &TT.prof[i];
	return NULL;
}

/* -1 if the line could not be written and global.audit.required says
 * to refuse what cannot be audited (the reason is set); else 0. */
static int audit_event(const char *event, const char *profile, const char *outcome)
{
	if (TT.audit && audit_append(TT.audit, event, profile, NULL, outcome) == 0 && audit_sync(TT.audit) == 0)
		return 0;
	if (TT.audit)
		log_error("%s", last_error());
	if (!config_bool(TT.conf, "global.audit.required", TT.p.system))
		return 0;
	return fail("%s; global.audit.required refuses what cannot be audited",
		TT.audit ? last_error() : "there is no audit log");
}

/* ---- state: the default and the profiles activated by hand ----------- */

static void save_state(void)
{
	char tmp[PATH_MAX + 8];
	FILE *f;
	int fd, err;

	snprintf(tmp, sizeof(tmp), "%s.tmp", TT.state_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		log_error("cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	fprintf(f, "# written by daemon-profile: the default profile and those activated by hand\n");
	if (TT.def[0])
		fprintf(f, "default %s\n", TT.def);
	for (size_t i = 0; i < TT.nprof; i++)
		if (TT.prof[i].manual)
			fprintf(f, "active %s\n", TT.prof[i].name);
	/* The FILE is closed whatever failed (a full disk must not leak a
	 * descriptor per change), and a half-written state never replaces
	 * the last good one. */
	err = fflush(f) || fsync(fileno(f)) ? errno : 0;
	if (fclose(f) && !err)
		err = errno;
	if (!err && rename(tmp, TT.state_path) < 0)
		err = errno;
	if (err) {
		log_error("cannot write %s: %s", TT.state_path, strerror(err));
		unlink(tmp);
	}
}

static void state_line(enum pstate_kind kind, const char *name, void *ctx)
{
	struct prof *pr = find(name);

	if (!pr)
		log_warn("profiles.state: %s profile '%s' is no longer configured",
			kind == PSTATE_DEFAULT ? "default" : "active", name);
	else if (kind == PSTATE_DEFAULT)
		snprintf(TT.def, sizeof(TT.def), "%s", name);
	else
		pr->manual = 1;
}

/* Reads the state; names no longer configured are dropped, and damaged
 * lines skipped (and both said). */
static void load_state(void)
{
	size_t len, bad;
	char *buf = read_file(TT.state_path, 64 * 1024, &len);

	if (!buf) {
		if (errno != ENOENT)
			log_warn("%s: %s; starting without it", TT.state_path, last_error());
		return;
	}
	if ((bad = pstate_parse(buf, len, state_line, NULL)))
		log_warn("%s: %zu damaged line%s skipped", TT.state_path, bad, bad == 1 ? "" : "s");
	free(buf);
}

static const char *default_profile(void)
{
	/* The policy's word is final; otherwise `profile default` wins over
	 * the config. */
	if (TT.def[0] && !config_locked(TT.conf, "global.default_profile"))
		return TT.def;
	return config_default_profile(TT.conf);
}

/* ---- configuration ---------------------------------------------------- */

/* Profiles from the config (an implicit "default" if it names none),
 * keeping the state of those that remain. */
static void rebuild_profiles(void)
{
	struct prof old[MAX_PROFILES];
	size_t nold = TT.nprof;
	const char *names[MAX_PROFILES];
	size_t n = config_profiles(TT.conf, names, MAX_PROFILES);

	if (n > MAX_PROFILES) {
		log_error("config: %zu profiles; only the first %d are kept", n, MAX_PROFILES);
		n = MAX_PROFILES;
	}
	if (n == 0) {
		names[0] = "default";
		n = 1;
	}
	memcpy(old, TT.prof, sizeof(old));
	TT.nprof = 0;
	for (size_t i = 0; i < n; i++) {
		struct prof *pr = &TT.prof[TT.nprof++];

		memset(pr, 0, sizeof(*pr));
		snprintf(pr->name, sizeof(pr->name), "%s", names[i]);
		for (size_t j = 0; j < nold; j++)
			if (!strcmp(old[j].name, pr->name))
				*pr = old[j];
	}
	for (size_t j = 0; j < nold; j++)
		if (!find(old[j].name) && (old[j].manual || old[j].context)) {
			log_info("profile %s is gone from the config: deactivated", old[j].name);
			audit_event("profile.deactivate", old[j].name, "removed from config");
		}
	if (TT.def[0] && !find(TT.def))
		TT.def[0] = 0;
}

static void apply_config(void)
{
	log_configure(config_str(TT.conf, "global.logging.level", "info"),
		config_bool(TT.conf, "global.logging.json", 0), config_bool(TT.conf, "global.logging.journald", 1));
	if (!TT.set_slow)
		TT.cfg.slow_timeout_ms = (int)config_int(TT.conf, "global.ipc.slow_subscriber_timeout_ms", 5000);
	if (!TT.set_queue)
		TT.cfg.queue_frames = (int)config_int(TT.conf, "global.ipc.channel_capacity", 1024);
	audit_configure(TT.audit, TT.conf, TT.p.system);
	rebuild_profiles();
	TT.next_eval = 0;
	TT.next_wifi = 0;
}

/* The config watch (TT.watch), on the hub's loop. */
static void watch_config(void)
{
	if (TT.watch >= 0 && hub_watch_fd(TT.hub, TT.watch) < 0)
		log_error("config: %s", last_error());
}

static void reload(void)
{
	int replaced;

	if (TT.watch >= 0)
		hub_unwatch_fd(TT.hub, TT.watch);
	replaced = config_reload(&TT.p, &TT.conf, &TT.watch);
	watch_config();
	if (!replaced)
		return;
	apply_config();
	log_info("config: reloaded (%zu profile%s)", TT.nprof, TT.nprof == 1 ? "" : "s");
}

/* ---- context activation ----------------------------------------------- */

static int uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_info("no kernel hot-plug events (%s); USB devices are re-checked every interval",
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void evaluate(void)
{
	struct activation_facts f = { .now = time(NULL) };
	const char *usb_dir = config_str(TT.conf, "global.activation.usb_sysfs", "/sys/bus/usb/devices");
	int n = activation_usb_scan(usb_dir, f.usb, ACTIVATION_MAX_USB);

	if (n < 0) {
		if (!TT.usb_warned++ && activation_uses(TT.conf, "usb_devices"))
			log_warn("activation: %s", last_error());
		n = 0;
	} else {
		TT.usb_warned = 0;
	}
	f.nusb = (size_t)n;
	memcpy(f.ssid, TT.ssid, sizeof(f.ssid));
	for (size_t i = 0; i < TT.nprof; i++) {
		struct prof *pr = &TT.prof[i];
		char why[96];
		int m = activation_match(TT.conf, pr->name, &f, why, sizeof(why));

		if (m && !pr->context && !pr->suppressed) {
			pr->context = 1;
			snprintf(pr->reason, sizeof(pr->reason), "%s", why);
			log_info("profile %s activated by context (%s)", pr->name, why);
			audit_event("profile.activate", pr->name, why);
		} else if (!m && pr->context) {
			pr->context = 0;
			log_info("profile %s deactivated: its context (%s) is gone", pr->name, pr->reason);
			audit_event("profile.deactivate", pr->name, "context ended");
		}
		if (!m)
			pr->suppressed = 0;
	}
}

static void wifi_start(long long now)
{
	const char *src = config_str(TT.conf, "global.activation.wifi_source", "auto");

	TT.next_wifi = now + config_int(TT.conf, "global.activation.interval_ms", 5000);
	if (!strcmp(src, "none") || !activation_uses(TT.conf, "wifi_ssids") || TT.wifi.fd >= 0)
		return;
	if (wifi_probe_start(&TT.wifi, src, config_str(TT.conf, "global.activation.wpa_supplicant_dir",
	    "/run/wpa_supplicant"), now) < 0) {
		log_debug("wifi: %s", last_error());
		return;
	}
	hub_watch_fd(TT.hub, TT.wifi.fd);
}

static void wifi_ready(void)
{
	char ssid[33];
	int fd = TT.wifi.fd, r = wifi_probe_read(&TT.wifi, ssid);

	if (r == 0)
		return;
	hub_unwatch_fd(TT.hub, fd);
	if (r < 0) {
		log_debug("wifi: %s", last_error());
		ssid[0] = 0;
	}
	if (strcmp(ssid, TT.ssid)) {
		log_info("wifi: %s%s", ssid[0] ? "connected to " : "not connected", ssid);
		memcpy(TT.ssid, ssid, sizeof(ssid));
		TT.next_eval = 0;
	}
}

/* ---- hub hooks ---------------------------------------------------------- */

/* Everything is open: confine the hub.  It writes the runtime and data
 * directories, reads the config, sysfs and hot-plug events, and may run a
 * WiFi probe (iwgetid, nmcli) from the system directories. */
static int enter_sandbox(void)
{
	char policy_dir[PATH_MAX], extra_dir[PATH_MAX], iw[PATH_MAX] = "", nm[PATH_MAX] = "";
	struct sandbox_path paths[] = {
		{ TT.p.runtime, SB_READ | SB_WRITE }, { TT.p.data, SB_READ | SB_WRITE },
		{ TT.p.config, SB_READ }, { paths_policy_dir(&TT.p, 0, policy_dir), SB_READ },
		{ paths_policy_dir(&TT.p, 1, extra_dir), SB_READ },
		{ config_str(TT.conf, "global.activation.usb_sysfs", "/sys/bus/usb/devices"), SB_READ },
		{ "/sys/devices", SB_READ },
		{ config_str(TT.conf, "global.activation.wpa_supplicant_dir", "/run/wpa_supplicant"), SB_READ },
		{ "/usr", SB_EXEC }, { "/bin", SB_EXEC }, { "/sbin", SB_EXEC }, { "/lib", SB_EXEC },
		{ "/lib64", SB_EXEC }, { "/etc/ld.so.cache", SB_READ }, { "/etc/localtime", SB_READ },
		{ "/dev/null", SB_READ | SB_WRITE }, { sandbox_sanitized() ? "/proc" : NULL, SB_READ },
		{ iw, SB_EXEC }, { nm, SB_EXEC },	/* the probes' directories, wherever PATH has them */
	};
	int wifi = strcmp(config_str(TT.conf, "global.activation.wifi_source", "auto"), "none") != 0;
	int best = !strcmp(config_str(TT.conf, "global.sandbox", SANDBOX_DEFAULT), "best-effort");
	char *dir;

	if (wifi && activation_which("iwgetid", iw, sizeof(iw)) && (dir = strrchr(iw, '/')))
		*dir = 0;
	if (wifi && activation_which("nmcli", nm, sizeof(nm)) && (dir = strrchr(nm, '/')))
		*dir = 0;
	if (sandbox_enter("profile", paths, ARRAY_LEN(paths), best) < 0)
		return fail("sandbox: %s (global.sandbox = \"best-effort\" runs without)", last_error());
	log_info("sandbox: %s", sandbox_describe());
	sandbox_selftest();
	return 0;
}

static int started(struct hub *h, void *ctx)
{
	(void)ctx;
	TT.hub = h;
	if ((TT.watch = config_watch(&TT.p)) < 0)
		log_error("config: %s; changes will not be picked up", last_error());
	watch_config();
	if ((TT.uevent = uevent_open()) >= 0)
		hub_watch_fd(h, TT.uevent);
	return enter_sandbox();
}

static int tick(void *ctx)
{
	long long now = now_ms(), next = -1;

	(void)ctx;
	if (TT.reload_at && now >= TT.reload_at) {
		TT.reload_at = 0;
		reload();
	}
	if (TT.wifi.fd >= 0 && now >= TT.wifi.deadline_ms) {
		log_debug("wifi: no answer in time");
		hub_unwatch_fd(TT.hub, TT.wifi.fd);
		wifi_probe_stop(&TT.wifi);
	}
	if (now >= TT.next_wifi)
		wifi_start(now);
	if (now >= TT.next_eval) {
		evaluate();
		TT.next_eval = now + config_int(TT.conf, "global.activation.interval_ms", 5000);
	}
	next = TT.next_eval < TT.next_wifi ? TT.next_eval : TT.next_wifi;
	if (TT.reload_at && TT.reload_at < next)
		next = TT.reload_at;
	if (TT.wifi.fd >= 0 && TT.wifi.deadline_ms < next)
		next = TT.wifi.deadline_ms;
	return next > now ? (int)(next - now) : 0;
}

static void hangup(void *ctx)
{
	(void)ctx;
	TT.reload_at = now_ms();
}

static void ready(struct hub *h, void *ctx, int fd)
{
	(void)h, (void)ctx;
	if (fd == TT.watch) {
		if (config_watch_changed(fd) && !TT.reload_at)
			TT.reload_at = now_ms() + CONFIG_RELOAD_DELAY_MS;
	} else if (fd == TT.uevent) {
		char buf[4096];
		int usb = 0;
		ssize_t n;

		while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
			buf[n] = 0;
			/* "add@/devices/.../usb1/1-1" followed by KEY=value strings. */
			for (char *s = buf; s < buf + n; s += strlen(s) + 1)
				if (!strcmp(s, "SUBSYSTEM=usb"))
					usb = 1;
		}
		if (usb)
			TT.next_eval = 0;
	} else if (fd == TT.wifi.fd) {
		wifi_ready();
	}
}

static uint32_t serve(void *ctx, const struct wire_msg *m, struct wire_out *o, char *text, size_t n)
{
	char name[PROFILE_BUF];
	struct prof *pr = NULL;

	(void)ctx;
	if (m->type != WIRE_PROFILE_LIST) {
		if (wire_get_str(m, WF_PROFILE, name, sizeof(name)) < 0 && m->type == WIRE_PROFILE_DEFAULT) {
			/* No name: forget the choice, the configuration decides. */
			char old[sizeof(TT.def)];

			memcpy(old, TT.def, sizeof(old));
			TT.def[0] = 0;
			if (audit_event("profile.default", default_profile(), "reset") < 0) {
				memcpy(TT.def, old, sizeof(old));
				snprintf(text, n, "%s", last_error());
				return WIRE_E_FAILED;
			}
			save_state();
			log_info("default profile choice reset: %s from the configuration", default_profile());
			wire_put_str(o, WF_DEFAULT, default_profile());
			return 0;
		}
		if (wire_get_str(m, WF_PROFILE, name, sizeof(name)) < 0) {
			snprintf(text, n, "no profile named in the request");
			return WIRE_E_BAD_MESSAGE;
		}
		if (!(pr = find(name))) {
			snprintf(text, n, "no profile named '%s' in the configuration", name);
			return WIRE_E_NOT_FOUND;
		}
	}
	switch (m->type) {
	case WIRE_PROFILE_LIST:
		wire_put_str(o, WF_DEFAULT, default_profile());
		for (size_t i = 0; i < TT.nprof; i++) {
			pr = &TT.prof[i];
			wire_put_str(o, WF_PROFILE, pr->name);
			wire_put_str(o, WF_STATE, pr->manual || pr->context ? "active" : "inactive");
			wire_put_str(o, WF_REASON, pr->manual ? "manual" : pr->context ? pr->reason : "");
		}
		return 0;
	case WIRE_PROFILE_ACTIVATE:
		if (pr->manual) {
			wire_put_str(o, WF_TEXT, "already active");
			return 0;
		}
		if (audit_event("profile.activate", pr->name, "manual") < 0) {
			snprintf(text, n, "%s", last_error());
			return WIRE_E_FAILED;
		}
		pr->manual = 1;
		pr->suppressed = 0;
		save_state();
		log_info("profile %s activated by hand", pr->name);
		wire_put_str(o, WF_TEXT, "activated");
		return 0;
	case WIRE_PROFILE_DEACTIVATE:
		if (!pr->manual && !pr->context) {
			snprintf(text, n, "profile '%s' is not active", pr->name);
			return WIRE_E_FAILED;
		}
		if (audit_event("profile.deactivate", pr->name, "manual") < 0) {
			snprintf(text, n, "%s", last_error());
			return WIRE_E_FAILED;
		}
		/* A matching rule stays overruled until it stops matching. */
		pr->suppressed = pr->context;
		pr->manual = pr->context = 0;
		save_state();
		log_info("profile %s deactivated by hand", pr->name);
		wire_put_str(o, WF_TEXT, "deactivated");
		return 0;
	case WIRE_PROFILE_DEFAULT: {
		char src[PATH_MAX + 16];

		if (config_locked(TT.conf, "global.default_profile")) {
			snprintf(text, n, "the default profile is set by policy (%s)",
				config_source(TT.conf, "global.default_profile", src, sizeof(src)));
			return WIRE_E_DENIED;
		}
		if (audit_event("profile.default", pr->name, "ok") < 0) {
			snprintf(text, n, "%s", last_error());
			return WIRE_E_FAILED;
		}
		snprintf(TT.def, sizeof(TT.def), "%s", pr->name);
		save_state();
		log_info("default profile set to %s", pr->name);
		wire_put_str(o, WF_TEXT, "default");
		return 0;
	}
	}
	snprintf(text, n, "no such request");
	return WIRE_E_UNKNOWN_TYPE;
}

static int is_applet(const char *name)
{
	return applet_find(name) != NULL;
}

int daemon_profile_main(int argc, char **argv)
{
	static const struct hub_hooks hooks = { NULL, started, serve, tick, ready, hangup };
	char path[PATH_MAX], *exe[8];
	size_t nexe = 0;
	int o;

	TT.watch = TT.uevent = TT.wifi.fd = -1;
	hub_config_defaults(&TT.cfg);
	while ((o = getopt_long(argc, argv, OPTSTR_daemon_profile, longopts_daemon_profile, NULL)) != -1) {
		switch (o) {
		case OPT_MAX_CLIENTS: TT.cfg.max_clients = number("--max-clients", optarg, 1, 65536); break;
		case OPT_HANDSHAKE_TIMEOUT_MS: TT.cfg.handshake_timeout_ms = number("--handshake-timeout-ms", optarg, 10, 600000); break;
		case OPT_SLOW_TIMEOUT_MS:
			TT.cfg.slow_timeout_ms = number("--slow-timeout-ms", optarg, 10, 600000);
			TT.set_slow = 1;
			break;
		case OPT_REQUEST_TIMEOUT_MS: TT.cfg.request_timeout_ms = number("--request-timeout-ms", optarg, 10, 600000); break;
		case OPT_IDLE_TIMEOUT_MS: TT.cfg.idle_timeout_ms = number("--idle-timeout-ms", optarg, 10, 3600000); break;
		case OPT_MAX_PER_PID: TT.cfg.max_per_pid = number("--max-per-pid", optarg, 1, 65536); break;
		case OPT_ROLE_EXE:
			if (nexe == ARRAY_LEN(exe))
				usage_error("daemon-profile", "--role-exe: at most %zu", ARRAY_LEN(exe));
			exe[nexe++] = optarg;
			break;
		case OPT_QUEUE_FRAMES:
			TT.cfg.queue_frames = number("--queue-frames", optarg, 1, 1 << 20);
			TT.set_queue = 1;
			break;
		default: usage_option("daemon-profile", argv, o, longopts_daemon_profile);
		}
	}
	if (optind < argc)
		usage_error("daemon-profile", "unexpected argument '%s'", argv[optind]);
	if (sandbox_harden() < 0)
		die("daemon-profile: %s", last_error());
	/* First, while nothing else is open: it keeps only its socket. */
	if ((TT.cfg.peer_fd = peer_checker_start(exe, nexe, is_applet)) < 0)
		die("daemon-profile: the peer checker: %s", last_error());
	if (paths_resolve(&TT.p) < 0)
		die("%s", last_error());
	/* A broken config at start is fatal: there is nothing to fall back on. */
	if (!(TT.conf = config_load(&TT.p, NULL, NULL)))
		die("daemon-profile: configuration: %s", last_error());
	if (paths_mkdir_private(TT.p.data) < 0)
		die("daemon-profile: %s", last_error());
	if (paths_join(TT.state_path, TT.p.data, "profiles.state") < 0 ||
	    paths_join(path, TT.p.data, "audit.jsonl") < 0)
		die("daemon-profile: data directory path too long");
	if (!(TT.audit = audit_open(path))) {
		if (config_bool(TT.conf, "global.audit.required", TT.p.system))
			die("daemon-profile: %s, and global.audit.required refuses to run unaudited", last_error());
		log_error("%s; profile changes will not be audited", last_error());
	}
	apply_config();
	load_state();
	if (secmem_probe() == SECMEM_NONE)
		die("%s", last_error());
	if (hub_run(&TT.p, &TT.cfg, &hooks) < 0)
		die("daemon-profile: %s", last_error());
	wifi_probe_stop(&TT.wifi);
	audit_close(TT.audit);
	config_free(TT.conf);
	return 0;
}
