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
 * appearance, not kept across restarts.  wm.h says which file holds what.
 */
#include "applets/applet.h"
#include "applets/wm/wm.h"
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
#include <signal.h>
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
there is no compositor at start or it lacks the protocol (GNOME and KDE
do not offer it).  When the compositor goes away it waits for the next
one at WAYLAND_DISPLAY (looked for each second), answering meanwhile
that there is none (exit 69).  The order outlives it:
wm.mru in the runtime directory holds a digest of each window's app id
and title, most recent first, and the next daemon-wm lists the windows
it finds again in that order.  Sandboxed: it reads its config, the
runtime directory and fonts, and writes only wm.mru (opened before).

`sesame wm overlay` shows the switcher (on zwlr_layer_shell_v1): a card
per window with a hint, the app's icon, its name (its id with
show_app_id) and the title, cut with an ellipsis where it does not fit;
the focused window's card has a bar, the previous window is selected.
Icons are PNG files found by app id (or a launcher entry's Icon=) in
icon_theme, then hicolor, under the XDG data directories' icons/ and
/usr/share/pixmaps; no icon, a tile with the name's first letter.  Tab, arrows and Shift+Tab move; typing a hint focuses its
window; Enter focuses the selection, Escape goes back.  A hint is one
letter while 26 go round (two beyond, the cards that no longer match
dimmed as they are typed): the first free letter of the app's name (its
app id's last part that is no generic word: org.telegram.desktop is
telegram), then of hint_keys, then of the alphabet.  A window keeps its
hint while it lives; `sesame wm list --json` shows them.  Invoked with Alt held (an
Alt+Tab binding), releasing Alt focuses the selection; released before
overlay_delay_ms, nothing is drawn at all (a quick switch), and with
--alt even released before the overlay had the keyboard.  Colours,
font and timings: [profiles.P.wm] of the default profile; font is
fontconfig names, the first then fallbacks ("monospace:size=14,Noto
Color Emoji").  A change applies to the next overlay, without a restart.
The default colours give every text at least WCAG AA's 4.5:1 against its
card.  It is drawn at the scale of the output it is on (a scale 2 output
gets a buffer of twice the pixels and fonts at 192 dpi; sway 1.7 gives
1.5 as 2 and scales it down).  An overlay closed for 5 s gives its fonts
and buffers back.

[profiles.P.wm.key_bindings.LETTER] apps = [...] makes LETTER the name
of those apps (by app id, or its last dot-separated part, any case): the
first of their windows gets the hint LETTER; with launch = "ENTRY" (and tags, launch_args), typing
LETTER when no window has it stages that launch through daemon-launcher
(Enter or Alt released starts it: focus or launch).

A launch (from a key binding or the launcher) whose launch profile needs
a secret of a locked profile opens a password prompt in the overlay:
what is typed shows as dots, is kept in secure memory and never logged;
Enter unlocks the profile through daemon-secrets and launches again, a
wrong password asks again, Escape cancels.

`sesame wm overlay --launcher` shows a search field instead: what is
typed goes to daemon-launcher's search, up to 9 results show as cards;
Tab and arrows move, Enter launches the selection, Escape closes.
*/

struct wm_state wm_tt;

/* --- keyboard (for the overlay) ------------------------------------------ */

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
	km = xkb_keymap_new_from_buffer(TT.xkb, map, strnlen(map, size), XKB_KEYMAP_FORMAT_TEXT_V1,
		XKB_KEYMAP_COMPILE_NO_FLAGS);
	munmap(map, size);
	if (!km) {
		log_error("overlay: the compositor's keymap does not compile");
		return;
	}
	xkb_state_unref(TT.xstate);
	xkb_keymap_unref(TT.keymap);
	TT.keymap = km;
	TT.xstate = xkb_state_new(km);
}

/* Is evdev key code key an Alt key (by the keymap if there is one)? */
static int alt_key(uint32_t key)
{
	xkb_keysym_t sym;

	if (!TT.xstate)
		return key == 56 || key == 100;	/* KEY_LEFTALT, KEY_RIGHTALT */
	sym = xkb_state_key_get_one_sym(TT.xstate, key + 8);
	return sym == XKB_KEY_Alt_L || sym == XKB_KEY_Alt_R || sym == XKB_KEY_Meta_L || sym == XKB_KEY_Meta_R;
}

/* The overlay has the keyboard; keys are those held (switcher.c decides). */
static void kb_enter(void *data, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s, struct wl_array *keys)
{
	const uint32_t *key;
	int alt = 0;

	wl_array_for_each(key, keys)
		alt |= alt_key(*key);
	wm_overlay_enter(alt);
}
static void kb_leave(void *data, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s) { }

static void kb_key(void *data, struct wl_keyboard *k, uint32_t serial, uint32_t time, uint32_t key, uint32_t state)
{
	if (state != WL_KEYBOARD_KEY_STATE_PRESSED || !TT.xstate)
		return;
	wm_overlay_key(xkb_state_key_get_one_sym(TT.xstate, key + 8), xkb_state_key_get_utf32(TT.xstate, key + 8));
}

static void kb_modifiers(void *data, struct wl_keyboard *k, uint32_t serial, uint32_t dep, uint32_t lat,
	uint32_t lock, uint32_t group)
{
	if (!TT.xstate)
		return;
	xkb_state_update_mask(TT.xstate, dep, lat, lock, 0, 0, group);
	wm_overlay_alt(xkb_state_mod_name_is_active(TT.xstate, XKB_MOD_NAME_ALT, XKB_STATE_MODS_EFFECTIVE) > 0);
}

static const struct wl_keyboard_listener kb_listener = {
	.keymap = kb_keymap, .enter = kb_enter, .leave = kb_leave, .key = kb_key, .modifiers = kb_modifiers,
};

static void seat_caps(void *data, struct wl_seat *seat, uint32_t caps)
{
	if (caps & WL_SEAT_CAPABILITY_KEYBOARD && !TT.kbd) {
		TT.kbd = wl_seat_get_keyboard(seat);
		wl_keyboard_add_listener(TT.kbd, &kb_listener, NULL);
	} else if (!(caps & WL_SEAT_CAPABILITY_KEYBOARD) && TT.kbd) {
		wl_keyboard_destroy(TT.kbd);
		TT.kbd = NULL;
	}
}

static const struct wl_seat_listener seat_listener = { .capabilities = seat_caps };

static void on_global(void *data, struct wl_registry *reg, uint32_t name, const char *iface, uint32_t version)
{
	if (!strcmp(iface, zwlr_foreign_toplevel_manager_v1_interface.name) && !TT.mgr) {
		TT.mgr = wl_registry_bind(reg, name, &zwlr_foreign_toplevel_manager_v1_interface,
			version < 3 ? version : 3);
		zwlr_foreign_toplevel_manager_v1_add_listener(TT.mgr, &wm_manager_listener, NULL);
	} else if (!strcmp(iface, wl_seat_interface.name) && !TT.seat) {
		TT.seat = wl_registry_bind(reg, name, &wl_seat_interface, 1);
		wl_seat_add_listener(TT.seat, &seat_listener, NULL);
	} else {
		overlay_global(reg, name, iface, version);
	}
}

static void on_global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
	overlay_global_remove(name);
}

static const struct wl_registry_listener registry_listener = { on_global, on_global_remove };

static void handle(const struct wire_msg *m)
{
	if (m->flags & WIRE_F_REPLY) {
		wm_reply(m);
		return;
	}
	if (!TT.dpy) {
		role_reply_error(&TT.r, m->id, WIRE_E_UNAVAILABLE, "no Wayland compositor: daemon-wm waits for "
			"one at WAYLAND_DISPLAY=%s", getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY") : "");
		return;
	}
	switch (m->type) {
	case WIRE_WM_LIST: wm_list(m); break;
	case WIRE_WM_FOCUS: wm_focus(m); break;
	case WIRE_WM_SWITCH: wm_switch(m); break;
	case WIRE_WM_OVERLAY: wm_overlay_request(m); break;
	default: role_reply_error(&TT.r, m->id, WIRE_E_UNKNOWN_TYPE, "daemon-wm does not serve this request");
	}
}

/* --- main loop ---------------------------------------------------------- */

/* Once connected to the compositor: read-only access to the config, the
 * runtime directory, the libraries the overlay loads when first shown,
 * the icon directories, and what fontconfig reads (glyphs are loaded as they are first
 * drawn); no writes but to wm.mru, opened before. */
static void enter_sandbox(void)
{
	const char *home = getenv("HOME"), *cache = getenv("XDG_CACHE_HOME"), *dh = getenv("XDG_DATA_HOME");
	const char *dd = getenv("XDG_DATA_DIRS");
	char fonts1[PATH_MAX] = "", fonts2[PATH_MAX] = "", fccache[PATH_MAX] = "";
	char icons[5][PATH_MAX] = { "", "", "", "", "" };	/* icons.c's: the data home's, ~/.icons, XDG_DATA_DIRS' */
	int ni = 2;

	if (dh && *dh == '/')
		snprintf(icons[0], sizeof(icons[0]), "%s/icons", dh);
	else if (home && *home == '/')
		snprintf(icons[0], sizeof(icons[0]), "%s/.local/share/icons", home);
	if (home && *home == '/')
		snprintf(icons[1], sizeof(icons[1]), "%s/.icons", home);
	for (const char *p = dd ? dd : ""; *p && ni < 5; ) {	/* /usr/share is there already */
		size_t l = strcspn(p, ":");

		if (l && p[0] == '/' && l < PATH_MAX - 8 && strncmp(p, "/usr/share", l) && strncmp(p, "/usr/local/share", l))
			snprintf(icons[ni++], sizeof(icons[0]), "%.*s/icons", (int)l, p);
		p += l + (p[l] == ':');
	}

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
		{ *icons[0] ? icons[0] : NULL, SB_READ }, { *icons[1] ? icons[1] : NULL, SB_READ },
		{ *icons[2] ? icons[2] : NULL, SB_READ }, { *icons[3] ? icons[3] : NULL, SB_READ },
		{ *icons[4] ? icons[4] : NULL, SB_READ },
	};

	xrole_sandbox(&TT.r, paths, ARRAY_LEN(paths));
}

/* Give up the compositor's part of TT (it went away, or we stop): the
 * windows, the overlay, the keyboard, the connection.  A focus request
 * still waiting is answered that the compositor is gone. */
static void wayland_close(void)
{
	while (TT.reqs) {
		struct req *q = TT.reqs;

		TT.reqs = q->next;
		role_reply_error(&TT.r, q->msg_id, WIRE_E_UNAVAILABLE, "the Wayland compositor went away");
		free(q);
	}
	while (TT.wins) {
		struct win *w = TT.wins;

		TT.wins = w->next;
		zwlr_foreign_toplevel_handle_v1_destroy(w->h);
		wm_win_free(w);
	}
	TT.nwins = 0;
	wm_unlock_cancel();	/* a password half typed is wiped */
	TT.mru_ready = 0;	/* the next windows must not overwrite wm.mru before it is read */
	if (TT.mgr)
		zwlr_foreign_toplevel_manager_v1_stop(TT.mgr);
	TT.mgr = NULL;
	overlay_free(TT.ov);
	TT.ov = NULL;
	memset(&TT.sw, 0, sizeof(TT.sw));
	overlay_globals_drop();
	if (TT.kbd)
		wl_keyboard_destroy(TT.kbd);
	TT.kbd = NULL;
	xkb_state_unref(TT.xstate);
	xkb_keymap_unref(TT.keymap);
	TT.xstate = NULL;
	TT.keymap = NULL;
	if (TT.seat)
		wl_seat_destroy(TT.seat);
	TT.seat = NULL;
	wl_registry_destroy(TT.reg);
	TT.reg = NULL;
	wl_display_flush(TT.dpy);
	wl_display_disconnect(TT.dpy);
	TT.dpy = NULL;
}

/* Connect to the compositor and take in its windows; -1 with the reason
 * (nothing is kept). */
static int wayland_open(void)
{
	if (!(TT.dpy = wl_role_connect(&registry_listener, &TT.reg)))
		return -1;
	if (!TT.mgr) {
		wayland_close();
		return fail("the compositor does not offer zwlr_foreign_toplevel_manager_v1 "
			"(sway, Hyprland, river, labwc, Wayfire and niri do; GNOME and KDE do not)");
	}
	/* The initial windows and their states. */
	if (wl_display_roundtrip(TT.dpy) < 0) {
		wayland_close();
		return fail("the Wayland compositor closed the connection");
	}
	return 0;
}

/* With no compositor: the bus is served (requests answered that there is
 * none), and every second a new one is looked for at $WAYLAND_DISPLAY
 * (a compositor restarted, or the next session's).  1 when connected
 * again, 0 not yet, -1 to stop. */
static int wayland_wait(void)
{
	int ev = xrole_poll(&TT.r, NULL, 0, 1000);

	if (ev & ROLE_STOP)
		return -1;
	if (ev & ROLE_BUS)
		role_dispatch(&TT.r, handle);
	if (role_now_ms() < TT.retry_at)
		return 0;
	TT.retry_at = role_now_ms() + 1000;
	if (wayland_open() < 0)
		return 0;
	log_info("wm: a compositor again: %d windows", TT.nwins);
	wm_order_restore();
	return 1;
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
	if (!(TT.xkb = xkb_context_new(XKB_CONTEXT_NO_FLAGS)))
		die("cannot create an xkbcommon context");
	TT.mru_fd = -1;
	if (wayland_open() < 0)
		die("%s", last_error());
	xrole_setup(&TT.r, "wm");
	signal(SIGCHLD, SIG_IGN);	/* the overlay's painter (paint.h) is reaped by the kernel */
	wm_order_open();
	wm_order_restore();
	enter_sandbox();
	TT.r.status = "tracking windows";
	log_info("wm: %d windows on the compositor", TT.nwins);
	for (;;) {
		int ev, timeout = -1;

		if (!TT.dpy) {
			if ((ev = wayland_wait()) < 0)
				break;
			continue;
		}
		if (TT.sw.active && !TT.sw.visible)
			timeout = (int)(TT.sw.draw_at > role_now_ms() ? TT.sw.draw_at - role_now_ms() : 0);
		else if (TT.ov && !TT.sw.active && TT.ov_idle_at)
			timeout = (int)(TT.ov_idle_at > role_now_ms() ? TT.ov_idle_at - role_now_ms() : 0);
		for (struct req *q = TT.reqs; q; q = q->next) {
			long long left = q->deadline - role_now_ms();

			if (timeout < 0 || left < timeout)
				timeout = left > 0 ? (int)left : 0;
		}
		if ((ev = xwl_role_poll(&TT.r, TT.dpy, NULL, 0, timeout)) < 0) {
			wayland_close();
			log_warn("wm: waiting for a compositor at WAYLAND_DISPLAY=%s",
				getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY") : "");
			continue;
		}
		if (ev & ROLE_STOP)
			break;
		if (ev & ROLE_CONNECTED)
			wm_publish_focus();	/* what the windows did before is unknown to subscribers */
		if (ev & ROLE_RELOADED && TT.ov)
			wm_overlay_release();	/* a new style (font, colours) for the next one */
		if (ev & ROLE_BUS && role_dispatch(&TT.r, handle) < 0)
			continue;
		if (TT.reqs)
			wm_answer(0, 1);
		if (TT.ov && !TT.sw.active && TT.ov_idle_at && role_now_ms() >= TT.ov_idle_at)
			wm_overlay_release();
		if (TT.sw.active && !TT.sw.visible && role_now_ms() >= TT.sw.draw_at) {
			TT.sw.visible = 1;
			wm_overlay_draw();
		}
		if (!TT.mgr) {
			wayland_close();
			log_warn("wm: waiting for a compositor at WAYLAND_DISPLAY=%s",
				getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY") : "");
		}
	}
	log_info("wm: stopping");
	if (TT.dpy)
		wayland_close();
	xkb_context_unref(TT.xkb);
	return role_close(&TT.r) ? 1 : r;
}
