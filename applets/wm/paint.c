/* paint.c - the overlay's painter (paint.h): a child of daemon-wm that
 * draws the cards with pixman, text with fcft, icons with libpng. */
#include "applets/wm/paint.h"
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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

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
#ifndef RSVG_LIB
#define RSVG_LIB "librsvg-2.so.2"
#endif
/* librsvg's few functions, declared here: its headers are not needed to
 * build (CAIRO_FORMAT_ARGB32 is 0, premultiplied like pixman's a8r8g8b8). */
struct rsvg_rect { double x, y, width, height; };
#ifndef PIXMAN_LIB
#define PIXMAN_LIB "libpixman-1.so.0"
#endif

/* The painter's side: its libraries' functions, fonts, icons, and the
 * job being drawn. */
#define ICON_CACHE 64
static struct pstate {
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
		uint32_t *(*get_data)(pixman_image_t *);
		int (*get_stride)(pixman_image_t *);
	} pixman;
	struct {		/* libpng's simplified API, for icons; optional */
		void *h;
		int tried;
		int (*begin)(png_imagep, png_const_voidp, size_t);
		int (*finish)(png_imagep, png_const_colorp, void *, png_int_32, void *);
		void (*free)(png_imagep);
	} png;
	struct {		/* librsvg, with the cairo and GObject it brings, for SVG
				 * icons; optional, loaded for the first SVG drawn */
		void *h;
		int tried;
		void *(*from_data)(const uint8_t *, size_t, void **);
		int (*render)(void *, void *, const struct rsvg_rect *, void **);
		void *(*surface)(unsigned char *, int, int, int, int);
		void (*flush)(void *);
		void (*surface_destroy)(void *);
		void *(*create)(void *);
		void (*destroy)(void *);
		void (*unref)(void *);
		void (*error_free)(void *);
	} svg;
	struct {
		void *h;
		bool (*init)(enum fcft_log_colorize, bool, enum fcft_log_class);
		void (*fini)(void);
		struct fcft_font *(*from_name)(size_t, const char *[], const char *);
		void (*destroy)(struct fcft_font *);
		const struct fcft_glyph *(*rasterize)(struct fcft_font *, uint32_t, enum fcft_subpixel);
	} fcft;
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
	/* the job */
	int width, height;	/* surface size (logical pixels) */
	struct overlay_card cards[PAINT_MAX_CARDS];
	int n, selected, visible, has_field;
	char typed[16];
	char field[256];
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
		SYM(TT.pixman, get_data, "pixman_image_get_data")
		SYM(TT.pixman, get_stride, "pixman_image_get_stride")
		if (dyn_check(&TT.pixman.h, PIXMAN_LIB, missing) < 0)
			return -1;
	}
	return 0;
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
static int load_fonts(struct pstate *o, int scale)
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

/* librsvg, the first time an SVG icon is wanted; 0 if it is not there
 * (a PNG of the icon, or a letter tile, then). */
static int load_svg(void)
{
	const char *missing = NULL;

	if (TT.svg.tried)
		return TT.svg.h != NULL;
	TT.svg.tried = 1;
	if (!(TT.svg.h = dyn_open(RSVG_LIB, "the overlay draws SVG icons with librsvg"))) {
		log_info("overlay: %s; SVG icons are not drawn", last_error());
		return 0;
	}
	SYM(TT.svg, from_data, "rsvg_handle_new_from_data")
	SYM(TT.svg, render, "rsvg_handle_render_document")
	SYM(TT.svg, surface, "cairo_image_surface_create_for_data")
	SYM(TT.svg, flush, "cairo_surface_flush")
	SYM(TT.svg, surface_destroy, "cairo_surface_destroy")
	SYM(TT.svg, create, "cairo_create")
	SYM(TT.svg, destroy, "cairo_destroy")
	SYM(TT.svg, unref, "g_object_unref")
	SYM(TT.svg, error_free, "g_error_free")
	if (dyn_check(&TT.svg.h, RSVG_LIB, missing) < 0) {
		log_warn("overlay: %s; SVG icons are not drawn", last_error());
		return 0;
	}
	return 1;
}

/* The SVG at path drawn into a px x px image, or NULL.  (A hostile file
 * can at worst take the painter down: daemon-wm forks another.) */
static pixman_image_t *svg_read(const char *path, int px)
{
	size_t len;
	char *text = read_file(path, 1u << 20, &len);
	struct rsvg_rect vp = { 0, 0, px, px };
	pixman_image_t *dst = NULL;
	void *h, *err = NULL, *surface, *cr;
	int drawn;

	if (!text)
		return NULL;
	h = TT.svg.from_data((const uint8_t *)text, len, &err);
	free(text);
	if (!h || !(dst = TT.pixman.create_bits(PIXMAN_a8r8g8b8, px, px, NULL, px * 4))) {
		if (err)
			TT.svg.error_free(err);
		if (h)
			TT.svg.unref(h);
		return NULL;
	}
	surface = TT.svg.surface((unsigned char *)TT.pixman.get_data(dst), 0, px, px, TT.pixman.get_stride(dst));
	cr = TT.svg.create(surface);
	drawn = TT.svg.render(h, cr, &vp, &err);
	TT.svg.destroy(cr);
	TT.svg.flush(surface);
	TT.svg.surface_destroy(surface);
	TT.svg.unref(h);
	if (err)
		TT.svg.error_free(err);
	if (!drawn) {
		TT.pixman.unref(dst);
		return NULL;
	}
	return dst;
}

/* The icon of name (an Icon= value, or an app id: as it is, in lower
 * case, or its meaningful part) at px, from the cache; NULL if none.  An
 * SVG is taken where the theme has no PNG as large, if librsvg loads. */
static pixman_image_t *icon_get(struct pstate *o, const char *name, int px)
{
	char path[4096], tries[3][128];
	struct icon *ic;

	if (!*name || strlen(name) >= sizeof(ic->name))
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
	for (int i = 0; i < 3 && !ic->img; i++) {
		size_t l;

		if ((i && !strcmp(tries[i], tries[i - 1])) ||
		    icon_find(tries[i], o->icon_theme, px, !TT.svg.tried || TT.svg.h, path, sizeof(path)) < 0)
			continue;
		l = strlen(path);
		if (l > 4 && !strcmp(path + l - 4, ".svg") && !load_svg() &&
		    icon_find(tries[i], o->icon_theme, px, 0, path, sizeof(path)) < 0)
			continue;
		l = strlen(path);
		if (l > 4 && !strcmp(path + l - 4, ".svg"))
			ic->img = svg_read(path, px);
		else if (load_png())
			ic->img = icon_read(path, px);
	}
	return ic->img;
}

/* The card's icon at (x, y), size px: the app's, or a tile with the first
 * letter of its name. */
static void draw_icon(struct pstate *o, pixman_image_t *img, const struct overlay_card *c, int x, int y, int px)
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

static void draw_cards(struct pstate *o, pixman_image_t *img)
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

/* --- the painter's side ------------------------------------------------------ */

/* Messages: daemon-wm sends a job (a header, then per card its flags and
 * five strings, NUL-terminated) with the buffer's descriptor; the painter
 * answers with a status and, on failure, the reason.  Both ends are this
 * program, but the painter still checks every length. */
struct job_hdr {
	int32_t width, height, scale, visible, selected, has_field, n;
	char typed[16], field[256];
};
enum { CARD_DIM = 1, CARD_FOCUSED = 2, CARD_NAME = 4, CARD_ICON = 8 };
#define MSG_MAX (sizeof(struct job_hdr) + PAINT_MAX_CARDS * (1 + 4 * 520 + 300))

struct reply {
	int32_t status;
	char why[252];
};

static char *msg_buf;		/* the painter's, MSG_MAX */

/* Take a job apart into TT; -1 if it is malformed. */
static int job_parse(const char *m, size_t len)
{
	struct job_hdr h;
	size_t at = sizeof(h);

	if (len < sizeof(h))
		return -1;
	memcpy(&h, m, sizeof(h));
	if (h.width < 1 || h.height < 1 || h.width > 16384 || h.height > 16384 || h.scale < 1 || h.scale > 8 ||
	    h.n < 0 || h.n > PAINT_MAX_CARDS || !memchr(h.typed, 0, sizeof(h.typed)) ||
	    !memchr(h.field, 0, sizeof(h.field)))
		return -1;
	for (int i = 0; i < h.n; i++) {
		struct overlay_card *c = &TT.cards[i];
		const char **s[5] = { &c->hint, &c->app_id, &c->title, &c->name, &c->icon };
		uint8_t f;

		if (at >= len)
			return -1;
		f = (uint8_t)m[at++];
		for (int k = 0; k < 5; k++) {
			const char *end = memchr(m + at, 0, len - at);

			if (!end)
				return -1;
			*s[k] = m + at;
			at = (size_t)(end - m) + 1;
		}
		c->dim = !!(f & CARD_DIM);
		c->focused = !!(f & CARD_FOCUSED);
		if (!(f & CARD_NAME))
			c->name = NULL;
		if (!(f & CARD_ICON))
			c->icon = NULL;
	}
	TT.width = h.width, TT.height = h.height;
	TT.visible = h.visible, TT.selected = h.selected, TT.has_field = h.has_field, TT.n = h.n;
	memcpy(TT.typed, h.typed, sizeof(TT.typed));
	memcpy(TT.field, h.field, sizeof(TT.field));
	if (h.scale != TT.scale && load_fonts(&TT, h.scale) < 0)
		return -2;
	return 0;
}

static int paint(int fd)
{
	int W = TT.width * TT.scale, H = TT.height * TT.scale, stride = W * 4;
	size_t size = (size_t)stride * (size_t)H;
	pixman_image_t *img;
	void *data;

	if ((data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
		return fail("cannot map a %dx%d buffer: %s", W, H, strerror(errno));
	if ((img = TT.pixman.create_bits(PIXMAN_a8r8g8b8, W, H, data, stride))) {
		if (TT.visible)
			draw_cards(&TT, img);	/* else: all zero, transparent */
		TT.pixman.unref(img);
	}
	munmap(data, size);
	return img ? 0 : fail("pixman cannot draw a %dx%d image", W, H);
}

static void answer(int sock, int ok)
{
	struct reply r = { .status = ok ? 0 : -1 };

	if (!ok)
		snprintf(r.why, sizeof(r.why), "%s", last_error());
	if (send(sock, &r, sizeof(r), MSG_NOSIGNAL) < 0)
		_exit(0);
}

/* The painter: load, answer, then one job per message until daemon-wm
 * closes its end. */
static void __attribute__((noreturn)) painter_main(int sock)
{
	prctl(PR_SET_NAME, "sesame-painter");
	if (load_libs() < 0) {
		answer(sock, 0);
		_exit(0);
	}
	TT.fcft.init(FCFT_LOG_COLORIZE_NEVER, false, FCFT_LOG_CLASS_ERROR);
	if (load_fonts(&TT, 1) < 0) {
		answer(sock, 0);
		_exit(0);
	}
	answer(sock, 1);
	msg_buf = xmalloc(MSG_MAX);
	for (;;) {
		char ctl[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { msg_buf, MSG_MAX };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			.msg_controllen = sizeof(ctl) };
		struct cmsghdr *cm;
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		int fd = -1, r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);	/* daemon-wm let go of the overlay, or is gone */
		if ((cm = CMSG_FIRSTHDR(&mh)) && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		if (fd < 0 || mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
			r = fail("a job without its buffer, or cut short");
		else if ((r = job_parse(msg_buf, (size_t)n)) == -1)
			fail("a malformed job");
		else if (!r)
			r = paint(fd);
		if (fd >= 0)
			close(fd);
		answer(sock, r == 0);
	}
}

/* --- daemon-wm's side -------------------------------------------------------- */

struct painter {
	int sock;		/* -1: none now; the next draw forks one */
	char *buf;		/* a job being written, MSG_MAX */
};

/* The painter's answer: 0, -1 with its reason, or -2 if it is stuck or
 * gone (then let go of: the next draw forks another). */
static int wait_answer(struct painter *p, int ms)
{
	struct pollfd pf = { p->sock, POLLIN, 0 };
	struct reply r;
	ssize_t n;
	int k;

	while ((k = poll(&pf, 1, ms)) < 0 && errno == EINTR)
		;
	if (k == 0 || (n = recv(p->sock, &r, sizeof(r), 0)) != (ssize_t)sizeof(r)) {
		fail(k == 0 ? "the painter did not answer in %d ms" : "the painter is gone", ms);
		close(p->sock);
		p->sock = -1;
		return -2;
	}
	r.why[sizeof(r.why) - 1] = 0;
	return r.status == 0 ? 0 : fail("%s", r.why);
}

/* Fork a painter; it answers once its libraries and fonts are loaded (a
 * slow disk or a cold fontconfig cache: 10 s).  Its style is this
 * process's copy in TT, made by painter_new. */
static int spawn(struct painter *p)
{
	int child;

	if ((p->sock = fork_helper(SOCK_SEQPACKET, &child)) < 0)
		return -1;
	if (child)
		painter_main(p->sock);
	return wait_answer(p, 10000) < 0 ? -1 : 0;
}

struct painter *painter_new(const struct overlay_style *style)
{
	struct painter *p = xcalloc(1, sizeof(*p));

	TT.st = *style;
	TT.st.font = TT.st.icon_theme = NULL;
	snprintf(TT.fonts, sizeof(TT.fonts), "%s", style->font && *style->font ? style->font : "monospace:size=14");
	snprintf(TT.icon_theme, sizeof(TT.icon_theme), "%s", style->icon_theme ? style->icon_theme : "");
	if (spawn(p) < 0) {
		painter_free(p);
		return NULL;
	}
	return p;
}

int painter_draw(struct painter *p, const struct paint_job *job, int fd)
{
	struct job_hdr h = { job->width, job->height, job->scale, job->visible, job->selected, job->has_field,
		job->n < PAINT_MAX_CARDS ? job->n : PAINT_MAX_CARDS, "", "" };
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	size_t at = sizeof(h);

	if (p->sock < 0 && spawn(p) < 0)	/* the last one died or hung */
		return -1;
	if (!p->buf)
		p->buf = xmalloc(MSG_MAX);
	snprintf(h.typed, sizeof(h.typed), "%s", job->typed ? job->typed : "");
	snprintf(h.field, sizeof(h.field), "%s", job->field ? job->field : "");
	memcpy(p->buf, &h, sizeof(h));
	for (int i = 0; i < h.n; i++) {
		const struct overlay_card *c = &job->cards[i];
		const char *s[5] = { c->hint, c->app_id, c->title, c->name ? c->name : "", c->icon ? c->icon : "" };
		const size_t max[5] = { 16, 512, 512, 256, 256 };	/* what fits in MSG_MAX */

		p->buf[at++] = (char)((c->dim ? CARD_DIM : 0) | (c->focused ? CARD_FOCUSED : 0) |
			(c->name ? CARD_NAME : 0) | (c->icon ? CARD_ICON : 0));
		for (int k = 0; k < 5; k++) {
			size_t l = strnlen(s[k], max[k] - 1);

			/* Cut at a character boundary: the painter draws UTF-8. */
			while (l && l < strlen(s[k]) && ((unsigned char)s[k][l] & 0xc0) == 0x80)
				l--;
			memcpy(p->buf + at, s[k], l);
			p->buf[at + l] = 0;
			at += l + 1;
		}
	}
	iov = (struct iovec){ p->buf, at };
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(p->sock, &mh, MSG_NOSIGNAL) < 0) {
		fail("the painter is gone (%s)", strerror(errno));
		close(p->sock);
		p->sock = -1;
		return -1;
	}
	return wait_answer(p, 2000) < 0 ? -1 : 0;
}

void painter_free(struct painter *p)
{
	if (!p)
		return;
	if (p->sock >= 0)
		close(p->sock);
	free(p->buf);
	free(p);
}
