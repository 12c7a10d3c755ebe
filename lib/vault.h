/* vault.h - one profile's secrets: a SQLite file, values sealed with a
 * vault key that never touches the disk in clear.
 *
 * Key hierarchy: a random 256-bit vault key, wrapped once per enrolled
 * factor.  The password factor's key-encryption key is Argon2id(password,
 * salt) with parameters stored per vault (default m=19456 KiB, t=2, p=1).
 * From the vault key, crypto_kdf derives a name key (keyed BLAKE2b ids:
 * names are never stored in clear) and a value key (XChaCha20-Poly1305).
 * Associated data binds every sealed field to its profile, its id and, for
 * values, its version: a row cannot be moved to another name or vault.
 *
 * Files: vaults/<profile>.db, mode 0600, WAL, synchronous=FULL: a write
 * acknowledged here survives a crash.
 *
 * Tables (the format is version 1):
 *   meta(k TEXT PRIMARY KEY, v BLOB)
 *     format   "1"
 *     profile  the profile name (checked against the file name on open)
 *     kdf      u32 opslimit, u32 memlimit KiB (big-endian), 16-byte salt
 *     wrap:password  24-byte nonce, sealed vault key (48 bytes)
 *     unlock:failures, unlock:not_before  u64 big-endian (backoff)
 *   secrets(id BLOB PRIMARY KEY, name BLOB, value BLOB, version INTEGER,
 *           created INTEGER, updated INTEGER)
 *     id     keyed BLAKE2b-256 of the name
 *     name   24-byte nonce + sealed name;  value: 24-byte nonce + sealed value
 */
#ifndef SESAME_VAULT_H
#define SESAME_VAULT_H

#include <stddef.h>
#include <stdint.h>

#define VAULT_KEYLEN 32
#define VAULT_MAX_NAME 256
#define VAULT_MAX_VALUE 60000	/* fits in one bus message with room to spare */

struct vault_kdf {
	uint32_t opslimit;	/* Argon2id passes (t) */
	uint32_t memlimit_kib;	/* Argon2id memory (m) */
	uint8_t salt[16];
};

struct vault;

/* Profile names: 1-64 of [A-Za-z0-9_-], starting with a letter or digit.
 * Secret names: 1-VAULT_MAX_NAME bytes, no control characters. */
int vault_profile_valid(const char *profile);
int vault_name_valid(const char *name);

/* Defaults: t=2, m=19456 KiB, fresh random salt. */
void vault_kdf_defaults(struct vault_kdf *kdf);
/* The password's key-encryption key (slow: Argon2id).  Pure, so it can
 * run on a worker thread. */
int vault_derive_kek(const struct vault_kdf *kdf, const uint8_t *pw, size_t pwlen,
	uint8_t kek[VAULT_KEYLEN]);

/* Create a vault file (refusing to overwrite one) with a fresh vault key
 * wrapped by kek; the vault is returned unlocked. */
struct vault *vault_create(const char *path, const char *profile, const struct vault_kdf *kdf,
	const uint8_t kek[VAULT_KEYLEN]);
/* Open an existing vault, locked. */
struct vault *vault_open(const char *path, const char *profile);
void vault_close(struct vault *v);

int vault_kdf_params(struct vault *v, struct vault_kdf *kdf);
/* Unlock with a password's kek; -1 "wrong password" if it does not fit. */
int vault_unlock(struct vault *v, const uint8_t kek[VAULT_KEYLEN]);
/* Wipe the keys. */
void vault_lock(struct vault *v);
/* Does kek open this vault's password wrap?  (Unlocked or not.) */
int vault_verify(struct vault *v, const uint8_t kek[VAULT_KEYLEN]);
/* A new password: wrap the (unlocked) vault key under kek with kdf, in
 * one transaction.  Values are never re-encrypted. */
int vault_rewrap(struct vault *v, const struct vault_kdf *kdf, const uint8_t kek[VAULT_KEYLEN]);

/* Unlock backoff, stored in the vault (so it survives restarts): after
 * VAULT_FREE_FAILURES wrong passwords, each further one doubles the wait
 * from 1 s up to 1 h.  vault_unlock_wait gives the milliseconds left
 * before an attempt is allowed (0: now); the other two record outcomes.
 * Times are wall-clock milliseconds. */
#define VAULT_FREE_FAILURES 3
uint64_t vault_unlock_wait(struct vault *v, uint64_t now_ms);
int vault_unlock_failed(struct vault *v, uint64_t now_ms);
int vault_unlock_succeeded(struct vault *v);
unsigned vault_unlock_failures(struct vault *v);
int vault_unlocked(const struct vault *v);

/* A secret's value in secure memory (secmem_free it); NULL and a reason:
 * "not found", "locked", or corruption. */
uint8_t *vault_get(struct vault *v, const char *name, size_t *len);
int vault_set(struct vault *v, const char *name, const uint8_t *value, size_t len);
/* 0 if deleted, -1 "not found" or another reason. */
int vault_delete(struct vault *v, const char *name);
/* Call fn for each name (sorted); stops early if fn returns non-zero. */
int vault_list(struct vault *v, int (*fn)(const char *name, void *ctx), void *ctx);
/* A short keyed id of a name for the audit log (16 hex digits): stable
 * for the vault, meaningless without its key.  -1 if locked. */
int vault_name_tag(struct vault *v, const char *name, char out[17]);
/* Many sets in one transaction (imports, benchmarks): between begin and
 * end, vault_set does not commit on its own; end commits them all. */
int vault_bulk_begin(struct vault *v);
int vault_bulk_end(struct vault *v);
/* Whether the last failure was "not found" (vs. locked, corrupt, I/O). */
int vault_not_found(void);

#endif
