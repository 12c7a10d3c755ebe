/* desktop.h - desktop entries (Desktop Entry Specification 1.5): one
 * file's [Desktop Entry] group, localized for a locale, and its Exec line
 * turned into an argument vector.
 *
 * The parser is total: any bytes give an entry or an error with the line
 * number, never a crash.  It reads only what a launcher needs: the
 * [Desktop Entry] group and the [Desktop Action] groups it lists; other
 * keys and groups are skipped.
 */
#ifndef SESAME_DESKTOP_H
#define SESAME_DESKTOP_H

#include <stddef.h>

#define DESKTOP_MAX_FILE (64 * 1024)
#define DESKTOP_MAX_ARGS 256

enum desktop_type { DESKTOP_OTHER, DESKTOP_APPLICATION, DESKTOP_LINK, DESKTOP_DIRECTORY };

#define DESKTOP_MAX_ACTIONS 8
#define DESKTOP_MAX_ACTION_ID 64

/* A [Desktop Action ID] group the entry's Actions key lists, with a
 * Name and an Exec ("New Private Window", "firefox --private-window"). */
struct desktop_action {
	char id[DESKTOP_MAX_ACTION_ID];
	char *name, *exec, *icon;
};

struct desktop_entry {
	enum desktop_type type;
	char *name, *generic, *comment, *icon;	/* localized where the spec allows */
	char *exec, *try_exec, *path;		/* string escapes undone */
	char *keywords, *categories;		/* lists, ';'-separated, escapes undone */
	char *only_show_in, *not_show_in;
	char *actions;				/* the Actions list */
	int no_display, hidden, terminal, dbus_activatable;
	/* The first DESKTOP_MAX_ACTIONS actions listed whose group has a
	 * Name and an Exec and no malformed line (one that has is left out,
	 * not the entry). */
	struct desktop_action action[DESKTOP_MAX_ACTIONS];
	int nactions;
};

/* The locale names to try for localized keys, best first, from a POSIX
 * locale "lang_COUNTRY.ENCODING@MODIFIER" (the encoding is ignored):
 * lang_COUNTRY@MODIFIER, lang_COUNTRY, lang@MODIFIER, lang.  NULL, "",
 * "C" and "POSIX" give none.  Returns how many were written (at most 4). */
int desktop_locales(const char *locale, char out[4][64]);
/* The locale from the environment: LC_ALL, LC_MESSAGES, then LANG. */
const char *desktop_env_locale(void);

/* Parse a file's text; the entry's strings are allocated (desktop_free).
 * -1 with "line N: reason" if the text is not a desktop entry (bad UTF-8,
 * no [Desktop Entry] group first, a malformed line). */
int desktop_parse(const char *text, size_t len, char locales[][64], int nlocales, struct desktop_entry *e);
void desktop_free(struct desktop_entry *e);

/* 1 if the list (';'-separated) holds item. */
int desktop_list_has(const char *list, const char *item);
/* 1 if OnlyShowIn/NotShowIn let the entry show under current_desktop
 * ($XDG_CURRENT_DESKTOP: ':'-separated, NULL when unset). */
int desktop_shows_in(const struct desktop_entry *e, const char *current_desktop);

/* Exec as an argument vector (quoting undone, field codes expanded: no
 * files or URLs are given, so %f %F %u %U vanish; %i gives --icon ICON,
 * %c the name, %k file; %% a percent sign; deprecated codes vanish).
 * *argv is allocated (desktop_argv_free); -1 with a reason if Exec is
 * missing or malformed (unclosed quote, unknown field code...). */
int desktop_exec_argv(const struct desktop_entry *e, const char *file, char ***argv, int *argc);
void desktop_argv_free(char **argv);

#endif
