/* icons.h - an application's icon file, found the way the freedesktop
 * Icon Theme Specification looks: by name in the theme asked for, then
 * hicolor, under $XDG_DATA_HOME/icons, ~/.icons and each
 * $XDG_DATA_DIRS/icons, then /usr/share/pixmaps; the NxN/apps size
 * directories, the smallest at least the size wanted, else a scalable
 * SVG (when the caller can draw one: librsvg), else the largest.  An
 * absolute Icon= path is taken as it is if it is a PNG (or an SVG).  Apart from Wayland so that it can be
 * tested alone (tests/unit/icons.c). */
#ifndef SESAME_ICONS_H
#define SESAME_ICONS_H

#include <stddef.h>

/* The file of icon name (an Icon= value or an app id) for size pixels
 * in theme (NULL: hicolor alone), SVG files too if svg, into out (n
 * bytes); -1 if there is none or the name is not one (a slash or ".." in
 * a relative name). */
int icon_find(const char *name, const char *theme, int size, int svg, char *out, size_t n);

#endif
