/* daemon_clipboard.c - daemon-clipboard: the clipboard's history, sealed
 * per profile, with secret-looking entries that expire.
 *
 * The selection comes from zwlr_data_control_manager_v1: on each new
 * selection with a text type the text is read (without blocking the
 * loop: a pipe, at most CLIP_MAX bytes, CLIP_READ_MS) into secure
 * memory, classified (sensitive.h, or the password-manager hint type), then stored once daemon-secrets has answered with the profile's
 * history key (WIRE_CLIPBOARD_KEY; none while the profile is locked, so
 * nothing is recorded then and nothing can be read).  The key is asked
 * for at each use and wiped after it: locking the vault locks the history.
 *
 * History: clipboard/PROFILE.db in the cache directory (store.h), one
 * row per entry:
 *   entries(id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER (ms since
 *           the epoch), expires INTEGER (ms, 0: never), kind TEXT (why it
 *           is sensitive, '' if not), mime TEXT, digest BLOB (keyed
 *           BLAKE2b-128 of the text: a copy of the same text replaces the
 *           older entry), value BLOB (24-byte nonce + XChaCha20-Poly1305))
 * The associated data binds the value to the profile, id, time, expiry,
 * type and kind: an edited row no longer opens.  secure_delete is on.
 *
 * clipboard.h says which file holds what.
 */
#include "applets/applet.h"
#include "applets/clipboard/clipboard.h"
#include "applets/clipboard/sensitive.h"
#include "lib/bus/role.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/desk/wlpoll.h"
#include "lib/sandbox/sandbox.h"
#include "lib/store/store.h"
#include "lib/store/vault.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>

#include "proto/wlr-data-control-unstable-v1.h"

/*APPLET daemon-clipboard daemon_clipboard_main role desktop "clipboard history (Wayland)"
usage: daemon-clipboard

Records the clipboard's text in a history per profile (the default
profile's), sealed with a key that daemon-secrets derives from that
profile's vault key: while the profile is locked nothing is recorded
and the history cannot be read.  Needs a compositor with
zwlr_data_control_manager_v1 (sway, Hyprland, river, labwc, Wayfire).

Text that looks like a secret (private key blocks, API tokens of
well-known formats, JSON Web Tokens, high-entropy strings) or that a
password manager marks (x-kde-passwordManagerHint) is kept only
sensitive_ttl_s seconds; then it leaves the history and, if it is still
the clipboard's content, the clipboard is cleared.  With
sensitive_ttl_s = 0 such text is never recorded nor cleared.

Settings, in [profiles.<default>.clipboard]:
  max_history       entries kept (default 1000; 0: record nothing)
  sensitive_ttl_s   lifetime of a sensitive entry (default 30)
  detect_sensitive  look for secrets in the text (default true)

Text is recorded (text/plain and its usual aliases), or else an image
(PNG, JPEG, WebP, GIF: the newest max_images of them, default 10), up
to 60000 bytes each; larger copies are left alone.  The primary selection
(text selected with the mouse) is never recorded, but one that looks
like a secret is cleared after sensitive_ttl_s too.  Exits 1 if there is no
compositor at start; when it goes away, the history is still served and
the next compositor at WAYLAND_DISPLAY is taken up (looked for each
second).
*/

struct clipboard_state clipboard_tt;

const char *const clipboard_text_mimes[CLIP_MIMES] = {
	"text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "STRING", "TEXT",
	"image/png", "image/jpeg", "image/webp", "image/gif",
};

const char *clipboard_setting(const char *key)
{
	static char path[160];

	snprintf(path, sizeof(path), "profiles.%s.clipboard.%s", config_default_profile(TT.r.conf), key);
	return path;
}

static void capture_stop(struct capture *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->buf)
		secmem_free(c->buf);
	c->buf = NULL;
	c->len = 0;
}

/* The primary selection (text selected with the mouse) read: never
 * recorded, but if it looks like a secret it is cleared after
 * sensitive_ttl_s, as the clipboard is. */
static void primary_captured(void)
{
	long long ttl = config_int(TT.r.conf, clipboard_setting("sensitive_ttl_s"), 30);
	const char *kind = NULL;

	if (TT.pcap.len && TT.pcap.len <= CLIP_MAX) {
		if (TT.pcap.hint)
			kind = "password-manager";
		else if (config_bool(TT.r.conf, clipboard_setting("detect_sensitive"), 1))
			kind = sensitive_kind((const char *)TT.pcap.buf, TT.pcap.len);
	}
	if (kind) {
		TT.pclear_gen = TT.pcap.gen;
		TT.pclear_at = role_now_ms() + (ttl > 0 ? ttl : 0) * 1000;
		log_info("clipboard: the primary selection looks sensitive (%s); it goes in %lld s", kind,
			ttl > 0 ? ttl : 0);
	}
	capture_stop(&TT.pcap);
}

static void captured(struct capture *c)
{
	long long ttl = config_int(TT.r.conf, clipboard_setting("sensitive_ttl_s"), 30);
	long long max = config_int(TT.r.conf, clipboard_setting("max_history"), 1000);
	const char *kind = NULL;
	struct op *o;

	if (c == &TT.pcap) {
		primary_captured();
		return;
	}
	if (!TT.cap.len || TT.cap.len > CLIP_MAX) {
		if (TT.cap.len)
			log_info("clipboard: a selection over %d bytes is not recorded", CLIP_MAX);
		capture_stop(&TT.cap);
		return;
	}
	if (TT.cap.mime >= CLIP_IMAGES && config_int(TT.r.conf, clipboard_setting("max_images"), 10) <= 0) {
		log_info("clipboard: an image is not recorded (max_images = 0)");
		capture_stop(&TT.cap);
		return;
	}
	if (TT.cap.hint)
		kind = "password-manager";
	else if (TT.cap.mime < CLIP_IMAGES && config_bool(TT.r.conf, clipboard_setting("detect_sensitive"), 1))
		kind = sensitive_kind((const char *)TT.cap.buf, TT.cap.len);
	if (kind && ttl <= 0) {
		log_info("clipboard: a sensitive selection (%s) is not recorded (sensitive_ttl_s = 0)", kind);
		capture_stop(&TT.cap);
		return;
	}
	if (kind) {
		TT.clear_gen = TT.cap.gen;
		TT.clear_at = role_now_ms() + ttl * 1000;
		log_info("clipboard: the selection looks sensitive (%s); it goes in %lld s", kind, ttl);
	}
	if (max <= 0) {
		capture_stop(&TT.cap);
		return;
	}
	o = xcalloc(1, sizeof(*o));
	snprintf(o->profile, sizeof(o->profile), "%s", config_default_profile(TT.r.conf));
	o->data = TT.cap.buf;
	o->len = TT.cap.len;
	o->mime = TT.cap.mime;
	o->kind = kind;
	o->time = role_wall_ms();
	o->expires = kind ? o->time + (uint64_t)ttl * 1000 : 0;
	TT.cap.buf = NULL;
	capture_stop(&TT.cap);
	clipboard_want_key(o);
}

static void capture_read(struct capture *c)
{
	for (;;) {
		ssize_t n = read(c->fd, c->buf + c->len, CLIP_MAX + 1 - c->len);

		if (n > 0) {
			c->len += (size_t)n;
			if (c->len > CLIP_MAX) {
				captured(c);	/* says it is too large */
				return;
			}
			continue;
		}
		if (n == 0) {
			captured(c);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			log_warn("clipboard: reading the selection: %s", strerror(errno));
			capture_stop(c);
		}
		return;
	}
}

static void capture_start(struct capture *c, const struct offer *of, unsigned gen)
{
	int p[2];

	capture_stop(c);
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_error("clipboard: pipe: %s", strerror(errno));
		return;
	}
	zwlr_data_control_offer_v1_receive(of->o, clipboard_text_mimes[of->text], p[1]);
	close(p[1]);
	c->fd = p[0];
	c->buf = xsecmem_alloc(CLIP_MAX + 1);
	c->len = 0;
	c->hint = of->hint;
	c->mime = of->text;
	c->gen = gen;
	c->deadline = role_now_ms() + CLIP_READ_MS;
}

static void on_offer_mime(void *data, struct zwlr_data_control_offer_v1 *o, const char *mime)
{
	struct offer *of = data;

	for (int i = 0; i < (int)ARRAY_LEN(clipboard_text_mimes); i++)
		if (!strcmp(mime, clipboard_text_mimes[i]) && (of->text < 0 || i < of->text))
			of->text = i;
	if (!strcmp(mime, HINT_MIME))
		of->hint = 1;
	if (!strcmp(mime, OWN_MIME))
		of->own = 1;
}

static const struct zwlr_data_control_offer_v1_listener offer_listener = { on_offer_mime };

static void on_data_offer(void *data, struct zwlr_data_control_device_v1 *d, struct zwlr_data_control_offer_v1 *o)
{
	if (TT.pending.o)
		zwlr_data_control_offer_v1_destroy(TT.pending.o);
	TT.pending = (struct offer){ o, -1, 0, 0 };
	zwlr_data_control_offer_v1_add_listener(o, &offer_listener, &TT.pending);
}

static void on_selection(void *data, struct zwlr_data_control_device_v1 *d, struct zwlr_data_control_offer_v1 *o)
{
	TT.gen++;
	capture_stop(&TT.cap);
	if (TT.current.o)
		zwlr_data_control_offer_v1_destroy(TT.current.o);
	TT.current = (struct offer){ NULL, -1, 0, 0 };
	if (!o)
		return;
	if (o == TT.pending.o) {
		TT.current = TT.pending;
		TT.pending = (struct offer){ NULL, -1, 0, 0 };
		zwlr_data_control_offer_v1_set_user_data(o, &TT.current);
	} else {
		TT.current.o = o;	/* unknown offer: read nothing from it */
	}
	if (TT.current.own && TT.own.src) {	/* ours: not recorded again; maybe cleared in time */
		if (TT.own.ttl_ms) {
			TT.clear_gen = TT.gen;
			TT.clear_at = role_now_ms() + TT.own.ttl_ms;
		}
		return;
	}
	if (TT.current.text >= 0)
		capture_start(&TT.cap, &TT.current, TT.gen);
}

static void on_finished(void *data, struct zwlr_data_control_device_v1 *d)
{
	TT.finished = 1;
}

/* The primary selection changed (data-control v2): read, if it is text,
 * to see whether it is a secret (primary_captured). */
static void on_primary(void *data, struct zwlr_data_control_device_v1 *d, struct zwlr_data_control_offer_v1 *o)
{
	struct offer of = { NULL, -1, 0, 0 };

	TT.pgen++;
	capture_stop(&TT.pcap);
	if (o && o == TT.pending.o) {
		of = TT.pending;
		TT.pending = (struct offer){ NULL, -1, 0, 0 };
	}
	if (o && of.text >= 0 && of.text < CLIP_IMAGES && !of.own)
		capture_start(&TT.pcap, &of, TT.pgen);
	if (o)
		zwlr_data_control_offer_v1_destroy(o);	/* the read goes on through its pipe */
}

static const struct zwlr_data_control_device_v1_listener device_listener = {
	on_data_offer, on_selection, on_finished, on_primary,
};

/* A sensitive primary selection's time is up: clear it if it is still
 * the one. */
static void clear_primary(void)
{
	TT.pclear_at = 0;
	if (TT.pclear_gen != TT.pgen || !TT.dev || TT.mgr_version < 2)
		return;
	zwlr_data_control_device_v1_set_primary_selection(TT.dev, NULL);
	log_info("clipboard: the sensitive primary selection was cleared");
}

/* A sensitive selection's time is up: clear it if it is still the one. */
void clipboard_clear_selection(void)
{
	TT.clear_at = 0;
	if (TT.clear_gen != TT.gen || !TT.dev)
		return;		/* something else was copied since, or no compositor */
	zwlr_data_control_device_v1_set_selection(TT.dev, NULL);
	log_info("clipboard: the sensitive selection was cleared");
}

static void on_global(void *data, struct wl_registry *reg, uint32_t name, const char *iface, uint32_t version)
{
	if (!strcmp(iface, zwlr_data_control_manager_v1_interface.name) && !TT.mgr) {
		TT.mgr_version = version < 2 ? (int)version : 2;	/* 2: the primary selection too */
		TT.mgr = wl_registry_bind(reg, name, &zwlr_data_control_manager_v1_interface, (uint32_t)TT.mgr_version);
	}
	else if (!strcmp(iface, wl_seat_interface.name) && !TT.seat)
		TT.seat = wl_registry_bind(reg, name, &wl_seat_interface, 1);
}

static void on_global_remove(void *data, struct wl_registry *reg, uint32_t name) { }

static const struct wl_registry_listener registry_listener = { on_global, on_global_remove };

/* Give up the compositor (it went away, or we stop): what it offered,
 * the device, the connection. */
static void wayland_close(void)
{
	capture_stop(&TT.cap);
	capture_stop(&TT.pcap);
	clipboard_source_drop();
	if (TT.pending.o)
		zwlr_data_control_offer_v1_destroy(TT.pending.o);
	if (TT.current.o)
		zwlr_data_control_offer_v1_destroy(TT.current.o);
	TT.pending = TT.current = (struct offer){ NULL, -1, 0, 0 };
	if (TT.dev)
		zwlr_data_control_device_v1_destroy(TT.dev);
	if (TT.mgr)
		zwlr_data_control_manager_v1_destroy(TT.mgr);
	if (TT.seat)
		wl_seat_destroy(TT.seat);
	if (TT.reg)
		wl_registry_destroy(TT.reg);
	wl_display_flush(TT.dpy);
	wl_display_disconnect(TT.dpy);
	TT.dev = NULL, TT.mgr = NULL, TT.seat = NULL, TT.reg = NULL, TT.dpy = NULL;
	TT.finished = 0;
	TT.clear_at = TT.pclear_at = 0;	/* the selections went with the compositor */
}

/* Connect and ask for the clipboard's device; -1 with the reason
 * (nothing kept). */
static int wayland_open(void)
{
	if (!(TT.dpy = wl_role_connect(&registry_listener, &TT.reg)))
		return -1;
	if (!TT.mgr || !TT.seat) {
		wayland_close();
		return fail(TT.seat ? "the compositor does not offer zwlr_data_control_manager_v1 "
			"(sway, Hyprland, river, labwc and Wayfire do; GNOME and KDE do not)" :
			"the compositor offers no seat");
	}
	TT.dev = zwlr_data_control_manager_v1_get_data_device(TT.mgr, TT.seat);
	zwlr_data_control_device_v1_add_listener(TT.dev, &device_listener, NULL);
	return 0;
}

/* The history (read-write), the config (read), the runtime directory
 * (read: keys); the compositor's socket is already connected. */
static void enter_sandbox(void)
{
	char dir[PATH_MAX];
	const struct sandbox_path paths[] = { { dir, SB_READ | SB_WRITE } };

	if (paths_mkdir_private(TT.r.p.cache) < 0 || paths_join(dir, TT.r.p.cache, "clipboard") < 0 ||
	    paths_mkdir_private(dir) < 0 || paths_mkdir_private(TT.r.p.runtime) < 0)
		die("daemon-clipboard: %s", last_error());
	xrole_load_sqlite(&TT.r);
	xrole_sandbox(&TT.r, paths, ARRAY_LEN(paths));
}

static int sooner(int timeout, long long due)
{
	long long left;

	if (!due)
		return timeout;
	left = due - role_now_ms();
	if (left < 0)
		left = 0;
	return timeout < 0 || left < timeout ? (int)left : timeout;
}

int daemon_clipboard_main(int argc, char **argv)
{
	int r = 0;

	if (argc > 1)
		usage_error("daemon-clipboard", "unexpected argument '%s'", argv[1]);
	if (sandbox_limits() < 0)
		die("daemon-clipboard: %s", last_error());
	TT.cap.fd = TT.pcap.fd = -1;
	TT.pending.text = TT.current.text = -1;
	if (wayland_open() < 0)
		die("%s", last_error());
	xrole_setup(&TT.r, "clipboard");
	TT.out = xsecmem_alloc(sizeof(*TT.out));
	TT.r.status = "recording the clipboard";
	if (secmem_probe() == SECMEM_NONE)
		die("%s", last_error());
	enter_sandbox();
	clipboard_history(config_default_profile(TT.r.conf));
	for (;;) {
		struct pollfd pf[2] = { { TT.cap.fd, POLLIN, 0 }, { TT.pcap.fd, POLLIN, 0 } };
		uint64_t exp, now = role_wall_ms();
		int ev, timeout = -1;

		if (TT.exp_stale) {	/* one query after a change, not one per wake-up */
			TT.next_exp = clipboard_next_expiry();
			TT.exp_stale = 0;
		}
		exp = TT.next_exp;

		timeout = sooner(timeout, exp ? role_now_ms() + (long long)(exp > now ? exp - now : 0) : 0);
		timeout = sooner(timeout, TT.clear_at);
		timeout = sooner(timeout, TT.cap.fd >= 0 ? TT.cap.deadline : 0);
		timeout = sooner(timeout, TT.pcap.fd >= 0 ? TT.pcap.deadline : 0);
		timeout = sooner(timeout, TT.pclear_at);
		for (struct op *o = TT.ops; o; o = o->next)
			timeout = sooner(timeout, o->deadline);
		if (!TT.dpy) {
			/* No compositor: the history is served, nothing recorded;
			 * a new one is looked for at $WAYLAND_DISPLAY each second. */
			timeout = sooner(timeout, TT.retry_at);
			ev = xrole_poll(&TT.r, NULL, 0, timeout);
			if (role_now_ms() >= TT.retry_at) {
				TT.retry_at = role_now_ms() + 1000;
				if (wayland_open() == 0)
					log_info("clipboard: a compositor again");
			}
		} else if ((ev = xwl_role_poll(&TT.r, TT.dpy, pf, 2, timeout)) < 0) {
			wayland_close();
			log_warn("clipboard: waiting for a compositor at WAYLAND_DISPLAY=%s",
				getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY") : "");
			continue;
		}
		if (ev & ROLE_STOP)
			break;
		if (TT.cap.fd >= 0 && pf[0].revents)
			capture_read(&TT.cap);
		if (TT.pcap.fd >= 0 && pf[1].revents)
			capture_read(&TT.pcap);
		if (TT.cap.fd >= 0 && role_now_ms() >= TT.cap.deadline) {
			log_warn("clipboard: the selection's owner did not finish writing in %d ms; not recorded",
				CLIP_READ_MS);
			capture_stop(&TT.cap);
		}
		if (TT.pcap.fd >= 0 && role_now_ms() >= TT.pcap.deadline)
			capture_stop(&TT.pcap);	/* the primary selection is only looked at */
		if (TT.pclear_at && role_now_ms() >= TT.pclear_at)
			clear_primary();
		if (ev & ROLE_BUS)
			role_dispatch(&TT.r, clipboard_handle);
		if (TT.clear_at && role_now_ms() >= TT.clear_at)
			clipboard_clear_selection();
		if (exp && role_wall_ms() >= exp)
			clipboard_expire_entries();
		if (TT.ops)
			clipboard_expire_ops();
		if (TT.finished) {
			log_error("the compositor withdrew the clipboard device");
			wayland_close();
			log_warn("clipboard: waiting for a compositor at WAYLAND_DISPLAY=%s",
				getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY") : "");
		}
	}
	log_info("clipboard: stopping");
	while (TT.ops) {
		struct op *o = TT.ops;

		TT.ops = o->next;
		clipboard_op_free(o);
	}
	if (TT.dpy)
		wayland_close();
	for (struct db *d = TT.dbs, *next; d; d = next) {
		next = d->next;
		sqlite3_close(d->db);
		free(d);
	}
	return role_close(&TT.r) ? 1 : r;
}
