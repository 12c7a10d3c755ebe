/* daemon_snippets.c - daemon-snippets: per-profile text snippets kept in
 * SQLite (snippets/PROFILE.db in the data directory), expanded on request.
 *
 * Templates are stored as written and never expanded into storage; a
 * ${secret:NAME} is read from daemon-secrets at each expansion (without
 * blocking the loop) and lives in secure memory until the reply is sent.
 * Sandboxed like daemon-secrets: its data directory, the config, the
 * runtime directory and the time zone files.
 */
#include "applets/applet.h"
#include "lib/core/template.h"
#include "lib/bus/fetch.h"
#include "lib/bus/role.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"
#include "lib/store/store.h"
#include "lib/store/vault.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*APPLET daemon-snippets daemon_snippets_main role "text snippets with templates"
usage: daemon-snippets

Keeps each profile's snippets (a trigger and a template) in
snippets/PROFILE.db in the data directory, so they survive restarts and
configuration reloads, and expands them for `sesame snippet expand`:
${date} or ${date:FORMAT} (strftime, local time), ${env:NAME} (from
this daemon's environment), ${secret:NAME} (read from daemon-secrets at
expansion time: the profile must be unlocked and
[profiles.P.secrets.access] must list it for snippets), ${clipboard}
(from daemon-clipboard) and $$ for a literal '$'.  Templates are checked
when added; an unknown variable is an error naming its line and column.
*/

#define MAX_SNIPPETS 10000
#define MAX_TRIGGER 64
#define SNIPPET_MAX 16384	/* bytes of a template */
#define MAX_OUTPUT (WIRE_MAX_MESSAGE - 64)
#define PREVIEW 120

struct db {
	char profile[PROFILE_BUF];
	sqlite3 *db;
	struct db *next;
};

struct expansion {
	struct fetch f;		/* first: the values to fetch, and the request (f.req) */
	char profile[PROFILE_BUF];
	char *text;		/* the template; parts point into it */
	struct template_part parts[TEMPLATE_MAX_PARTS];
	int nparts;
};

static struct {
	struct role r;
	struct db *dbs;
	struct fetch *pending;	/* expansions waiting for values */
	uint32_t next_id;
} TT;

static struct wire_out *out;	/* secure memory: replies may hold values */

static void reply_text(const struct wire_msg *m, const char *text)
{
	wire_begin(out, m->type, WIRE_F_REPLY, m->id);
	wire_put_str(out, WF_TEXT, text);
	role_send(&TT.r, out);
}

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS snippets ("
	" trigger TEXT PRIMARY KEY NOT NULL,"
	" template TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" updated_ms INTEGER NOT NULL);";

static sqlite3 *db_of(const char *profile)
{
	struct db *d;
	char dir[PATH_MAX], path[PATH_MAX];

	for (d = TT.dbs; d; d = d->next)
		if (!strcmp(d->profile, profile))
			return d->db;
	if (paths_join(dir, TT.r.p.data, "snippets") < 0 || store_path(path, dir, profile) < 0)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	snprintf(d->profile, sizeof(d->profile), "%s", profile);
	if (!(d->db = store_open(path, schema))) {
		free(d);
		return NULL;
	}
	d->next = TT.dbs;
	TT.dbs = d;
	return d->db;
}


static int trigger_ok(const char *t)
{
	size_t n = strlen(t);

	if (!n || n > MAX_TRIGGER || !utf8_valid(t, n))
		return 0;
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

/* The request's profile and trigger (if want_trigger); 0, or -1 after
 * replying with the error. */
static int args(const struct wire_msg *m, char profile[PROFILE_BUF], char trigger[MAX_TRIGGER + 1], sqlite3 **db)
{
	if (wire_get_str(m, WF_PROFILE, profile, PROFILE_BUF) < 0 || !profile_name_valid(profile)) {
		role_reply_error(&TT.r, m->id, WIRE_E_BAD_MESSAGE, "a snippet request needs a valid profile");
		return -1;
	}
	if (trigger && (wire_get_str(m, WF_TRIGGER, trigger, MAX_TRIGGER + 1) < 0 || !trigger_ok(trigger))) {
		role_reply_error(&TT.r, m->id, WIRE_E_BAD_MESSAGE, "a trigger is 1 to %d bytes of UTF-8 without spaces or "
			"control characters", MAX_TRIGGER);
		return -1;
	}
	if (!(*db = db_of(profile))) {
		log_error("snippets: %s", last_error());
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "cannot open the snippets of %s: %s", profile, last_error());
		return -1;
	}
	return 0;
}

static void list(const struct wire_msg *m)
{
	char profile[PROFILE_BUF];
	sqlite3 *db;
	sqlite3_stmt *st;
	int more = 0;

	if (args(m, profile, NULL, &db) < 0)
		return;
	if (sqlite3_prepare_v2(db, "SELECT trigger, template FROM snippets ORDER BY trigger", -1, &st, NULL)) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "snippets: %s", store_error(db));
		return;
	}
	wire_begin(out, m->type, WIRE_F_REPLY, m->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0), *tpl = (const char *)sqlite3_column_text(st, 1);
		size_t n = tpl ? strlen(tpl) : 0, cut = n;

		if (!t || !tpl)
			continue;
		/* A preview, cut on a character boundary. */
		if (n > PREVIEW) {
			cut = PREVIEW;
			while (cut > 0 && ((unsigned char)tpl[cut] & 0xc0) == 0x80)
				cut--;
		}
		if (out->len + 8 + strlen(t) + cut + 3 + 64 > WIRE_MAX_MESSAGE) {
			more++;
			continue;
		}
		wire_put_str(out, WF_TRIGGER, t);
		if (cut < n) {
			char buf[PREVIEW + 4];

			memcpy(buf, tpl, cut);
			memcpy(buf + cut, "...", 4);
			wire_put_str(out, WF_TEMPLATE, buf);
		} else {
			wire_put_str(out, WF_TEMPLATE, tpl);
		}
	}
	sqlite3_finalize(st);
	if (more) {
		char text[64];

		snprintf(text, sizeof(text), "%d more not shown", more);
		wire_put_str(out, WF_TEXT, text);
	}
	role_send(&TT.r, out);
}

/* A snippet reads its own profile's secrets only: expanding one must not
 * reach into another vault. */
static int own_profile(const struct template_part *parts, int n)
{
	for (int i = 0; i < n; i++)
		if (parts[i].kind == TPL_SECRET && parts[i].profile)
			return fail("${secret:%.*s/%.*s}: a snippet reads its own profile's secrets (PROFILE/NAME is for "
				"sesame inject)", (int)parts[i].plen, parts[i].profile, (int)(parts[i].len > 64 ? 64 :
				parts[i].len), parts[i].s);
	return 0;
}

static void add(const struct wire_msg *m)
{
	char profile[PROFILE_BUF], trigger[MAX_TRIGGER + 1];
	static struct template_part parts[TEMPLATE_MAX_PARTS];
	const uint8_t *tpl;
	uint16_t len;
	int nparts, exists, count;
	sqlite3 *db;
	sqlite3_stmt *st;
	long long now = role_wall_ms();

	if (args(m, profile, trigger, &db) < 0)
		return;
	if (!wire_find(m, WF_TEMPLATE, &tpl, &len)) {
		role_reply_error(&TT.r, m->id, WIRE_E_BAD_MESSAGE, "no template");
		return;
	}
	if (len > SNIPPET_MAX) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "template: longer than %d bytes", SNIPPET_MAX);
		return;
	}
	if (template_parse((const char *)tpl, len, parts, TEMPLATE_MAX_PARTS, &nparts) < 0 ||
		own_profile(parts, nparts) < 0) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "template: %s", last_error());
		return;
	}
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM snippets WHERE trigger = ?), "
	    "(SELECT count(*) FROM snippets)", -1, &st, NULL)) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "snippets: %s", store_error(db));
		return;
	}
	sqlite3_bind_text(st, 1, trigger, -1, SQLITE_STATIC);
	sqlite3_step(st);
	exists = sqlite3_column_int(st, 0);
	count = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	if (!exists && count >= MAX_SNIPPETS) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "profile %s already has %d snippets", profile, MAX_SNIPPETS);
		return;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO snippets (trigger, template, created_ms, updated_ms) "
	    "VALUES (?1, ?2, ?3, ?3) ON CONFLICT(trigger) DO UPDATE SET template = ?2, updated_ms = ?3",
	    -1, &st, NULL)) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "snippets: %s", store_error(db));
		return;
	}
	sqlite3_bind_text(st, 1, trigger, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, (const char *)tpl, len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "snippets: %s", store_error(db));
	} else {
		log_info("snippets: %s %s in %s", exists ? "replaced" : "added", trigger, profile);
		reply_text(m, exists ? "replaced" : "added");
	}
	sqlite3_finalize(st);
}

static void remove_one(const struct wire_msg *m)
{
	char profile[PROFILE_BUF], trigger[MAX_TRIGGER + 1];
	sqlite3 *db;
	sqlite3_stmt *st;

	if (args(m, profile, trigger, &db) < 0)
		return;
	if (sqlite3_prepare_v2(db, "DELETE FROM snippets WHERE trigger = ?", -1, &st, NULL)) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "snippets: %s", store_error(db));
		return;
	}
	sqlite3_bind_text(st, 1, trigger, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "snippets: %s", store_error(db));
	else if (!sqlite3_changes(db))
		role_reply_error(&TT.r, m->id, WIRE_E_NOT_FOUND, "profile %s has no snippet '%s'", profile, trigger);
	else
		reply_text(m, "removed");
	sqlite3_finalize(st);
}

static void expansion_free(struct expansion *e)
{
	fetch_free(&e->f);
	free(e->text);
	free(e);
}

static int put(uint8_t *buf, size_t *n, const void *s, size_t len)
{
	if (*n + len > MAX_OUTPUT)
		return fail("the expansion is longer than %d bytes", MAX_OUTPUT);
	memcpy(buf + *n, s, len);
	*n += len;
	return 0;
}

/* Render e into a reply (or an error reply). */
static void render(struct expansion *e)
{
	uint8_t *buf = xsecmem_alloc(MAX_OUTPUT);
	size_t n = 0;
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	for (int i = 0; i < e->nparts; i++) {
		const struct template_part *p = &e->parts[i];
		char arg[VAULT_MAX_NAME + 1], text[1024];
		const struct fetch_item *it;
		const char *v;
		size_t len;
		int r = 0;

		snprintf(arg, sizeof(arg), "%.*s", (int)(p->len < VAULT_MAX_NAME ? p->len : VAULT_MAX_NAME), p->s);
		switch (p->kind) {
		case TPL_TEXT:
			r = put(buf, &n, p->s, p->len);
			break;
		case TPL_DATE:
			len = strftime(text, sizeof(text), p->len ? arg : "%Y-%m-%d", &tm);
			if (!len && p->len)
				r = fail("${date:%s} gives nothing, or more than %zu bytes", arg, sizeof(text) - 1);
			else
				r = put(buf, &n, text, len);
			break;
		case TPL_ENV:
			if (!(v = getenv(arg)))
				r = fail("${env:%s}: %s is not set in daemon-snippets' environment", arg, arg);
			else
				r = put(buf, &n, v, strlen(v));
			break;
		case TPL_SECRET:
		case TPL_CLIPBOARD:
			it = fetch_find(&e->f, p->kind == TPL_SECRET ? WIRE_SECRET_GET : WIRE_CLIPBOARD_GET,
				e->profile, p->kind == TPL_SECRET ? arg : "");
			r = it && it->value ? put(buf, &n, it->value, it->len) : fail("a value did not arrive");
			break;
		}
		if (r < 0) {
			role_reply_error(&TT.r, e->f.req, WIRE_E_FAILED, "%s", last_error());
			secmem_free(buf);
			return;
		}
	}
	wire_begin(out, WIRE_SNIPPET_EXPAND, WIRE_F_REPLY, e->f.req);
	wire_put(out, WF_VALUE, buf, n);
	role_send(&TT.r, out);
	sodium_memzero(out->buf, out->len);
	secmem_free(buf);
}

static void expand(const struct wire_msg *m)
{
	char profile[PROFILE_BUF], trigger[MAX_TRIGGER + 1];
	struct expansion *e;
	sqlite3 *db;
	sqlite3_stmt *st;
	const char *tpl;

	if (args(m, profile, trigger, &db) < 0)
		return;
	if (sqlite3_prepare_v2(db, "SELECT template FROM snippets WHERE trigger = ?", -1, &st, NULL)) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "snippets: %s", store_error(db));
		return;
	}
	sqlite3_bind_text(st, 1, trigger, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW || !(tpl = (const char *)sqlite3_column_text(st, 0))) {
		sqlite3_finalize(st);
		role_reply_error(&TT.r, m->id, WIRE_E_NOT_FOUND, "profile %s has no snippet '%s'", profile, trigger);
		return;
	}
	e = xcalloc(1, sizeof(*e));
	e->f.req = m->id;
	snprintf(e->profile, sizeof(e->profile), "%s", profile);
	e->text = xstrdup(tpl);
	sqlite3_finalize(st);
	/* Checked when added; checked again, the file may have been edited. */
	if (template_parse(e->text, strlen(e->text), e->parts, TEMPLATE_MAX_PARTS, &e->nparts) < 0 ||
		own_profile(e->parts, e->nparts) < 0) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "snippet '%s': %s", trigger, last_error());
		expansion_free(e);
		return;
	}
	for (int i = 0; i < e->nparts; i++) {
		char name[VAULT_MAX_NAME + 1];
		const struct template_part *p = &e->parts[i];

		if (p->kind != TPL_SECRET && p->kind != TPL_CLIPBOARD)
			continue;
		snprintf(name, sizeof(name), "%.*s", p->kind == TPL_SECRET ? (int)p->len : 0, p->s);
		if (fetch_add(&e->f, p->kind == TPL_SECRET ? WIRE_SECRET_GET : WIRE_CLIPBOARD_GET, profile,
		    name) < 0) {
			role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "snippet '%s': %s", trigger, last_error());
			expansion_free(e);
			return;
		}
	}
	if (!e->f.n) {
		render(e);
		expansion_free(e);
		return;
	}
	if (fetch_send(&e->f, TT.r.c, &TT.next_id, role_now_ms() + 10000) < 0) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "%s", last_error());
		expansion_free(e);
		return;
	}
	fetch_list_add(&TT.pending, &e->f);
}

/* A reply to one of our requests: render once every value is there. */
static void fetched(const struct wire_msg *m)
{
	struct expansion *e = (struct expansion *)fetch_list_reply(&TT.pending, m, "snippets");

	if (!e)
		return;
	if (e->f.code)
		role_reply_error(&TT.r, e->f.req, e->f.code, "%s", e->f.error);
	else
		render(e);
	expansion_free(e);
}

static void expire(void)
{
	struct expansion *e;

	while ((e = (struct expansion *)fetch_list_expired(&TT.pending, role_now_ms()))) {
		role_reply_error(&TT.r, e->f.req, WIRE_E_TIMEOUT, "no answer from daemon-secrets or daemon-clipboard");
		expansion_free(e);
	}
}

static void handle(const struct wire_msg *m)
{
	if (m->flags & WIRE_F_REPLY) {
		fetched(m);
		return;
	}
	switch (m->type) {
	case WIRE_SNIPPET_LIST: list(m); break;
	case WIRE_SNIPPET_ADD: add(m); break;
	case WIRE_SNIPPET_REMOVE: remove_one(m); break;
	case WIRE_SNIPPET_EXPAND: expand(m); break;
	default: role_reply_error(&TT.r, m->id, WIRE_E_UNKNOWN_TYPE, "daemon-snippets does not serve this request");
	}
}

static void enter_sandbox(void)
{
	char dir[PATH_MAX];
	const struct sandbox_path paths[] = {
		{ dir, SB_READ | SB_WRITE }, { "/etc/localtime", SB_READ }, { "/usr/share/zoneinfo", SB_READ },
	};

	if (paths_mkdir_private(TT.r.p.data) < 0 || paths_join(dir, TT.r.p.data, "snippets") < 0 ||
	    paths_mkdir_private(dir) < 0 ||
	    paths_mkdir_private(TT.r.p.runtime) < 0)
		die("daemon-snippets: %s", last_error());
	xrole_load_sqlite(&TT.r);
	xrole_sandbox(&TT.r, paths, ARRAY_LEN(paths));
}

int daemon_snippets_main(int argc, char **argv)
{
	if (argc > 1)
		usage_error("daemon-snippets", "unexpected argument '%s'", argv[1]);
	if (sandbox_limits() < 0)
		die("daemon-snippets: %s", last_error());
	xrole_setup(&TT.r, "snippets");
	out = xsecmem_alloc(sizeof(*out));
	TT.r.status = "serving snippets";
	if (secmem_probe() == SECMEM_NONE)
		die("%s", last_error());
	tzset();
	enter_sandbox();
	for (;;) {
		int ev = xrole_poll(&TT.r, NULL, 0, TT.pending ? 500 : -1);

		if (ev & ROLE_STOP)
			break;
		if (ev & ROLE_BUS && role_dispatch(&TT.r, handle) < 0)
			continue;
		if (TT.pending)
			expire();
	}
	log_info("snippets: stopping");
	while (TT.pending) {
		struct expansion *e = (struct expansion *)TT.pending;

		TT.pending = e->f.next;
		expansion_free(e);
	}
	for (struct db *d = TT.dbs, *next; d; d = next) {
		next = d->next;
		sqlite3_close(d->db);
		free(d);
	}
	return role_close(&TT.r);
}
