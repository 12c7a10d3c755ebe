/* vault.c - the vault format and its operations; see vault.h, and
 * vault_int.h for which file holds what. */
#include "lib/store/vault_int.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void vault_kdf_defaults(struct vault_kdf *kdf)
{
	kdf->opslimit = 2;
	kdf->memlimit_kib = 19456;
	randombytes_buf(kdf->salt, sizeof(kdf->salt));
}

int vault_derive_kek(const struct vault_kdf *kdf, const uint8_t *pw, size_t pwlen,
	uint8_t kek[VAULT_KEYLEN])
{
	if (kdf->opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN || kdf->opslimit > 64 ||
	    kdf->memlimit_kib < 8 || kdf->memlimit_kib > 4u << 20)
		return fail("vault: Argon2id parameters out of range (t=%u, m=%u KiB)",
			kdf->opslimit, kdf->memlimit_kib);
	if (crypto_pwhash(kek, VAULT_KEYLEN, (const char *)pw, pwlen, kdf->salt, kdf->opslimit,
	    (size_t)kdf->memlimit_kib * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return fail("vault: Argon2id failed (out of memory?)");
	return 0;
}

/* Associated data: a domain label, the profile, then parts; each part is
 * length-prefixed so no two different tuples encode the same. */
size_t vault_aad(uint8_t *out, const char *label, const char *profile, const uint8_t *id,
	uint64_t version, int with_version)
{
	size_t n = 0, l;

	l = strlen(label);
	memcpy(out + n, label, l + 1), n += l + 1;
	l = strlen(profile);
	out[n++] = (uint8_t)l;
	memcpy(out + n, profile, l), n += l;
	if (id)
		memcpy(out + n, id, 32), n += 32;
	if (with_version)
		for (int i = 7; i >= 0; i--)
			out[n++] = (uint8_t)(version >> (8 * i));
	return n;
}

/* nonce || ciphertext into a malloc'ed buffer. */
uint8_t *vault_seal(const uint8_t *key, const uint8_t *ad, size_t adlen, const uint8_t *m,
	size_t mlen, size_t *outlen)
{
	uint8_t *out = xmalloc(NONCE + mlen + TAG);
	unsigned long long cl;

	randombytes_buf(out, NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCE, &cl, m, mlen, ad, adlen, NULL, out, key);
	*outlen = NONCE + (size_t)cl;
	return out;
}

/* Open into secure memory; NULL if it does not authenticate. */
uint8_t *vault_open_sealed(const uint8_t *key, const uint8_t *ad, size_t adlen, const uint8_t *c,
	size_t clen, size_t *outlen)
{
	uint8_t *m;
	unsigned long long ml;

	if (clen < NONCE + TAG)
		return NULL;
	if (!(m = secmem_alloc(clen - NONCE - TAG + 1)))
		return NULL;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(m, &ml, NULL, c + NONCE, clen - NONCE, ad, adlen,
	    c, key) != 0) {
		secmem_free(m);
		return NULL;
	}
	m[ml] = 0;	/* names are used as strings */
	*outlen = (size_t)ml;
	return m;
}

int vault_sqlfail(struct vault *v, const char *what)
{
	return fail("vault %s: %s: %s", v->profile, what, store_error(v->db));
}

int vault_exec(struct vault *v, const char *sql)
{
	if (sqlite3_exec(v->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail("vault %s: %s", v->profile, store_error(v->db));
	return 0;
}

/* The write-ahead log keeps each page as it was written until the log is
 * overwritten, so a value replaced or deleted, or the vault key wrapped
 * under a password since changed (which the old password still opens),
 * would outlive its removal there.  A write that replaces or removes
 * sealed data therefore ends by copying the log into the database (where
 * secure_delete zeroed what was freed) and truncating it.  Other writes
 * (a new secret, the unlock counters) add only what is live, and skip it:
 * each costs three more syncs, which a slow disk feels.  The write is
 * committed whatever happens here; a failure is logged, and the next
 * such write tries again. */
static void empty_wal(struct vault *v)
{
	if (sqlite3_wal_checkpoint_v2(v->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
		log_warn("vault %s: cannot empty the write-ahead log (%s); it keeps old page images "
			"until the next write that replaces or deletes", v->profile, store_error(v->db));
}

/* COMMIT, then empty the log if the transaction replaced sealed data. */
int vault_commit(struct vault *v, int replaced)
{
	if (vault_exec(v, "COMMIT;") < 0)
		return -1;
	if (replaced)
		empty_wal(v);
	return 0;
}

/* A meta value of up to max bytes; -1 if absent (or too long). */
int vault_meta_get_var(struct vault *v, const char *k, uint8_t *out, size_t max, size_t *len)
{
	sqlite3_stmt *st;
	int r = -1;

	if (!v->meta && sqlite3_prepare_v3(v->db, "SELECT v FROM meta WHERE k = ?", -1,
	    SQLITE_PREPARE_PERSISTENT, &v->meta, NULL) != SQLITE_OK)
		return vault_sqlfail(v, "read meta");
	st = v->meta;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && (size_t)sqlite3_column_bytes(st, 0) <= max) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		memcpy(out, sqlite3_column_blob(st, 0), *len);
		r = 0;
	}
	sqlite3_reset(st);	/* ends the read */
	sqlite3_clear_bindings(st);
	return r;
}

/* A meta value of exactly want bytes, which a vault must have. */
int vault_meta_get(struct vault *v, const char *k, uint8_t *out, size_t want)
{
	size_t n;

	if (vault_meta_get_var(v, k, out, want, &n) == 0 && n == want)
		return 0;
	return fail("vault %s: meta '%s' is missing or malformed (is this a sesame vault?)", v->profile, k);
}

int vault_meta_put(struct vault *v, const char *k, const void *val, size_t len)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(v->db, "INSERT OR REPLACE INTO meta(k, v) VALUES(?, ?)", -1, &st, NULL) != SQLITE_OK)
		return vault_sqlfail(v, "write meta");
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, val, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : vault_sqlfail(v, "write meta");
}

static struct vault *db_open(const char *path, const char *profile, int create)
{
	struct vault *v;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);

	if (!profile_name_valid(profile))
		return fail("'%s' is not a valid profile name", profile), NULL;
	if (store_load() < 0)	/* before a new vault's file exists */
		return NULL;
	v = xcalloc(1, sizeof(*v));
	strcpy(v->profile, profile);
	if (create) {
		/* Create the file ourselves: 0600, and never over an existing one. */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd < 0) {
			fail(errno == EEXIST ? "vault %s already exists (%s); refusing to overwrite it" :
				"cannot create vault %s at %s", profile, path);
			free(v);
			return NULL;
		}
		close(fd);
	} else {
		/* Ours, 0600 (SQLite gives its WAL the same mode: a vault others
		 * can read invites an offline attack on its password) and a
		 * regular file: a FIFO would hang the daemon, a link lead
		 * elsewhere. */
		int fd = open_private(path, O_RDONLY, 0);

		if (fd < 0 && errno != ENOENT) {
			fail("vault %s: %s", profile, last_error());
			free(v);
			return NULL;
		}
		if (fd >= 0)
			close(fd);
	}
	if (sqlite3_open_v2(path, &v->db, flags, NULL) != SQLITE_OK) {
		fail("cannot open vault %s (%s): %s", profile, path, store_error(v->db));
		vault_close(v);
		return NULL;
	}
	sqlite3_busy_timeout(v->db, 2000);
	if (vault_exec(v, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;") < 0) {
		vault_close(v);
		return NULL;
	}
	return v;
}

void vault_derive(struct keys *k)
{
	crypto_kdf_derive_from_key(k->name, VAULT_KEYLEN, 1, KDF_CTX, k->vault);
	crypto_kdf_derive_from_key(k->value, VAULT_KEYLEN, 2, KDF_CTX, k->vault);
}

int vault_clipboard_key(struct vault *v, uint8_t out[VAULT_KEYLEN])
{
	if (!v->k)
		return fail("locked");
	crypto_kdf_derive_from_key(out, VAULT_KEYLEN, 3, KDF_CTX, v->k->vault);
	return 0;
}

int vault_meta_del(struct vault *v, const char *k)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(v->db, "DELETE FROM meta WHERE k = ?", -1, &st, NULL) != SQLITE_OK)
		return vault_sqlfail(v, "write meta");
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : vault_sqlfail(v, "write meta");
}

int vault_meta_has(struct vault *v, const char *k)
{
	uint8_t b[256];
	size_t n;

	return vault_meta_get_var(v, k, b, sizeof(b), &n) == 0;
}

struct vault *vault_create_factors(const char *path, const char *profile, const struct vault_kdf *kdf,
	const struct vault_factors *f, const struct vault_keys *keys)
{
	struct vault *v = db_open(path, profile, 1);

	if (!v)
		return NULL;
	if (!(v->k = secmem_alloc(sizeof(*v->k))))
		goto bad;
	randombytes_buf(v->k->vault, VAULT_KEYLEN);
	vault_derive(v->k);
	if (vault_exec(v, "BEGIN IMMEDIATE;"
	    "CREATE TABLE meta(k TEXT PRIMARY KEY, v BLOB NOT NULL);"
	    "CREATE TABLE secrets(id BLOB PRIMARY KEY, name BLOB NOT NULL, value BLOB NOT NULL,"
	    " version INTEGER NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL);") < 0 ||
	    vault_meta_put(v, "format", "1", 1) < 0 || vault_meta_put(v, "profile", profile, strlen(profile)) < 0 ||
	    vault_put_factors(v, kdf, f, keys) < 0 || vault_commit(v, 0) < 0)
		goto bad;
	return v;
bad:
	{
		char why[512];

		snprintf(why, sizeof(why), "%s", last_error());
		vault_close(v);
		unlink(path);	/* ours: created with O_EXCL above */
		fail("%s", why);
	}
	return NULL;
}

struct vault *vault_create(const char *path, const char *profile, const struct vault_kdf *kdf,
	const uint8_t kek[VAULT_KEYLEN])
{
	struct vault_factors f = { .password = 1 };
	struct vault_keys keys = { .password = kek };

	return vault_create_factors(path, profile, kdf, &f, &keys);
}

struct vault *vault_open(const char *path, const char *profile)
{
	struct vault *v;
	char stored[PROFILE_BUF] = "";
	sqlite3_stmt *st;
	struct stat sb;

	if (stat(path, &sb) < 0) {
		return fail_code(errno == ENOENT ? ERR_NOT_FOUND : ERR_FAILED, "no vault for profile %s (%s): %s",
			profile, path, strerror(errno)), NULL;
	}
	if (!(v = db_open(path, profile, 0)))
		return NULL;
	if (sqlite3_prepare_v2(v->db, "SELECT v FROM meta WHERE k = 'profile'", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) < (int)sizeof(stored))
			memcpy(stored, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0));
		sqlite3_finalize(st);
	}
	if (strcmp(stored, profile)) {
		fail("%s is not the vault of profile %s (it says '%s')", path, profile, stored);
		vault_close(v);
		return NULL;
	}
	return v;
}

void vault_close(struct vault *v)
{
	if (!v)
		return;
	vault_lock(v);
	sqlite3_finalize(v->get);
	sqlite3_finalize(v->meta);
	if (v->db)
		sqlite3_close(v->db);
	free(v);
}

int vault_kdf_params(struct vault *v, struct vault_kdf *kdf)
{
	uint8_t b[24];

	if (vault_meta_get(v, "kdf", b, sizeof(b)) < 0)
		return -1;
	kdf->opslimit = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	kdf->memlimit_kib = (uint32_t)b[4] << 24 | b[5] << 16 | b[6] << 8 | b[7];
	memcpy(kdf->salt, b + 8, 16);
	return 0;
}

void vault_lock(struct vault *v)
{
	secmem_free(v->k);	/* wipes */
	v->k = NULL;
}

int vault_unlocked(const struct vault *v) { return v->k != NULL; }

static int need_unlocked(struct vault *v)
{
	if (!v->k)
		return fail("profile %s is locked", v->profile);
	return 0;
}

static void name_id(struct vault *v, const char *name, uint8_t id[32])
{
	crypto_generichash(id, 32, (const uint8_t *)name, strlen(name), v->k->name, VAULT_KEYLEN);
}

uint8_t *vault_get(struct vault *v, const char *name, size_t *len)
{
	uint8_t id[32], ad[160], *val = NULL;
	sqlite3_stmt *st;
	size_t adlen;
	int rc;

	if (need_unlocked(v) < 0)
		return NULL;
	if (!secret_name_valid(name))
		return fail("'%s' is not a valid secret name", name), NULL;
	name_id(v, name, id);
	if (!v->get && sqlite3_prepare_v3(v->db, "SELECT value, version FROM secrets WHERE id = ?", -1,
	    SQLITE_PREPARE_PERSISTENT, &v->get, NULL) != SQLITE_OK)
		return vault_sqlfail(v, "read"), NULL;
	st = v->get;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		adlen = vault_aad(ad, "sesame/value/v1", v->profile, id, (uint64_t)sqlite3_column_int64(st, 1), 1);
		val = vault_open_sealed(v->k->value, ad, adlen, sqlite3_column_blob(st, 0),
			(size_t)sqlite3_column_bytes(st, 0), len);
		if (!val)
			fail("vault %s: secret '%s' does not authenticate (tampered or corrupt)", v->profile, name);
	} else if (rc == SQLITE_DONE) {
		fail_code(ERR_NOT_FOUND, "no secret named '%s'", name);
	} else {
		vault_sqlfail(v, "read");
	}
	sqlite3_reset(st);	/* ends the read; the id is not kept */
	sqlite3_clear_bindings(st);
	return val;
}

int vault_set(struct vault *v, const char *name, const uint8_t *value, size_t len)
{
	uint8_t id[32], ad[160], *sname, *sval;
	size_t adlen, nl, vl;
	sqlite3_stmt *st;
	int64_t version = 1, now = (int64_t)time(NULL);
	int rc;

	if (need_unlocked(v) < 0)
		return -1;
	if (!secret_name_valid(name))
		return fail("'%s' is not a valid secret name", name);
	if (!secret_name_new_valid(name))
		return fail("a new secret name must be UTF-8 without control characters (C1 or bidirectional)");
	if (len > VAULT_MAX_VALUE)
		return fail("value of %zu bytes is too large (at most %d)", len, VAULT_MAX_VALUE);
	name_id(v, name, id);
	if (!v->bulk && vault_exec(v, "BEGIN IMMEDIATE;") < 0)
		return -1;
	if (sqlite3_prepare_v2(v->db, "SELECT version FROM secrets WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		vault_sqlfail(v, "read");
		if (!v->bulk)
			vault_exec(v, "ROLLBACK;");
		return -1;
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int64(st, 0) + 1;
	sqlite3_finalize(st);

	adlen = vault_aad(ad, "sesame/name/v1", v->profile, id, 0, 0);
	sname = vault_seal(v->k->name, ad, adlen, (const uint8_t *)name, strlen(name), &nl);
	adlen = vault_aad(ad, "sesame/value/v1", v->profile, id, (uint64_t)version, 1);
	sval = vault_seal(v->k->value, ad, adlen, value, len, &vl);
	rc = sqlite3_prepare_v2(v->db, "INSERT INTO secrets(id, name, value, version, created, updated)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(id) DO UPDATE SET"
		" value = ?3, version = ?4, updated = ?5", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, sname, (int)nl, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, sval, (int)vl, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, version);
		sqlite3_bind_int64(st, 5, now);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	free(sname);
	free(sval);
	if (rc != SQLITE_DONE) {
		vault_sqlfail(v, "write");
		if (!v->bulk)
			vault_exec(v, "ROLLBACK;");
		return -1;
	}
	if (v->bulk) {
		v->bulk_replaced |= version > 1;
		return 0;
	}
	return vault_commit(v, version > 1);
}

int vault_bulk_begin(struct vault *v)
{
	if (v->bulk || vault_exec(v, "BEGIN IMMEDIATE;") < 0)
		return fail("vault %s: cannot start a bulk write", v->profile);
	v->bulk = 1;
	v->bulk_replaced = 0;
	return 0;
}

void vault_bulk_abort(struct vault *v)
{
	if (!v->bulk)
		return;
	v->bulk = 0;
	vault_exec(v, "ROLLBACK;");
}

int vault_bulk_end(struct vault *v)
{
	if (!v->bulk)
		return fail("vault %s: no bulk write to end", v->profile);
	v->bulk = 0;
	return vault_commit(v, v->bulk_replaced);
}

int vault_delete(struct vault *v, const char *name)
{
	uint8_t id[32];
	sqlite3_stmt *st;
	int rc;

	if (need_unlocked(v) < 0)
		return -1;
	if (!secret_name_valid(name))
		return fail("'%s' is not a valid secret name", name);
	name_id(v, name, id);
	if (sqlite3_prepare_v2(v->db, "DELETE FROM secrets WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return vault_sqlfail(v, "delete");
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return vault_sqlfail(v, "delete");
	if (sqlite3_changes(v->db) == 0)
		return fail_code(ERR_NOT_FOUND, "no secret named '%s'", name);
	if (v->bulk)
		v->bulk_replaced = 1;	/* the commit empties the WAL */
	else
		empty_wal(v);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vault_list(struct vault *v, int (*fn)(const char *name, void *ctx), void *ctx)
{
	sqlite3_stmt *st;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc, r = 0;

	if (need_unlocked(v) < 0)
		return -1;
	if (sqlite3_prepare_v2(v->db, "SELECT id, name FROM secrets", -1, &st, NULL) != SQLITE_OK)
		return vault_sqlfail(v, "list");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint8_t ad[160], *name;
		size_t adlen, nl;

		if (sqlite3_column_bytes(st, 0) != 32) {
			r = fail("vault %s: a row has a malformed id", v->profile);
			break;
		}
		adlen = vault_aad(ad, "sesame/name/v1", v->profile, sqlite3_column_blob(st, 0), 0, 0);
		name = vault_open_sealed(v->k->name, ad, adlen, sqlite3_column_blob(st, 1),
			(size_t)sqlite3_column_bytes(st, 1), &nl);
		if (!name) {
			r = fail("vault %s: a name does not authenticate (tampered or corrupt)", v->profile);
			break;
		}
		if (n == cap)
			names = xreallocarray(names, cap = cap ? cap * 2 : 64, sizeof(*names));
		names[n++] = xstrdup((char *)name);
		secmem_free(name);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = vault_sqlfail(v, "list");
	sqlite3_finalize(st);
	if (r == 0 && n) {	/* qsort of NULL, even of nothing, is undefined */
		qsort(names, n, sizeof(*names), cmp_str);
		for (size_t i = 0; i < n && !fn(names[i], ctx); i++)
			;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int vault_name_tag(struct vault *v, const char *name, char out[17])
{
	uint8_t id[32];

	if (!v->k)
		return -1;
	name_id(v, name, id);
	sodium_bin2hex(out, 17, id, 8);
	return 0;
}
