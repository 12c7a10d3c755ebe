/* wlpoll.h - one turn of a Wayland role's main loop: libwayland's read
 * protocol (dispatch what is queued, announce the read, flush our
 * requests, poll, read or cancel, dispatch) around xrole_poll(). */
#ifndef SESAME_WLPOLL_H
#define SESAME_WLPOLL_H

#include "lib/bus/role.h"

#include <wayland-client.h>

/* Connect to the compositor named by $WAYLAND_DISPLAY, listen to its
 * registry with l and wait for every global to be announced; NULL with
 * the reason if there is none or it hangs up (the x version dies). */
struct wl_display *wl_role_connect(const struct wl_registry_listener *l, struct wl_registry **reg);
struct wl_display *xwl_role_connect(const struct wl_registry_listener *l, struct wl_registry **reg);
/* xrole_poll()'s flags, with extra (at most 7) polled too; -1, logged,
 * when the compositor has gone away or sent a protocol error. */
int xwl_role_poll(struct role *r, struct wl_display *dpy, struct pollfd *extra, int nextra, int timeout_ms);

#endif
