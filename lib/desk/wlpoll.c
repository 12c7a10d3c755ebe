/* wlpoll.c - a Wayland role's loop turn (wlpoll.h). */
#include "lib/desk/wlpoll.h"
#include "lib/core/log.h"
#include "lib/core/util.h"
#include "lib/desk/desklib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct wl_display *wl_role_connect(const struct wl_registry_listener *l, struct wl_registry **reg)
{
	const char *name = getenv("WAYLAND_DISPLAY");
	struct wl_display *dpy;

	if (desk_load_wayland() < 0)
		return NULL;
	if (!(dpy = wl_display_connect(NULL)))
		return fail("cannot connect to the Wayland compositor%s%s%s: %s", name ? " (WAYLAND_DISPLAY=" : "",
			name ? name : "", name ? ")" : " (WAYLAND_DISPLAY is not set)", strerror(errno)), NULL;
	*reg = wl_display_get_registry(dpy);
	wl_registry_add_listener(*reg, l, NULL);
	if (wl_display_roundtrip(dpy) < 0) {
		wl_registry_destroy(*reg);
		wl_display_disconnect(dpy);
		*reg = NULL;
		return fail("the Wayland compositor closed the connection"), NULL;
	}
	return dpy;
}

struct wl_display *xwl_role_connect(const struct wl_registry_listener *l, struct wl_registry **reg)
{
	struct wl_display *dpy = wl_role_connect(l, reg);

	if (!dpy)
		die("%s", last_error());
	return dpy;
}

int xwl_role_poll(struct role *r, struct wl_display *dpy, struct pollfd *extra, int nextra, int timeout_ms)
{
	struct pollfd pf[8];
	int ev;

	if (nextra > 7)
		nextra = 7;
	pf[0] = (struct pollfd){ wl_display_get_fd(dpy), POLLIN, 0 };
	for (int i = 0; i < nextra; i++)
		pf[1 + i] = extra[i];
	while (wl_display_prepare_read(dpy) != 0)
		wl_display_dispatch_pending(dpy);
	if (wl_display_flush(dpy) < 0 && errno != EAGAIN) {
		wl_display_cancel_read(dpy);
		log_error("the Wayland compositor went away: %s", strerror(errno));
		return -1;
	}
	ev = xrole_poll(r, pf, 1 + nextra, timeout_ms);
	for (int i = 0; i < nextra; i++)
		extra[i].revents = pf[1 + i].revents;
	if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
		if (wl_display_read_events(dpy) < 0) {
			log_error("the Wayland compositor went away: %s", strerror(errno));
			return -1;
		}
	} else {
		wl_display_cancel_read(dpy);
	}
	if (wl_display_dispatch_pending(dpy) < 0) {
		log_error("Wayland protocol error: %s", strerror(wl_display_get_error(dpy)));
		return -1;
	}
	return ev;
}
