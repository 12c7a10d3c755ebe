/* icons.c - icon files by name (icons.h). */
#include "applets/wm/icons.h"
#include "lib/core/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int has_ext(const char *p, const char *ext)
{
	size_t l = strlen(p);

	return l > 4 && !strcmp(p + l - 4, ext);
}

/* In one theme directory: the best NxN/apps/NAME.png, the smallest at
 * least size, else (svg) scalable/apps/NAME.svg or an NxN/apps/NAME.svg,
 * else the largest PNG; 1 if found. */
static int in_theme(const char *dir, const char *name, int size, int svg, char *out, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int best = 0;	/* the PNG size chosen: >= size as small as can be, else as large as can be */
	char path[4096], png[4096] = "", scalable[4096] = "";

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		int w, h, used = 0;

		if (svg && !*scalable && (size_t)snprintf(path, sizeof(path), "%s/%s/apps/%s.svg", dir, de->d_name,
		    name) < sizeof(path) && de->d_name[0] != '.' && !access(path, R_OK))
			snprintf(scalable, sizeof(scalable), "%s", path);
		if (sscanf(de->d_name, "%dx%d%n", &w, &h, &used) != 2 || de->d_name[used] || w != h || w < 8 || w > 1024)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s/apps/%s.png", dir, de->d_name, name) >= sizeof(path) ||
		    access(path, R_OK))
			continue;
		if (!best || (w >= size && (best < size || w < best)) || (w < size && best < size && w > best)) {
			best = w;
			snprintf(png, sizeof(png), "%s", path);
		}
	}
	closedir(d);
	if (best >= size || (best && !*scalable))
		return (size_t)snprintf(out, n, "%s", png) < n;
	if (*scalable)
		return (size_t)snprintf(out, n, "%s", scalable) < n;
	return 0;
}

int icon_find(const char *name, const char *theme, int size, int svg, char *out, size_t n)
{
	const char *home = getenv("HOME"), *dh = getenv("XDG_DATA_HOME"), *dd = getenv("XDG_DATA_DIRS");
	const char *themes[2] = { theme && *theme && strcmp(theme, "hicolor") ? theme : NULL, "hicolor" };
	char bases[18][1024], dir[2048];
	int nb = 0;

	if (!name || !*name || strlen(name) > 255)
		return -1;
	if (name[0] == '/') {
		if (!(has_ext(name, ".png") || (svg && has_ext(name, ".svg"))) || strstr(name, "/../") || access(name, R_OK))
			return -1;
		return (size_t)snprintf(out, n, "%s", name) < n ? 0 : -1;
	}
	if (strchr(name, '/') || !strcmp(name, "..") || name[0] == '.')
		return -1;
	if (dh && *dh == '/')
		snprintf(bases[nb++], sizeof(bases[0]), "%s/icons", dh);
	else if (home && *home == '/')
		snprintf(bases[nb++], sizeof(bases[0]), "%s/.local/share/icons", home);
	if (home && *home == '/')
		snprintf(bases[nb++], sizeof(bases[0]), "%s/.icons", home);
	for (const char *p = dd && *dd ? dd : "/usr/local/share:/usr/share"; *p && nb < 16; ) {
		size_t l = strcspn(p, ":");

		if (l && p[0] == '/' && l < 1000)
			snprintf(bases[nb++], sizeof(bases[0]), "%.*s/icons", (int)l, p);
		p += l + (p[l] == ':');
	}
	for (int t = 0; t < 2; t++)
		for (int b = 0; b < nb; b++) {
			if (!themes[t] || (size_t)snprintf(dir, sizeof(dir), "%s/%s", bases[b], themes[t]) >= sizeof(dir))
				continue;
			if (in_theme(dir, name, size, svg, out, n))
				return 0;
		}
	for (int k = 0; k < 1 + !!svg; k++)
		if ((size_t)snprintf(dir, sizeof(dir), "/usr/share/pixmaps/%s.%s", name, k ? "svg" : "png") < sizeof(dir) &&
		    !access(dir, R_OK))
			return (size_t)snprintf(out, n, "%s", dir) < n ? 0 : -1;
	return -1;
}
