/* wlpoll.h - one turn of a Wayland role's main loop: libwayland's read
 * protocol (dispatch what is queued, announce the read, flush our
 * requests, poll, read or cancel, dispatch) around role_poll(). */
#ifndef SESAME_WLPOLL_H
#define SESAME_WLPOLL_H

#include "role.h"

#include <wayland-client.h>

/* role_poll()'s flags, with extra (at most 7) polled too; -1, logged,
 * when the compositor has gone away or sent a protocol error. */
int wl_role_poll(struct role *r, struct wl_display *dpy, struct pollfd *extra, int nextra, int timeout_ms);

#endif
