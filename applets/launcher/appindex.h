/* appindex.h - the applications a launcher can start: every desktop
 * entry under the XDG data directories, by desktop file id, and fuzzy
 * search over them.
 *
 * Directories, highest precedence first: $XDG_DATA_HOME/applications
 * (default ~/.local/share/applications), then DIR/applications for each
 * DIR of $XDG_DATA_DIRS (default /usr/local/share:/usr/share); each is
 * walked recursively.  An entry's id is its path below applications/
 * with '/' turned into '-' ("kde/foo.desktop" is "kde-foo.desktop"); the
 * first file with an id wins, so a Hidden=true entry in a higher
 * directory hides the id everywhere.  Entries that are not
 * Type=Application, lack Name or Exec, or whose TryExec is not
 * installed are left out; NoDisplay=true and OnlyShowIn/NotShowIn
 * entries are kept for launching by id but never offered by search.
 * Each desktop action of an application ([Desktop Action ID]) is an
 * entry of its own, "APP-ID:ID" ("org.mozilla.firefox.desktop:
 * new-private-window"), named "App: Action", searched like the others
 * but left out of the empty query's list.
 */
#ifndef SESAME_APPINDEX_H
#define SESAME_APPINDEX_H

#include "applets/launcher/desktop.h"
#include "applets/launcher/fuzzy.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define APPINDEX_MAX_DIRS 32
#define APPINDEX_MAX_ENTRIES 100000
#define APPINDEX_MAX_KEYWORDS 16

struct app {
	char *id;		/* "org.mozilla.firefox.desktop" */
	char *file;		/* where it was read */
	struct desktop_entry e;
	int searchable;		/* not NoDisplay, shown in this desktop */
	int action;		/* a desktop action: "APP-ID:ACTION", named "App: Action" */
	/* For search, computed once: lengths (the id's without ".desktop")
	 * and where each keyword is (the first APPINDEX_MAX_KEYWORDS). */
	unsigned short name_len, id_len, generic_len, nkw;
	unsigned short kw_off[APPINDEX_MAX_KEYWORDS], kw_len[APPINDEX_MAX_KEYWORDS];
	/* Copies of those texts side by side in the index's arena (name,
	 * id, generic name, keywords), so that a search reads memory in
	 * order, and the characters they hold, as a mask (fuzzy_mask). */
	size_t text;
	uint64_t mask;		/* all of them */
	uint64_t fmask[4];	/* name, id, generic name, keywords */
};

struct appindex {
	struct app *apps;	/* sorted by id */
	size_t n;		/* of them actions: */
	size_t nactions;
	size_t skipped;		/* files left out at the last scan (malformed, hidden...) */
	char *arena;		/* the searchable texts */
	char dirs[APPINDEX_MAX_DIRS][PATH_MAX];
	int ndirs;
};

/* The application directories from the environment, best first. */
void appindex_dirs(struct appindex *ix);
/* (Re)read every directory: the old entries are replaced.  locale picks
 * localized names (desktop_locales), current_desktop is
 * $XDG_CURRENT_DESKTOP.  -1 only on a bad argument; unreadable files and
 * directories are skipped (and counted). */
int appindex_scan(struct appindex *ix, const char *locale, const char *current_desktop);
void appindex_free(struct appindex *ix);
/* An inotify descriptor watching every directory the scan read (and the
 * parents where an applications directory may appear); -1 with a
 * reason.  Any event means: scan again. */
int appindex_watch(const struct appindex *ix);

/* The entry an id names: exact, with ".desktop" added, without case, or
 * by the last dot-separated part of the id ("firefox" for
 * "org.mozilla.firefox.desktop").  NULL with a reason (none, ambiguous). */
const struct app *appindex_find(const struct appindex *ix, const char *id);

struct app_hit {
	const struct app *app;
	int fuzzy;		/* the raw fuzzy score (0 for the empty query) */
	double rank;		/* what the hits are ordered by, higher first */
};

/* How much an app was used (frecency, >= 0); NULL: not at all. */
typedef double appindex_usage_fn(const struct app *a, void *ctx);

/* The best max hits for q, into hits; returns how many.  rank =
 * 0.7 x fuzzy / best fuzzy + 0.3 x usage / max(highest usage, 1); ties go
 * to the shorter name, then the id.  Words that match nothing in order
 * are tried with one typo (two for long words) when fewer than max
 * entries matched in order. */
size_t appindex_search(const struct appindex *ix, const struct fuzzy_query *q, appindex_usage_fn *usage,
	void *ctx, struct app_hit *hits, size_t max);

#endif
