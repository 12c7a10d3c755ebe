/* icons.h - an application's icon file, found the way the freedesktop
 * Icon Theme Specification looks: by name in the theme asked for, then
 * hicolor, under $XDG_DATA_HOME/icons, ~/.icons and each
 * $XDG_DATA_DIRS/icons, then /usr/share/pixmaps; the NxN/apps size
 * directories, the smallest at least the size wanted, else the largest.
 * PNG only (the overlay has no SVG renderer).  An absolute Icon= path is
 * taken as it is if it is a PNG.  Apart from Wayland so that it can be
 * tested alone (tests/unit/icons.c). */
#ifndef SESAME_ICONS_H
#define SESAME_ICONS_H

#include <stddef.h>

/* The file of icon name (an Icon= value or an app id) for size pixels
 * in theme (NULL: hicolor alone) into out (n bytes); -1 if there is none
 * or the name is not one (a slash or ".." in a relative name). */
int icon_find(const char *name, const char *theme, int size, char *out, size_t n);

#endif
