/* overlay.h - the window switcher's surface: a full-output layer-shell
 * surface on the overlay layer that takes the keyboard, drawn into a
 * wl_shm buffer by the painter process (paint.h) with pixman, text with
 * fcft (fontconfig names, UTF-8).
 * One card per window: its hint, the app's name (or id) and the title,
 * cut with an ellipsis where it does not fit; the selected card framed,
 * the focused window's marked with a bar, the typed part of each hint in
 * the matched colour.  Or, for
 * the launcher, a search field and a card per result.
 */
#ifndef SESAME_OVERLAY_H
#define SESAME_OVERLAY_H

#include <stdint.h>

struct wl_registry;

struct overlay_style {
	uint32_t background, card, text, hint, hint_matched, border;	/* 0xRRGGBBAA */
	int border_width;
	int show_title, show_app_id;
	int max_cards;
	int field_rows;		/* the most results under the launcher's field */
	const char *icon_theme;	/* "" or NULL: hicolor alone (read by overlay_new only) */
	const char *font;	/* fontconfig names, "monospace:size=14,Noto Color Emoji":
				 * the first, then fallbacks (read by overlay_new only) */
};

struct overlay_card {
	const char *hint, *app_id, *title;
	int dim;		/* no longer matches what was typed: drawn dimmed */
	const char *name;	/* the app's name ("Firefox"), NULL: its id */
	int focused;		/* it has the focus now: marked */
	const char *icon;	/* an Icon= value or an app id; NULL: no icon column,
				 * "": a tile with the name's first letter */
};

struct overlay;

/* Bind what the overlay needs from the registry's globals: call from
 * the registry listener for every global; returns 1 if it took it. */
int overlay_global(struct wl_registry *reg, uint32_t name, const char *iface, uint32_t version);
/* A global went away (an output unplugged). */
void overlay_global_remove(uint32_t name);
/* Let go of them (the compositor went away; overlay_free first). */
void overlay_globals_drop(void);
/* Ready to draw once the globals are bound (NULL with a reason if the
 * compositor lacks wl_compositor, wl_shm or zwlr_layer_shell_v1, or the
 * font cannot be loaded). */
struct overlay *overlay_new(const struct overlay_style *style);
void overlay_free(struct overlay *o);
/* Show (or redraw) the cards; visible 0 maps a transparent surface that
 * only holds the keyboard (Alt+Tab before the overlay delay). typed is
 * the hint prefix typed so far.  field, if not NULL, is a search field
 * drawn above the cards with that text (the launcher), and with no
 * cards a "no match" line under it. */
int overlay_show(struct overlay *o, const struct overlay_card *cards, int n, int selected,
	const char *typed, const char *field, int visible);
void overlay_hide(struct overlay *o);

#endif
