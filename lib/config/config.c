/* config.c - the configuration's layers and their merge (config.h).
 * Loading walks each layer's tree against the schema (config_schema.c)
 * and records every value with the file and line it came from;
 * config_int.h says which file holds what. */
#include "lib/config/config_int.h"
#include "lib/config/binding.h"
#include "lib/core/log.h"
#include "lib/core/names.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reporting ------------------------------------------------------ */

static void log_report(enum config_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == CONFIG_ERROR)
		log_error("config: %s", msg);
	else if (level == CONFIG_WARNING)
		log_warn("config: %s", msg);
	else
		log_info("config: %s", msg);
}

PRINTF(3, 4)
void config_say(struct config *c, enum config_level level, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level == CONFIG_ERROR) {
		if (!c->errors)
			fail("%s", msg);
		if (++c->errors > MAX_ERRORS)
			return;
		if (c->errors == MAX_ERRORS + 1)
			snprintf(msg, sizeof(msg), "too many errors; stopping here");
	}
	c->report(level, msg, c->ctx);
}

/* ---- the schema ----------------------------------------------------- */

/* ---- the merge ------------------------------------------------------ */

struct entry *config_entry(const struct config *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].path, path))
			return &c->e[i];
	return NULL;
}

static void set_entry(struct config *c, size_t layer, const char *path, const struct rule *r,
	const struct toml_value *v, int line, int col)
{
	struct layer *l = &c->layers[layer];
	struct entry *e = config_entry(c, path);

	if (e && e->locked && l->policy < c->layers[e->layer].policy && r->kind != K_TABLE) {
		config_say(c, CONFIG_WARNING, "%s:%d:%d: %s is set by policy (%s:%d) and cannot be overridden; "
			"the policy value stays", l->file, line, col, path, c->layers[e->layer].file, e->line);
		return;
	}
	if (!e) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 64;
			c->e = xreallocarray(c->e, c->cap, sizeof(*c->e));
		}
		e = &c->e[c->n++];
		memset(e, 0, sizeof(*e));
		e->path = xstrdup(path);
	} else if (r->kind == K_TABLE) {
		return;		/* a table keeps where it was first made */
	}
	e->v = v;
	e->rule = r;
	e->layer = layer;
	e->line = line;
	e->col = col;
	e->locked = l->policy && r->kind != K_TABLE;
}

/* noted: an enclosing table was already reported as a note. */
static void walk(struct config *c, size_t layer, const struct toml_value *t, const char *prefix, int noted)
{
	const char *file = c->layers[layer].file;

	for (size_t i = 0; i < t->tab.n; i++) {
		const struct toml_kv *kv = &t->tab.kv[i];
		char path[MAX_PATH_LEN];
		const struct rule *r;

		if (!config_key_ok(kv->key, kv->len)) {
			config_say(c, CONFIG_ERROR, "%s:%d:%d: %s%s\"%.64s\": unknown key", file, kv->line, kv->col,
				prefix, *prefix ? "." : "", memchr(kv->key, 0, kv->len) ? "(NUL)" : kv->key);
			continue;
		}
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", kv->key);
		if (!(r = config_rule_find(path))) {
			config_say(c, CONFIG_ERROR, "%s:%d:%d: %s: unknown key", file, kv->line, kv->col, path);
			continue;
		}
		if (r->keyrule == KEY_NAME && !profile_name_valid(kv->key)) {
			config_say(c, CONFIG_ERROR, "%s:%d:%d: %s: '%s' is not a valid name (1-64 of A-Z a-z 0-9 _ -, "
				"starting with a letter or digit)", file, kv->line, kv->col, path, kv->key);
			continue;
		}
		if (r->keyrule == KEY_BINDING && kv->len > 16) {
			config_say(c, CONFIG_ERROR, "%s:%d:%d: %s: a key binding name is at most 16 characters",
				file, kv->line, kv->col, path);
			continue;
		}
		if (config_check_value(c, file, path, r, kv->val) < 0)
			continue;
		if (r->note && !noted)
			config_say(c, CONFIG_NOTE, "%s:%d: %s: %s", file, kv->line, path, r->note);
		set_entry(c, layer, path, r, kv->val, kv->line, kv->col);
		if (r->kind == K_TABLE)
			walk(c, layer, kv->val, path, noted || r->note);
	}
}

/* profiles.P.extends = "Q": P gets every value of Q it does not set
 * itself (after Q got its own parent's).  Missing parents and cycles are
 * errors. */
static int inherit(struct config *c, const char *name, int depth)
{
	char path[MAX_PATH_LEN], prefix[MAX_PATH_LEN], want[MAX_PATH_LEN];
	const struct entry *ext;
	const char *parent;
	size_t plen, n;

	snprintf(path, sizeof(path), "profiles.%s.extends", name);
	if (!(ext = config_entry(c, path)))
		return 0;
	parent = toml_cstr(ext->v);
	snprintf(prefix, sizeof(prefix), "profiles.%s", parent);
	if (depth > 32 || !strcmp(parent, name)) {
		config_say(c, CONFIG_ERROR, "%s:%d:%d: %s: profiles extend each other in a circle",
			c->layers[ext->layer].file, ext->line, ext->col, path);
		return -1;
	}
	if (!config_entry(c, prefix)) {
		config_say(c, CONFIG_ERROR, "%s:%d:%d: %s: no profile named '%s'", c->layers[ext->layer].file,
			ext->line, ext->col, path, parent);
		return -1;
	}
	if (inherit(c, parent, depth + 1) < 0)
		return -1;
	strcat(prefix, ".");
	plen = strlen(prefix);
	n = c->n;
	for (size_t i = 0; i < n; i++) {
		struct entry e = c->e[i], *add;
		const char *rest = e.path + plen;

		if (strncmp(e.path, prefix, plen) || !strcmp(rest, "name") || !strcmp(rest, "extends"))
			continue;
		snprintf(want, sizeof(want), "profiles.%s.%s", name, rest);
		if (config_entry(c, want))
			continue;
		set_entry(c, e.layer, want, e.rule, e.v, e.line, e.col);
		add = config_entry(c, want);
		add->locked = 0;
		free(add->from);
		add->from = xstrdup(e.from ? e.from : parent);
	}
	return 0;
}

/* Checks that need the merged result. */
static void cross_check(struct config *c)
{
	const char *names[256];
	size_t n = config_profiles(c, names, ARRAY_LEN(names));
	const struct entry *e;
	const char *def;

	for (size_t i = 0; i < n && i < ARRAY_LEN(names); i++)
		if (inherit(c, names[i], 0) < 0)
			return;
	n = config_profiles(c, names, ARRAY_LEN(names));
	for (size_t i = 0; i < c->n; i++) {
		char want[MAX_PATH_LEN];
		const char *dot;

		e = &c->e[i];
		if (!config_match("profiles.*.name", e->path) || e->from)
			continue;
		dot = strchr(e->path + 9, '.');
		snprintf(want, sizeof(want), "%.*s", (int)(dot - e->path - 9), e->path + 9);
		if (strcmp(toml_cstr(e->v), want))
			config_say(c, CONFIG_ERROR, "%s:%d:%d: %s: '%s' differs from the table's name '%s'",
				c->layers[e->layer].file, e->line, e->col, e->path, toml_cstr(e->v), want);
	}
	def = config_default_profile(c);
	if (n && (e = config_entry(c, "global.default_profile"))) {
		size_t i;
		for (i = 0; i < n && strcmp(names[i], def); i++)
			;
		if (i == n)
			config_say(c, CONFIG_ERROR, "%s:%d:%d: global.default_profile: '%s' is not a configured "
				"profile", c->layers[e->layer].file, e->line, e->col, def);
	}
}

/* 0 with the file's text, 1 if there is no such file, -1 with a reason. */
static int read_layer(const char *path, char **text, size_t *len)
{
	if ((*text = read_file(path, CONFIG_MAX_FILE, len)))
		return 0;
	return errno == ENOENT ? 1 : fail("%s: %s", path, last_error());
}

/* Parses and walks one layer (takes text). */
static void add_text(struct config *c, const char *name, char *text, size_t len, int policy)
{
	struct layer *l;

	c->layers = xreallocarray(c->layers, c->nlayers + 1, sizeof(*c->layers));
	l = &c->layers[c->nlayers];
	memset(l, 0, sizeof(*l));
	l->file = xstrdup(name);
	l->text = text;
	l->policy = policy;
	c->nlayers++;
	if (!(l->root = toml_parse(text, len, name))) {
		config_say(c, CONFIG_ERROR, "%s", last_error());
		return;
	}
	walk(c, c->nlayers - 1, l->root, "", 0);
}

/* Policy levels: a layer cannot change what a higher one locked. */
enum { USER_LAYER, EXTRA_POLICY, SYSTEM_POLICY };

/* Reads one layer; a missing file is no layer.  The administrator's
 * policy counts only if root owns it and nobody else may write it: a file
 * anyone could have put there is no policy (an error, not ignored). */
static void add_layer(struct config *c, const char *path, int policy)
{
	char *text;
	size_t len;
	int r;
	struct stat st;

	if (policy == SYSTEM_POLICY && stat(path, &st) == 0 && (st.st_uid != 0 || st.st_mode & 022)) {
		config_say(c, CONFIG_ERROR, "%s: a policy file must belong to root and be writable by root alone "
			"(it is uid %u's, mode %04o): fix it with chown root and chmod go-w", path,
			(unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return;
	}
	r = read_layer(path, &text, &len);
	if (r == 1)
		return;
	if (r < 0)
		config_say(c, CONFIG_ERROR, "%s", last_error());
	else
		add_text(c, path, text, len, policy);
}

static int toml_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".toml");
}

static struct config *config_new(config_report_fn *report, void *ctx)
{
	struct config *c = xcalloc(1, sizeof(*c));

	c->report = report ? report : log_report;
	c->ctx = ctx;
	return c;
}

static struct config *finish(struct config *c)
{
	if (!c->errors)
		cross_check(c);
	if (c->errors) {
		char why[512];
		snprintf(why, sizeof(why), "%s", last_error());
		config_free(c);
		fail("%s", why);
		return NULL;
	}
	return c;
}

struct config *config_load(const struct paths *p, config_report_fn *report, void *ctx)
{
	struct config *c = config_new(report, ctx);
	char path[PATH_MAX], dir[PATH_MAX];
	struct dirent **list;
	int n;

	add_layer(c, p->policy, SYSTEM_POLICY);
	if (p->extra_policy)
		add_layer(c, p->extra_policy, EXTRA_POLICY);
	if (paths_join(path, p->config, "config.toml") == 0)
		add_layer(c, path, USER_LAYER);
	if (paths_join(dir, p->config, "config.d") == 0 &&
	    (n = scandir(dir, &list, toml_name, alphasort)) >= 0) {
		for (int i = 0; i < n; i++) {
			if (paths_join(path, dir, list[i]->d_name) == 0)
				add_layer(c, path, USER_LAYER);
			free(list[i]);
		}
		free(list);
	} else if (errno != ENOENT) {
		config_say(c, CONFIG_ERROR, "%s: %s", dir, strerror(errno));
	}
	return finish(c);
}

int config_check_file(const char *path, config_report_fn *report, void *ctx)
{
	struct config *c = config_new(report, ctx);
	char *text;
	size_t len;
	int r = read_layer(path, &text, &len);

	if (r) {
		if (r == 1)
			fail("%s: no such file", path);
		config_free(c);
		return -1;
	}
	free(text);
	add_layer(c, path, 0);
	if (!(c = finish(c)))
		return -1;
	config_free(c);
	return 0;
}

int config_check_text(const char *text, size_t len, const char *name, config_report_fn *report, void *ctx)
{
	struct config *c = config_new(report, ctx);
	char *copy = xmalloc(len + 1);

	memcpy(copy, text, len);
	add_text(c, name, copy, len, 0);
	if (!(c = finish(c)))
		return -1;
	config_free(c);
	return 0;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nlayers; i++) {
		free(c->layers[i].file);
		free(c->layers[i].text);
		toml_free(c->layers[i].root);
	}
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].path);
		free(c->e[i].from);
	}
	free(c->layers);
	free(c->e);
	free(c);
}

/* ---- reading -------------------------------------------------------- */

/* ---- watching ------------------------------------------------------- */
