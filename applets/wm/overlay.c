/* overlay.c - the window switcher's surface; see overlay.h. */
#include "applets/wm/overlay.h"
#include "applets/wm/hints.h"
#include "applets/wm/icons.h"
#include "lib/core/dynlib.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcft/fcft.h>
#include <pixman.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>

#include "proto/wlr-layer-shell-unstable-v1.h"

/* fcft and pixman are loaded when the overlay is made, not linked: fcft
 * brings fontconfig, freetype, harfbuzz, glib and a dozen more, pixman
 * runs its CPU setup at load, and every command and role of this one
 * binary would pay for them at each start (fcft: +1.3 ms per exec, ~2 MiB
 * per daemon; pixman: ~0.5 MiB per daemon, measured). */
#ifndef FCFT_LIB
#define FCFT_LIB "libfcft.so.4"
#endif
#ifndef PNG_LIB
#define PNG_LIB "libpng16.so.16"
#endif
#ifndef PIXMAN_LIB
#define PIXMAN_LIB "libpixman-1.so.0"
#endif
/* The libraries, loaded when the overlay first draws (their functions'
 * tables), and the globals it binds. */
static struct {
	struct {
		void *h;
		pixman_image_t *(*create_bits)(pixman_format_code_t, int, int, uint32_t *, int);
		pixman_image_t *(*create_solid_fill)(const pixman_color_t *);
		pixman_bool_t (*unref)(pixman_image_t *);
		pixman_bool_t (*fill_boxes)(pixman_op_t, pixman_image_t *, const pixman_color_t *, int,
			const pixman_box32_t *);
		void (*composite32)(pixman_op_t, pixman_image_t *, pixman_image_t *, pixman_image_t *, int32_t, int32_t,
			int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
		pixman_format_code_t (*get_format)(pixman_image_t *);
		pixman_bool_t (*set_transform)(pixman_image_t *, const pixman_transform_t *);
		pixman_bool_t (*set_filter)(pixman_image_t *, pixman_filter_t, const pixman_fixed_t *, int);
		void (*transform_init_scale)(pixman_transform_t *, pixman_fixed_t, pixman_fixed_t);
	} pixman;
	struct {		/* libpng's simplified API, for icons; optional */
		void *h;
		int tried;
		int (*begin)(png_imagep, png_const_voidp, size_t);
		int (*finish)(png_imagep, png_const_colorp, void *, png_int_32, void *);
		void (*free)(png_imagep);
	} png;
	struct {
		void *h;
		bool (*init)(enum fcft_log_colorize, bool, enum fcft_log_class);
		void (*fini)(void);
		struct fcft_font *(*from_name)(size_t, const char *[], const char *);
		void (*destroy)(struct fcft_font *);
		const struct fcft_glyph *(*rasterize)(struct fcft_font *, uint32_t, enum fcft_subpixel);
	} fcft;
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

/* In load_libs: the function called name into s.member, else missing. */
#define SYM(s, member, name) \
	if (!(*(void **)&s.member = dlsym(s.h, name))) \
		missing = name;

static int load_libs(void)
{
	const char *missing = NULL;

	if (!TT.fcft.h) {
		if (!(TT.fcft.h = dyn_open(FCFT_LIB, "the overlay draws text with fcft")))
			return -1;
		SYM(TT.fcft, init, "fcft_init")
		SYM(TT.fcft, fini, "fcft_fini")
		SYM(TT.fcft, from_name, "fcft_from_name")
		SYM(TT.fcft, destroy, "fcft_destroy")
		SYM(TT.fcft, rasterize, "fcft_rasterize_char_utf32")
		if (dyn_check(&TT.fcft.h, FCFT_LIB, missing) < 0)
			return -1;
	}
	if (!TT.pixman.h) {
		if (!(TT.pixman.h = dyn_open(PIXMAN_LIB, "the overlay draws with pixman")))
			return -1;
		SYM(TT.pixman, create_bits, "pixman_image_create_bits")
		SYM(TT.pixman, create_solid_fill, "pixman_image_create_solid_fill")
		SYM(TT.pixman, unref, "pixman_image_unref")
		SYM(TT.pixman, fill_boxes, "pixman_image_fill_boxes")
		SYM(TT.pixman, composite32, "pixman_image_composite32")
		SYM(TT.pixman, get_format, "pixman_image_get_format")
		SYM(TT.pixman, set_transform, "pixman_image_set_transform")
		SYM(TT.pixman, set_filter, "pixman_image_set_filter")
		SYM(TT.pixman, transform_init_scale, "pixman_transform_init_scale")
		if (dyn_check(&TT.pixman.h, PIXMAN_LIB, missing) < 0)
			return -1;
	}
	return 0;
}


#define ICON_CACHE 64

struct overlay {
	struct overlay_style st;
	char fonts[512];	/* the font list, to load again at another scale */
	char icon_theme[64];
	struct icon {		/* icons drawn, by name and size; img NULL: none found */
		char name[128];
		int px;
		pixman_image_t *img;
	} icons[ICON_CACHE];
	int nicons;
	int scale;		/* of the output it is on; sizes below in its pixels */
	struct fcft_font *font, *big;
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

/* 0xRRGGBBAA to pixman's premultiplied 16-bit channels. */
static pixman_color_t pcolor(uint32_t c)
{
	uint32_t a = c & 0xff;

	return (pixman_color_t){
		.red = (uint16_t)((c >> 24 & 0xff) * a / 255 * 257),
		.green = (uint16_t)((c >> 16 & 0xff) * a / 255 * 257),
		.blue = (uint16_t)((c >> 8 & 0xff) * a / 255 * 257),
		.alpha = (uint16_t)(a * 257),
	};
}

/* o's fonts for an output of that scale: "primary,fallback,...", the
 * fallbacks tried for characters the first lacks (CJK, emoji),
 * fontconfig's own after; at scale N, N x 96 dpi (96 as the compositor's
 * own titles; fontconfig's default would be 75).  -1 with a reason (the
 * old fonts kept). */
static int load_fonts(struct overlay *o, int scale)
{
	char list[512], plain[8][300], bold[8][320], *save = NULL, *name;
	const char *names[8], *bnames[8];
	struct fcft_font *font = NULL, *big = NULL;
	size_t nn = 0;

	snprintf(list, sizeof(list), "%s", o->fonts);
	for (name = strtok_r(list, ",", &save); name && nn < ARRAY_LEN(names); name = strtok_r(NULL, ",", &save)) {
		name += strspn(name, " ");
		if (!*name)
			continue;
		snprintf(plain[nn], sizeof(plain[nn]), "%s:dpi=%d", name, 96 * scale);
		snprintf(bold[nn], sizeof(bold[nn]), "%s:weight=bold", plain[nn]);	/* hints in bold */
		names[nn] = plain[nn];
		bnames[nn] = bold[nn];
		nn++;
	}
	if (!nn || !(font = TT.fcft.from_name(nn, names, NULL)) || !(big = TT.fcft.from_name(nn, bnames, NULL))) {
		if (font)
			TT.fcft.destroy(font);
		return fail("cannot load the font '%s' (fontconfig)", o->fonts);
	}
	if (o->font)
		TT.fcft.destroy(o->font);
	if (o->big)
		TT.fcft.destroy(o->big);
	o->font = font, o->big = big, o->scale = scale;
	return 0;
}

struct overlay *overlay_new(const struct overlay_style *style)
{
	struct overlay *o;

	if (!TT.wl.compositor || !TT.wl.shm)
		return fail("the compositor offers no wl_compositor or wl_shm"), NULL;
	if (!TT.wl.layer_shell)
		return fail("the compositor does not offer zwlr_layer_shell_v1 (GNOME does not)"), NULL;
	if (load_libs() < 0)
		return NULL;
	TT.fcft.init(FCFT_LOG_COLORIZE_NEVER, false, FCFT_LOG_CLASS_ERROR);
	o = xcalloc(1, sizeof(*o));
	o->st = *style;
	o->st.font = NULL;	/* the caller's string may go (a reload): o->fonts is ours */
	snprintf(o->fonts, sizeof(o->fonts), "%s", style->font && *style->font ? style->font : "monospace:size=14");
	snprintf(o->icon_theme, sizeof(o->icon_theme), "%s", style->icon_theme ? style->icon_theme : "");
	o->st.icon_theme = NULL;
	if (load_fonts(o, 1) < 0) {
		overlay_free(o);
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
	if (o->font)
		TT.fcft.destroy(o->font);
	if (o->big)
		TT.fcft.destroy(o->big);
	for (int i = 0; i < o->nicons; i++)
		if (o->icons[i].img)
			TT.pixman.unref(o->icons[i].img);
	free(o);
	if (TT.png.h)
		dlclose(TT.png.h);
	memset(&TT.png, 0, sizeof(TT.png));
	TT.fcft.fini();	/* fontconfig's caches too: one overlay per process */
	/* And the libraries (fcft, fontconfig, FreeType, HarfBuzz, pixman):
	 * their data pages are the most of what an overlay cost.  The next
	 * overlay loads them again. */
	if (TT.fcft.h)
		dlclose(TT.fcft.h);
	if (TT.pixman.h)
		dlclose(TT.pixman.h);
	memset(&TT.fcft, 0, sizeof(TT.fcft));
	memset(&TT.pixman, 0, sizeof(TT.pixman));
}

/* --- drawing ------------------------------------------------------------- */

static void fill(pixman_image_t *img, uint32_t color, int x, int y, int w, int h)
{
	pixman_color_t c = pcolor(color);
	pixman_box32_t box = { x, y, x + w, y + h };

	TT.pixman.fill_boxes(PIXMAN_OP_OVER, img, &c, 1, &box);
}

/* The code point of the UTF-8 sequence at s (k bytes, utf8_seq's count),
 * '?' for a control character or a broken sequence. */
static uint32_t code_point(const char *s, size_t k)
{
	uint32_t cp = '?';

	if (k == 1)
		cp = (unsigned char)s[0];
	else if (k == 2)
		cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	else if (k == 3)
		cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	else if (k == 4)
		cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
			(uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	return cp < 0x20 || cp == 0x7f ? '?' : cp;
}

static void glyph(pixman_image_t *img, pixman_image_t *src, const struct fcft_glyph *g, int x, int y)
{
	if (TT.pixman.get_format(g->pix) == PIXMAN_a8r8g8b8)	/* colour (emoji) */
		TT.pixman.composite32(PIXMAN_OP_OVER, g->pix, NULL, img, 0, 0, 0, 0, x + g->x, y - g->y,
			g->width, g->height);
	else
		TT.pixman.composite32(PIXMAN_OP_OVER, src, g->pix, img, 0, 0, 0, 0, x + g->x, y - g->y,
			g->width, g->height);
}

/* UTF-8 text at (x, baseline y) up to x_end: a text too long for it ends
 * in an ellipsis after its last whole character that leaves room.  The
 * new x. */
static int text(pixman_image_t *img, struct fcft_font *font, const char *s, uint32_t color, int x, int y, int x_end)
{
	pixman_color_t c = pcolor(color);
	pixman_image_t *src = TT.pixman.create_solid_fill(&c);
	const struct fcft_glyph *dots = TT.fcft.rasterize(font, 0x2026, FCFT_SUBPIXEL_NONE);
	int room = dots ? dots->advance.x : 0, w = x, cut = -1;
	size_t n = strlen(s);

	/* Where it must stop for the ellipsis, if it does not fit. */
	for (size_t i = 0; i < n; ) {
		size_t k = utf8_seq((const unsigned char *)s + i, n - i);
		const struct fcft_glyph *g = TT.fcft.rasterize(font, code_point(s + i, k ? k : 1), FCFT_SUBPIXEL_NONE);

		if (g && w + g->advance.x > x_end) {
			cut = 1;
			break;
		}
		w += g ? g->advance.x : 0;
		i += k ? k : 1;
	}
	for (size_t i = 0; i < n; ) {
		size_t k = utf8_seq((const unsigned char *)s + i, n - i);
		const struct fcft_glyph *g = TT.fcft.rasterize(font, code_point(s + i, k ? k : 1), FCFT_SUBPIXEL_NONE);

		i += k ? k : 1;
		if (!g)
			continue;
		if (x + g->advance.x > x_end - (cut > 0 ? room : 0))
			break;
		glyph(img, src, g, x, y);
		x += g->advance.x;
	}
	if (cut > 0 && dots && x + room <= x_end) {
		glyph(img, src, dots, x, y);
		x += room;
	}
	TT.pixman.unref(src);
	return x;
}

/* libpng, the first time an icon is wanted; 0 if it is not there (the
 * cards then show letter tiles). */
static int load_png(void)
{
	const char *missing = NULL;

	if (TT.png.tried)
		return TT.png.h != NULL;
	TT.png.tried = 1;
	if (!(TT.png.h = dyn_open(PNG_LIB, "the overlay reads icons with libpng"))) {
		log_warn("overlay: %s; letters instead of icons", last_error());
		return 0;
	}
	SYM(TT.png, begin, "png_image_begin_read_from_memory")
	SYM(TT.png, finish, "png_image_finish_read")
	SYM(TT.png, free, "png_image_free")
	if (dyn_check(&TT.png.h, PNG_LIB, missing) < 0) {
		log_warn("overlay: %s; letters instead of icons", last_error());
		return 0;
	}
	return 1;
}

/* The PNG at path as a px x px image (premultiplied, scaled), or NULL. */
static pixman_image_t *icon_read(const char *path, int px)
{
	size_t len;
	char *text = read_file(path, 1u << 20, &len);
	uint8_t *pix = NULL;
	png_image im = { .version = PNG_IMAGE_VERSION };
	pixman_image_t *src = NULL, *dst = NULL;
	pixman_transform_t t;

	if (!text)
		return NULL;
	if (!TT.png.begin(&im, text, len) || im.width < 1 || im.height < 1 || im.width > 1024 || im.height > 1024)
		goto done;
	im.format = PNG_FORMAT_BGRA;	/* little-endian a8r8g8b8, not yet premultiplied */
	pix = xmalloc(PNG_IMAGE_SIZE(im));
	if (!TT.png.finish(&im, NULL, pix, 0, NULL))
		goto done;
	for (size_t i = 0; i < (size_t)im.width * im.height; i++) {
		uint8_t *p = pix + 4 * i;

		p[0] = (uint8_t)(p[0] * p[3] / 255), p[1] = (uint8_t)(p[1] * p[3] / 255), p[2] = (uint8_t)(p[2] * p[3] / 255);
	}
	src = TT.pixman.create_bits(PIXMAN_a8r8g8b8, (int)im.width, (int)im.height, (uint32_t *)pix, (int)im.width * 4);
	dst = TT.pixman.create_bits(PIXMAN_a8r8g8b8, px, px, NULL, px * 4);
	if (src && dst) {
		TT.pixman.transform_init_scale(&t, pixman_double_to_fixed((double)im.width / px),
			pixman_double_to_fixed((double)im.height / px));
		TT.pixman.set_transform(src, &t);
		TT.pixman.set_filter(src, PIXMAN_FILTER_BILINEAR, NULL, 0);
		TT.pixman.composite32(PIXMAN_OP_SRC, src, NULL, dst, 0, 0, 0, 0, 0, 0, px, px);
	}
done:
	if (src)
		TT.pixman.unref(src);
	TT.png.free(&im);
	free(pix);
	free(text);
	return dst;
}

/* The icon of name (an Icon= value, or an app id: as it is, in lower
 * case, or its meaningful part) at px, from the cache; NULL if none. */
static pixman_image_t *icon_get(struct overlay *o, const char *name, int px)
{
	char path[4096], tries[3][128];
	struct icon *ic;

	if (!*name || strlen(name) >= sizeof(ic->name) || !load_png())
		return NULL;
	for (int i = 0; i < o->nicons; i++)
		if (o->icons[i].px == px && !strcmp(o->icons[i].name, name))
			return o->icons[i].img;
	if (o->nicons == ICON_CACHE) {	/* full: start again */
		for (int i = 0; i < o->nicons; i++)
			if (o->icons[i].img)
				TT.pixman.unref(o->icons[i].img);
		o->nicons = 0;
	}
	ic = &o->icons[o->nicons++];
	snprintf(ic->name, sizeof(ic->name), "%s", name);
	ic->px = px;
	ic->img = NULL;
	snprintf(tries[0], sizeof(tries[0]), "%s", name);
	for (size_t i = 0; i <= strlen(tries[0]); i++)
		tries[1][i] = tries[0][i] >= 'A' && tries[0][i] <= 'Z' ? (char)(tries[0][i] + 32) : tries[0][i];
	hints_app_name(name, tries[2], sizeof(tries[2]));
	for (int i = 0; i < 3 && !ic->img; i++)
		if ((i == 0 || strcmp(tries[i], tries[i - 1])) && icon_find(tries[i], o->icon_theme, px, path, sizeof(path)) == 0)
			ic->img = icon_read(path, px);
	return ic->img;
}

/* The card's icon at (x, y), size px: the app's, or a tile with the first
 * letter of its name. */
static void draw_icon(struct overlay *o, pixman_image_t *img, const struct overlay_card *c, int x, int y, int px)
{
	pixman_image_t *ic = c->icon && *c->icon ? icon_get(o, c->icon, px) : NULL;
	char letter[8] = "";
	size_t k;

	if (ic) {
		TT.pixman.composite32(PIXMAN_OP_OVER, ic, NULL, img, 0, 0, 0, 0, x, y, px, px);
		return;
	}
	fill(img, o->st.border, x, y, px, px);
	if (c->name && *c->name) {
		k = utf8_seq((const unsigned char *)c->name, strlen(c->name));
		memcpy(letter, c->name, k ? k : 1);
		text(img, o->big, letter, o->st.card, x + px / 4, y + (px + o->big->ascent - o->big->descent) / 2, x + px);
	}
}

static void draw_cards(struct overlay *o, pixman_image_t *img)
{
	const struct overlay_style *st = &o->st;
	int n = o->n < st->max_cards ? o->n : st->max_cards;
	int pad = o->font->height / 2, bw = st->border_width * o->scale;
	int W = o->width * o->scale, H = o->height * o->scale;	/* the buffer's pixels */
	int ch = o->big->height + 2 * pad, gap = pad;
	int cw = W * 6 / 10 > 1000 * o->scale ? 1000 * o->scale : W * 6 / 10;
	/* The launcher's field stays put as results come and go: placed for
	 * as many cards as it can have, and a card's place above them. */
	int rows = o->has_field ? (st->field_rows < st->max_cards ? st->field_rows : st->max_cards) + 1 : n;
	int x0 = (W - cw) / 2, y = (H - rows * (ch + gap) + gap) / 2;
	int hint_w = o->big->max_advance.x * 4 + 2 * pad;

	if (y < gap)
		y = gap;
	fill(img, st->background, 0, 0, W, H);
	if (o->has_field) {
		int base = y + pad + o->big->ascent, x = x0 + pad;

		if (bw > 0)
			fill(img, st->hint_matched, x0 - bw, y - bw, cw + 2 * bw, ch + 2 * bw);
		fill(img, st->card, x0, y, cw, ch);
		x = text(img, o->big, "\xe2\x80\xba ", st->hint, x, base, x0 + cw - pad);
		x = text(img, o->big, o->field, st->text, x, base, x0 + cw - pad);
		fill(img, st->text, x + o->scale, y + pad, 2 * o->scale, o->big->height);	/* the cursor */
		y += ch + gap;
		if (!n) {	/* on a card: the hint colour is chosen against the card's */
			fill(img, st->card, x0, y, cw, ch);
			base = y + (ch + o->font->ascent - o->font->descent) / 2;
			text(img, o->font, "no match", st->hint, x0 + pad, base, x0 + cw - pad);
		}
	}
	for (int i = 0; i < n && y + ch <= H; i++, y += ch + gap) {
		const struct overlay_card *c = &o->cards[i];
		int base = y + pad + o->big->ascent, x = x0 + pad, end = x0 + cw - pad;
		size_t tl = strlen(o->typed);
		char rest[16];

		if (i == o->selected && bw > 0)
			fill(img, st->border, x0 - bw, y - bw, cw + 2 * bw, ch + 2 * bw);
		fill(img, st->card, x0, y, cw, ch);
		/* the hint: the typed part in the matched colour; a card that
		 * no longer matches, in the hint's (dim) colour throughout */
		if (c->dim) {
			text(img, o->big, c->hint, st->hint, x, base, end);
		} else if (tl && !strncmp(c->hint, o->typed, tl)) {
			snprintf(rest, sizeof(rest), "%s", c->hint + tl);
			x = text(img, o->big, o->typed, st->hint_matched, x, base, end);
			text(img, o->big, rest, st->hint, x, base, end);
		} else {
			text(img, o->big, c->hint, st->hint, x, base, end);
		}
		if (c->focused)		/* the window that has the focus now: a bar */
			fill(img, st->hint_matched, x0, y, pad / 2 > 2 ? pad / 2 : 2, ch);
		x = x0 + pad + hint_w;
		if (c->icon) {	/* windows and applications: their icon, then the text */
			draw_icon(o, img, c, x, y + pad / 2, ch - pad);
			x += ch;
		}
		base = y + (ch + o->font->ascent - o->font->descent) / 2;
		/* The app (its name, or its id with show_app_id), then the title. */
		if (st->show_app_id || (c->name && *c->name) || !st->show_title || !c->title[0]) {
			x = text(img, o->font, st->show_app_id || !c->name || !*c->name ? c->app_id : c->name,
				c->dim ? st->hint : st->text, x, base, end);
			x += o->font->max_advance.x * 2;
		}
		if (st->show_title && x < end && !(c->name && !strcasecmp(c->name, c->title)))	/* once: Music, Music */
			text(img, o->font, c->title, c->dim ? st->hint : st->text, x, base, end);
	}
}

static void buffer_release(void *data, struct wl_buffer *b) { wl_buffer_destroy(b); }
static const struct wl_buffer_listener buffer_listener = { buffer_release };

/* A buffer the size of the surface, drawn and committed. */
static int redraw(struct overlay *o)
{
	int W = o->width * o->scale, H = o->height * o->scale, stride = W * 4, fd;
	size_t size = (size_t)stride * (size_t)H;
	struct wl_shm_pool *pool;
	struct wl_buffer *buf;
	pixman_image_t *img;
	void *data;

	if ((fd = memfd_create("sesame-overlay", MFD_CLOEXEC)) < 0)
		return fail("memfd_create: %s", strerror(errno));
	if (ftruncate(fd, (off_t)size) < 0 ||
	    (data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		close(fd);
		return fail("cannot map a %dx%d buffer: %s", W, H, strerror(errno));
	}
	img = TT.pixman.create_bits(PIXMAN_a8r8g8b8, W, H, data, stride);
	if (o->visible)
		draw_cards(o, img);	/* else: all zero, transparent */
	TT.pixman.unref(img);
	munmap(data, size);
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
 * its scale, fonts included, if that is another. */
static void surface_enter(void *data, struct wl_surface *sf, struct wl_output *output)
{
	struct overlay *o = data;
	int scale = 1;

	for (int i = 0; i < TT.wl.nout; i++)
		if (TT.wl.out[i].o == output)
			scale = TT.wl.out[i].scale;
	if (scale == o->scale)
		return;
	if (load_fonts(o, scale) < 0) {
		log_error("overlay: at scale %d: %s", scale, last_error());
		return;
	}
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
