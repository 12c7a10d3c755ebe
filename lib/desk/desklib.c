/* desklib.c - libwayland-client and libxkbcommon on demand; see desklib.h
 * and, for how the functions are forwarded, dynlib.h. */
#include "lib/desk/desklib.h"
#include "lib/core/dynlib.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <wayland-client-core.h>
#include <xkbcommon/xkbcommon.h>

#ifndef WAYLAND_CLIENT_LIB
#define WAYLAND_CLIENT_LIB "libwayland-client.so.0"
#endif
#ifndef XKBCOMMON_LIB
#define XKBCOMMON_LIB "libxkbcommon.so.0"
#endif

/* F(return type, name, parameters, arguments) for a function that returns
 * a value, V(name, parameters, arguments) for one that does not. */
#define WAYLAND_FUNCTIONS(F, V) \
	F(struct wl_display *, wl_display_connect, (const char *name), (name)) \
	V(wl_display_disconnect, (struct wl_display *d), (d)) \
	F(int, wl_display_get_fd, (struct wl_display *d), (d)) \
	F(int, wl_display_get_error, (struct wl_display *d), (d)) \
	F(int, wl_display_roundtrip, (struct wl_display *d), (d)) \
	F(int, wl_display_flush, (struct wl_display *d), (d)) \
	F(int, wl_display_dispatch_pending, (struct wl_display *d), (d)) \
	F(int, wl_display_prepare_read, (struct wl_display *d), (d)) \
	F(int, wl_display_read_events, (struct wl_display *d), (d)) \
	V(wl_display_cancel_read, (struct wl_display *d), (d)) \
	F(int, wl_proxy_add_listener, (struct wl_proxy *p, void (**impl)(void), void *data), (p, impl, data)) \
	V(wl_proxy_destroy, (struct wl_proxy *p), (p)) \
	F(uint32_t, wl_proxy_get_version, (struct wl_proxy *p), (p)) \
	V(wl_proxy_set_user_data, (struct wl_proxy *p, void *data), (p, data)) \
	F(struct wl_proxy *, wl_proxy_marshal_array_flags, (struct wl_proxy *p, uint32_t opcode, \
		const struct wl_interface *iface, uint32_t version, uint32_t flags, union wl_argument *args), \
		(p, opcode, iface, version, flags, args))

#define XKB_FUNCTIONS(F, V) \
	F(struct xkb_context *, xkb_context_new, (enum xkb_context_flags flags), (flags)) \
	V(xkb_context_unref, (struct xkb_context *c), (c)) \
	F(struct xkb_keymap *, xkb_keymap_new_from_names, (struct xkb_context *c, \
		const struct xkb_rule_names *names, enum xkb_keymap_compile_flags flags), (c, names, flags)) \
	F(struct xkb_keymap *, xkb_keymap_new_from_buffer, (struct xkb_context *c, const char *buf, \
		size_t len, enum xkb_keymap_format format, enum xkb_keymap_compile_flags flags), \
		(c, buf, len, format, flags)) \
	V(xkb_keymap_unref, (struct xkb_keymap *k), (k)) \
	F(xkb_mod_index_t, xkb_keymap_mod_get_index, (struct xkb_keymap *k, const char *name), (k, name)) \
	F(int, xkb_keymap_key_get_syms_by_level, (struct xkb_keymap *k, xkb_keycode_t key, \
		xkb_layout_index_t layout, xkb_level_index_t level, const xkb_keysym_t **syms), \
		(k, key, layout, level, syms)) \
	F(xkb_keysym_t, xkb_keysym_from_name, (const char *name, enum xkb_keysym_flags flags), (name, flags)) \
	F(xkb_keysym_t, xkb_keysym_to_lower, (xkb_keysym_t ks), (ks)) \
	F(struct xkb_state *, xkb_state_new, (struct xkb_keymap *k), (k)) \
	V(xkb_state_unref, (struct xkb_state *s), (s)) \
	F(enum xkb_state_component, xkb_state_update_key, (struct xkb_state *s, xkb_keycode_t key, \
		enum xkb_key_direction dir), (s, key, dir)) \
	F(enum xkb_state_component, xkb_state_update_mask, (struct xkb_state *s, xkb_mod_mask_t depressed, \
		xkb_mod_mask_t latched, xkb_mod_mask_t locked, xkb_layout_index_t dlayout, \
		xkb_layout_index_t llayout, xkb_layout_index_t klayout), \
		(s, depressed, latched, locked, dlayout, llayout, klayout)) \
	F(xkb_keysym_t, xkb_state_key_get_one_sym, (struct xkb_state *s, xkb_keycode_t key), (s, key)) \
	F(uint32_t, xkb_state_key_get_utf32, (struct xkb_state *s, xkb_keycode_t key), (s, key)) \
	F(xkb_layout_index_t, xkb_state_key_get_layout, (struct xkb_state *s, xkb_keycode_t key), (s, key)) \
	F(int, xkb_state_mod_index_is_active, (struct xkb_state *s, xkb_mod_index_t idx, \
		enum xkb_state_component type), (s, idx, type)) \
	F(int, xkb_state_mod_name_is_active, (struct xkb_state *s, const char *name, \
		enum xkb_state_component type), (s, name, type))

static struct { WAYLAND_FUNCTIONS(DYN_POINTER, DYN_VPOINTER) } wl;
static struct { XKB_FUNCTIONS(DYN_POINTER, DYN_VPOINTER) } xkb;
#define WL_F(ret, name, params, args) DYN_FORWARD(wl, ret, name, params, args)
#define WL_V(name, params, args) DYN_VFORWARD(wl, name, params, args)
#define XKB_F(ret, name, params, args) DYN_FORWARD(xkb, ret, name, params, args)
#define XKB_V(name, params, args) DYN_VFORWARD(xkb, name, params, args)
WAYLAND_FUNCTIONS(WL_F, WL_V)
XKB_FUNCTIONS(XKB_F, XKB_V)
#define WL_R(ret, name, params, args) DYN_RESOLVE(wl, name)
#define WL_VR(name, params, args) DYN_RESOLVE(wl, name)
#define XKB_R(ret, name, params, args) DYN_RESOLVE(xkb, name)
#define XKB_VR(name, params, args) DYN_RESOLVE(xkb, name)

int desk_load_wayland(void)
{
	static void *h;
	const char *missing = NULL;

	if (h)
		return 0;
	if (!(h = dyn_open(WAYLAND_CLIENT_LIB, "the Wayland roles talk to the compositor with it")))
		return -1;
	WAYLAND_FUNCTIONS(WL_R, WL_VR)
	return dyn_check(&h, WAYLAND_CLIENT_LIB, missing);
}

int desk_load_xkb(void)
{
	static void *h;
	const char *missing = NULL;

	if (h)
		return 0;
	if (!(h = dyn_open(XKBCOMMON_LIB, "keys are read with it")))
		return -1;
	XKB_FUNCTIONS(XKB_R, XKB_VR)
	return dyn_check(&h, XKBCOMMON_LIB, missing);
}

/* libwayland's own limit on a message's arguments (WL_CLOSURE_MAX_ARGS). */
#define MAX_ARGS 20

struct wl_proxy *desk_wl_marshal(const struct wl_interface *self, struct wl_proxy *proxy, uint32_t opcode,
	const struct wl_interface *iface, uint32_t version, uint32_t flags, ...)
{
	union wl_argument a[MAX_ARGS];
	const char *sig = self->methods[opcode].signature;
	va_list ap;
	int n = 0;

	va_start(ap, flags);
	for (; *sig; sig++) {
		if (n == MAX_ARGS) {	/* no protocol sesame speaks has such a request */
			va_end(ap);
			log_error("wayland: %s.%s has more than %d arguments: not sent", self->name,
				self->methods[opcode].name, MAX_ARGS);
			return NULL;
		}
		switch (*sig) {
		case 'i': a[n++].i = va_arg(ap, int32_t); break;
		case 'u': a[n++].u = va_arg(ap, uint32_t); break;
		case 'f': a[n++].f = va_arg(ap, wl_fixed_t); break;
		case 's': a[n++].s = va_arg(ap, const char *); break;
		case 'o': case 'n': a[n++].o = va_arg(ap, struct wl_object *); break;
		case 'a': a[n++].a = va_arg(ap, struct wl_array *); break;
		case 'h': a[n++].h = va_arg(ap, int32_t); break;
		default: break;	/* '?' (nullable) and the since-version digits */
		}
	}
	va_end(ap);
	return wl.wl_proxy_marshal_array_flags(proxy, opcode, iface, version, flags, a);
}
