/* history.c - daemon-clipboard's history: one SQLite file per profile,
 * each entry's text sealed with the profile's clipboard key (from
 * daemon-secrets), expired entries purged. */
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

int clipboard_exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail("clipboard history: %s", store_error(db));
	return 0;
}

int clipboard_purge_expired(sqlite3 *db)
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

sqlite3 *clipboard_history(const char *profile)
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
	if (!(d->db = store_open(path, schema)) || clipboard_exec(d->db, "PRAGMA secure_delete=ON;") < 0) {
		sqlite3_close(d->db);
		free(d);
		return NULL;
	}
	if ((n = clipboard_purge_expired(d->db)) > 0)
		log_info("clipboard: %d expired entries of profile %s removed", n, profile);
	d->next = TT.dbs;
	TT.dbs = d;
	TT.exp_stale = 1;
	return d->db;
}

/* The next expiry of any open history (wall ms), 0 if none. */
uint64_t clipboard_next_expiry(void)
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

void clipboard_expire_entries(void)
{
	TT.exp_stale = 1;	/* even if nothing went: never wait on a past expiry */
	for (struct db *d = TT.dbs; d; d = d->next) {
		int n = clipboard_purge_expired(d->db);

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

int clipboard_store(struct op *o, const uint8_t key[VAULT_KEYLEN])
{
	sqlite3 *db = clipboard_history(o->profile);
	sqlite3_stmt *st = NULL;
	uint8_t digest[16], ad[512], *sealed = NULL;
	const char *mime = clipboard_text_mimes[o->mime], *kind = o->kind ? o->kind : "";
	unsigned long long slen;
	size_t adlen;
	sqlite3_int64 id;
	long long max = config_int(TT.r.conf, clipboard_setting("max_history"), 1000);
	int r = -1;

	if (!db)
		return -1;
	crypto_generichash(digest, sizeof(digest), o->data, o->len, key, VAULT_KEYLEN);
	if (clipboard_exec(db, "BEGIN IMMEDIATE") < 0)
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
	/* Images, the larger entries, have a count of their own. */
	if (sqlite3_prepare_v2(db, "DELETE FROM entries WHERE mime LIKE 'image/%' AND id NOT IN "
	    "(SELECT id FROM entries WHERE mime LIKE 'image/%' ORDER BY id DESC LIMIT ?)", -1, &st, NULL) ||
	    sqlite3_bind_int64(st, 1, config_int(TT.r.conf, clipboard_setting("max_images"), 10)) ||
	    sqlite3_step(st) != SQLITE_DONE)
		goto db_fail;
	sqlite3_finalize(st);
	st = NULL;
	if (clipboard_exec(db, "COMMIT") == 0)
		r = 0;
	TT.exp_stale = 1;
	goto done;
db_fail:
	fail("clipboard history: %s", store_error(db));
	sqlite3_finalize(st);
	clipboard_exec(db, "ROLLBACK");
done:
	free(sealed);
	return r;
}

/* Open row st (columns id, time, expires, kind, mime, value) into secure
 * memory; NULL with a reason. */
uint8_t *clipboard_row_open(sqlite3_stmt *st, const char *profile, const uint8_t key[VAULT_KEYLEN], size_t *len)
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
void clipboard_preview(const uint8_t *s, size_t len, char *outp, size_t max)
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
