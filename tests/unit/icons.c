/* Unit tests for icon lookup (applets/wm/icons.h) in a made-up tree:
 * the theme before hicolor, the size chosen, pixmaps last, names that
 * are not names. */
#include "applets/wm/icons.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64] = "/tmp/sesame-icons-XXXXXX";

static void touch(const char *rel)
{
	char path[512], *s;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		mkdir(path, 0700);
		*s = '/';
	}
	if ((f = fopen(path, "w")))
		fclose(f);
}

static int svg;

static const char *found(const char *name, const char *theme, int size)
{
	static char out[512];

	if (icon_find(name, theme, size, svg, out, sizeof(out)) < 0)
		return "NONE";
	return strncmp(out, root, strlen(root)) ? out : out + strlen(root) + 1;
}

int main(void)
{
	char dirs[128];

	if (!mkdtemp(root))
		return 1;
	touch("share/icons/hicolor/16x16/apps/foot.png");
	touch("share/icons/hicolor/48x48/apps/foot.png");
	touch("share/icons/hicolor/256x256/apps/foot.png");
	touch("share/icons/hicolor/scalable/apps/foot.svg");
	touch("share/icons/Papirus/64x64/apps/foot.png");
	touch("share/icons/hicolor/32x32/apps/small.png");
	touch("share/icons/hicolor/32x32/apps/notpng.svg");
	touch("abs/icon.png");
	snprintf(dirs, sizeof(dirs), "%s/share", root);
	setenv("XDG_DATA_DIRS", dirs, 1);
	setenv("XDG_DATA_HOME", "/nonexistent", 1);
	setenv("HOME", "/nonexistent", 1);

	ok(!strcmp(found("foot", NULL, 40), "share/icons/hicolor/48x48/apps/foot.png"),
		"the smallest size at least the one wanted (got %s)", found("foot", NULL, 40));
	ok(!strcmp(found("foot", NULL, 512), "share/icons/hicolor/256x256/apps/foot.png"),
		"else the largest (got %s)", found("foot", NULL, 512));
	ok(!strcmp(found("foot", "Papirus", 40), "share/icons/Papirus/64x64/apps/foot.png"),
		"the theme asked for before hicolor (got %s)", found("foot", "Papirus", 40));
	ok(!strcmp(found("small", "Papirus", 96), "share/icons/hicolor/32x32/apps/small.png"),
		"hicolor when the theme lacks it (got %s)", found("small", "Papirus", 96));
	ok(!strcmp(found("notpng", NULL, 32), "NONE"), "an SVG alone is not taken");
	ok(!strcmp(found("missing", NULL, 32), "NONE"), "no icon of that name: none");
	{
		char abs[512];

		snprintf(abs, sizeof(abs), "%s/abs/icon.png", root);
		ok(!strcmp(found(abs, NULL, 32), "abs/icon.png"), "an absolute PNG path is taken as it is");
	}
	ok(!strcmp(found("../foot", NULL, 32), "NONE") && !strcmp(found("a/b", NULL, 32), "NONE") &&
		!strcmp(found("..", NULL, 32), "NONE") && !strcmp(found("", NULL, 32), "NONE"),
		"names with a slash or dots are not names");
	ok(!strcmp(found("/etc/passwd", NULL, 32), "NONE"), "an absolute path that is not a PNG is refused");

	/* A painter that can draw SVG (librsvg loaded). */
	svg = 1;
	ok(!strcmp(found("foot", NULL, 40), "share/icons/hicolor/48x48/apps/foot.png"),
		"with SVG: a PNG at least as large still comes first (got %s)", found("foot", NULL, 40));
	ok(!strcmp(found("foot", NULL, 512), "share/icons/hicolor/scalable/apps/foot.svg"),
		"but a scalable SVG before a PNG too small (got %s)", found("foot", NULL, 512));
	ok(!strcmp(found("notpng", NULL, 32), "share/icons/hicolor/32x32/apps/notpng.svg"),
		"an SVG alone is taken (got %s)", found("notpng", NULL, 32));
	ok(!strcmp(found("small", NULL, 96), "share/icons/hicolor/32x32/apps/small.png"),
		"and a small PNG with no SVG (got %s)", found("small", NULL, 96));
	{
		char abs[512];

		touch("abs/icon.svg");
		snprintf(abs, sizeof(abs), "%s/abs/icon.svg", root);
		ok(!strcmp(found(abs, NULL, 32), "abs/icon.svg"), "an absolute SVG path too");
	}
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", root);
	}
	return done_testing();
}
