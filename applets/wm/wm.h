/* wm.h - daemon-wm's insides, shared by its files:
 *   daemon_wm.c  main: Wayland, the keyboard, the sandbox, the loop
 *   toplevel.c   the windows, in most-recently-focused order, kept in
 *                wm.mru across restarts (mru.c)
 *   requests.c   sesame wm list, focus, switch
 *   switcher.c   the overlay: switcher and launcher (overlay.c draws)
 *   unlock.c     its password prompt, for a launch a locked profile stops
 * Its state is one struct, TT (toybox's name), defined in daemon_wm.c;
 * one thread. */
#ifndef SESAME_WM_H
#define SESAME_WM_H

#include "applets/wm/overlay.h"
#include "lib/bus/role.h"
#include "lib/core/names.h"
#include "lib/bus/wire.h"
#include "lib/desk/desklib.h"

#include <stdint.h>
#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>

#include "proto/wlr-foreign-toplevel-management-unstable-v1.h"

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
	char hint[3];		/* its switcher hint, kept while it lives (switcher.c) */
	char hint_name[33];	/* the name the hint was made from */
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

#define MAX_CARDS 64
/* An overlay closed this long gives its fonts and memory back (the next
 * one loads them again, in a few ms). */
#define OVERLAY_KEEP_MS 5000
#define MAX_RESULTS 9

struct wm_state {
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
	int ov_stale;		/* the style changed: made anew once closed */
	long long ov_idle_at;	/* closed: let go of its fonts and buffers then */
	struct win *wins;
	struct req *reqs;
	uint32_t next_id, next_ask;
	uint64_t next_seq;
	int nwins;
	struct wire_out out;	/* replies */
	struct wire_out ask;	/* daemon-wm's own requests to other roles */
	uint32_t launch_id;	/* the last launch asked for (its reply is logged) */
	struct {		/* the password prompt (unlock.c) */
		int on;
		char profile[PROFILE_BUF];
		char entry[256], binding[17];	/* the launch to ask again */
		uint8_t *pw;		/* secure memory */
		size_t len;
		uint32_t id;		/* the WIRE_UNLOCK awaited */
		char note[200];
	} unl;
	int mru_fd, mru_ready;	/* wm.mru, -1 if none; 1 once read (toplevel.c) */
	long long retry_at;	/* with no compositor: when to look for one again */
	struct {		/* the overlay (switcher.c) */
		int active, visible, alt_seen, n, sel;
		int alt_held;	/* the caller said Alt is held (--alt) */
		uint32_t ids[MAX_CARDS];
		char hints[MAX_CARDS][9];
		char typed[9];
		char stage[17];		/* a key_bindings name whose launch is staged */
		long long draw_at;
		/* the launcher (--launcher): a query, daemon-launcher's results */
		int launcher, nres;
		char query[128];
		char res_id[MAX_RESULTS][256], res_name[MAX_RESULTS][256], res_generic[MAX_RESULTS][256];
		char res_icon[MAX_RESULTS][256];
		uint32_t search_id;	/* the search whose results are awaited */
	} sw;
};
extern struct wm_state wm_tt;
#define TT wm_tt

/* toplevel.c */
extern const struct zwlr_foreign_toplevel_manager_v1_listener wm_manager_listener;
struct win *wm_find_id(uint32_t id);
/* The ready windows, most recently focused first (free the array). */
struct win **wm_mru(int *n);
void wm_win_free(struct win *w);
/* A "focused" event for the focused window, if there is one. */
void wm_publish_focus(void);
/* The order across restarts, in wm.mru (mru.h): opened before the
 * sandbox; read once the first windows are in; written as it changes. */
void wm_order_open(void);
void wm_order_restore(void);
void wm_order_save(void);

/* requests.c */
void wm_list(const struct wire_msg *m);
void wm_focus(const struct wire_msg *m);
void wm_switch(const struct wire_msg *m);
void wm_answer(uint32_t win, int expired);
void wm_activate(const struct wire_msg *m, struct win *w);

/* switcher.c */
int wm_overlay_setup(void);
/* Let go of the overlay (its style changed, or it was idle): made anew
 * at the next request; if it is showing, once it closes. */
void wm_overlay_release(void);
void wm_overlay_request(const struct wire_msg *m);
void wm_overlay_key(xkb_keysym_t sym, uint32_t cp);
/* The keyboard's Alt changed; the overlay got the keyboard, with an
 * Alt key held or not. */
void wm_overlay_alt(int held);
void wm_overlay_enter(int alt_down);
/* Give every ready window a hint (keeping those it has). */
void wm_hints_assign(void);
/* The name hints and `wm focus NAME` know an app by, lower case, into
 * out (n bytes): its key_bindings letter if it has one, else the app id's
 * last part that is not a generic word (org.telegram.desktop: telegram). */
const char *wm_hint_name(const char *app_id, char *out, size_t n);
/* Draw it now (daemon_wm.c calls it when the delay of an Alt+Tab is over). */
void wm_overlay_draw(void);
void wm_reply(const struct wire_msg *m);
/* Close the overlay; ask daemon-launcher to start entry (with a
 * key_bindings entry's tags and arguments if binding is not NULL). */
void wm_overlay_close(void);
void wm_launch(const char *entry, const char *binding);

/* unlock.c */
/* A launch stopped at a locked profile: the overlay asks for its password
 * (TT.unl.entry and binding say what to launch again). */
void wm_unlock_ask(const char *profile);
void wm_unlock_key(xkb_keysym_t sym, uint32_t cp);
/* 1 if m answers the unlock asked for (then handled). */
int wm_unlock_reply(const struct wire_msg *m);
void wm_unlock_cancel(void);
/* The field's text: a dot per character typed. */
const char *wm_unlock_field(void);

#endif
