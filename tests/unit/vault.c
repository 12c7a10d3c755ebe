/* Unit tests for lib/vault: round trips, locking, wrong passwords, no
 * plaintext on disk, and tampering (swapped or moved rows) detected. */
#include "lib/core/dynlib.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"
#include "tap.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/sesame-vault-XXXXXX";

static int count(const char *name, void *ctx)
{
	(void)name;
	(*(int *)ctx)++;
	return 0;
}

static int collect(const char *name, void *ctx)
{
	struct { int n; char k[64][64]; } *c = ctx;

	if (c->n < 64)
		snprintf(c->k[c->n++], 64, "%s", name);
	return 0;
}

static int first_name(const char *name, void *ctx)
{
	snprintf(ctx, 64, "%s", name);
	return 1;
}

/* Does any file in dir contain the needle bytes? */
static int on_disk(const char *needle)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "grep -r -a -q -F -- '%s' %s", needle, dir);
	return system(cmd) == 0;
}

static int sql(const char *path, const char *q)
{
	sqlite3 *db;
	int rc;

	if (dyn_load_sqlite() < 0 || sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, q, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

int main(void)
{
	struct vault_kdf kdf;
	uint8_t kek[VAULT_KEYLEN], bad[VAULT_KEYLEN];
	char path[256], path2[256], name[64];
	struct vault *v, *w;
	struct stat st;
	uint8_t *val;
	size_t len;
	int n;

	if (sodium_init() < 0 || !mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/work.db", dir);
	snprintf(path2, sizeof(path2), "%s/home.db", dir);

	ok(profile_name_valid("work") && profile_name_valid("a-b_9") && !profile_name_valid("") &&
		!profile_name_valid("-x") && !profile_name_valid("../x") && !profile_name_valid("a b"),
		"profile names are validated");
	ok(secret_name_valid("wifi-psk") && !secret_name_valid("") && !secret_name_valid("a\nb"),
		"secret names are validated");

	vault_kdf_defaults(&kdf);
	ok(kdf.opslimit == 2 && kdf.memlimit_kib == 19456, "default Argon2id is t=2, m=19456 KiB");
	kdf.opslimit = 1, kdf.memlimit_kib = 64;	/* fast for tests */
	ok(vault_derive_kek(&kdf, (const uint8_t *)"hunter2", 7, kek) == 0, "a key-encryption key derives");
	vault_derive_kek(&kdf, (const uint8_t *)"wrong", 5, bad);

	v = vault_create(path, "work", &kdf, kek);
	ok(v && vault_unlocked(v), "a new vault is created unlocked");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the vault file is 0600");
	ok(vault_create(path, "work", &kdf, kek) == NULL && strstr(last_error(), "refusing to overwrite"),
		"creating over an existing vault is refused");

	n = 0;
	ok(vault_list(v, count, &n) == 0 && n == 0, "an empty vault lists nothing (under UBSan: no qsort of NULL)");
	ok(vault_set(v, "wifi-psk", (const uint8_t *)"correct horse", 13) == 0, "set stores a secret");
	val = vault_get(v, "wifi-psk", &len);
	ok(val && len == 13 && !memcmp(val, "correct horse", 13), "get returns it");
	secmem_free(val);
	ok(vault_set(v, "wifi-psk", (const uint8_t *)"battery staple", 14) == 0, "set replaces a secret");
	val = vault_get(v, "wifi-psk", &len);
	ok(val && len == 14 && !memcmp(val, "battery staple", 14), "get returns the new value");
	secmem_free(val);
	ok(vault_set(v, "empty", (const uint8_t *)"", 0) == 0 && (val = vault_get(v, "empty", &len)) && len == 0,
		"an empty value is a value");
	secmem_free(val);
	ok(vault_get(v, "nope", &len) == NULL && (last_code() == ERR_NOT_FOUND), "a missing secret is reported as not found");
	{
		static uint8_t big[VAULT_MAX_VALUE + 1];

		ok(vault_set(v, "big", big, VAULT_MAX_VALUE) == 0 && vault_set(v, "big", big, sizeof(big)) < 0,
			"values up to %d bytes are stored; larger ones are refused", VAULT_MAX_VALUE);
	}
	n = 0;
	{
		int r = vault_list(v, count, &n);

		ok(r == 0 && n == 3, "list walks every name (%d of 3)", n);
	}
	ok(vault_list(v, first_name, name) == 0 && !strcmp(name, "big"), "list is sorted");
	ok(vault_delete(v, "big") == 0 && vault_delete(v, "big") < 0 && (last_code() == ERR_NOT_FOUND),
		"delete removes a secret; deleting it again is not found");

	vault_lock(v);
	ok(!vault_unlocked(v) && vault_get(v, "wifi-psk", &len) == NULL && strstr(last_error(), "locked") &&
		!(last_code() == ERR_NOT_FOUND), "a locked vault answers nothing");
	ok(vault_unlock(v, bad) < 0 && strstr(last_error(), "wrong password"), "a wrong password does not unlock");
	ok(vault_unlock(v, kek) == 0 && (val = vault_get(v, "wifi-psk", &len)) != NULL, "the right one does");
	secmem_free(val);
	vault_close(v);

	ok(vault_open(path, "home") == NULL && strstr(last_error(), "not the vault of profile home"),
		"a vault opened under another profile's name is refused");
	v = vault_open(path, "work");
	ok(v && !vault_unlocked(v), "a reopened vault starts locked");
	{
		struct vault_kdf k2;

		ok(vault_kdf_params(v, &k2) == 0 && k2.opslimit == 1 && k2.memlimit_kib == 64 &&
			!memcmp(k2.salt, kdf.salt, 16), "Argon2id parameters and salt are stored per vault");
	}
	vault_unlock(v, kek);
	for (int i = 0; i < 50; i++) {
		char k[32], val2[32];

		snprintf(k, sizeof(k), "plain-name-%02d", i);
		snprintf(val2, sizeof(val2), "plain-value-%02d", i);
		vault_set(v, k, (const uint8_t *)val2, strlen(val2));
	}
	ok(!on_disk("plain-name-") && !on_disk("plain-value-") && !on_disk("battery staple") &&
		!on_disk("wifi-psk"), "no secret name or value appears in the DB or its WAL");

	/* Tampering: swap the values of two rows, then move a row to another vault. */
	vault_set(v, "a", (const uint8_t *)"AAAA", 4);
	vault_set(v, "b", (const uint8_t *)"BBBB", 4);
	vault_close(v);
	ok(sql(path, "PRAGMA wal_checkpoint(FULL);"
		"CREATE TEMP TABLE t AS SELECT id, value FROM secrets;"
		"UPDATE secrets SET value = (SELECT value FROM t WHERE t.id <> secrets.id AND"
		" t.id IN (SELECT id FROM secrets ORDER BY id LIMIT 2)) WHERE id IN (SELECT id FROM secrets ORDER BY id LIMIT 2);") == 0,
		"setup: two rows' values are swapped behind the vault's back");
	v = vault_open(path, "work");
	vault_unlock(v, kek);
	{
		/* Read back every name the vault holds: exactly the two swapped
		 * rows must fail, wherever the swap landed. */
		struct names { int n; char k[64][64]; } names = { 0 };
		int failed = 0;

		vault_list(v, collect, &names);
		for (int i = 0; i < names.n; i++) {
			val = vault_get(v, names.k[i], &len);
			failed += !val;
			secmem_free(val);
		}
		ok(names.n == 54 && failed == 2, "exactly the two swapped values fail to authenticate (%d of %d)",
			failed, names.n);
	}
	vault_close(v);

	w = vault_create(path2, "home", &kdf, kek);	/* same password, other vault */
	vault_close(w);
	{
		char q[600];

		snprintf(q, sizeof(q), "ATTACH '%s' AS o; INSERT INTO secrets SELECT * FROM o.secrets;", path);
		ok(sql(path2, q) == 0, "setup: work's rows are copied into home's vault");
	}
	w = vault_open(path2, "home");
	ok(w && vault_unlock(w, kek) == 0, "home's vault unlocks (same password)");
	val = w ? vault_get(w, "wifi-psk", &len) : NULL;
	ok(!val, "but rows moved in from another vault do not open there (%s)", last_error());
	secmem_free(val);
	vault_close(w);

	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		(void)!system(cmd);
	}
	return done_testing();
}
