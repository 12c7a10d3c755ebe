/* desklib.h - libwayland-client and libxkbcommon, loaded by the roles that
 * use them rather than linked (why and how: dynlib.h).  Linked, the two
 * (and libffi behind libwayland) were mapped and relocated at each start
 * of each command and role, for three roles' use.  The protocol headers
 * are generated with their requests sent through desk_wl_marshal (see the
 * Makefile). */
#ifndef SESAME_DESKLIB_H
#define SESAME_DESKLIB_H

#include <stdint.h>

struct wl_interface;
struct wl_proxy;

/* Load libwayland-client / libxkbcommon; 0, or -1 with last_error()
 * naming the library and why.  Nothing of either may be called before. */
int desk_load_wayland(void);
int desk_load_xkb(void);

/* wl_proxy_marshal_flags() for a proxy whose interface is self: the
 * arguments are read by self's request signature and sent as an array. */
struct wl_proxy *desk_wl_marshal(const struct wl_interface *self, struct wl_proxy *proxy, uint32_t opcode,
	const struct wl_interface *iface, uint32_t version, uint32_t flags, ...);

#endif
