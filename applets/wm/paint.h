/* paint.h - the overlay's painter: a child process of daemon-wm, forked
 * when an overlay is made and gone with it, that loads the drawing
 * libraries (pixman, fcft with fontconfig, FreeType, HarfBuzz and GLib,
 * libpng), holds the fonts and the decoded icons, and draws the cards
 * into the buffer daemon-wm hands it (a memfd, passed over a
 * socketpair).  daemon-wm itself never loads those libraries: what they
 * cost (GLib, which HarfBuzz brings, is never unloaded from a process)
 * ends with the painter.  It inherits daemon-wm's sandbox, holds no other
 * descriptor, and dies with daemon-wm (fork_helper). */
#ifndef SESAME_PAINT_H
#define SESAME_PAINT_H

#include "applets/wm/overlay.h"

#define PAINT_MAX_CARDS 64

/* What to draw: the surface's size in logical pixels at a scale, and the
 * cards as overlay_show got them. */
struct paint_job {
	int width, height, scale;
	int visible, selected, has_field, n;
	const char *typed, *field;
	const struct overlay_card *cards;
};

struct painter;

/* Fork a painter for style; it has loaded its libraries and fonts when
 * this returns.  NULL with a reason (a library or the font missing). */
struct painter *painter_new(const struct overlay_style *style);
/* Draw job into fd, a width*scale x height*scale ARGB8888 buffer, and
 * wait for it (2 s at most); a painter that died or hung is let go and
 * the next draw forks another.  -1 with a reason. */
int painter_draw(struct painter *p, const struct paint_job *job, int fd);
/* Close its end: the painter exits. */
void painter_free(struct painter *p);

#endif
