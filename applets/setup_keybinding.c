/* setup_keybinding.c - `sesame setup-keybinding`: the compositor's
 * binding lines for the switcher, printed, or added to its config file
 * when the user agrees. */
#include "applets/applet.h"
#include "lib/config/keybind.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
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
restart).  remove-keybinding takes them out again; keybinding-status
tells what is bound.
*/

/*APPLET remove-keybinding remove_keybinding_main "remove the switcher's bindings that setup-keybinding added"
usage: sesame remove-keybinding [sway|hyprland|river|labwc] [--restore] [--yes]

Takes out of the compositor's config file exactly the lines
setup-keybinding adds (its comment and its three bindings, whatever
path to sesame they name, and the blank line it put beside them); the
rest of the file is left as it is (a <default /> it added to a labwc
rc.xml that bound no key stays: it changes nothing once none is bound).  Asks first on a terminal; the file
is replaced atomically and the previous one kept as FILE.sesame-bak.

  --restore  put back the file as it was before setup-keybinding wrote
             it: FILE.sesame-bak when it holds no sesame line, or, when
             setup-keybinding made the file as a copy of the system one
             (no backup), remove the file so the compositor reads the
             system one again
  --yes      do not ask (for scripts)

Exit 0 when the bindings are gone (or were never there), 1 on an error.
*/

/*APPLET keybinding-status keybinding_status_main "show what the compositor's config binds to the switcher, and whether it works"
usage: sesame keybinding-status [sway|hyprland|river|labwc]

Names the file the compositor reads, then each of the switcher's three
bindings (Alt+Tab, Alt+Shift+Tab, Alt+Space): the line that binds it, or
that none does; whether the sesame it runs exists; another binding of
the same keys in that file; and, for a running sway or Hyprland (asked
over their IPC socket), whether the loaded configuration has the lines
or needs a reload.  Exit 0 when all three are bound to a sesame that
exists with nothing else on their keys, 1 otherwise.
*/

/* Each compositor's files in the order it looks for them: the user's
 * ("~/" under HOME, "$/" under the XDG config home; the first "$/" one is
 * where a new file goes), then the system's ("/..." as it is, "c:" under
 * each of XDG_CONFIG_DIRS, "d:" under each of XDG_DATA_DIRS). */
static const char *const user_files[KB_NWM][4] = {
	[KB_SWAY] = { "~/.sway/config", "$/sway/config", "~/.i3/config", "$/i3/config" },
	[KB_HYPRLAND] = { "$/hypr/hyprland.conf" },
	[KB_RIVER] = { "$/river/init" },
	[KB_LABWC] = { "$/labwc/rc.xml" },
};
static const char *const system_files[KB_NWM][2] = {
	[KB_SWAY] = { "/etc/sway/config", "/etc/i3/config" },
	[KB_HYPRLAND] = { "d:hypr/hyprland.conf" },
	[KB_RIVER] = { "/etc/river/init" },
	[KB_LABWC] = { "c:labwc/rc.xml" },
};

static int guess(void)
{
	const char *d = getenv("XDG_CURRENT_DESKTOP");

	if (getenv("SWAYSOCK"))
		return KB_SWAY;
	if (getenv("HYPRLAND_INSTANCE_SIGNATURE"))
		return KB_HYPRLAND;
	for (int i = 0; d && i < KB_NWM; i++)
		if (strcasestr(d, keybind_names[i]))
			return i;
	return -1;
}

/* The compositor named at argv[optind], or the session's. */
static int pick_wm(const char *cmd, int argc, char **argv)
{
	int wm = -1;

	if (optind < argc) {
		for (int i = 0; i < KB_NWM; i++)
			if (!strcasecmp(argv[optind], keybind_names[i]))
				wm = i;
		if (wm < 0)
			usage_error(cmd, "'%s' is not a compositor sesame knows (sway, hyprland, river, labwc)",
				argv[optind]);
		if (optind + 1 < argc)
			usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	} else if ((wm = guess()) < 0) {
		die("%s: cannot tell the compositor from this session; name it (sway, hyprland, river or "
			"labwc)", cmd);
	}
	return wm;
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

/* Ask on a terminal (yes: don't); 1 to go on. */
static int agree(const char *cmd, const char *question, int yes, const char *path)
{
	char answer[16];

	if (yes)
		return 1;
	if (!isatty(0))
		die("%s: not asking without a terminal; add --yes to change %s", cmd, path);
	printf("%s [y/N] ", question);
	fflush(stdout);
	if (fgets(answer, sizeof(answer), stdin) && (answer[0] == 'y' || answer[0] == 'Y'))
		return 1;
	printf("Nothing changed.\n");
	return 0;
}

int setup_keybinding_main(int argc, char **argv)
{
	char exe[PATH_MAX], text[4 * PATH_MAX + 512], path[PATH_MAX], sys[PATH_MAX], *old, *neu;
	int o, wm, do_write = 0, yes = 0, have;
	ssize_t n;
	size_t len;
	struct stat st;

	while ((o = getopt_long(argc, argv, OPTSTR_setup_keybinding, longopts_setup_keybinding, NULL)) != -1) {
		switch (o) {
		case OPT_WRITE: do_write = 1; break;
		case OPT_YES: yes = 1; break;
		default: usage_option("setup-keybinding", argv, o, longopts_setup_keybinding);
		}
	}
	wm = pick_wm("setup-keybinding", argc, argv);
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		die("setup-keybinding: cannot find this executable: %s", strerror(errno));
	exe[n] = 0;
	if (strpbrk(exe, " '\"<>&\\"))
		die("setup-keybinding: the path %s needs quoting in compositor configs; install sesame "
			"elsewhere or write the lines by hand", exe);
	keybind_lines(wm, exe, text, sizeof(text));
	if (!do_write) {
		fputs(text, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if ((have = user_file(wm, path, sizeof(path))) || !system_file(wm, sys, sizeof(sys))) {
		if (!have && wm == KB_HYPRLAND)
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
	if (!(neu = keybind_merged(wm, old, text))) {
		if (strstr(old, KEYBIND_MARK)) {
			printf("%s already runs sesame wm overlay; nothing to add.\n", path);
			free(old);
			return 0;
		}
		die("setup-keybinding: %s has no <labwc_config> or <keyboard> element; add the lines by hand:\n%s",
			path, text);
	}
	if (*sys)
		printf("%s does not exist: it starts as a copy of %s, which %s stops reading once it "
			"exists, so that no default is lost.\n", path, sys, keybind_names[wm]);
	if (strstr(old, KEYBIND_MARK))
		printf("%s has the lines an older sesame wrote: they are taken out, and these added:\n\n%s\n",
			path, text);
	else
		printf("To add to %s:\n\n%s\n", path, text);
	if (!agree("setup-keybinding", "Add them?", yes, path)) {
		free(old);
		free(neu);
		return 1;
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
	if (replace(path, neu, have && stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : wm == KB_RIVER ? 0755 : 0644) < 0)
		die("setup-keybinding: %s", last_error());
	printf("Written.  Reload %s to use them%s.\n", keybind_names[wm], wm == KB_SWAY ? " (swaymsg reload)" :
		wm == KB_HYPRLAND ? " (hyprctl reload)" : wm == KB_LABWC ? " (labwc -r)" : "");
	free(old);
	free(neu);
	return 0;
}

/* --- remove-keybinding, keybinding-status ------------------------------ */

static const char *reload_hint(int wm)
{
	return wm == KB_SWAY ? "swaymsg reload" : wm == KB_HYPRLAND ? "hyprctl reload" : wm == KB_LABWC ? "labwc -r" :
		"restart river";
}

/* --restore: the backup put back, or a file setup-keybinding made as a
 * copy of the system one removed. */
static int restore(int wm, const char *path, const char *old, int yes)
{
	char bak[PATH_MAX + 16], sys[PATH_MAX], *b, *rest;
	size_t len;

	snprintf(bak, sizeof(bak), "%s.sesame-bak", path);
	if ((b = read_file(bak, 16u << 20, &len))) {
		if (strstr(b, KEYBIND_MARK))
			die("remove-keybinding: %s holds sesame's bindings too, so it is not the file from "
				"before them; run remove-keybinding without --restore", bak);
		free(b);
		printf("To put %s back in place of %s.\n", bak, path);
		if (!agree("remove-keybinding", "Restore it?", yes, path))
			return 1;
		if (rename(bak, path) < 0)
			die("remove-keybinding: %s: %s", path, strerror(errno));
		printf("Restored %s.  Reload %s to use it (%s).\n", path, keybind_names[wm], reload_hint(wm));
		return 0;
	}
	if (errno != ENOENT)
		die("remove-keybinding: cannot read %s: %s", bak, last_error());
	rest = keybind_without(wm, old);
	if (system_file(wm, sys, sizeof(sys)) && (b = read_file(sys, 16u << 20, &len)) &&
	    !strcmp(rest ? rest : old, b)) {
		free(b);
		free(rest);
		printf("%s is %s with sesame's bindings added (setup-keybinding made it so): to remove it, "
			"so that %s reads %s again.\n", path, sys, keybind_names[wm], sys);
		if (!agree("remove-keybinding", "Remove it?", yes, path))
			return 1;
		if (unlink(path) < 0)
			die("remove-keybinding: %s: %s", path, strerror(errno));
		printf("Removed %s.  Reload %s to use %s (%s).\n", path, keybind_names[wm], sys, reload_hint(wm));
		return 0;
	}
	die("remove-keybinding: there is no %s to restore, and %s is not a copy of the system's file; "
		"run remove-keybinding without --restore to take out sesame's lines only", bak, path);
}

int remove_keybinding_main(int argc, char **argv)
{
	char path[PATH_MAX], *old, *neu;
	int o, wm, yes = 0, back = 0, r;
	size_t len;
	struct stat st;

	while ((o = getopt_long(argc, argv, OPTSTR_remove_keybinding, longopts_remove_keybinding, NULL)) != -1) {
		switch (o) {
		case OPT_RESTORE: back = 1; break;
		case OPT_YES: yes = 1; break;
		default: usage_option("remove-keybinding", argv, o, longopts_remove_keybinding);
		}
	}
	wm = pick_wm("remove-keybinding", argc, argv);
	if (!user_file(wm, path, sizeof(path))) {
		printf("No sesame keybinding found: %s does not exist.\n", path);
		return 0;
	}
	if (!(old = read_file(path, 16u << 20, &len)))
		die("remove-keybinding: cannot read %s: %s", path, last_error());
	if (strlen(old) != len)
		die("remove-keybinding: %s holds a NUL byte; not touching it", path);
	if (back) {
		r = restore(wm, path, old, yes);
		free(old);
		return r;
	}
	if (!(neu = keybind_without(wm, old))) {
		printf("No sesame keybinding found in %s%s.\n", path, strstr(old, KEYBIND_MARK) ? " (it runs sesame wm "
			"overlay in lines setup-keybinding did not write: edit them by hand)" : "");
		free(old);
		return 0;
	}
	printf("To take sesame's bindings out of %s.\n", path);
	if (!agree("remove-keybinding", "Remove them?", yes, path)) {
		free(old);
		free(neu);
		return 1;
	}
	if (replace(path, neu, stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : 0644) < 0)
		die("remove-keybinding: %s", last_error());
	printf("Removed sesame's bindings from %s (the previous file is %s.sesame-bak).  Reload %s (%s).\n",
		path, path, keybind_names[wm], reload_hint(wm));
	free(old);
	free(neu);
	return 0;
}

/* n bytes from fd (a socket with a receive timeout); -1 short. */
static int read_all(int fd, void *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Whether the running sway has loaded lines running sesame wm overlay,
 * asked over its IPC socket (GET_CONFIG: the main file as it was read):
 * 1 yes, 0 no, -1 cannot tell (no sway, no answer within 2 s). */
static int sway_loaded(void)
{
	const char *sock = getenv("SWAYSOCK");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { 2, 0 };
	uint8_t hdr[14];
	uint32_t len, type = 9;	/* GET_CONFIG */
	char *buf;
	int fd, r = -1;

	if (!sock || strlen(sock) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memcpy(hdr, "i3-ipc", 6);
	len = 0;
	memcpy(hdr + 6, &len, 4);
	memcpy(hdr + 10, &type, 4);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || write_all(fd, hdr, sizeof(hdr)) < 0 ||
	    read_all(fd, hdr, sizeof(hdr)) < 0 || memcmp(hdr, "i3-ipc", 6)) {
		close(fd);
		return -1;
	}
	memcpy(&len, hdr + 6, 4);
	if (len > 0 && len <= 16u << 20) {
		buf = xmalloc(len + 1);
		if (read_all(fd, buf, len) == 0) {
			buf[len] = 0;
			r = strstr(buf, KEYBIND_MARK) != NULL;
		}
		free(buf);
	}
	close(fd);
	return r;
}

int keybinding_status_main(int argc, char **argv)
{
	char path[PATH_MAX], exe[PATH_MAX], *text;
	const char *file = path;
	int wm, good = 1, any = 0, at[3] = { 0 }, loaded;
	size_t len;

	if (argc > 1 && argv[1][0] == '-')
		usage_error("keybinding-status", "unknown option '%s'", argv[1]);
	optind = 1;
	wm = pick_wm("keybinding-status", argc, argv);
	if (!user_file(wm, path, sizeof(path))) {
		static char sys[PATH_MAX];

		if (!system_file(wm, sys, sizeof(sys))) {
			printf("%s has no configuration file here (%s does not exist).\n"
				"No sesame keybinding configured: sesame setup-keybinding %s --write adds them.\n",
				keybind_names[wm], path, keybind_names[wm]);
			return 1;
		}
		file = sys;
	}
	if (!(text = read_file(file, 16u << 20, &len)))
		die("keybinding-status: cannot read %s: %s", file, last_error());
	printf("%s reads %s%s\n", keybind_names[wm], file, file == path ? "" : " (there is no user file)");
	for (int pass = 0; pass < 2; pass++) {
		int no = 0;

		for (const char *l = text; *l; no++) {
			const char *nl = strchr(l, '\n'), *w = l + strspn(l, " \t");
			size_t n = nl ? (size_t)(nl - l) : strlen(l);
			int outdated, k = keybind_ours(wm, l, n, exe, sizeof(exe), &outdated);

			if (pass == 0 && k > 0 && !at[k - 1]) {
				at[k - 1] = no + 1;
				any = 1;
				if (outdated) {
					printf("OUTDATED  %-14s line %d: %.*s (no --alt: Alt released at once leaves the "
						"switcher open; sesame setup-keybinding %s --write replaces it)\n",
						keybind_key_names[k - 1], no + 1, (int)(n - (size_t)(w - l)), w, keybind_names[wm]);
					good = 0;
				} else if (access(exe, X_OK) == 0) {
					printf("ok        %-14s line %d: %.*s\n", keybind_key_names[k - 1], no + 1, (int)(n - (size_t)(w - l)), w);
				} else {
					printf("BROKEN    %-14s line %d runs %s, which %s: sesame remove-keybinding %s --yes, "
						"then setup-keybinding %s --write\n", keybind_key_names[k - 1], no + 1, exe,
						errno == ENOENT ? "does not exist" : "cannot be run", keybind_names[wm], keybind_names[wm]);
					good = 0;
				}
			}
			for (int i = 0; pass == 1 && i < 3; i++) {
				size_t kl = strlen(keybind_keys[wm][i]);

				if (at[i] && at[i] != no + 1 && (size_t)(n - (size_t)(w - l)) >= kl &&
				    !strncasecmp(w, keybind_keys[wm][i], kl)) {
					printf("CONFLICT  %-14s line %d binds it too: %.*s\n", keybind_key_names[i], no + 1,
						(int)(n - (size_t)(w - l)), w);
					good = 0;
				}
			}
			l += nl ? n + 1 : n;
		}
	}
	for (int i = 0; i < 3; i++) {
		if (!at[i]) {
			printf("MISSING   %-14s not bound to sesame wm overlay\n", keybind_key_names[i]);
			good = 0;
		}
	}
	free(text);
	if (!any) {
		printf("No sesame keybinding configured: sesame setup-keybinding %s --write adds them.\n", keybind_names[wm]);
		return 1;
	}
	if (wm != KB_SWAY) {
		printf("(%s cannot be asked whether it loaded them: %s after a change)\n", keybind_names[wm],
			reload_hint(wm));
	} else if ((loaded = sway_loaded()) == 1) {
		printf("loaded: the running sway's configuration has them\n");
	} else if (loaded == 0) {
		printf("NOT LOADED the running sway's configuration does not have them yet: swaymsg reload\n");
		good = 0;
	} else {
		printf("(no running sway answered on SWAYSOCK: whether it loaded them is not known)\n");
	}
	return good ? 0 : 1;
}
