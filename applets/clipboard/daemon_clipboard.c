/* daemon_clipboard.c - daemon-clipboard: the clipboard's history, sealed
 * per profile, with secret-looking entries that expire.
 *
 * The selection comes from zwlr_data_control_manager_v1: on each new
 * selection with a text type the text is read (without blocking the
 * loop: a pipe, at most CLIP_MAX bytes, CLIP_READ_MS) into secure
 * memory, classified (applets/clipboard/sensitive.h, or the password-manager hint
 * type), then stored once daemon-secrets has answered with the profile's
 * history key (WIRE_CLIPBOARD_KEY; none while the profile is locked, so
 * nothing is recorded then and nothing can be read).  The key is asked
 * for at each use and wiped after it: locking the vault locks the history.
 *
 * History: clipboard/PROFILE.db in the cache directory (store.h), one
 * row per entry:
 *   entries(id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER (ms since
 *           the epoch), expires INTEGER (ms, 0: never), kind TEXT (why it
 *           is sensitive, '' if not), mime TEXT, digest BLOB (keyed
 *           BLAKE2b-128 of the text: a copy of the same text replaces the
 *           older entry), value BLOB (24-byte nonce + XChaCha20-Poly1305))
 * The associated data binds the value to the profile, id, time, expiry,
 * type and kind: an edited row no longer opens.  secure_delete is on.
 */
#include "applets/applet.h"
#include "applets/clipboard/sensitive.h"
#include "lib/bus/role.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/desk/wlpoll.h"
#include "lib/sandbox/sandbox.h"
#include "lib/store/store.h"
#include "lib/store/vault.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>

#include "proto/wlr-data-control-unstable-v1.h"

/*APPLET daemon-clipboard daemon_clipboard_main role desktop "clipboard history (Wayland)"
usage: daemon-clipboard

Records the clipboard's text in a history per profile (the default
profile's), sealed with a key that daemon-secrets derives from that
profile's vault key: while the profile is locked nothing is recorded
and the history cannot be read.  Needs a compositor with
zwlr_data_control_manager_v1 (sway, Hyprland, river, labwc, Wayfire).

Text that looks like a secret (private key blocks, API tokens of
well-known formats, JSON Web Tokens, high-entropy strings) or that a
password manager marks (x-kde-passwordManagerHint) is kept only
sensitive_ttl_s seconds; then it leaves the history and, if it is still
the clipboard's content, the clipboard is cleared.  With
sensitive_ttl_s = 0 such text is never recorded nor cleared.

Settings, in [profiles.<default>.clipboard]:
  max_history       entries kept (default 1000; 0: record nothing)
  sensitive_ttl_s   lifetime of a sensitive entry (default 30)
  detect_sensitive  look for secrets in the text (default true)

Only text is recorded (text/plain and its usual aliases), up to 60000
bytes; larger copies and images are left alone.  Exits 1 when the
compositor goes away.
*/

#define CLIP_MAX 60000		/* fits in one bus reply */
#define CLIP_READ_MS 2000	/* a source that does not finish writing is dropped */
#define KEY_WAIT_MS 3000
#define PREVIEW 80
#define HINT_MIME "x-kde-passwordManagerHint"

/* Text types, most preferred first. */
static const char *const text_mimes[] = {
	"text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "STRING", "TEXT",
};

struct offer {
	struct zwlr_data_control_offer_v1 *o;
	int text;		/* index into text_mimes, -1: none */
	int hint;		/* offers HINT_MIME */
};

/* A selection being read. */
struct capture {
	int fd;			/* -1: none */
	uint8_t *buf;		/* secure memory, CLIP_MAX + 1 */
	size_t len;
	int hint, mime;
	unsigned gen;		/* the selection it belongs to */
	long long deadline;
};

/* Work waiting for the profile's key. */
struct op {
	uint32_t id;		/* our WIRE_CLIPBOARD_KEY request */
	long long deadline;
	char profile[PROFILE_BUF];
	/* a capture to store: */
	uint8_t *data;		/* secure memory */
	size_t len;
	int mime;
	const char *kind;
	uint64_t time, expires;
	/* or a request to answer: */
	uint8_t type;
	uint32_t req;
	uint64_t clip;
	uint32_t limit;
	struct op *next;
};

struct db {
	char profile[PROFILE_BUF];
	sqlite3 *db;
	struct db *next;
};

static struct {
	struct role r;
	struct wl_display *dpy;
	struct wl_registry *reg;
	struct wl_seat *seat;
	struct zwlr_data_control_manager_v1 *mgr;
	struct zwlr_data_control_device_v1 *dev;
	struct offer pending;	/* announced by data_offer, not yet the selection */
	struct offer current;	/* the selection */
	unsigned gen;		/* counts selections */
	struct capture cap;
	unsigned clear_gen;	/* the sensitive selection to clear at clear_at */
	long long clear_at;	/* monotonic ms; 0: none */
	struct op *ops;
	uint32_t next_id;
	struct db *dbs;
	uint64_t next_exp;	/* the soonest expiry of the open histories, 0: none */
	int exp_stale;		/* a history changed: next_exp is to be read again */
	int finished;
} TT;

static struct wire_out *out;	/* secure memory: replies may hold values */


static const char *setting(const char *key)
{
	static char path[160];

	snprintf(path, sizeof(path), "profiles.%s.clipboard.%s", config_default_profile(TT.r.conf), key);
	return path;
}

/* --- the history database ------------------------------------------ */

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS entries ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" time INTEGER NOT NULL,"
	" expires INTEGER NOT NULL DEFAULT 0,"
	" kind TEXT NOT NULL DEFAULT '',"
	" mime TEXT NOT NULL,"
	" digest BLOB NOT NULL,"
	" value BLOB NOT NULL);"
	"CREATE INDEX IF NOT EXISTS entries_expires ON entries(expires) WHERE expires > 0;"
	"CREATE INDEX IF NOT EXISTS entries_digest ON entries(digest);";

static int exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail("clipboard history: %s", store_error(db));
	return 0;
}

static int purge_expired(sqlite3 *db)
{
	sqlite3_stmt *st;
	int n;

	if (sqlite3_prepare_v2(db, "DELETE FROM entries WHERE expires > 0 AND expires <= ?", -1, &st, NULL))
		return fail("clipboard history: %s", store_error(db));
	sqlite3_bind_int64(st, 1, (sqlite3_int64)role_wall_ms());
	n = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(db) : -1;
	sqlite3_finalize(st);
	if (n > 0)
		TT.exp_stale = 1;
	if (n < 0)
		return fail("clipboard history: %s", store_error(db));
	return n;
}

static sqlite3 *history(const char *profile)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct db *d;
	int n;

	for (d = TT.dbs; d; d = d->next)
		if (!strcmp(d->profile, profile))
			return d->db;
	if (paths_join(dir, TT.r.p.cache, "clipboard") < 0 || store_path(path, dir, profile) < 0)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	snprintf(d->profile, sizeof(d->profile), "%s", profile);
	if (!(d->db = store_open(path, schema)) || exec(d->db, "PRAGMA secure_delete=ON;") < 0) {
		sqlite3_close(d->db);
		free(d);
		return NULL;
	}
	if ((n = purge_expired(d->db)) > 0)
		log_info("clipboard: %d expired entries of profile %s removed", n, profile);
	d->next = TT.dbs;
	TT.dbs = d;
	TT.exp_stale = 1;
	return d->db;
}

/* The next expiry of any open history (wall ms), 0 if none. */
static uint64_t next_expiry(void)
{
	uint64_t next = 0;

	for (struct db *d = TT.dbs; d; d = d->next) {
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(d->db, "SELECT MIN(expires) FROM entries WHERE expires > 0", -1, &st, NULL))
			continue;
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			uint64_t e = (uint64_t)sqlite3_column_int64(st, 0);

			if (!next || e < next)
				next = e;
		}
		sqlite3_finalize(st);
	}
	return next;
}

static void expire_entries(void)
{
	TT.exp_stale = 1;	/* even if nothing went: never wait on a past expiry */
	for (struct db *d = TT.dbs; d; d = d->next) {
		int n = purge_expired(d->db);

		if (n < 0)
			log_error("%s", last_error());
		else if (n)
			log_info("clipboard: %d sensitive %s of profile %s expired", n, n == 1 ? "entry" : "entries",
				d->profile);
	}
}

/* The associated data of a row. */
static size_t row_ad(uint8_t *ad, size_t max, const char *profile, uint64_t id, uint64_t time,
	uint64_t expires, const char *mime, const char *kind)
{
	uint64_t v[3] = { id, time, expires };
	size_t n = 0;
	int w = snprintf((char *)ad, max, "sesame-clip/1%c%s%c", 0, profile, 0);

	if (w < 0 || (size_t)w + 24 >= max)
		return 0;
	n = (size_t)w;
	for (int i = 0; i < 3; i++)
		for (int b = 7; b >= 0; b--)
			ad[n++] = (uint8_t)(v[i] >> (8 * b));
	w = snprintf((char *)ad + n, max - n, "%s%c%s", mime, 0, kind);
	return w < 0 || (size_t)w >= max - n ? 0 : n + (size_t)w;
}

static int store(struct op *o, const uint8_t key[VAULT_KEYLEN])
{
	sqlite3 *db = history(o->profile);
	sqlite3_stmt *st = NULL;
	uint8_t digest[16], ad[512], *sealed = NULL;
	const char *mime = text_mimes[o->mime], *kind = o->kind ? o->kind : "";
	unsigned long long slen;
	size_t adlen;
	sqlite3_int64 id;
	long long max = config_int(TT.r.conf, setting("max_history"), 1000);
	int r = -1;

	if (!db)
		return -1;
	crypto_generichash(digest, sizeof(digest), o->data, o->len, key, VAULT_KEYLEN);
	if (exec(db, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "DELETE FROM entries WHERE digest = ?", -1, &st, NULL) ||
	    sqlite3_bind_blob(st, 1, digest, sizeof(digest), SQLITE_STATIC) || sqlite3_step(st) != SQLITE_DONE)
		goto db_fail;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "INSERT INTO entries (time, expires, kind, mime, digest, value) "
	    "VALUES (?, ?, ?, ?, ?, x'')", -1, &st, NULL))
		goto db_fail;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)o->time);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)o->expires);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, mime, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, digest, sizeof(digest), SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto db_fail;
	sqlite3_finalize(st);
	id = sqlite3_last_insert_rowid(db);
	o->clip = (uint64_t)id;
	adlen = row_ad(ad, sizeof(ad), o->profile, (uint64_t)id, o->time, o->expires, mime, kind);
	sealed = xmalloc(24 + o->len + crypto_aead_xchacha20poly1305_ietf_ABYTES);
	randombytes_buf(sealed, 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + 24, &slen, o->data, o->len, ad, adlen, NULL,
		sealed, key);
	if (sqlite3_prepare_v2(db, "UPDATE entries SET value = ? WHERE id = ?", -1, &st, NULL) ||
	    sqlite3_bind_blob(st, 1, sealed, (int)(24 + slen), SQLITE_STATIC) ||
	    sqlite3_bind_int64(st, 2, id) || sqlite3_step(st) != SQLITE_DONE)
		goto db_fail;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "DELETE FROM entries WHERE id NOT IN "
	    "(SELECT id FROM entries ORDER BY id DESC LIMIT ?)", -1, &st, NULL) ||
	    sqlite3_bind_int64(st, 1, max) || sqlite3_step(st) != SQLITE_DONE)
		goto db_fail;
	sqlite3_finalize(st);
	st = NULL;
	if (exec(db, "COMMIT") == 0)
		r = 0;
	TT.exp_stale = 1;
	goto done;
db_fail:
	fail("clipboard history: %s", store_error(db));
	sqlite3_finalize(st);
	exec(db, "ROLLBACK");
done:
	free(sealed);
	return r;
}

/* Open row st (columns id, time, expires, kind, mime, value) into secure
 * memory; NULL with a reason. */
static uint8_t *row_open(sqlite3_stmt *st, const char *profile, const uint8_t key[VAULT_KEYLEN], size_t *len)
{
	const uint8_t *v = sqlite3_column_blob(st, 5);
	int vlen = sqlite3_column_bytes(st, 5);
	const char *kind = (const char *)sqlite3_column_text(st, 3), *mime = (const char *)sqlite3_column_text(st, 4);
	uint64_t id = (uint64_t)sqlite3_column_int64(st, 0);
	uint8_t ad[512], *plain;
	unsigned long long plen;
	size_t adlen;

	if (!v || vlen < 24 + (int)crypto_aead_xchacha20poly1305_ietf_ABYTES || !kind || !mime ||
	    !(adlen = row_ad(ad, sizeof(ad), profile, id, (uint64_t)sqlite3_column_int64(st, 1),
	    (uint64_t)sqlite3_column_int64(st, 2), mime, kind))) {
		fail("clipboard entry %llu is damaged", (unsigned long long)id);
		return NULL;
	}
	plain = xsecmem_alloc((size_t)vlen + 1);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, v + 24, (unsigned long long)vlen - 24,
	    ad, adlen, v, key) != 0) {
		secmem_free(plain);
		fail("clipboard entry %llu does not open: it was altered, or sealed under another key",
			(unsigned long long)id);
		return NULL;
	}
	plain[plen] = 0;
	*len = (size_t)plen;
	return plain;
}

/* A one-line preview: up to the first newline, at most PREVIEW bytes cut
 * on a character boundary, "…" if anything was left out. */
static void preview(const uint8_t *s, size_t len, char *outp, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len && s[i] != '\n' && s[i] != '\r') {
		size_t k = utf8_seq(s + i, len - i);

		if (!k)
			k = 1;
		if (n + k > PREVIEW || n + k >= max)
			break;
		memcpy(outp + n, s + i, k);
		n += k, i += k;
	}
	if (i < len && n + 4 <= max) {
		memcpy(outp + n, "\xe2\x80\xa6", 3);
		n += 3;
	}
	outp[n] = 0;
}

/* --- requests ---------------------------------------------------------- */

static const char cols[] = "SELECT id, time, expires, kind, mime, value FROM entries ";

static void answer_history(const struct op *o, const uint8_t key[VAULT_KEYLEN])
{
	sqlite3 *db = history(o->profile);
	sqlite3_stmt *st;
	char sql[160], text[PREVIEW + 8];
	int rc;

	if (!db) {
		role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	purge_expired(db);
	snprintf(sql, sizeof(sql), "%sORDER BY id DESC LIMIT ?", cols);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL)) {
		role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "clipboard history: %s", store_error(db));
		return;
	}
	sqlite3_bind_int64(st, 1, !o->limit ? 20 : o->limit > 1000 ? 1000 : o->limit);
	wire_begin(out, WIRE_CLIPBOARD_HISTORY, WIRE_F_REPLY, o->req);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 3);
		size_t before = out->len, len;
		uint8_t *plain;

		text[0] = 0;
		if (!kind || !*kind) {
			if (!(plain = row_open(st, o->profile, key, &len))) {
				sqlite3_finalize(st);
				role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "%s", last_error());
				return;
			}
			preview(plain, len, text, sizeof(text));
			secmem_free(plain);
		}
		wire_put_u64(out, WF_CLIP, (uint64_t)sqlite3_column_int64(st, 0));
		wire_put_u64(out, WF_TIME, (uint64_t)sqlite3_column_int64(st, 1));
		wire_put_str(out, WF_MIME, (const char *)sqlite3_column_text(st, 4));
		wire_put_str(out, WF_KIND, kind ? kind : "");
		wire_put_u64(out, WF_EXPIRES, (uint64_t)sqlite3_column_int64(st, 2));
		wire_put_str(out, WF_TEXT, text);
		if (out->overflow) {		/* a full reply: what fits */
			out->overflow = 0;
			out->len = before;
			break;
		}
	}
	sqlite3_finalize(st);
	sodium_memzero(text, sizeof(text));
	role_send(&TT.r, out);
	sodium_memzero(out->buf, out->len);
}

static void answer_get(const struct op *o, const uint8_t key[VAULT_KEYLEN])
{
	sqlite3 *db = history(o->profile);
	sqlite3_stmt *st;
	char sql[160];
	uint8_t *plain;
	size_t len;
	int rc;

	if (!db) {
		role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	purge_expired(db);
	snprintf(sql, sizeof(sql), "%s%s", cols, o->clip ? "WHERE id = ?" : "ORDER BY id DESC LIMIT 1");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL)) {
		role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "clipboard history: %s", store_error(db));
		return;
	}
	if (o->clip)
		sqlite3_bind_int64(st, 1, (sqlite3_int64)o->clip);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE && o->clip)
			role_reply_error(&TT.r, o->req, WIRE_E_NOT_FOUND, "no clipboard entry %llu in profile %s "
				"(expired or removed?)", (unsigned long long)o->clip, o->profile);
		else if (rc == SQLITE_DONE)
			role_reply_error(&TT.r, o->req, WIRE_E_NOT_FOUND, "the clipboard history of profile %s is empty",
				o->profile);
		else
			role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "clipboard history: %s", store_error(db));
		return;
	}
	if (!(plain = row_open(st, o->profile, key, &len))) {
		sqlite3_finalize(st);
		role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	wire_begin(out, WIRE_CLIPBOARD_GET, WIRE_F_REPLY, o->req);
	wire_put(out, WF_VALUE, plain, len);
	wire_put_str(out, WF_MIME, (const char *)sqlite3_column_text(st, 4));
	wire_put_str(out, WF_KIND, (const char *)sqlite3_column_text(st, 3));
	wire_put_u64(out, WF_CLIP, (uint64_t)sqlite3_column_int64(st, 0));
	secmem_free(plain);
	sqlite3_finalize(st);
	role_send(&TT.r, out);
	sodium_memzero(out->buf, out->len);
}

static void clear(const struct wire_msg *m, const char *profile)
{
	sqlite3 *db = history(profile);
	char text[64];
	int n;

	if (!db || exec(db, "DELETE FROM entries") < 0) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	n = sqlite3_changes(db);
	TT.exp_stale = 1;
	exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	log_info("clipboard: history of profile %s cleared (%d entries)", profile, n);
	snprintf(text, sizeof(text), "%d %s removed", n, n == 1 ? "entry" : "entries");
	wire_begin(out, m->type, WIRE_F_REPLY, m->id);
	wire_put_str(out, WF_TEXT, text);
	role_send(&TT.r, out);
}

static void op_free(struct op *o)
{
	if (o->data)
		secmem_free(o->data);
	free(o);
}

/* Ask daemon-secrets for the profile's key; o waits for it. */
static void want_key(struct op *o)
{
	static struct wire_out q;

	o->id = ++TT.next_id;
	o->deadline = role_now_ms() + KEY_WAIT_MS;
	if (!TT.r.c) {
		if (o->type)
			role_reply_error(&TT.r, o->req, WIRE_E_UNAVAILABLE, "not connected to the bus");
		op_free(o);
		return;
	}
	wire_begin(&q, WIRE_CLIPBOARD_KEY, 0, o->id);
	wire_put_str(&q, WF_PROFILE, o->profile);
	role_send(&TT.r, &q);
	o->next = TT.ops;
	TT.ops = o;
}

/* An entry stored: an event for subscribers (sesame clipboard watch),
 * which never carries the text. */
static void recorded(const struct op *o)
{
	static struct wire_out ev;

	log_debug("clipboard: recorded %zu bytes%s%s in profile %s", o->len, o->kind ? ", sensitive: " : "",
		o->kind ? o->kind : "", o->profile);
	wire_begin(&ev, WIRE_EVENT, 0, 0);
	wire_put_str(&ev, WF_STATE, "recorded");
	wire_put_u64(&ev, WF_CLIP, (uint64_t)o->clip);
	wire_put_str(&ev, WF_PROFILE, o->profile);
	wire_put_u64(&ev, WF_TIME, o->time);
	wire_put_str(&ev, WF_KIND, o->kind ? o->kind : "");
	role_send(&TT.r, &ev);
}

static void key_arrived(struct op *o, const struct wire_msg *m)
{
	const uint8_t *v;
	uint16_t len;
	char text[512] = "";
	uint32_t code = WIRE_E_FAILED;

	if (m->type == WIRE_CLIPBOARD_KEY && wire_find(m, WF_VALUE, &v, &len) && len == VAULT_KEYLEN) {
		uint8_t *key = xsecmem_alloc(VAULT_KEYLEN);

		memcpy(key, v, VAULT_KEYLEN);
		if (o->type == WIRE_CLIPBOARD_HISTORY)
			answer_history(o, key);
		else if (o->type == WIRE_CLIPBOARD_GET)
			answer_get(o, key);
		else if (store(o, key) < 0)
			log_error("clipboard: not recorded: %s", last_error());
		else
			recorded(o);
		secmem_free(key);
		return;
	}
	wire_get_u32(m, WF_CODE, &code);
	wire_get_str(m, WF_TEXT, text, sizeof(text));
	if (o->type)
		role_reply_error(&TT.r, o->req, code, "%s", *text ? text : "daemon-secrets refused the history key");
	else if (code == WIRE_E_LOCKED)
		log_info("clipboard: profile %s is locked; the new selection is not recorded", o->profile);
	else
		log_warn("clipboard: not recorded: %s", *text ? text : "no history key");
}

static void expire_ops(void)
{
	long long now = role_now_ms();

	for (struct op **p = &TT.ops; *p; ) {
		struct op *o = *p;

		if (o->deadline > now) {
			p = &o->next;
			continue;
		}
		*p = o->next;
		if (o->type)
			role_reply_error(&TT.r, o->req, WIRE_E_TIMEOUT, "daemon-secrets did not answer in time");
		else
			log_warn("clipboard: daemon-secrets did not answer; the new selection is not recorded");
		op_free(o);
	}
}

static void handle(const struct wire_msg *m)
{
	char profile[PROFILE_BUF];
	const uint8_t *v;
	uint16_t vlen;
	struct op *o;

	if (m->flags & WIRE_F_REPLY) {
		for (struct op **p = &TT.ops; *p; p = &(*p)->next)
			if ((*p)->id == m->id) {
				o = *p;
				*p = o->next;
				key_arrived(o, m);
				op_free(o);
				return;
			}
		return;
	}
	if (!wire_find(m, WF_PROFILE, &v, &vlen))
		snprintf(profile, sizeof(profile), "%s", config_default_profile(TT.r.conf));
	else if (wire_get_str(m, WF_PROFILE, profile, sizeof(profile)) < 0)
		profile[0] = 0;
	if (!profile_name_valid(profile)) {
		role_reply_error(&TT.r, m->id, WIRE_E_BAD_MESSAGE, "a valid profile name is required");
		return;
	}
	switch (m->type) {
	case WIRE_CLIPBOARD_CLEAR:
		clear(m, profile);
		return;
	case WIRE_CLIPBOARD_HISTORY: case WIRE_CLIPBOARD_GET:
		o = xcalloc(1, sizeof(*o));
		o->type = m->type;
		o->req = m->id;
		snprintf(o->profile, sizeof(o->profile), "%s", profile);
		wire_get_u64(m, WF_CLIP, &o->clip);
		wire_get_u32(m, WF_LIMIT, &o->limit);
		want_key(o);
		return;
	default:
		role_reply_error(&TT.r, m->id, WIRE_E_UNKNOWN_TYPE, "daemon-clipboard does not serve %s",
			wire_type_name(m->type));
	}
}

/* --- the selection ------------------------------------------------------ */

static void capture_stop(void)
{
	if (TT.cap.fd >= 0)
		close(TT.cap.fd);
	TT.cap.fd = -1;
	if (TT.cap.buf)
		secmem_free(TT.cap.buf);
	TT.cap.buf = NULL;
	TT.cap.len = 0;
}

static void captured(void)
{
	long long ttl = config_int(TT.r.conf, setting("sensitive_ttl_s"), 30);
	long long max = config_int(TT.r.conf, setting("max_history"), 1000);
	const char *kind = NULL;
	struct op *o;

	if (!TT.cap.len || TT.cap.len > CLIP_MAX) {
		if (TT.cap.len)
			log_info("clipboard: a selection over %d bytes is not recorded", CLIP_MAX);
		capture_stop();
		return;
	}
	if (TT.cap.hint)
		kind = "password-manager";
	else if (config_bool(TT.r.conf, setting("detect_sensitive"), 1))
		kind = sensitive_kind((const char *)TT.cap.buf, TT.cap.len);
	if (kind && ttl <= 0) {
		log_info("clipboard: a sensitive selection (%s) is not recorded (sensitive_ttl_s = 0)", kind);
		capture_stop();
		return;
	}
	if (kind) {
		TT.clear_gen = TT.cap.gen;
		TT.clear_at = role_now_ms() + ttl * 1000;
		log_info("clipboard: the selection looks sensitive (%s); it goes in %lld s", kind, ttl);
	}
	if (max <= 0) {
		capture_stop();
		return;
	}
	o = xcalloc(1, sizeof(*o));
	snprintf(o->profile, sizeof(o->profile), "%s", config_default_profile(TT.r.conf));
	o->data = TT.cap.buf;
	o->len = TT.cap.len;
	o->mime = TT.cap.mime;
	o->kind = kind;
	o->time = role_wall_ms();
	o->expires = kind ? o->time + (uint64_t)ttl * 1000 : 0;
	TT.cap.buf = NULL;
	capture_stop();
	want_key(o);
}

static void capture_read(void)
{
	for (;;) {
		ssize_t n = read(TT.cap.fd, TT.cap.buf + TT.cap.len, CLIP_MAX + 1 - TT.cap.len);

		if (n > 0) {
			TT.cap.len += (size_t)n;
			if (TT.cap.len > CLIP_MAX) {
				captured();	/* says it is too large */
				return;
			}
			continue;
		}
		if (n == 0) {
			captured();
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			log_warn("clipboard: reading the selection: %s", strerror(errno));
			capture_stop();
		}
		return;
	}
}

static void capture_start(const struct offer *of)
{
	int p[2];

	capture_stop();
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_error("clipboard: pipe: %s", strerror(errno));
		return;
	}
	zwlr_data_control_offer_v1_receive(of->o, text_mimes[of->text], p[1]);
	close(p[1]);
	TT.cap.fd = p[0];
	TT.cap.buf = xsecmem_alloc(CLIP_MAX + 1);
	TT.cap.len = 0;
	TT.cap.hint = of->hint;
	TT.cap.mime = of->text;
	TT.cap.gen = TT.gen;
	TT.cap.deadline = role_now_ms() + CLIP_READ_MS;
}

static void on_offer_mime(void *data, struct zwlr_data_control_offer_v1 *o, const char *mime)
{
	struct offer *of = data;

	for (int i = 0; i < (int)ARRAY_LEN(text_mimes); i++)
		if (!strcmp(mime, text_mimes[i]) && (of->text < 0 || i < of->text))
			of->text = i;
	if (!strcmp(mime, HINT_MIME))
		of->hint = 1;
}

static const struct zwlr_data_control_offer_v1_listener offer_listener = { on_offer_mime };

static void on_data_offer(void *data, struct zwlr_data_control_device_v1 *d, struct zwlr_data_control_offer_v1 *o)
{
	if (TT.pending.o)
		zwlr_data_control_offer_v1_destroy(TT.pending.o);
	TT.pending = (struct offer){ o, -1, 0 };
	zwlr_data_control_offer_v1_add_listener(o, &offer_listener, &TT.pending);
}

static void on_selection(void *data, struct zwlr_data_control_device_v1 *d, struct zwlr_data_control_offer_v1 *o)
{
	TT.gen++;
	capture_stop();
	if (TT.current.o)
		zwlr_data_control_offer_v1_destroy(TT.current.o);
	TT.current = (struct offer){ NULL, -1, 0 };
	if (!o)
		return;
	if (o == TT.pending.o) {
		TT.current = TT.pending;
		TT.pending = (struct offer){ NULL, -1, 0 };
		zwlr_data_control_offer_v1_set_user_data(o, &TT.current);
	} else {
		TT.current.o = o;	/* unknown offer: read nothing from it */
	}
	if (TT.current.text >= 0)
		capture_start(&TT.current);
}

static void on_finished(void *data, struct zwlr_data_control_device_v1 *d)
{
	TT.finished = 1;
}

static void on_primary(void *data, struct zwlr_data_control_device_v1 *d, struct zwlr_data_control_offer_v1 *o)
{
	if (o && o == TT.pending.o)
		TT.pending = (struct offer){ NULL, -1, 0 };
	if (o)
		zwlr_data_control_offer_v1_destroy(o);
}

static const struct zwlr_data_control_device_v1_listener device_listener = {
	on_data_offer, on_selection, on_finished, on_primary,
};

/* A sensitive selection's time is up: clear it if it is still the one. */
static void clear_selection(void)
{
	TT.clear_at = 0;
	if (TT.clear_gen != TT.gen)
		return;		/* something else was copied since */
	zwlr_data_control_device_v1_set_selection(TT.dev, NULL);
	log_info("clipboard: the sensitive selection was cleared");
}

static void on_global(void *data, struct wl_registry *reg, uint32_t name, const char *iface, uint32_t version)
{
	if (!strcmp(iface, zwlr_data_control_manager_v1_interface.name) && !TT.mgr)
		TT.mgr = wl_registry_bind(reg, name, &zwlr_data_control_manager_v1_interface, 1);
	else if (!strcmp(iface, wl_seat_interface.name) && !TT.seat)
		TT.seat = wl_registry_bind(reg, name, &wl_seat_interface, 1);
}

static void on_global_remove(void *data, struct wl_registry *reg, uint32_t name) { }

static const struct wl_registry_listener registry_listener = { on_global, on_global_remove };

static void wayland_connect(void)
{
	TT.dpy = xwl_role_connect(&registry_listener, &TT.reg);
	if (!TT.mgr)
		die("the compositor does not offer zwlr_data_control_manager_v1 "
			"(sway, Hyprland, river, labwc and Wayfire do; GNOME and KDE do not)");
	if (!TT.seat)
		die("the compositor offers no seat");
	TT.dev = zwlr_data_control_manager_v1_get_data_device(TT.mgr, TT.seat);
	zwlr_data_control_device_v1_add_listener(TT.dev, &device_listener, NULL);
}

static void wayland_close(void)
{
	capture_stop();
	if (TT.pending.o)
		zwlr_data_control_offer_v1_destroy(TT.pending.o);
	if (TT.current.o)
		zwlr_data_control_offer_v1_destroy(TT.current.o);
	if (TT.dev)
		zwlr_data_control_device_v1_destroy(TT.dev);
	zwlr_data_control_manager_v1_destroy(TT.mgr);
	wl_seat_destroy(TT.seat);
	wl_registry_destroy(TT.reg);
	wl_display_flush(TT.dpy);
	wl_display_disconnect(TT.dpy);
}

/* The history (read-write), the config (read), the runtime directory
 * (read: keys); the compositor's socket is already connected. */
static void enter_sandbox(void)
{
	char dir[PATH_MAX];
	const struct sandbox_path paths[] = { { dir, SB_READ | SB_WRITE } };

	if (paths_mkdir_private(TT.r.p.cache) < 0 || paths_join(dir, TT.r.p.cache, "clipboard") < 0 ||
	    paths_mkdir_private(dir) < 0 || paths_mkdir_private(TT.r.p.runtime) < 0)
		die("daemon-clipboard: %s", last_error());
	xrole_load_sqlite(&TT.r);
	xrole_sandbox(&TT.r, paths, ARRAY_LEN(paths));
}

static int sooner(int timeout, long long due)
{
	long long left;

	if (!due)
		return timeout;
	left = due - role_now_ms();
	if (left < 0)
		left = 0;
	return timeout < 0 || left < timeout ? (int)left : timeout;
}

int daemon_clipboard_main(int argc, char **argv)
{
	int r = 0;

	if (argc > 1)
		usage_error("daemon-clipboard", "unexpected argument '%s'", argv[1]);
	if (sandbox_limits() < 0)
		die("daemon-clipboard: %s", last_error());
	TT.cap.fd = -1;
	TT.pending.text = TT.current.text = -1;
	wayland_connect();
	xrole_setup(&TT.r, "clipboard");
	out = xsecmem_alloc(sizeof(*out));
	TT.r.status = "recording the clipboard";
	if (secmem_probe() == SECMEM_NONE)
		die("%s", last_error());
	enter_sandbox();
	history(config_default_profile(TT.r.conf));
	for (;;) {
		struct pollfd pf[1] = { { TT.cap.fd, POLLIN, 0 } };
		uint64_t exp, now = role_wall_ms();
		int ev, timeout = -1;

		if (TT.exp_stale) {	/* one query after a change, not one per wake-up */
			TT.next_exp = next_expiry();
			TT.exp_stale = 0;
		}
		exp = TT.next_exp;

		timeout = sooner(timeout, exp ? role_now_ms() + (long long)(exp > now ? exp - now : 0) : 0);
		timeout = sooner(timeout, TT.clear_at);
		timeout = sooner(timeout, TT.cap.fd >= 0 ? TT.cap.deadline : 0);
		for (struct op *o = TT.ops; o; o = o->next)
			timeout = sooner(timeout, o->deadline);
		if ((ev = xwl_role_poll(&TT.r, TT.dpy, pf, 1, timeout)) < 0) {
			r = 1;
			break;
		}
		if (ev & ROLE_STOP)
			break;
		if (TT.cap.fd >= 0 && pf[0].revents)
			capture_read();
		if (TT.cap.fd >= 0 && role_now_ms() >= TT.cap.deadline) {
			log_warn("clipboard: the selection's owner did not finish writing in %d ms; not recorded",
				CLIP_READ_MS);
			capture_stop();
		}
		if (ev & ROLE_BUS)
			role_dispatch(&TT.r, handle);
		if (TT.clear_at && role_now_ms() >= TT.clear_at)
			clear_selection();
		if (exp && role_wall_ms() >= exp)
			expire_entries();
		if (TT.ops)
			expire_ops();
		if (TT.finished) {
			log_error("the compositor withdrew the clipboard device");
			r = 1;
			break;
		}
	}
	log_info("clipboard: stopping");
	while (TT.ops) {
		struct op *o = TT.ops;

		TT.ops = o->next;
		op_free(o);
	}
	wayland_close();
	for (struct db *d = TT.dbs, *next; d; d = next) {
		next = d->next;
		sqlite3_close(d->db);
		free(d);
	}
	return role_close(&TT.r) ? 1 : r;
}
