/* setup_keybinding.c - `sesame setup-keybinding`: the compositor's
 * binding lines for the switcher, printed, or added to its config file
 * when the user agrees. */
#include "../lib/applet.h"
#include "../lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*APPLET setup-keybinding setup_keybinding_main "print or add the compositor's bindings for the switcher"
usage: sesame setup-keybinding [sway|hyprland|river|labwc] [--write [--yes]]

Prints the lines that bind Alt+Tab to `sesame wm overlay`,
Alt+Shift+Tab to `sesame wm overlay --backward` and Alt+Space to `sesame
wm overlay --launcher` in the compositor's own configuration.  Without a compositor named, it is guessed from the
session (SWAYSOCK, HYPRLAND_INSTANCE_SIGNATURE, XDG_CURRENT_DESKTOP).

  --write   add them to the compositor's config file (asks first on a
            terminal; the file is replaced atomically and the previous
            one kept as FILE.sesame-bak); lines already there are not
            added twice
  --yes     do not ask (for scripts)

The file is the one the compositor really reads, in its own search
order: sway ~/.sway/config, ~/.config/sway/config, ~/.i3/config,
~/.config/i3/config; Hyprland ~/.config/hypr/hyprland.conf; river
~/.config/river/init (a shell script: the lines go before its first
exec); labwc ~/.config/labwc/rc.xml (inside <keyboard>).  XDG_CONFIG_HOME
is honoured.  A compositor reads one file only, so when the user has none
it is started as a copy of the system one (sway /etc/sway/config, then
/etc/i3/config; Hyprland hypr/hyprland.conf in XDG_DATA_DIRS; river
/etc/river/init; labwc labwc/rc.xml in XDG_CONFIG_DIRS): the defaults are
kept, not replaced by three lines.  labwc drops its default bindings once
rc.xml binds any key, so a <default /> is added to a file that had no
keybind.  Hyprland writes its own default file on first start: with
neither that nor a system example, nothing is written.  Reload the
compositor afterwards (swaymsg reload, hyprctl reload, labwc -r; river:
restart).
*/

#define MARK "sesame wm overlay"

enum wm { SWAY, HYPRLAND, RIVER, LABWC, NWM };
static const char *const wm_names[NWM] = { "sway", "hyprland", "river", "labwc" };
/* Each compositor's files in the order it looks for them: the user's
 * ("~/" under HOME, "$/" under the XDG config home; the first "$/" one is
 * where a new file goes), then the system's ("/..." as it is, "c:" under
 * each of XDG_CONFIG_DIRS, "d:" under each of XDG_DATA_DIRS). */
static const char *const user_files[NWM][4] = {
	[SWAY] = { "~/.sway/config", "$/sway/config", "~/.i3/config", "$/i3/config" },
	[HYPRLAND] = { "$/hypr/hyprland.conf" },
	[RIVER] = { "$/river/init" },
	[LABWC] = { "$/labwc/rc.xml" },
};
static const char *const system_files[NWM][2] = {
	[SWAY] = { "/etc/sway/config", "/etc/i3/config" },
	[HYPRLAND] = { "d:hypr/hyprland.conf" },
	[RIVER] = { "/etc/river/init" },
	[LABWC] = { "c:labwc/rc.xml" },
};

static int guess(void)
{
	const char *d = getenv("XDG_CURRENT_DESKTOP");

	if (getenv("SWAYSOCK"))
		return SWAY;
	if (getenv("HYPRLAND_INSTANCE_SIGNATURE"))
		return HYPRLAND;
	for (int i = 0; d && i < NWM; i++)
		if (strcasestr(d, wm_names[i]))
			return i;
	return -1;
}

/* The lines for wm, running exe; into out. */
static void lines(int wm, const char *exe, char *out, size_t n)
{
	switch (wm) {
	case SWAY:
		snprintf(out, n, "# sesame: the window switcher\n"
			"bindsym Mod1+Tab exec %s wm overlay\n"
			"bindsym Mod1+Shift+Tab exec %s wm overlay --backward\n"
			"bindsym Mod1+space exec %s wm overlay --launcher\n", exe, exe, exe);
		break;
	case HYPRLAND:
		snprintf(out, n, "# sesame: the window switcher\n"
			"bind = ALT, Tab, exec, %s wm overlay\n"
			"bind = ALT SHIFT, Tab, exec, %s wm overlay --backward\n"
			"bind = ALT, space, exec, %s wm overlay --launcher\n", exe, exe, exe);
		break;
	case RIVER:
		snprintf(out, n, "# sesame: the window switcher\n"
			"riverctl map normal Alt Tab spawn '%s wm overlay'\n"
			"riverctl map normal Alt+Shift Tab spawn '%s wm overlay --backward'\n"
			"riverctl map normal Alt Space spawn '%s wm overlay --launcher'\n", exe, exe, exe);
		break;
	default:
		snprintf(out, n, "<!-- sesame: the window switcher -->\n"
			"<keybind key=\"A-Tab\"><action name=\"Execute\" command=\"%s wm overlay\"/></keybind>\n"
			"<keybind key=\"A-S-Tab\"><action name=\"Execute\" command=\"%s wm overlay --backward\"/></keybind>\n"
			"<keybind key=\"A-space\"><action name=\"Execute\" command=\"%s wm overlay --launcher\"/></keybind>\n",
			exe, exe, exe);
	}
}

/* Write text to path through a temporary file and rename, keeping the old
 * file as path.sesame-bak. */
static int replace(const char *path, const char *text, int mode)
{
	char tmp[PATH_MAX + 16], bak[PATH_MAX + 16];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.sesame-tmp", path);
	snprintf(bak, sizeof(bak), "%s.sesame-bak", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0)
		return fail("%s: %s", tmp, strerror(errno));
	if (write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
		close(fd);
		unlink(tmp);
		return fail("%s: %s", tmp, strerror(errno));
	}
	close(fd);
	unlink(bak);
	if (access(path, F_OK) == 0 && link(path, bak) < 0)
		fprintf(stderr, "sesame: setup-keybinding: no backup (%s: %s)\n", bak, strerror(errno));
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return fail("%s: %s", path, strerror(errno));
	}
	return 0;
}

/* The user's config file for wm into path: 1 if it exists (path is then
 * the file itself, through any symlink, so that a dotfiles link stays a
 * link), 0 if not (path is where a new one goes). */
static int user_file(int wm, char *path, size_t n)
{
	const char *cfg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char p[PATH_MAX], real[PATH_MAX];
	int fresh = -1;

	if (!home || *home != '/')
		die("setup-keybinding: HOME is not set");
	for (int i = 0; i < 4 && user_files[wm][i]; i++) {
		const char *f = user_files[wm][i];

		if (f[0] == '~')
			snprintf(p, sizeof(p), "%s%s", home, f + 1);
		else if (cfg && *cfg == '/')
			snprintf(p, sizeof(p), "%s%s", cfg, f + 1);
		else
			snprintf(p, sizeof(p), "%s/.config%s", home, f + 1);
		if (fresh < 0 && f[0] == '$') {
			snprintf(path, n, "%s", p);
			fresh = i;
		}
		if (access(p, F_OK) == 0) {
			snprintf(path, n, "%s", realpath(p, real) ? real : p);
			return 1;
		}
	}
	return 0;
}

/* The first system file for wm that exists, into path; 0 if none. */
static int system_file(int wm, char *path, size_t n)
{
	for (int i = 0; i < 2 && system_files[wm][i]; i++) {
		const char *f = system_files[wm][i], *var = NULL, *dflt = NULL;

		if (f[0] == '/') {
			snprintf(path, n, "%s", f);
			if (access(path, R_OK) == 0)
				return 1;
			continue;
		}
		if (f[0] == 'c')
			var = getenv("XDG_CONFIG_DIRS"), dflt = "/etc/xdg";
		else
			var = getenv("XDG_DATA_DIRS"), dflt = "/usr/local/share:/usr/share";
		if (!var || !*var)
			var = dflt;
		for (const char *d = var; *d; d += strcspn(d, ":"), d += *d == ':') {
			int len = (int)strcspn(d, ":");

			if (*d != '/')
				continue;
			snprintf(path, n, "%.*s/%s", len, d, f + 2);
			if (access(path, R_OK) == 0)
				return 1;
		}
	}
	return 0;
}

/* Where river's init stops running lines: its first top-level exec. */
static const char *river_exec(const char *old)
{
	for (const char *l = old; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		const char *w = l + strspn(l, " \t");

		if (!strncmp(w, "exec", 4) && (w[4] == ' ' || w[4] == '\t'))
			return l;
	}
	return NULL;
}

/* The new contents of the config file, or NULL if the lines are there. */
static char *merged(int wm, const char *old, const char *add)
{
	const char *kb, *end, *ex;
	/* labwc loads its default bindings only while rc.xml binds nothing. */
	const char *dflt = strstr(old, "<keybind") || strstr(old, "<default") ? "" : "<default />\n";
	size_t olen = strlen(old);

	if (strstr(old, MARK))
		return NULL;
	if (wm == RIVER && (ex = river_exec(old)))
		return xasprintf("%.*s%s\n%s", (int)(ex - old), old, add, ex);
	if (wm != LABWC)
		return xasprintf("%s%s%s%s", old, olen && old[olen - 1] != '\n' ? "\n" : "", olen ? "\n" : "", add);
	if ((kb = strstr(old, "<keyboard>"))) {
		kb += strlen("<keyboard>");
		return xasprintf("%.*s\n%s%s%s", (int)(kb - old), old, dflt, add, kb);
	}
	if ((end = strstr(old, "</labwc_config>")))
		return xasprintf("%.*s<keyboard>\n%s%s</keyboard>\n%s", (int)(end - old), old, dflt, add, end);
	if (olen)
		return NULL;	/* not a file we understand: the caller says so */
	return xasprintf("<?xml version=\"1.0\"?>\n<labwc_config>\n<keyboard>\n%s%s</keyboard>\n</labwc_config>\n",
		dflt, add);
}

int setup_keybinding_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "write", no_argument, NULL, 'w' },
		{ "yes", no_argument, NULL, 'y' },
		{ 0 }
	};
	char exe[PATH_MAX], text[4 * PATH_MAX + 512], path[PATH_MAX], sys[PATH_MAX], *old, *neu;
	int o, wm = -1, do_write = 0, yes = 0, have;
	ssize_t n;
	size_t len;
	struct stat st;

	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (o) {
		case 'w': do_write = 1; break;
		case 'y': yes = 1; break;
		default: usage_option("setup-keybinding", argv, o, opts);
		}
	}
	if (optind < argc) {
		for (int i = 0; i < NWM; i++)
			if (!strcasecmp(argv[optind], wm_names[i]))
				wm = i;
		if (wm < 0)
			usage_error("setup-keybinding", "'%s' is not a compositor sesame knows (sway, hyprland, "
				"river, labwc)", argv[optind]);
		if (optind + 1 < argc)
			usage_error("setup-keybinding", "unexpected argument '%s'", argv[optind + 1]);
	} else if ((wm = guess()) < 0) {
		die("setup-keybinding: cannot tell the compositor from this session; name it "
			"(sway, hyprland, river or labwc)");
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		die("setup-keybinding: cannot find this executable: %s", strerror(errno));
	exe[n] = 0;
	if (strpbrk(exe, " '\"<>&\\"))
		die("setup-keybinding: the path %s needs quoting in compositor configs; install sesame "
			"elsewhere or write the lines by hand", exe);
	lines(wm, exe, text, sizeof(text));
	if (!do_write) {
		fputs(text, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if ((have = user_file(wm, path, sizeof(path))) || !system_file(wm, sys, sizeof(sys))) {
		if (!have && wm == HYPRLAND)
			die("setup-keybinding: %s does not exist and there is no system hypr/hyprland.conf to "
				"start it from; start Hyprland once (it writes its default config), then run this "
				"again", path);
		*sys = 0;
	}
	if (!(old = read_file(*sys ? sys : path, 16u << 20, &len)) && errno == ENOENT && !have)
		old = xstrdup(""), len = 0;
	if (!old)
		die("setup-keybinding: cannot read %s: %s", *sys ? sys : path, last_error());
	if (strlen(old) != len)
		die("setup-keybinding: %s holds a NUL byte; not touching it", *sys ? sys : path);
	if (!(neu = merged(wm, old, text))) {
		if (strstr(old, MARK)) {
			printf("%s already runs sesame wm overlay; nothing to add.\n", path);
			free(old);
			return 0;
		}
		die("setup-keybinding: %s has no <labwc_config> or <keyboard> element; add the lines by hand:\n%s",
			path, text);
	}
	if (*sys)
		printf("%s does not exist: it starts as a copy of %s, which %s stops reading once it "
			"exists, so that no default is lost.\n", path, sys, wm_names[wm]);
	printf("To add to %s:\n\n%s\n", path, text);
	if (!yes) {
		char answer[16];

		if (!isatty(0))
			die("setup-keybinding: not asking without a terminal; add --yes to write %s", path);
		fputs("Add them? [y/N] ", stdout);
		fflush(stdout);
		if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y')) {
			printf("Nothing written.\n");
			free(old);
			free(neu);
			return 1;
		}
	}
	{
		char dir[PATH_MAX], *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		if ((slash = strrchr(dir, '/'))) {
			*slash = 0;
			for (char *p = strchr(dir + 1, '/');; p = strchr(p + 1, '/')) {
				if (p)
					*p = 0;
				if (mkdir(dir, 0755) < 0 && errno != EEXIST)
					die("setup-keybinding: cannot make %s: %s", dir, strerror(errno));
				if (!p)
					break;
				*p = '/';
			}
		}
	}
	if (replace(path, neu, have && stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : wm == RIVER ? 0755 : 0644) < 0)
		die("setup-keybinding: %s", last_error());
	printf("Written.  Reload %s to use them%s.\n", wm_names[wm], wm == SWAY ? " (swaymsg reload)" :
		wm == HYPRLAND ? " (hyprctl reload)" : wm == LABWC ? " (labwc -r)" : "");
	free(old);
	free(neu);
	return 0;
}
