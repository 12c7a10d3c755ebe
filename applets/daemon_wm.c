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
#include "../lib/applet.h"
#include "../lib/log.h"
#include "../lib/role.h"
#include "../lib/util.h"

#include <errno.h>
#include <poll.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wayland-client.h>

#include "proto/wlr-foreign-toplevel-management-unstable-v1.h"

/*APPLET daemon-wm daemon_wm_main role "window list and focus on Wayland"
usage: daemon-wm

Connects to the Wayland compositor named by $WAYLAND_DISPLAY and tracks
its windows through the wlr-foreign-toplevel-management protocol, in
the order they were last focused (whoever focused them).  Answers
`sesame wm list`, `sesame wm focus` and `sesame wm switch`.  Exits 1 if
there is no compositor or it lacks the protocol (GNOME and KDE do not
offer it), and when the compositor goes away.

The Alt+Tab overlay (`sesame wm overlay`) is not implemented yet.
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
	struct zwlr_foreign_toplevel_manager_v1 *mgr;
	struct win *wins;
	struct req *reqs;
	uint32_t next_id;
	uint64_t next_seq;
	int nwins;
} W;

static uint8_t in[WIRE_MAX_MESSAGE];
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

static void on_done(void *data, struct zwlr_foreign_toplevel_handle_v1 *h)
{
	struct win *w = data;

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
	if (!w->ready)
		log_debug("window %u: %s", w->id, w->app_id ? w->app_id : "(no app id)");
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

static void on_global(void *data, struct wl_registry *reg, uint32_t name, const char *iface, uint32_t version)
{
	if (!strcmp(iface, zwlr_foreign_toplevel_manager_v1_interface.name) && !W.mgr) {
		W.mgr = wl_registry_bind(reg, name, &zwlr_foreign_toplevel_manager_v1_interface,
			version < 3 ? version : 3);
		zwlr_foreign_toplevel_manager_v1_add_listener(W.mgr, &manager_listener, NULL);
	} else if (!strcmp(iface, wl_seat_interface.name) && !W.seat) {
		W.seat = wl_registry_bind(reg, name, &wl_seat_interface, 1);
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
	char *end;
	unsigned long id;
	int n;
	struct win **v, *hit = NULL, *first = NULL;

	errno = 0;
	id = strtoul(d, &end, 10);
	if (*d >= '0' && *d <= '9' && !*end && !errno && id <= UINT32_MAX)
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

static void handle(const struct wire_msg *m)
{
	if (m->flags & WIRE_F_REPLY)
		return;
	switch (m->type) {
	case WIRE_WM_LIST: list(m); break;
	case WIRE_WM_FOCUS: focus(m); break;
	case WIRE_WM_SWITCH: switch_to(m); break;
	default: role_reply_error(&W.r, m->id, WIRE_E_UNKNOWN_TYPE, "daemon-wm does not serve this request");
	}
}

/* --- main loop ---------------------------------------------------------- */

static void wayland_connect(void)
{
	const char *name = getenv("WAYLAND_DISPLAY");

	if (!(W.dpy = wl_display_connect(NULL)))
		die("cannot connect to the Wayland compositor%s%s%s: %s", name ? " (WAYLAND_DISPLAY=" : "",
			name ? name : "", name ? ")" : " (WAYLAND_DISPLAY is not set)", strerror(errno));
	W.reg = wl_display_get_registry(W.dpy);
	wl_registry_add_listener(W.reg, &registry_listener, NULL);
	if (wl_display_roundtrip(W.dpy) < 0)
		die("the Wayland compositor closed the connection");
	if (!W.mgr)
		die("the compositor does not offer zwlr_foreign_toplevel_manager_v1 "
			"(sway, Hyprland, river, labwc, Wayfire and niri do; GNOME and KDE do not)");
	/* The initial windows and their states. */
	if (wl_display_roundtrip(W.dpy) < 0)
		die("the Wayland compositor closed the connection");
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
	wayland_connect();
	xrole_setup(&W.r, "wm");
	W.r.status = "tracking windows";
	log_info("wm: %d windows on the compositor", W.nwins);
	for (;;) {
		struct pollfd pf[1] = { { wl_display_get_fd(W.dpy), POLLIN, 0 } };
		int ev, timeout = -1;

		/* libwayland's read protocol: queued events first, then announce
		 * the read, flush our requests, poll, read or cancel. */
		while (wl_display_prepare_read(W.dpy) != 0)
			wl_display_dispatch_pending(W.dpy);
		if (wl_display_flush(W.dpy) < 0 && errno != EAGAIN) {
			wl_display_cancel_read(W.dpy);
			log_error("the Wayland compositor went away: %s", strerror(errno));
			r = 1;
			break;
		}
		for (struct req *q = W.reqs; q; q = q->next) {
			long long left = q->deadline - role_now_ms();

			if (timeout < 0 || left < timeout)
				timeout = left > 0 ? (int)left : 0;
		}
		ev = role_poll(&W.r, pf, 1, timeout);
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (wl_display_read_events(W.dpy) < 0) {
				log_error("the Wayland compositor went away: %s", strerror(errno));
				r = 1;
				break;
			}
		} else {
			wl_display_cancel_read(W.dpy);
		}
		if (wl_display_dispatch_pending(W.dpy) < 0) {
			log_error("Wayland protocol error: %s", strerror(wl_display_get_error(W.dpy)));
			r = 1;
			break;
		}
		if (ev & ROLE_STOP)
			break;
		if (ev & ROLE_BUS) {
			struct wire_msg m;

			if (bus_recv(W.r.c, in, &m, BUS_CLI_TIMEOUT_MS) < 0) {
				sodium_memzero(in, sizeof(in));
				role_disconnect(&W.r);
				continue;
			}
			handle(&m);
			sodium_memzero(in, WIRE_HEADER + m.fields_len);
		}
		if (W.reqs)
			answer(0, 1);
		if (!W.mgr) {
			r = 1;
			break;
		}
	}
	log_info("wm: stopping");
	wayland_close();
	role_close(&W.r);
	return r;
}
