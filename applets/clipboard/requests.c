/* requests.c - daemon-clipboard's requests (history, get, copy, delete,
 * clear, set), and the work that waits for a profile's clipboard key. */
#include "applets/clipboard/clipboard.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/store.h"
#include "lib/store/vault.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-client.h>

static const char cols[] = "SELECT id, time, expires, kind, mime, value FROM entries ";

static void answer_history(const struct op *o, const uint8_t key[VAULT_KEYLEN])
{
	sqlite3 *db = clipboard_history(o->profile);
	sqlite3_stmt *st;
	char sql[160], text[PREVIEW + 8];
	int rc;

	if (!db) {
		role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	clipboard_purge_expired(db);
	snprintf(sql, sizeof(sql), "%sORDER BY id DESC LIMIT ?", cols);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL)) {
		role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "clipboard history: %s", store_error(db));
		return;
	}
	sqlite3_bind_int64(st, 1, !o->limit ? 20 : o->limit > 1000 ? 1000 : o->limit);
	wire_begin(TT.out, WIRE_CLIPBOARD_HISTORY, WIRE_F_REPLY, o->req);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 3);
		size_t before = TT.out->len, len;
		uint8_t *plain;

		text[0] = 0;
		if (!kind || !*kind) {
			if (!(plain = clipboard_row_open(st, o->profile, key, &len))) {
				sqlite3_finalize(st);
				role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "%s", last_error());
				return;
			}
			if (!strncmp((const char *)sqlite3_column_text(st, 4), "image/", 6))
				snprintf(text, sizeof(text), "[%s, %zu bytes]", (const char *)sqlite3_column_text(st, 4), len);
			else
				clipboard_preview(plain, len, text, sizeof(text));
			secmem_free(plain);
		}
		wire_put_u64(TT.out, WF_CLIP, (uint64_t)sqlite3_column_int64(st, 0));
		wire_put_u64(TT.out, WF_TIME, (uint64_t)sqlite3_column_int64(st, 1));
		wire_put_str(TT.out, WF_MIME, (const char *)sqlite3_column_text(st, 4));
		wire_put_str(TT.out, WF_KIND, kind ? kind : "");
		wire_put_u64(TT.out, WF_EXPIRES, (uint64_t)sqlite3_column_int64(st, 2));
		wire_put_str(TT.out, WF_TEXT, text);
		if (TT.out->overflow) {		/* a full reply: what fits */
			TT.out->overflow = 0;
			TT.out->len = before;
			break;
		}
	}
	sqlite3_finalize(st);
	sodium_memzero(text, sizeof(text));
	role_send(&TT.r, TT.out);
	sodium_memzero(TT.out->buf, TT.out->len);
}

/* The entry o asks for (o->clip, or the newest): its row in *stp and
 * its text (secure memory).  NULL, the error answered, if there is none
 * or it cannot be opened. */
static uint8_t *entry_open(const struct op *o, const uint8_t key[VAULT_KEYLEN], sqlite3_stmt **stp, size_t *len)
{
	sqlite3 *db = clipboard_history(o->profile);
	sqlite3_stmt *st;
	char sql[160];
	uint8_t *plain;
	int rc;

	if (!db) {
		role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "%s", last_error());
		return NULL;
	}
	clipboard_purge_expired(db);
	snprintf(sql, sizeof(sql), "%s%s", cols, o->clip ? "WHERE id = ?" : "ORDER BY id DESC LIMIT 1");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL)) {
		role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "clipboard history: %s", store_error(db));
		return NULL;
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
		return NULL;
	}
	if (!(plain = clipboard_row_open(st, o->profile, key, len))) {
		sqlite3_finalize(st);
		role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "%s", last_error());
		return NULL;
	}
	*stp = st;
	return plain;
}

static void answer_get(const struct op *o, const uint8_t key[VAULT_KEYLEN])
{
	sqlite3_stmt *st;
	size_t len;
	uint8_t *plain = entry_open(o, key, &st, &len);

	if (!plain)
		return;
	wire_begin(TT.out, WIRE_CLIPBOARD_GET, WIRE_F_REPLY, o->req);
	wire_put(TT.out, WF_VALUE, plain, len);
	wire_put_str(TT.out, WF_MIME, (const char *)sqlite3_column_text(st, 4));
	wire_put_str(TT.out, WF_KIND, (const char *)sqlite3_column_text(st, 3));
	wire_put_u64(TT.out, WF_CLIP, (uint64_t)sqlite3_column_int64(st, 0));
	secmem_free(plain);
	sqlite3_finalize(st);
	role_send(&TT.r, TT.out);
	sodium_memzero(TT.out->buf, TT.out->len);
}

/* The entry back on the clipboard; a sensitive one marked so and cleared
 * again after sensitive_ttl_s. */
static void answer_copy(const struct op *o, const uint8_t key[VAULT_KEYLEN])
{
	sqlite3_stmt *st;
	size_t len;
	uint8_t *plain = entry_open(o, key, &st, &len);
	const char *kind;
	uint64_t id;
	long long ttl;

	if (!plain)
		return;
	kind = (const char *)sqlite3_column_text(st, 3);
	id = (uint64_t)sqlite3_column_int64(st, 0);
	ttl = kind && *kind ? config_int(TT.r.conf, clipboard_setting("sensitive_ttl_s"), 30) * 1000 : 0;
	if (clipboard_source_set(plain, len, (const char *)sqlite3_column_text(st, 4), kind && *kind, ttl) < 0) {
		role_reply_error(&TT.r, o->req, WIRE_E_FAILED, "%s", last_error());
	} else {
		log_info("clipboard: entry %llu of profile %s is the selection again", (unsigned long long)id,
			o->profile);
		wire_begin(TT.out, WIRE_CLIPBOARD_COPY, WIRE_F_REPLY, o->req);
		wire_put_u64(TT.out, WF_CLIP, id);
		wire_put_str(TT.out, WF_KIND, kind ? kind : "");
		role_send(&TT.r, TT.out);
	}
	secmem_free(plain);
	sqlite3_finalize(st);
}

static void delete_entry(const struct wire_msg *m, const char *profile)
{
	sqlite3 *db = clipboard_history(profile);
	sqlite3_stmt *st;
	uint64_t id = 0;
	char text[64];
	int rc;

	if (wire_get_u64(m, WF_CLIP, &id) < 0 || !id) {
		role_reply_error(&TT.r, m->id, WIRE_E_BAD_MESSAGE, "which entry? (an id from clipboard history)");
		return;
	}
	if (!db) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	if (sqlite3_prepare_v2(db, "DELETE FROM entries WHERE id = ?", -1, &st, NULL)) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "clipboard history: %s", store_error(db));
		return;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "clipboard history: %s", store_error(db));
		return;
	}
	if (!sqlite3_changes(db)) {
		role_reply_error(&TT.r, m->id, WIRE_E_NOT_FOUND, "no clipboard entry %llu in profile %s "
			"(expired or removed?)", (unsigned long long)id, profile);
		return;
	}
	TT.exp_stale = 1;
	clipboard_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	log_info("clipboard: entry %llu of profile %s removed", (unsigned long long)id, profile);
	snprintf(text, sizeof(text), "entry %llu removed", (unsigned long long)id);
	wire_begin(TT.out, m->type, WIRE_F_REPLY, m->id);
	wire_put_str(TT.out, WF_TEXT, text);
	role_send(&TT.r, TT.out);
}

/* A value (a secret: sesame secret get --clip) made the selection, marked
 * a password manager's, never recorded, cleared after WF_TTL_S. */
static void set(const struct wire_msg *m)
{
	const uint8_t *v;
	uint16_t len;
	uint32_t ttl = 0;
	char text[64];

	if (!wire_find(m, WF_VALUE, &v, &len) || !len) {
		role_reply_error(&TT.r, m->id, WIRE_E_BAD_MESSAGE, "nothing to put on the clipboard");
		return;
	}
	wire_get_u32(m, WF_TTL_S, &ttl);
	if (clipboard_source_set(v, len, NULL, 1, ttl * 1000LL) < 0) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	log_info("clipboard: a value from sesame is the selection%s", ttl ? " until its time is up" : "");
	if (ttl)
		snprintf(text, sizeof(text), "on the clipboard for %u s", ttl);
	else
		snprintf(text, sizeof(text), "on the clipboard");
	wire_begin(TT.out, m->type, WIRE_F_REPLY, m->id);
	wire_put_str(TT.out, WF_TEXT, text);
	role_send(&TT.r, TT.out);
}

static void clear(const struct wire_msg *m, const char *profile)
{
	sqlite3 *db = clipboard_history(profile);
	char text[64];
	int n;

	if (!db || clipboard_exec(db, "DELETE FROM entries") < 0) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	n = sqlite3_changes(db);
	TT.exp_stale = 1;
	clipboard_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	log_info("clipboard: history of profile %s cleared (%d entries)", profile, n);
	snprintf(text, sizeof(text), "%d %s removed", n, n == 1 ? "entry" : "entries");
	wire_begin(TT.out, m->type, WIRE_F_REPLY, m->id);
	wire_put_str(TT.out, WF_TEXT, text);
	role_send(&TT.r, TT.out);
}

void clipboard_op_free(struct op *o)
{
	if (o->data)
		secmem_free(o->data);
	free(o);
}

/* Ask daemon-secrets for the profile's key; o waits for it. */
void clipboard_want_key(struct op *o)
{
	static struct wire_out q;

	o->id = ++TT.next_id;
	o->deadline = role_now_ms() + KEY_WAIT_MS;
	if (!TT.r.c) {
		if (o->type)
			role_reply_error(&TT.r, o->req, WIRE_E_UNAVAILABLE, "not connected to the bus");
		clipboard_op_free(o);
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
		else if (o->type == WIRE_CLIPBOARD_COPY)
			answer_copy(o, key);
		else if (clipboard_store(o, key) < 0)
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

void clipboard_expire_ops(void)
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
		clipboard_op_free(o);
	}
}

void clipboard_handle(const struct wire_msg *m)
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
				clipboard_op_free(o);
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
	case WIRE_CLIPBOARD_DELETE:
		delete_entry(m, profile);
		return;
	case WIRE_CLIPBOARD_SET:
		set(m);
		return;
	case WIRE_CLIPBOARD_HISTORY: case WIRE_CLIPBOARD_GET: case WIRE_CLIPBOARD_COPY:
		o = xcalloc(1, sizeof(*o));
		o->type = m->type;
		o->req = m->id;
		snprintf(o->profile, sizeof(o->profile), "%s", profile);
		wire_get_u64(m, WF_CLIP, &o->clip);
		wire_get_u32(m, WF_LIMIT, &o->limit);
		clipboard_want_key(o);
		return;
	default:
		role_reply_error(&TT.r, m->id, WIRE_E_UNKNOWN_TYPE, "daemon-clipboard does not serve %s",
			wire_type_name(m->type));
	}
}
