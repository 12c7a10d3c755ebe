/* vault.h - one profile's secrets: a SQLite file, values sealed with a
 * vault key that never touches the disk in clear.
 *
 * Key hierarchy: a random 256-bit vault key, wrapped once per enrolled
 * factor.  The password factor's key-encryption key is Argon2id(password,
 * salt) with parameters stored per vault (default m=19456 KiB, t=2, p=1).
 * The SSH factor's is BLAKE2b(nonce; the agent's signature of
 * vault_ssh_challenge()), Ed25519 or RSA with SHA-512, both deterministic.
 * The TPM2 and key-file factors' are BLAKE2b(a 32-byte secret the CLI
 * gets from the TPM or the file; the factor and the profile): the vault
 * keeps only their public data (sealed blobs and policy, or the file's
 * path), opaque here.
 * With policy "all" the vault key is wrapped once, under every enrolled
 * factor's key bound together; with "any", once per factor.
 * From the vault key, crypto_kdf derives a name key (keyed BLAKE2b ids:
 * names are never stored in clear), a value key (XChaCha20-Poly1305) and
 * the clipboard history's key (subkey 3, handed to daemon-clipboard).
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
 *     policy   "any" (one factor unlocks) or "all" (every factor is needed)
 *     factor:password, factor:ssh, factor:tpm2, factor:keyfile
 *              "1" when that factor is enrolled
 *     ssh:key  the enrolled public key (SSH wire format); ssh:nonce 32 bytes;
 *              ssh:comment what the agent called it (slot 0); ssh:key:N,
 *              ssh:nonce:N, ssh:comment:N for slots 1 to 7 (several keys)
 *     tpm2:data, keyfile:data  the factor's public data (lib/tpm2/tpm2.h,
 *              applets/keyfile.c), at most VAULT_MAX_FACTOR_DATA bytes
 *     wrap:password, wrap:ssh (slot 0), wrap:ssh:N, wrap:tpm2, wrap:keyfile  24-byte nonce +
 *              the vault key sealed (48 bytes) under that factor's key
 *              (policy any)
 *     wrap:all  the same under every factor's key combined (policy all,
 *              two factors or more)
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

#include "lib/core/names.h"

#define VAULT_KEYLEN 32
#define VAULT_MAX_NAME SECRET_NAME_MAX
#define VAULT_MAX_VALUE 60000	/* fits in one bus message with room to spare */

struct vault_kdf {
	uint32_t opslimit;	/* Argon2id passes (t) */
	uint32_t memlimit_kib;	/* Argon2id memory (m) */
	uint8_t salt[16];
};

struct vault;

/* Defaults: t=2, m=19456 KiB, fresh random salt. */
void vault_kdf_defaults(struct vault_kdf *kdf);
/* The password's key-encryption key (slow: Argon2id).  Pure, so it can
 * run on a worker thread. */
int vault_derive_kek(const struct vault_kdf *kdf, const uint8_t *pw, size_t pwlen,
	uint8_t kek[VAULT_KEYLEN]);

#define VAULT_MAX_SSH_KEY 2048
/* SSH keys a vault can have.  Under policy any, each one unlocks; under
 * policy all, each one counts as a factor (the agent must hold them all). */
#define VAULT_MAX_SSH_KEYS 8

struct vault_ssh_key {
	int present;
	uint8_t key[VAULT_MAX_SSH_KEY];	/* the public key blob */
	size_t len;
	uint8_t nonce[32];	/* part of the challenge the agent signs */
	char comment[128];	/* the agent's name for it, when enrolled */
};

#define VAULT_MAX_FACTOR_DATA 1024

struct vault_factors {
	int all;		/* policy: every factor needed (else any one) */
	int password;		/* a password is enrolled */
	int ssh;		/* how many SSH agent keys are enrolled */
	struct vault_ssh_key ssh_keys[VAULT_MAX_SSH_KEYS];	/* by slot */
	int tpm2, keyfile;	/* a TPM2-sealed secret, a key file */
	uint8_t tpm2_data[VAULT_MAX_FACTOR_DATA], keyfile_data[VAULT_MAX_FACTOR_DATA];
	size_t tpm2_len, keyfile_len;
};

/* Key-encryption keys at hand (NULL: not given). */
struct vault_keys {
	const uint8_t *password;
	const uint8_t *ssh[VAULT_MAX_SSH_KEYS];	/* by slot */
	const uint8_t *tpm2;
	const uint8_t *keyfile;
};

/* The names of the factors' kinds; policy "all" binds their keys in this
 * order, an SSH key per slot. */
#define VAULT_FACTORS 4
extern const char *const vault_factor_names[VAULT_FACTORS];	/* "password", "ssh", "tpm2", "keyfile" */
/* A TPM2 or key-file factor's key from its 32-byte secret. */
void vault_secret_kek(const char *factor, const char *profile, const uint8_t secret[32],
	uint8_t kek[VAULT_KEYLEN]);

/* What the SSH agent signs for a vault; its length, 0 if n is too small. */
size_t vault_ssh_challenge(const char *profile, const uint8_t nonce[32], uint8_t *out, size_t n);
/* The SSH factor's key from the agent's signature. */
void vault_ssh_kek(const uint8_t nonce[32], const uint8_t *sig, size_t siglen, uint8_t kek[VAULT_KEYLEN]);

/* Create a vault file (refusing to overwrite one) with a fresh vault key
 * wrapped per f; the vault is returned unlocked.  vault_create is the
 * password-only form. */
struct vault *vault_create_factors(const char *path, const char *profile, const struct vault_kdf *kdf,
	const struct vault_factors *f, const struct vault_keys *keys);
struct vault *vault_create(const char *path, const char *profile, const struct vault_kdf *kdf,
	const uint8_t kek[VAULT_KEYLEN]);
/* The enrolled factors and policy (locked or not). */
int vault_get_factors(struct vault *v, struct vault_factors *f);
/* Open an existing vault, locked. */
struct vault *vault_open(const char *path, const char *profile);
void vault_close(struct vault *v);

int vault_kdf_params(struct vault *v, struct vault_kdf *kdf);
/* Unlock with the keys given, per the policy; -1 with a reason ("wrong
 * password", ...).  vault_unlock is the password-only form. */
int vault_unlock_keys(struct vault *v, const struct vault_keys *keys);
int vault_unlock(struct vault *v, const uint8_t kek[VAULT_KEYLEN]);
/* Wipe the keys. */
void vault_lock(struct vault *v);
/* Do these keys open the vault?  (Unlocked or not.) */
int vault_verify_keys(struct vault *v, const struct vault_keys *keys);
int vault_verify(struct vault *v, const uint8_t kek[VAULT_KEYLEN]);
/* New factors, policy or password: wrap the (unlocked) vault key again
 * per f, in one transaction (kdf: the password's, NULL to keep it).
 * Values are never re-encrypted. */
int vault_set_factors(struct vault *v, const struct vault_kdf *kdf, const struct vault_factors *f,
	const struct vault_keys *keys);

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
/* The key daemon-clipboard seals this profile's history with: subkey 3
 * of the vault key (crypto_kdf, as the name and value keys).  -1 if
 * locked. */
int vault_clipboard_key(struct vault *v, uint8_t out[VAULT_KEYLEN]);
/* Many sets in one transaction (imports, benchmarks), or one that must
 * not stand unless something else succeeds (its audit line): between
 * begin and end, vault_set and vault_delete do not commit on their own;
 * end commits them all. */
int vault_bulk_begin(struct vault *v);
int vault_bulk_end(struct vault *v);
/* Undo every set and delete since vault_bulk_begin. */
void vault_bulk_abort(struct vault *v);

#endif
