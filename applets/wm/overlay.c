/* overlay.c - the window switcher's surface; see overlay.h.  The cards
 * are drawn by the painter (paint.h), a child process: this side is the
 * Wayland surface and its buffers. */
#include "applets/wm/overlay.h"
#include "applets/wm/paint.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>

#include "proto/wlr-layer-shell-unstable-v1.h"

/* The globals it binds. */
static struct {
	struct {
		struct wl_compositor *compositor;
		struct wl_shm *shm;
		struct zwlr_layer_shell_v1 *layer_shell;
		/* The outputs and their scale (wl_output v2): the overlay is
		 * drawn at the scale of the output it is on. */
		struct out {
			struct wl_output *o;
			uint32_t name;
			int scale;
		} out[16];
		int nout;
	} wl;
} TT;


struct overlay {
	struct painter *painter;
	int scale;		/* of the output it is on */
	struct wl_surface *surface;
	struct zwlr_layer_surface_v1 *layer;
	int configured, width, height;	/* surface size (logical pixels) */
	/* what to draw, copied: it is drawn again on every configure */
	struct overlay_card *cards;
	char *strings;
	int n, selected, visible, has_field;
	char typed[16];
	char field[256];
};

static void out_geometry(void *data, struct wl_output *o, int32_t x, int32_t y, int32_t pw, int32_t ph,
	int32_t subpixel, const char *make, const char *model, int32_t transform) { }
static void out_mode(void *data, struct wl_output *o, uint32_t flags, int32_t w, int32_t h, int32_t refresh) { }
static void out_done(void *data, struct wl_output *o) { }

static void out_scale(void *data, struct wl_output *o, int32_t factor)
{
	struct out *u = data;

	u->scale = factor >= 1 && factor <= 8 ? factor : 1;	/* a compositor's word, bounded */
}

static const struct wl_output_listener output_listener = {
	.geometry = out_geometry, .mode = out_mode, .done = out_done, .scale = out_scale,
};

int overlay_global(struct wl_registry *reg, uint32_t name, const char *iface, uint32_t version)
{
	if (!strcmp(iface, wl_compositor_interface.name) && !TT.wl.compositor)
		TT.wl.compositor = wl_registry_bind(reg, name, &wl_compositor_interface, version < 4 ? version : 4);
	else if (!strcmp(iface, wl_shm_interface.name) && !TT.wl.shm)
		TT.wl.shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
	else if (!strcmp(iface, zwlr_layer_shell_v1_interface.name) && !TT.wl.layer_shell)
		TT.wl.layer_shell = wl_registry_bind(reg, name, &zwlr_layer_shell_v1_interface, version < 3 ? version : 3);
	else if (!strcmp(iface, wl_output_interface.name) && version >= 2 && TT.wl.nout < (int)ARRAY_LEN(TT.wl.out)) {
		struct out *u = &TT.wl.out[TT.wl.nout++];

		u->o = wl_registry_bind(reg, name, &wl_output_interface, 2);
		u->name = name;
		u->scale = 1;
		wl_output_add_listener(u->o, &output_listener, u);
	} else {
		return 0;
	}
	return 1;
}

void overlay_global_remove(uint32_t name)
{
	for (int i = 0; i < TT.wl.nout; i++) {
		if (TT.wl.out[i].name != name)
			continue;
		wl_output_destroy(TT.wl.out[i].o);
		TT.wl.out[i] = TT.wl.out[--TT.wl.nout];
		return;
	}
}

void overlay_globals_drop(void)
{
	if (TT.wl.layer_shell)
		zwlr_layer_shell_v1_destroy(TT.wl.layer_shell);
	if (TT.wl.shm)
		wl_shm_destroy(TT.wl.shm);
	if (TT.wl.compositor)
		wl_compositor_destroy(TT.wl.compositor);
	TT.wl.layer_shell = NULL;
	TT.wl.shm = NULL;
	TT.wl.compositor = NULL;
	for (int i = 0; i < TT.wl.nout; i++)
		wl_output_destroy(TT.wl.out[i].o);
	TT.wl.nout = 0;
}


struct overlay *overlay_new(const struct overlay_style *style)
{
	struct overlay *o;

	if (!TT.wl.compositor || !TT.wl.shm)
		return fail("the compositor offers no wl_compositor or wl_shm"), NULL;
	if (!TT.wl.layer_shell)
		return fail("the compositor does not offer zwlr_layer_shell_v1 (GNOME does not)"), NULL;
	o = xcalloc(1, sizeof(*o));
	o->scale = 1;
	if (!(o->painter = painter_new(style))) {
		free(o);
		return NULL;
	}
	return o;
}

static void drop_cards(struct overlay *o)
{
	free(o->cards);
	free(o->strings);
	o->cards = NULL;
	o->strings = NULL;
	o->n = 0;
}

void overlay_hide(struct overlay *o)
{
	if (o->layer)
		zwlr_layer_surface_v1_destroy(o->layer);
	if (o->surface)
		wl_surface_destroy(o->surface);
	o->layer = NULL;
	o->surface = NULL;
	o->configured = 0;
	drop_cards(o);
}

void overlay_free(struct overlay *o)
{
	if (!o)
		return;
	overlay_hide(o);
	painter_free(o->painter);	/* it exits, and what it held with it */
	free(o);
}

static void buffer_release(void *data, struct wl_buffer *b) { wl_buffer_destroy(b); }
static const struct wl_buffer_listener buffer_listener = { buffer_release };

/* A buffer the size of the surface, drawn by the painter, committed. */
static int redraw(struct overlay *o)
{
	int W = o->width * o->scale, H = o->height * o->scale, stride = W * 4, fd;
	size_t size = (size_t)stride * (size_t)H;
	struct paint_job job = { o->width, o->height, o->scale, o->visible, o->selected, o->has_field, o->n,
		o->typed, o->field, o->cards };
	struct wl_shm_pool *pool;
	struct wl_buffer *buf;

	if ((fd = memfd_create("sesame-overlay", MFD_CLOEXEC)) < 0)
		return fail("memfd_create: %s", strerror(errno));
	if (ftruncate(fd, (off_t)size) < 0) {
		close(fd);
		return fail("cannot make a %dx%d buffer: %s", W, H, strerror(errno));
	}
	if (painter_draw(o->painter, &job, fd) < 0) {
		close(fd);
		return -1;
	}
	pool = wl_shm_create_pool(TT.wl.shm, fd, (int32_t)size);
	buf = wl_shm_pool_create_buffer(pool, 0, W, H, stride, WL_SHM_FORMAT_ARGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	wl_buffer_add_listener(buf, &buffer_listener, NULL);
	wl_surface_set_buffer_scale(o->surface, o->scale);
	wl_surface_attach(o->surface, buf, 0, 0);
	wl_surface_damage(o->surface, 0, 0, o->width, o->height);
	wl_surface_commit(o->surface);
	return 0;
}

static void layer_configure(void *data, struct zwlr_layer_surface_v1 *l, uint32_t serial, uint32_t w, uint32_t h)
{
	struct overlay *o = data;

	zwlr_layer_surface_v1_ack_configure(l, serial);
	if (!w || !h || w > 16384 || h > 16384) {
		log_error("overlay: the compositor proposed a %ux%u surface", w, h);
		return;
	}
	o->width = (int)w;
	o->height = (int)h;
	o->configured = 1;
	if (redraw(o) < 0)
		log_error("overlay: %s", last_error());
}

static void layer_closed(void *data, struct zwlr_layer_surface_v1 *l)
{
	overlay_hide(data);
}

static const struct zwlr_layer_surface_v1_listener layer_listener = { layer_configure, layer_closed };

/* The surface is on an output (the overlay covers one): drawn again at
 * its scale if that is another. */
static void surface_enter(void *data, struct wl_surface *sf, struct wl_output *output)
{
	struct overlay *o = data;
	int scale = 1;

	for (int i = 0; i < TT.wl.nout; i++)
		if (TT.wl.out[i].o == output)
			scale = TT.wl.out[i].scale;
	if (scale == o->scale)
		return;
	o->scale = scale;	/* the painter loads the fonts for it */
	log_debug("overlay: drawn at scale %d", scale);
	if (o->configured && redraw(o) < 0)
		log_error("overlay: %s", last_error());
}

static void surface_leave(void *data, struct wl_surface *sf, struct wl_output *output) { }

static const struct wl_surface_listener surface_listener = { .enter = surface_enter, .leave = surface_leave };

int overlay_show(struct overlay *o, const struct overlay_card *cards, int n, int selected,
	const char *typed, const char *field, int visible)
{
	size_t total = 0, at = 0;

	drop_cards(o);
	for (int i = 0; i < n; i++)
		total += strlen(cards[i].hint) + strlen(cards[i].app_id) + strlen(cards[i].title) +
			strlen(cards[i].name ? cards[i].name : "") + strlen(cards[i].icon ? cards[i].icon : "") + 5;
	o->cards = xcalloc((size_t)n + 1, sizeof(*o->cards));
	o->strings = xmalloc(total + 1);
	for (int i = 0; i < n; i++) {
		const char *s[5] = { cards[i].hint, cards[i].app_id, cards[i].title, cards[i].name ? cards[i].name : "",
			cards[i].icon ? cards[i].icon : "" };
		const char **d[5] = { &o->cards[i].hint, &o->cards[i].app_id, &o->cards[i].title, &o->cards[i].name,
			&o->cards[i].icon };

		o->cards[i].dim = cards[i].dim;
		o->cards[i].focused = cards[i].focused;
		for (int k = 0; k < 5; k++) {
			size_t l = strlen(s[k]) + 1;

			memcpy(o->strings + at, s[k], l);
			*d[k] = o->strings + at;
			at += l;
		}
	}
	o->n = n;
	o->selected = selected;
	o->visible = visible;
	snprintf(o->typed, sizeof(o->typed), "%s", typed ? typed : "");
	o->has_field = field != NULL;
	snprintf(o->field, sizeof(o->field), "%s", field ? field : "");
	if (!o->surface) {
		o->surface = wl_compositor_create_surface(TT.wl.compositor);
		wl_surface_add_listener(o->surface, &surface_listener, o);
		o->layer = zwlr_layer_shell_v1_get_layer_surface(TT.wl.layer_shell, o->surface, NULL,
			ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY, "sesame-wm");
		zwlr_layer_surface_v1_add_listener(o->layer, &layer_listener, o);
		zwlr_layer_surface_v1_set_anchor(o->layer, ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP |
			ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM | ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT |
			ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT);
		zwlr_layer_surface_v1_set_exclusive_zone(o->layer, -1);
		zwlr_layer_surface_v1_set_keyboard_interactivity(o->layer, 1);	/* exclusive */
		wl_surface_commit(o->surface);
		return 0;	/* drawn on configure */
	}
	return o->configured ? redraw(o) : 0;
}
