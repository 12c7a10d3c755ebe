/* appindex.c - finding desktop entries and searching them (appindex.h). */
#include "applets/launcher/appindex.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 8

void appindex_dirs(struct appindex *ix)
{
	const char *home = getenv("HOME"), *dh = getenv("XDG_DATA_HOME"), *dd = getenv("XDG_DATA_DIRS");

	ix->ndirs = 0;
	if (dh && *dh == '/')
		snprintf(ix->dirs[ix->ndirs++], PATH_MAX, "%s/applications", dh);
	else if (home && *home == '/')
		snprintf(ix->dirs[ix->ndirs++], PATH_MAX, "%s/.local/share/applications", home);
	if (!dd || !*dd)
		dd = "/usr/local/share:/usr/share";
	for (const char *p = dd; *p && ix->ndirs < APPINDEX_MAX_DIRS; ) {
		size_t n = strcspn(p, ":");

		/* Relative entries are invalid (XDG Base Directory spec). */
		if (n && *p == '/' && n + sizeof("/applications") < PATH_MAX)
			snprintf(ix->dirs[ix->ndirs++], PATH_MAX, "%.*s/applications", (int)n, p);
		p += n + (p[n] == ':');
	}
}

/* ---- scanning -------------------------------------------------------- */

struct found {
	char *id, *file;
	size_t seq;		/* precedence: directory order, then walk order */
};

struct scan {
	struct found *v;
	size_t n, cap, skipped;
};

static void walk(struct scan *s, const char *dir, const char *prefix, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > MAX_DEPTH || !(d = opendir(dir)))
		return;
	while ((de = readdir(d)) && s->n < APPINDEX_MAX_ENTRIES) {
		char path[PATH_MAX], id[PATH_MAX];
		size_t len = strlen(de->d_name);
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path) ||
		    (size_t)snprintf(id, sizeof(id), "%s%s", prefix, de->d_name) >= sizeof(id) ||
		    stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			char sub[PATH_MAX];

			if ((size_t)snprintf(sub, sizeof(sub), "%s-", id) < sizeof(sub))
				walk(s, path, sub, depth + 1);
		} else if (S_ISREG(st.st_mode) && len > 8 && !strcmp(de->d_name + len - 8, ".desktop")) {
			if (s->n == s->cap)
				s->v = xreallocarray(s->v, s->cap = s->cap ? s->cap * 2 : 256, sizeof(*s->v));
			s->v[s->n].id = xstrdup(id);
			s->v[s->n].file = xstrdup(path);
			s->v[s->n].seq = s->n;
			s->n++;
		}
	}
	closedir(d);
}

static int by_id_then_seq(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int installed(const char *prog)
{
	const char *path = getenv("PATH");
	char full[PATH_MAX];

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p; ) {
		size_t n = strcspn(p, ":");

		if ((size_t)snprintf(full, sizeof(full), "%.*s/%s", (int)n, n ? p : ".", prog) < sizeof(full) &&
		    access(full, X_OK) == 0)
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

/* Read one file into a; 0 if it is an application worth keeping. */
static int load(struct app *a, const char *file, char locales[][64], int nloc, const char *desktop)
{
	size_t len;
	char *text = read_file(file, DESKTOP_MAX_FILE, &len), **argv;
	int argc;

	if (!text)
		return -1;
	if (desktop_parse(text, len, locales, nloc, &a->e) < 0) {
		free(text);
		return -1;
	}
	free(text);
	if (a->e.hidden)
		return fail("Hidden=true");
	if (a->e.type != DESKTOP_APPLICATION)
		return fail("not Type=Application");
	if (!a->e.name || !*a->e.name)
		return fail("no Name");
	if (desktop_exec_argv(&a->e, file, &argv, &argc) < 0)
		return -1;
	desktop_argv_free(argv);
	if (a->e.try_exec && *a->e.try_exec && !installed(a->e.try_exec))
		return fail("TryExec %s is not installed", a->e.try_exec);
	a->searchable = !a->e.no_display && desktop_shows_in(&a->e, desktop);
	return 0;
}

static unsigned short clamp(size_t n)
{
	return n > FUZZY_MAX_TEXT ? FUZZY_MAX_TEXT : (unsigned short)n;
}

/* What search needs, measured once. */
static void measure(struct app *a)
{
	const char *k = a->e.keywords;

	const char *d = strstr(a->id, ".desktop");

	a->name_len = clamp(strlen(a->e.name));
	a->id_len = clamp(d ? (size_t)(d - a->id) : strlen(a->id));	/* without ".desktop" (and an action) */
	a->generic_len = a->e.generic ? clamp(strlen(a->e.generic)) : 0;
	a->nkw = 0;
	for (size_t off = 0; k && k[off] && a->nkw < APPINDEX_MAX_KEYWORDS; ) {
		size_t n = strcspn(k + off, ";");

		if (n && off <= 0xffff) {
			a->kw_off[a->nkw] = (unsigned short)off;
			a->kw_len[a->nkw++] = clamp(n);
		}
		off += n + (k[off + n] == ';');
	}
}

/* The searchable texts of every app into one buffer, in index order. */
static char *pack(struct app *apps, size_t n)
{
	size_t total = 1, at = 0;
	char *arena;

	for (size_t i = 0; i < n; i++) {
		struct app *a = &apps[i];
		size_t kw = a->nkw ? (size_t)a->kw_off[a->nkw - 1] + a->kw_len[a->nkw - 1] : 0;

		total += (size_t)a->name_len + a->id_len + a->generic_len + kw + 4;
	}
	arena = xmalloc(total);
	for (size_t i = 0; i < n; i++) {
		struct app *a = &apps[i];
		size_t kw = a->nkw ? (size_t)a->kw_off[a->nkw - 1] + a->kw_len[a->nkw - 1] : 0;
		const char *src[] = { a->e.name, a->id, a->e.generic, a->e.keywords };
		size_t len[] = { a->name_len, a->id_len, a->generic_len, kw };

		a->text = at;
		a->mask = 0;
		for (int f = 0; f < 4; f++) {
			if (len[f])
				memcpy(arena + at, src[f], len[f]);
			a->fmask[f] = fuzzy_mask(arena + at, len[f]);
			a->mask |= a->fmask[f];
			at += len[f];
			arena[at++] = 0;
		}
	}
	return arena;
}

/* Append an entry for each of the actions of apps[i] (valid Exec lines
 * only); apps may move. */
static void add_actions(struct app **apps, size_t *n, size_t *cap, size_t i)
{
	for (int k = 0; k < (*apps)[i].e.nactions; k++) {
		struct app *a, *x;
		const struct desktop_action *act;
		char **argv;
		int argc;

		if (*n == *cap)
			*apps = xreallocarray(*apps, *cap *= 2, sizeof(**apps));
		a = &(*apps)[i], x = &(*apps)[*n], act = &a->e.action[k];
		memset(x, 0, sizeof(*x));
		x->id = xasprintf("%s:%s", a->id, act->id);
		x->file = xstrdup(a->file);
		x->e.type = DESKTOP_APPLICATION;
		x->e.name = xasprintf("%s: %s", a->e.name, act->name);
		x->e.exec = xstrdup(act->exec);
		x->e.icon = act->icon ? xstrdup(act->icon) : a->e.icon ? xstrdup(a->e.icon) : NULL;
		x->e.path = a->e.path ? xstrdup(a->e.path) : NULL;
		x->e.terminal = a->e.terminal;
		x->searchable = a->searchable;
		x->action = 1;
		if (desktop_exec_argv(&x->e, x->file, &argv, &argc) < 0) {
			log_debug("launcher: %s left out: %s", x->id, last_error());
			free(x->id);
			free(x->file);
			desktop_free(&x->e);
			continue;
		}
		desktop_argv_free(argv);
		measure(x);
		(*n)++;
	}
}

static int by_app_id(const void *a, const void *b)
{
	return strcmp(((const struct app *)a)->id, ((const struct app *)b)->id);
}

int appindex_scan(struct appindex *ix, const char *locale, const char *desktop)
{
	struct scan s = { 0 };
	char locales[4][64];
	int nloc = desktop_locales(locale, locales);
	struct app *apps;
	const char *prev = NULL;
	size_t n = 0, cap, nactions = 0;

	for (int i = 0; i < ix->ndirs; i++)
		walk(&s, ix->dirs[i], "", 0);
	if (s.n)
		qsort(s.v, s.n, sizeof(*s.v), by_id_then_seq);
	cap = s.n ? s.n : 1;
	apps = xcalloc(cap, sizeof(*apps));
	for (size_t i = 0; i < s.n; i++) {
		struct app *a;
		size_t before;

		if (n == cap)
			apps = xreallocarray(apps, cap *= 2, sizeof(*apps));
		a = &apps[n];
		memset(a, 0, sizeof(*a));

		/* Only the first file of an id counts (a higher directory);
		 * prev stays valid: freed at the end, or kept by an app. */
		if (prev && !strcmp(s.v[i].id, prev))
			continue;
		prev = s.v[i].id;
		if (load(a, s.v[i].file, locales, nloc, desktop) < 0) {
			log_debug("launcher: %s left out: %s", s.v[i].file, last_error());
			desktop_free(&a->e);
			s.skipped++;
			continue;
		}
		a->id = s.v[i].id;
		a->file = s.v[i].file;
		measure(a);
		s.v[i].id = s.v[i].file = NULL;	/* now the app's */
		before = ++n;
		add_actions(&apps, &n, &cap, before - 1);
		nactions += n - before;
	}
	if (nactions)	/* "X.desktop:a" sorts after "X.desktop", not in place */
		qsort(apps, n, sizeof(*apps), by_app_id);
	for (size_t i = 0; i < s.n; i++) {
		free(s.v[i].id);
		free(s.v[i].file);
	}
	free(s.v);
	appindex_free(ix);
	ix->apps = apps;
	ix->n = n;
	ix->nactions = nactions;
	ix->arena = pack(apps, n);
	ix->skipped = s.skipped;
	return 0;
}

void appindex_free(struct appindex *ix)
{
	for (size_t i = 0; i < ix->n; i++) {
		free(ix->apps[i].id);
		free(ix->apps[i].file);
		desktop_free(&ix->apps[i].e);
	}
	free(ix->apps);
	free(ix->arena);
	ix->apps = NULL;
	ix->arena = NULL;
	ix->n = 0;
}

static void watch_tree(int fd, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > MAX_DEPTH || inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE |
	    IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB | IN_ONLYDIR) < 0 ||
	    !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < sizeof(path) &&
		    stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			watch_tree(fd, path, depth + 1);
	}
	closedir(d);
}

int appindex_watch(const struct appindex *ix)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return fail("inotify: %s", strerror(errno));
	for (int i = 0; i < ix->ndirs; i++) {
		char parent[PATH_MAX];
		char *slash;

		if (access(ix->dirs[i], F_OK) == 0) {
			watch_tree(fd, ix->dirs[i], 0);
			continue;
		}
		/* Not there yet: watch where it would be created. */
		snprintf(parent, sizeof(parent), "%s", ix->dirs[i]);
		if ((slash = strrchr(parent, '/')) && slash != parent) {
			*slash = 0;
			inotify_add_watch(fd, parent, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
		}
	}
	return fd;
}

/* ---- lookup ---------------------------------------------------------- */

static int cmp_id(const void *key, const void *elem)
{
	return strcmp(key, ((const struct app *)elem)->id);
}

const struct app *appindex_find(const struct appindex *ix, const char *id)
{
	char with[PATH_MAX];
	const struct app *a, *found = NULL;
	size_t idlen = strlen(id);

	if (!*id)
		return fail("no entry id given"), NULL;
	if (ix->n && (a = bsearch(id, ix->apps, ix->n, sizeof(*ix->apps), cmp_id)))
		return a;
	if (ix->n && (size_t)snprintf(with, sizeof(with), "%s.desktop", id) < sizeof(with) &&
	    (a = bsearch(with, ix->apps, ix->n, sizeof(*ix->apps), cmp_id)))
		return a;
	for (size_t i = 0; i < ix->n; i++)
		if (!strcasecmp(ix->apps[i].id, id) || !strcasecmp(ix->apps[i].id, with))
			return &ix->apps[i];
	/* The last part of a reverse-DNS id: "firefox" for org.mozilla.firefox. */
	for (size_t i = 0; i < ix->n; i++) {
		const char *s = ix->apps[i].id;
		size_t n = strlen(s) - 8;	/* ids end in ".desktop" */
		const char *dot = memrchr(s, '.', n);

		if (dot && (size_t)(s + n - dot - 1) == idlen && !strncasecmp(dot + 1, id, idlen)) {
			if (found)
				return fail("'%s' could be %s or %s: give the whole id", id, found->id, s), NULL;
			found = &ix->apps[i];
		}
	}
	if (!found)
		fail("no application with the id '%s' (sesame launch search shows ids)", id);
	return found;
}

/* ---- search ---------------------------------------------------------- */

/* Weights (percent) of the fields an atom is matched against. */
enum { W_NAME = 100, W_ID = 90, W_GENERIC = 80, W_KEYWORD = 80 };

/* typo: the fallback's score instead of the in-order one, which needs
 * every character of the atom in the field (fmask). */
static int field(const struct fuzzy_atom *at, const char *s, size_t n, uint64_t fmask, int weight, int typo)
{
	if (typo)
		return fuzzy_typo(at, s, n) * weight / 100;
	return at->mask & ~fmask ? 0 : fuzzy_score(at, s, n) * weight / 100;
}

static int atom_score(const struct fuzzy_atom *at, const struct app *a, const char *text, int typo)
{
	const char *t = text + a->text, *id = t + a->name_len + 1, *gen = id + a->id_len + 1;
	const char *kw = gen + a->generic_len + 1;
	int best = field(at, t, a->name_len, a->fmask[0], W_NAME, typo), s;

	if ((s = field(at, id, a->id_len, a->fmask[1], W_ID, typo)) > best)
		best = s;
	if (a->generic_len && (s = field(at, gen, a->generic_len, a->fmask[2], W_GENERIC, typo)) > best)
		best = s;
	for (int i = 0; i < a->nkw; i++)
		if ((s = field(at, kw + a->kw_off[i], a->kw_len[i], a->fmask[3], W_KEYWORD, typo)) > best)
			best = s;
	return best;
}

static int app_score(const struct fuzzy_query *q, const struct app *a, const char *text, int typo)
{
	int sum = 0;

	for (int i = 0; i < q->natoms; i++) {
		/* In order needs every character somewhere in the app; one
		 * edit (two past 7 bytes) can only miss as many. */
		uint64_t missing = q->atom[i].mask & ~a->mask;
		int s;

		if (missing && (!typo || __builtin_popcountll(missing) > (q->atom[i].len >= 8 ? 2 : 1)))
			return 0;
		/* (A lone atom in the typo pass is known not to match in order.) */
		s = missing || (typo && q->natoms == 1) ? 0 : atom_score(&q->atom[i], a, text, 0);
		if (!s && typo)
			s = atom_score(&q->atom[i], a, text, 1);
		if (!s)
			return 0;
		sum += s;
	}
	return sum;
}

/* The most a query can score with typos: each atom's ceiling, weighted
 * as a name. */
static int typo_ceiling(const struct fuzzy_query *q)
{
	int sum = 0;

	for (int i = 0; i < q->natoms; i++)
		sum += fuzzy_typo_ceiling(&q->atom[i]) * W_NAME / 100;
	return sum;
}

/* 1 if x ranks before y. */
static int before(const struct app_hit *x, const struct app_hit *y)
{
	if (x->rank != y->rank)
		return x->rank > y->rank;
	if (x->app->name_len != y->app->name_len)
		return x->app->name_len < y->app->name_len;
	return strcmp(x->app->id, y->app->id) < 0;
}

size_t appindex_search(const struct appindex *ix, const struct fuzzy_query *q, appindex_usage_fn *usage,
	void *ctx, struct app_hit *hits, size_t max)
{
	int *raw, top = 0;
	double *use, most = 1.0;
	size_t matched = 0, nhits = 0;

	if (!max || !ix->n)
		return 0;
	raw = xcalloc(ix->n, sizeof(*raw));
	use = xcalloc(ix->n, sizeof(*use));
	for (size_t i = 0; i < ix->n; i++) {
		if (!ix->apps[i].searchable || (!q->natoms && ix->apps[i].action))
			continue;
		raw[i] = q->natoms ? app_score(q, &ix->apps[i], ix->arena, 0) : 1;
		matched += raw[i] > 0;
		if (raw[i] > top)
			top = raw[i];
	}
	/* Typos too when fewer than max matched in order, or when the best
	 * in-order match is weaker than a typo can be. */
	if (q->natoms && (matched < max || top < typo_ceiling(q)))
		for (size_t i = 0; i < ix->n; i++)
			if (ix->apps[i].searchable && !raw[i])
				raw[i] = app_score(q, &ix->apps[i], ix->arena, 1);
	top = 0;
	for (size_t i = 0; i < ix->n; i++) {
		if (raw[i] > top)
			top = raw[i];
		if (raw[i] && usage && (use[i] = usage(&ix->apps[i], ctx)) > most)
			most = use[i];
	}
	for (size_t i = 0; i < ix->n; i++) {
		struct app_hit h;
		size_t at;

		if (!raw[i])
			continue;
		h.app = &ix->apps[i];
		h.fuzzy = q->natoms ? raw[i] : 0;
		h.rank = 0.7 * raw[i] / top + 0.3 * use[i] / most;
		if (nhits == max && !before(&h, &hits[max - 1]))
			continue;
		at = nhits < max ? nhits++ : max - 1;
		while (at > 0 && before(&h, &hits[at - 1])) {
			hits[at] = hits[at - 1];
			at--;
		}
		hits[at] = h;
	}
	free(raw);
	free(use);
	return nhits;
}
