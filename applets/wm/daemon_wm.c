/* daemon_wm.c - daemon-wm: the compositor's windows over the bus.
 *
 * Every toplevel the compositor reports through wlr-foreign-toplevel-
 * management (sway, Hyprland, river, labwc, Wayfire, niri), kept in
 * most-recently-focused order from the compositor's own "activated"
 * states: a focus change made with the mouse or by any other tool counts,
 * not only ours.  Answers `sesame wm list|focus|switch`.
 *
 * Titles and app ids come from other programs: they are kept as the
 * compositor sent them (bounded), checked as UTF-8 and control-free only
 * where they are shown.  Window ids are numbers given in order of
 * appearance, not kept across restarts.
 */
#include "applets/applet.h"
#include "applets/wm/overlay.h"
#include "lib/bus/role.h"
#include "lib/core/log.h"
#include "lib/core/util.h"
#include "lib/desk/desklib.h"
#include "lib/desk/wlpoll.h"
#include "lib/sandbox/sandbox.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>

#include "proto/wlr-foreign-toplevel-management-unstable-v1.h"

/*APPLET daemon-wm daemon_wm_main role desktop "window list and focus on Wayland"
usage: daemon-wm

Connects to the Wayland compositor named by $WAYLAND_DISPLAY and tracks
its windows through the wlr-foreign-toplevel-management protocol, in
the order they were last focused (whoever focused them).  Answers
`sesame wm list`, `sesame wm focus` and `sesame wm switch`.  Exits 1 if
there is no compositor or it lacks the protocol (GNOME and KDE do not
offer it), and when the compositor goes away.  Sandboxed: it reads its
config, the runtime directory and fonts, and writes nowhere.

`sesame wm overlay` shows the switcher (on zwlr_layer_shell_v1): a card
per window with a hint, its app id and title, the previous window
selected.  Tab, arrows and Shift+Tab move; typing a hint focuses its
window (f, ff, fff for several windows of one app; f2 means ff); Enter
focuses the selection, Escape goes back.  Invoked with Alt held (an
Alt+Tab binding), releasing Alt focuses the selection; released before
overlay_delay_ms, nothing is drawn at all (a quick switch).  Colours,
font and timings: [profiles.P.wm] of the default profile.

[profiles.P.wm.key_bindings.LETTER] apps = [...] gives the windows of
those apps (by app id, or its last dot-separated part, any case) the
hint LETTER; with launch = "ENTRY" (and tags, launch_args), typing
LETTER when no window has it stages that launch through daemon-launcher
(Enter or Alt released starts it: focus or launch).

`sesame wm overlay --launcher` shows a search field instead: what is
typed goes to daemon-launcher's search, up to 9 results show as cards;
Tab and arrows move, Enter launches the selection, Escape closes.
*/

#define MAX_TEXT 512		/* bytes kept of a title or an app id */

struct win {
	struct win *next;
	struct zwlr_foreign_toplevel_handle_v1 *h;
	uint32_t id;
	uint64_t seq;		/* focus order: higher is more recent */
	int ready;		/* a first "done" arrived */
	int focused, p_focused;
	char *app_id, *title;	/* committed on "done" */
	char *p_app_id, *p_title;	/* pending */
};

/* A focus request waiting for the window to report itself focused (sway
 * does so a frame after the request), answered "requested" after
 * FOCUS_WAIT_MS if it does not: a compositor may refuse. */
#define FOCUS_WAIT_MS 500
struct req {
	struct req *next;
	long long deadline;
	uint32_t msg_id, win;
	uint8_t type;
};

static struct {
	struct role r;
	struct wl_display *dpy;
	struct wl_registry *reg;
	struct wl_seat *seat;
	struct wl_keyboard *kbd;
	struct xkb_context *xkb;
	struct xkb_keymap *keymap;
	struct xkb_state *xstate;
	struct zwlr_foreign_toplevel_manager_v1 *mgr;
	struct overlay *ov;
	char ov_error[256];	/* why there is no overlay */
	struct win *wins;
	struct req *reqs;
	uint32_t next_id, next_ask;
	uint64_t next_seq;
	int nwins;
} W;

static struct wire_out out;

static struct win *find_id(uint32_t id)
{
	for (struct win *w = W.wins; w; w = w->next)
		if (w->id == id && w->ready)
			return w;
	return NULL;
}

static void set_text(char **dst, const char *s)
{
	size_t n = strnlen(s, MAX_TEXT);

	free(*dst);
	*dst = xmalloc(n + 1);
	memcpy(*dst, s, n);
	(*dst)[n] = 0;
	/* Cut back to a whole UTF-8 character if the bound split one. */
	while (n && !utf8_valid(*dst, n))
		(*dst)[--n] = 0;
}

/* --- toplevel events ---------------------------------------------------- */

static void on_title(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, const char *title)
{
	set_text(&((struct win *)data)->p_title, title);
}

static void on_app_id(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, const char *app_id)
{
	set_text(&((struct win *)data)->p_app_id, app_id);
}

static void on_output_enter(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, struct wl_output *o) { }
static void on_output_leave(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, struct wl_output *o) { }

static void on_state(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, struct wl_array *states)
{
	struct win *w = data;
	const uint32_t *s;

	w->p_focused = 0;
	wl_array_for_each(s, states)
		if (*s == ZWLR_FOREIGN_TOPLEVEL_HANDLE_V1_STATE_ACTIVATED)
			w->p_focused = 1;
}

static void answer(uint32_t win, int expired);

/* A window opened, was focused or closed: an event for subscribers
 * (sesame wm watch).  Nothing while disconnected. */
static void publish(const struct win *w, const char *what)
{
	static struct wire_out ev;

	wire_begin(&ev, WIRE_EVENT, 0, 0);
	wire_put_str(&ev, WF_STATE, what);
	wire_put_u32(&ev, WF_WINDOW, w->id);
	wire_put_str(&ev, WF_APP_ID, w->app_id ? w->app_id : "");
	wire_put_str(&ev, WF_TITLE, w->title ? w->title : "");
	role_send(&W.r, &ev);
}

static void on_done(void *data, struct zwlr_foreign_toplevel_handle_v1 *h)
{
	struct win *w = data;
	int newly_focused = w->p_focused && (!w->focused || !w->ready);

	if (w->p_title) {
		free(w->title);
		w->title = w->p_title;
		w->p_title = NULL;
	}
	if (w->p_app_id) {
		free(w->app_id);
		w->app_id = w->p_app_id;
		w->p_app_id = NULL;
	}
	/* A window becoming focused goes to the front; a new one that is not
	 * focused goes just behind the front (it has never been used). */
	if (w->p_focused && (!w->focused || !w->ready))
		w->seq = ++W.next_seq;
	else if (!w->ready)
		w->seq = W.next_seq ? W.next_seq - 1 : 0;
	w->focused = w->p_focused;
	if (w->focused && w->ready)
		answer(w->id, 0);
	if (!w->ready) {
		log_debug("window %u: %s", w->id, w->app_id ? w->app_id : "(no app id)");
		publish(w, "opened");
	}
	if (newly_focused)
		publish(w, "focused");
	w->ready = 1;
}

static void win_free(struct win *w)
{
	free(w->app_id);
	free(w->title);
	free(w->p_app_id);
	free(w->p_title);
	free(w);
}

static void on_closed(void *data, struct zwlr_foreign_toplevel_handle_v1 *h)
{
	struct win *w = data;

	for (struct win **p = &W.wins; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	W.nwins--;
	if (w->ready)
		publish(w, "closed");
	zwlr_foreign_toplevel_handle_v1_destroy(h);
	win_free(w);
}

static void on_parent(void *data, struct zwlr_foreign_toplevel_handle_v1 *h,
	struct zwlr_foreign_toplevel_handle_v1 *parent) { }

static const struct zwlr_foreign_toplevel_handle_v1_listener toplevel_listener = {
	.title = on_title, .app_id = on_app_id, .output_enter = on_output_enter,
	.output_leave = on_output_leave, .state = on_state, .done = on_done,
	.closed = on_closed, .parent = on_parent,
};

static void on_toplevel(void *data, struct zwlr_foreign_toplevel_manager_v1 *m,
	struct zwlr_foreign_toplevel_handle_v1 *h)
{
	struct win *w = xcalloc(1, sizeof(*w));

	w->h = h;
	w->id = ++W.next_id;
	w->next = W.wins;
	W.wins = w;
	W.nwins++;
	zwlr_foreign_toplevel_handle_v1_add_listener(h, &toplevel_listener, w);
}

static void on_finished(void *data, struct zwlr_foreign_toplevel_manager_v1 *m)
{
	log_error("the compositor stopped reporting windows");
	W.mgr = NULL;
	zwlr_foreign_toplevel_manager_v1_destroy(m);
}

static const struct zwlr_foreign_toplevel_manager_v1_listener manager_listener = {
	.toplevel = on_toplevel, .finished = on_finished,
};

/* --- keyboard (for the overlay) ------------------------------------------ */

static void overlay_key(xkb_keysym_t sym, uint32_t cp);
static void overlay_alt(int held);

static void kb_keymap(void *data, struct wl_keyboard *k, uint32_t format, int32_t fd, uint32_t size)
{
	char *map;
	struct xkb_keymap *km;

	if (format != WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1 || size == 0 || size > 1 << 24 ||
	    (map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		log_error("overlay: unusable keymap from the compositor");
		return;
	}
	close(fd);
	km = xkb_keymap_new_from_buffer(W.xkb, map, strnlen(map, size), XKB_KEYMAP_FORMAT_TEXT_V1,
		XKB_KEYMAP_COMPILE_NO_FLAGS);
	munmap(map, size);
	if (!km) {
		log_error("overlay: the compositor's keymap does not compile");
		return;
	}
	xkb_state_unref(W.xstate);
	xkb_keymap_unref(W.keymap);
	W.keymap = km;
	W.xstate = xkb_state_new(km);
}

static void kb_enter(void *data, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s, struct wl_array *keys) { }
static void kb_leave(void *data, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s) { }

static void kb_key(void *data, struct wl_keyboard *k, uint32_t serial, uint32_t time, uint32_t key, uint32_t state)
{
	if (state != WL_KEYBOARD_KEY_STATE_PRESSED || !W.xstate)
		return;
	overlay_key(xkb_state_key_get_one_sym(W.xstate, key + 8), xkb_state_key_get_utf32(W.xstate, key + 8));
}

static void kb_modifiers(void *data, struct wl_keyboard *k, uint32_t serial, uint32_t dep, uint32_t lat,
	uint32_t lock, uint32_t group)
{
	if (!W.xstate)
		return;
	xkb_state_update_mask(W.xstate, dep, lat, lock, 0, 0, group);
	overlay_alt(xkb_state_mod_name_is_active(W.xstate, XKB_MOD_NAME_ALT, XKB_STATE_MODS_EFFECTIVE) > 0);
}

static const struct wl_keyboard_listener kb_listener = {
	.keymap = kb_keymap, .enter = kb_enter, .leave = kb_leave, .key = kb_key, .modifiers = kb_modifiers,
};

static void seat_caps(void *data, struct wl_seat *seat, uint32_t caps)
{
	if (caps & WL_SEAT_CAPABILITY_KEYBOARD && !W.kbd) {
		W.kbd = wl_seat_get_keyboard(seat);
		wl_keyboard_add_listener(W.kbd, &kb_listener, NULL);
	} else if (!(caps & WL_SEAT_CAPABILITY_KEYBOARD) && W.kbd) {
		wl_keyboard_destroy(W.kbd);
		W.kbd = NULL;
	}
}

static const struct wl_seat_listener seat_listener = { .capabilities = seat_caps };

static void on_global(void *data, struct wl_registry *reg, uint32_t name, const char *iface, uint32_t version)
{
	if (!strcmp(iface, zwlr_foreign_toplevel_manager_v1_interface.name) && !W.mgr) {
		W.mgr = wl_registry_bind(reg, name, &zwlr_foreign_toplevel_manager_v1_interface,
			version < 3 ? version : 3);
		zwlr_foreign_toplevel_manager_v1_add_listener(W.mgr, &manager_listener, NULL);
	} else if (!strcmp(iface, wl_seat_interface.name) && !W.seat) {
		W.seat = wl_registry_bind(reg, name, &wl_seat_interface, 1);
		wl_seat_add_listener(W.seat, &seat_listener, NULL);
	} else {
		overlay_global(reg, name, iface, version);
	}
}

static void on_global_remove(void *data, struct wl_registry *reg, uint32_t name) { }

static const struct wl_registry_listener registry_listener = { on_global, on_global_remove };

/* --- requests ------------------------------------------------------------ */

static void put_win(const struct win *w, const char *state)
{
	wire_put_u32(&out, WF_WINDOW, w->id);
	wire_put_str(&out, WF_APP_ID, w->app_id ? w->app_id : "");
	wire_put_str(&out, WF_TITLE, w->title ? w->title : "");
	wire_put_str(&out, WF_STATE, state);
}

static int by_recency(const void *a, const void *b)
{
	const struct win *x = *(struct win *const *)a, *y = *(struct win *const *)b;

	if (x->seq != y->seq)
		return x->seq > y->seq ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;	/* newer first */
}

/* The ready windows, most recently focused first; *n of them. */
static struct win **mru(int *n)
{
	struct win **v = xcalloc((size_t)W.nwins + 1, sizeof(*v));

	*n = 0;
	for (struct win *w = W.wins; w; w = w->next)
		if (w->ready)
			v[(*n)++] = w;
	qsort(v, (size_t)*n, sizeof(*v), by_recency);
	return v;
}

static void list(const struct wire_msg *m)
{
	int n;
	struct win **v = mru(&n);

	wire_begin(&out, m->type, WIRE_F_REPLY, m->id);
	for (int i = 0; i < n; i++)
		put_win(v[i], v[i]->focused ? "focused" : "");
	free(v);
	if (out.overflow) {
		role_reply_error(&W.r, m->id, WIRE_E_FAILED, "too many windows for one reply");
		return;
	}
	role_send(&W.r, &out);
}

/* Answer the requests waiting on window win (0: every window) that can
 * be answered: the window is focused or gone, or, with expired, the
 * wait is over. */
static void answer(uint32_t win, int expired)
{
	long long now = role_now_ms();

	for (struct req **p = &W.reqs; *p; ) {
		struct req *q = *p;
		struct win *w = find_id(q->win);

		if ((win && q->win != win) || (w && !w->focused && !(expired && now >= q->deadline))) {
			p = &q->next;
			continue;
		}
		*p = q->next;
		if (!w) {
			role_reply_error(&W.r, q->msg_id, WIRE_E_NOT_FOUND, "window %u closed", q->win);
		} else {
			wire_begin(&out, q->type, WIRE_F_REPLY, q->msg_id);
			put_win(w, w->focused ? "focused" : "requested");
			role_send(&W.r, &out);
		}
		free(q);
	}
}

/* Ask the compositor to focus w; the reply goes once it is focused. */
static void activate(const struct wire_msg *m, struct win *w)
{
	struct req *q;

	if (!W.seat) {
		role_reply_error(&W.r, m->id, WIRE_E_FAILED, "the compositor offers no seat to focus windows on");
		return;
	}
	zwlr_foreign_toplevel_handle_v1_activate(w->h, W.seat);
	q = xcalloc(1, sizeof(*q));
	q->msg_id = m->id;
	q->type = m->type;
	q->win = w->id;
	q->deadline = role_now_ms() + FOCUS_WAIT_MS;
	q->next = W.reqs;
	W.reqs = q;
	if (w->focused)
		answer(w->id, 0);
}

/* A window id ("12", "win-12") or an app id: its most recent window, or
 * the next most recent if that one is focused (so repeating cycles). */
static struct win *resolve(const char *t)
{
	const char *d = strncmp(t, "win-", 4) ? t : t + 4;
	long long id;
	int n;
	struct win **v, *hit = NULL, *first = NULL;

	if (parse_range(d, 0, UINT32_MAX, &id) == 0)
		return find_id((uint32_t)id);
	v = mru(&n);
	for (int pass = 0; pass < 2 && !first; pass++) {
		for (int i = 0; i < n; i++) {
			const char *a = v[i]->app_id ? v[i]->app_id : "";

			if (pass ? strcasecmp(a, t) : strcmp(a, t))
				continue;
			if (!first)
				first = v[i];
			else if (!hit && first->focused)
				hit = v[i];
		}
	}
	free(v);
	return hit ? hit : first;
}

static void focus(const struct wire_msg *m)
{
	char t[MAX_TEXT + 1];
	struct win *w;

	if (wire_get_str(m, WF_TARGET, t, sizeof(t)) < 0 || !*t) {
		role_reply_error(&W.r, m->id, WIRE_E_BAD_MESSAGE, "focus needs a window id or an app id");
		return;
	}
	if (!(w = resolve(t))) {
		role_reply_error(&W.r, m->id, WIRE_E_NOT_FOUND, "window '%s' not found", t);
		return;
	}
	activate(m, w);
}

static void switch_to(const struct wire_msg *m)
{
	uint32_t back = 0;
	int n;
	struct win **v = mru(&n), *w = NULL;

	wire_get_u32(m, WF_BACKWARD, &back);
	if (n >= 2)
		w = back ? v[n - 1] : v[1];
	free(v);
	if (!w) {	/* no other window: nothing to do */
		wire_begin(&out, m->type, WIRE_F_REPLY, m->id);
		role_send(&W.r, &out);
		return;
	}
	activate(m, w);
}

/* --- the overlay -------------------------------------------------------- */

#define MAX_CARDS 64
#define MAX_RESULTS 9
static struct {
	int active, visible, alt_seen, n, sel;
	uint32_t ids[MAX_CARDS];
	char hints[MAX_CARDS][9];
	char typed[9];
	char stage[17];		/* a key_bindings name whose launch is staged */
	long long draw_at;
	/* the launcher (--launcher): a query, daemon-launcher's results */
	int launcher, nres;
	char query[128];
	char res_id[MAX_RESULTS][256], res_name[MAX_RESULTS][256], res_generic[MAX_RESULTS][256];
	uint32_t search_id;	/* the search whose results are awaited */
} O;

static struct wire_out ask;	/* daemon-wm's own requests to other roles */
static uint32_t launch_id;	/* the last launch asked for (its reply is logged) */

static const char *cfg_path(const char *key)
{
	static char path[200];

	snprintf(path, sizeof(path), "profiles.%s.wm.%s", config_default_profile(W.r.conf), key);
	return path;
}

/* [profiles.P.wm.key_bindings]: its i-th binding's name, or NULL. */
static const char *binding_name(size_t i)
{
	const struct toml_value *t = config_get(W.r.conf, cfg_path("key_bindings"));

	return t && t->type == TOML_TABLE && i < t->tab.n ? t->tab.kv[i].key : NULL;
}

static const char *binding_path(const char *name, const char *key)
{
	static char path[300];

	snprintf(path, sizeof(path), "%s.%s.%s", cfg_path("key_bindings"), name, key);
	return path;
}

/* The binding whose apps match app id a (exactly, ignoring case, or its
 * last dot-separated part), the first by name; NULL if none. */
static const char *binding_for(const char *a)
{
	const char *dot = strrchr(a, '.'), *last = dot ? dot + 1 : a, *name, *best = NULL, *p;

	for (size_t i = 0; (name = binding_name(i)); i++)
		for (size_t j = 0; (p = config_strv(W.r.conf, binding_path(name, "apps"), j)); j++)
			if ((!strcasecmp(p, a) || !strcasecmp(p, last)) && (!best || strcmp(name, best) < 0))
				best = name;
	return best;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Hints: the first letter of the key_bindings entry whose apps list the
 * window's app id, else of the app id's last dot-separated part
 * (org.gnome.Nautilus: n), repeated for each further window with that
 * letter (n, nn, nnn); else the first of hint_keys not taken. */
static void make_hints(struct win **v, int n, const char *keys)
{
	int count[256] = { 0 };

	for (int i = 0; i < n; i++) {
		const char *a = v[i]->app_id ? v[i]->app_id : "", *dot = strrchr(a, '.'), *b = binding_for(a);
		unsigned char c = (unsigned char)lower(b ? b[0] : dot && dot[1] ? dot[1] : a[0]);
		int k;

		if (!(c >= 'a' && c <= 'z')) {
			c = 0;
			for (const char *p = keys; *p && !c; p++)
				if (!count[(unsigned char)*p])
					c = (unsigned char)*p;
			if (!c)
				c = (unsigned char)(keys[0] ? keys[0] : 'a');
		}
		k = ++count[c] < 8 ? count[c] : 8;
		memset(O.hints[i], c, (size_t)k);
		O.hints[i][k] = 0;
	}
}

static void overlay_draw(void)
{
	struct overlay_card cards[MAX_CARDS];
	int n = 0, sel = 0;

	static char line[MAX_RESULTS][520];

	if (O.launcher) {
		for (int i = 0; i < O.nres; i++) {
			snprintf(line[i], sizeof(line[i]), O.res_generic[i][0] ? "%s (%s)" : "%s", O.res_name[i],
				O.res_generic[i]);
			cards[n++] = (struct overlay_card){ "", O.res_id[i], line[i] };
		}
		sel = O.sel;
	} else if (O.stage[0]) {
		cards[n++] = (struct overlay_card){ O.typed, "launch",
			config_str(W.r.conf, binding_path(O.stage, "launch"), "") };
	} else {
		for (int i = 0; i < O.n; i++) {
			struct win *w = find_id(O.ids[i]);

			if (!w)
				continue;
			if (i == O.sel)
				sel = n;
			cards[n++] = (struct overlay_card){ O.hints[i], w->app_id ? w->app_id : "",
				w->title ? w->title : "" };
		}
	}
	if (overlay_show(W.ov, cards, n, sel, O.typed, O.launcher ? O.query : NULL, O.visible) < 0)
		log_error("overlay: %s", last_error());
}

static void overlay_close(void)
{
	overlay_hide(W.ov);
	memset(&O, 0, sizeof(O));
}

/* Ask daemon-launcher to start entry (with a binding's tags and
 * arguments if binding is not NULL); its answer is logged. */
static void launch(const char *entry, const char *binding)
{
	const char *v;

	if (!W.r.c) {
		log_error("overlay: cannot launch %s: not connected to the bus", entry);
		return;
	}
	wire_begin(&ask, WIRE_LAUNCH_RUN, 0, launch_id = ++W.next_ask);
	wire_put_str(&ask, WF_ENTRY, entry);
	for (size_t i = 0; binding && (v = config_strv(W.r.conf, binding_path(binding, "tags"), i)); i++)
		wire_put_str(&ask, WF_TAG, v);
	for (size_t i = 0; binding && (v = config_strv(W.r.conf, binding_path(binding, "launch_args"), i)); i++)
		wire_put_str(&ask, WF_ARG, v);
	role_send(&W.r, &ask);
	log_info("overlay: launching %s", entry);
}

/* Alt released, Enter: focus the selected window, or launch what is
 * staged or selected, and close. */
static void overlay_commit(void)
{
	struct win *w = !O.launcher && !O.stage[0] && O.sel >= 0 && O.sel < O.n ? find_id(O.ids[O.sel]) : NULL;
	char entry[256] = "", stage[17];

	snprintf(stage, sizeof(stage), "%s", O.stage);
	if (O.launcher && O.sel < O.nres)
		snprintf(entry, sizeof(entry), "%s", O.res_id[O.sel]);
	else if (*stage)
		snprintf(entry, sizeof(entry), "%s", config_str(W.r.conf, binding_path(stage, "launch"), ""));
	overlay_close();
	if (w && W.seat)
		zwlr_foreign_toplevel_handle_v1_activate(w->h, W.seat);
	else if (*entry)
		launch(entry, *stage ? stage : NULL);
}

static void search(void)
{
	if (!W.r.c)
		return;
	wire_begin(&ask, WIRE_LAUNCH_SEARCH, 0, O.search_id = ++W.next_ask);
	wire_put_str(&ask, WF_QUERY, O.query);
	wire_put_u32(&ask, WF_LIMIT, MAX_RESULTS);
	role_send(&W.r, &ask);
}

static void search_results(const struct wire_msg *m)
{
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	int n = -1;

	if (m->type != WIRE_LAUNCH_SEARCH) {
		char text[256] = "";

		wire_get_str(m, WF_TEXT, text, sizeof(text));
		log_warn("overlay: search: %s", text);
		n = 0;
	}
	while (m->type == WIRE_LAUNCH_SEARCH && wire_next(m, &pos, &tag, &v, &len)) {
		char *dst = NULL;

		if (tag == WF_ENTRY && n + 1 < MAX_RESULTS) {
			n++;
			O.res_name[n][0] = O.res_generic[n][0] = 0;
			dst = O.res_id[n];
		} else if (n >= 0 && tag == WF_NAME) {
			dst = O.res_name[n];
		} else if (n >= 0 && tag == WF_GENERIC) {
			dst = O.res_generic[n];
		}
		if (dst) {
			size_t k = len < 255 ? len : 255;

			memcpy(dst, v, k);
			dst[k] = 0;
			while (k && !utf8_valid(dst, k))
				dst[--k] = 0;
		}
	}
	O.nres = n + 1 > 0 ? n + 1 : 0;
	if (O.sel >= O.nres)
		O.sel = O.nres ? O.nres - 1 : 0;
	O.search_id = 0;
	overlay_draw();
}

static int overlay_setup(void);

static void overlay_request(const struct wire_msg *m)
{
	uint32_t back = 0, launcher = 0;

	wire_get_u32(m, WF_BACKWARD, &back);
	wire_get_u32(m, WF_LAUNCHER, &launcher);
	if (!W.ov && overlay_setup() < 0) {
		role_reply_error(&W.r, m->id, WIRE_E_FAILED, "no overlay: %s", W.ov_error);
		return;
	}
	if (O.active && O.launcher != (launcher != 0))
		overlay_close();	/* the other mode was asked for: start over in it */
	if (!O.active && launcher) {
		O.active = O.launcher = O.visible = 1;
		search();
	} else if (!O.active) {
		int n;
		struct win **v = mru(&n);
		char keys[64];

		snprintf(keys, sizeof(keys), "%s", config_str(W.r.conf, cfg_path("hint_keys"), "asdfghjkl"));
		O.n = n < MAX_CARDS ? n : MAX_CARDS;
		for (int i = 0; i < O.n; i++)
			O.ids[i] = v[i]->id;
		make_hints(v, O.n, keys);
		free(v);
		O.active = 1;
		O.sel = O.n >= 2 ? (back ? O.n - 1 : 1) : 0;
		O.draw_at = role_now_ms() + config_int(W.r.conf, cfg_path("overlay_delay_ms"), 150);
		O.visible = 0;
	} else if (O.launcher && O.nres) {
		O.sel = (O.sel + (back ? O.nres - 1 : 1)) % O.nres;
	} else if (O.n) {	/* Alt+Tab again: the next one */
		O.sel = (O.sel + (back ? O.n - 1 : 1)) % O.n;
	}
	overlay_draw();
	wire_begin(&out, m->type, WIRE_F_REPLY, m->id);
	wire_put_u32(&out, WF_WINDOW, !O.launcher && O.n && find_id(O.ids[O.sel]) ? O.ids[O.sel] : 0);
	role_send(&W.r, &out);
}

/* A key_bindings entry named by letter c with a launch, or NULL. */
static const char *launchable(char c)
{
	const char *name;

	for (size_t i = 0; (name = binding_name(i)); i++)
		if (lower(name[0]) == c && *config_str(W.r.conf, binding_path(name, "launch"), ""))
			return name;
	return NULL;
}

/* Typed so far: a hint exactly, with no longer hint starting with it,
 * focuses its window; "f2" stands for "ff".  A first letter no window
 * has, bound in key_bindings with a launch, stages that launch (Enter
 * or Alt released starts it). */
static void overlay_type(uint32_t cp)
{
	char t[9];
	size_t l = strlen(O.typed);
	int exact = -1, longer = 0;
	const char *b;

	if (O.stage[0])
		return;		/* Backspace or Escape first */
	if (cp >= '2' && cp <= '8' && l == 1) {
		memset(t, O.typed[0], cp - '0');
		t[cp - '0'] = 0;
	} else if (cp >= 'a' && cp <= 'z' && l < 8) {
		memcpy(t, O.typed, l);
		t[l] = (char)cp;
		t[l + 1] = 0;
	} else {
		return;
	}
	for (int i = 0; i < O.n; i++) {
		if (!strcmp(O.hints[i], t))
			exact = i;
		else if (!strncmp(O.hints[i], t, strlen(t)))
			longer = 1;
	}
	if (exact < 0 && !longer) {
		if (l || !(b = launchable((char)cp)))
			return;		/* no hint goes that way: ignored */
		snprintf(O.stage, sizeof(O.stage), "%s", b);
		snprintf(O.typed, sizeof(O.typed), "%s", t);
		O.visible = 1;
		overlay_draw();
		return;
	}
	if (exact >= 0 && !longer) {
		O.sel = exact;
		overlay_commit();
		return;
	}
	snprintf(O.typed, sizeof(O.typed), "%s", t);
	if (exact >= 0)
		O.sel = exact;
	O.visible = 1;
	overlay_draw();
}

/* The launcher's field: printable characters are appended, BackSpace
 * takes the last one; each change asks for results again. */
static void launcher_type(xkb_keysym_t sym, uint32_t cp)
{
	size_t l = strlen(O.query);

	if (sym == XKB_KEY_BackSpace) {
		if (!l)
			return;
		while (l && ((unsigned char)O.query[l - 1] & 0xc0) == 0x80)
			l--;
		O.query[l ? l - 1 : 0] = 0;
	} else if (cp >= 0x20 && cp != 0x7f) {
		char u[4];
		size_t k = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;

		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || l + k >= sizeof(O.query))
			return;
		if (k == 1) {
			u[0] = (char)cp;
		} else if (k == 2) {
			u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f));
		} else if (k == 3) {
			u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			u[2] = (char)(0x80 | (cp & 0x3f));
		} else {
			u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
			u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f));
		}
		memcpy(O.query + l, u, k);
		O.query[l + k] = 0;
	} else {
		return;
	}
	O.sel = 0;
	overlay_draw();
	search();
}

static void overlay_key(xkb_keysym_t sym, uint32_t cp)
{
	int n = O.launcher ? O.nres : O.n;

	if (!O.active)
		return;
	switch (sym) {
	case XKB_KEY_Escape:
		overlay_close();
		return;
	case XKB_KEY_Return: case XKB_KEY_KP_Enter:
		overlay_commit();
		return;
	case XKB_KEY_Tab: case XKB_KEY_Down:
		if (n && !O.stage[0])
			O.sel = (O.sel + 1) % n;
		break;
	case XKB_KEY_ISO_Left_Tab: case XKB_KEY_Up:
		if (n && !O.stage[0])
			O.sel = (O.sel + n - 1) % n;
		break;
	case XKB_KEY_Right: case XKB_KEY_Left:
		if (O.launcher)
			return;
		if (n && !O.stage[0])
			O.sel = (O.sel + (sym == XKB_KEY_Right ? 1 : n - 1)) % n;
		break;
	case XKB_KEY_BackSpace:
		if (O.launcher) {
			launcher_type(sym, 0);
			return;
		}
		if (*O.typed)
			O.typed[strlen(O.typed) - 1] = 0;
		O.stage[0] = 0;
		break;
	default:
		if (O.launcher)
			launcher_type(sym, cp);
		else
			overlay_type(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
		return;
	}
	O.visible = 1;
	overlay_draw();
}

/* Alt released after it was seen held: the Alt+Tab commit.  Not in the
 * launcher, where Alt is only how it was called up (alt+space). */
static void overlay_alt(int held)
{
	if (!O.active || O.launcher)
		return;
	if (held)
		O.alt_seen = 1;
	else if (O.alt_seen)
		overlay_commit();
}

static void reply(const struct wire_msg *m)
{
	char text[256] = "";
	uint32_t pid = 0;

	if (O.launcher && m->id == O.search_id) {
		search_results(m);
		return;
	}
	if (m->id != launch_id)
		return;
	launch_id = 0;
	if (m->type == WIRE_LAUNCH_RUN) {
		wire_get_u32(m, WF_PID, &pid);
		wire_get_str(m, WF_ENTRY, text, sizeof(text));
		log_info("overlay: launched %s (pid %u)", text, pid);
	} else {
		wire_get_str(m, WF_TEXT, text, sizeof(text));
		log_error("overlay: launch failed: %s", text);
	}
}

static void handle(const struct wire_msg *m)
{
	if (m->flags & WIRE_F_REPLY) {
		reply(m);
		return;
	}
	switch (m->type) {
	case WIRE_WM_LIST: list(m); break;
	case WIRE_WM_FOCUS: focus(m); break;
	case WIRE_WM_SWITCH: switch_to(m); break;
	case WIRE_WM_OVERLAY: overlay_request(m); break;
	default: role_reply_error(&W.r, m->id, WIRE_E_UNKNOWN_TYPE, "daemon-wm does not serve this request");
	}
}

/* --- main loop ---------------------------------------------------------- */

static void wayland_connect(void)
{
	W.dpy = xwl_role_connect(&registry_listener, &W.reg);
	if (!W.mgr)
		die("the compositor does not offer zwlr_foreign_toplevel_manager_v1 "
			"(sway, Hyprland, river, labwc, Wayfire and niri do; GNOME and KDE do not)");
	/* The initial windows and their states. */
	if (wl_display_roundtrip(W.dpy) < 0)
		die("the Wayland compositor closed the connection");
}

/* The overlay's style from [profiles.P.wm] of the default profile. */
/* Once connected to the compositor: read-only access to the config, the
 * runtime directory, the libraries the overlay loads when first shown,
 * and what fontconfig reads (glyphs are loaded as they are first
 * drawn); no writes anywhere. */
static void enter_sandbox(void)
{
	const char *home = getenv("HOME"), *cache = getenv("XDG_CACHE_HOME");
	char fonts1[PATH_MAX] = "", fonts2[PATH_MAX] = "", fccache[PATH_MAX] = "";

	if (home && *home == '/') {
		snprintf(fonts1, sizeof(fonts1), "%s/.local/share/fonts", home);
		snprintf(fonts2, sizeof(fonts2), "%s/.fonts", home);
	}
	if (cache && *cache == '/')
		snprintf(fccache, sizeof(fccache), "%s/fontconfig", cache);
	else if (home && *home == '/')
		snprintf(fccache, sizeof(fccache), "%s/.cache/fontconfig", home);

	const struct sandbox_path paths[] = {
		{ "/etc/fonts", SB_READ }, { "/usr/share", SB_READ }, { "/usr/local/share", SB_READ },
		{ "/usr/lib", SB_READ }, { "/etc/ld.so.cache", SB_READ }, { "/var/cache/fontconfig", SB_READ },
		{ *fonts1 ? fonts1 : NULL, SB_READ }, { *fonts2 ? fonts2 : NULL, SB_READ },
		{ *fccache ? fccache : NULL, SB_READ },
	};

	xrole_sandbox(&W.r, paths, ARRAY_LEN(paths));
}

/* The overlay's style, libraries and fonts, loaded at the first request:
 * fontconfig and the fonts take ~4 MiB that an idle daemon-wm need not
 * hold, and the first cards are drawn overlay_delay_ms later anyway.
 * -1 with the reason in W.ov_error. */
static int overlay_setup(void)
{
	long long t0 = role_now_ms();

	static const struct { const char *key, *def; size_t off; } colors[] = {
		{ "background_color", "#000000c8", offsetof(struct overlay_style, background) },
		{ "card_color", "#1e1e1ef0", offsetof(struct overlay_style, card) },
		{ "text_color", "#ffffff", offsetof(struct overlay_style, text) },
		{ "hint_color", "#646464", offsetof(struct overlay_style, hint) },
		{ "hint_matched_color", "#4caf50", offsetof(struct overlay_style, hint_matched) },
		{ "border_color", "#89b4fa", offsetof(struct overlay_style, border) },
	};
	struct overlay_style st = { .font = "monospace:size=14" };

	for (size_t i = 0; i < ARRAY_LEN(colors); i++) {
		uint32_t *c = (uint32_t *)((char *)&st + colors[i].off);

		if (config_color(config_str(W.r.conf, cfg_path(colors[i].key), colors[i].def), c) < 0)
			config_color(colors[i].def, c);
	}
	st.border_width = (int)(config_float(W.r.conf, cfg_path("border_width"), 4.0) + 0.5);
	st.max_cards = (int)config_int(W.r.conf, cfg_path("max_visible_windows"), 20);
	st.show_title = config_bool(W.r.conf, cfg_path("show_title"), 1);
	st.show_app_id = config_bool(W.r.conf, cfg_path("show_app_id"), 0);
	if (!(W.ov = overlay_new(&st))) {
		snprintf(W.ov_error, sizeof(W.ov_error), "%s", last_error());
		log_warn("no overlay: %s", W.ov_error);
		return -1;
	}
	log_info("overlay: fonts loaded in %lld ms", role_now_ms() - t0);
	return 0;
}

static void wayland_close(void)
{
	while (W.reqs) {
		struct req *q = W.reqs;

		W.reqs = q->next;
		free(q);
	}
	while (W.wins) {
		struct win *w = W.wins;

		W.wins = w->next;
		zwlr_foreign_toplevel_handle_v1_destroy(w->h);
		win_free(w);
	}
	if (W.mgr)
		zwlr_foreign_toplevel_manager_v1_stop(W.mgr);
	overlay_free(W.ov);
	if (W.kbd)
		wl_keyboard_destroy(W.kbd);
	xkb_state_unref(W.xstate);
	xkb_keymap_unref(W.keymap);
	xkb_context_unref(W.xkb);
	if (W.seat)
		wl_seat_destroy(W.seat);
	wl_registry_destroy(W.reg);
	wl_display_flush(W.dpy);
	wl_display_disconnect(W.dpy);
}

int daemon_wm_main(int argc, char **argv)
{
	int r = 0;

	if (argc > 1)
		usage_error("daemon-wm", "unexpected argument '%s'", argv[1]);
	if (sandbox_limits() < 0)
		die("daemon-wm: %s", last_error());
	if (desk_load_xkb() < 0)
		die("daemon-wm: %s", last_error());
	if (!(W.xkb = xkb_context_new(XKB_CONTEXT_NO_FLAGS)))
		die("cannot create an xkbcommon context");
	wayland_connect();
	xrole_setup(&W.r, "wm");
	enter_sandbox();
	W.r.status = "tracking windows";
	log_info("wm: %d windows on the compositor", W.nwins);
	for (;;) {
		int ev, timeout = -1;

		if (O.active && !O.visible)
			timeout = (int)(O.draw_at > role_now_ms() ? O.draw_at - role_now_ms() : 0);
		for (struct req *q = W.reqs; q; q = q->next) {
			long long left = q->deadline - role_now_ms();

			if (timeout < 0 || left < timeout)
				timeout = left > 0 ? (int)left : 0;
		}
		if ((ev = xwl_role_poll(&W.r, W.dpy, NULL, 0, timeout)) < 0) {
			r = 1;
			break;
		}
		if (ev & ROLE_STOP)
			break;
		if (ev & ROLE_BUS && role_dispatch(&W.r, handle) < 0)
			continue;
		if (W.reqs)
			answer(0, 1);
		if (O.active && !O.visible && role_now_ms() >= O.draw_at) {
			O.visible = 1;
			overlay_draw();
		}
		if (!W.mgr) {
			r = 1;
			break;
		}
	}
	log_info("wm: stopping");
	wayland_close();
	return role_close(&W.r) ? 1 : r;
}
