/* vault_int.h - the vault's insides, shared by its files (vault.h is what
 * the rest of sesame sees):
 *   vault.c         the file: opening, sealing, meta, secrets
 *   vault_factor.c  the factors, unlocking with them, the backoff */
#ifndef SESAME_VAULT_INT_H
#define SESAME_VAULT_INT_H

#include "lib/store/vault.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KDF_CTX "sesvault"	/* crypto_kdf context: 8 bytes */

struct keys {			/* secure memory, present while unlocked */
	uint8_t vault[VAULT_KEYLEN], name[VAULT_KEYLEN], value[VAULT_KEYLEN];
};

struct vault {
	sqlite3 *db;
	char profile[PROFILE_BUF];
	struct keys *k;
	int bulk;		/* inside vault_bulk_begin/end */
	int bulk_replaced;	/* and a secret was overwritten in it */
	sqlite3_stmt *get;	/* vault_get's, prepared once: parsing it was a
				 * fifth of daemon-secrets' time per read */
	sqlite3_stmt *meta;	/* vault_meta_get_var's: an unlock reads meta 7 times */
};

/* Associated data: a domain label, the profile, then parts; each part is
 * length-prefixed so no two different tuples encode the same. */
size_t vault_aad(uint8_t *out, const char *label, const char *profile, const uint8_t *id,
	uint64_t version, int with_version);
/* COMMIT, then empty the log if the transaction replaced sealed data. */
int vault_commit(struct vault *v, int replaced);
/* The name and value keys, from the vault key. */
void vault_derive(struct keys *k);
int vault_exec(struct vault *v, const char *sql);
int vault_meta_del(struct vault *v, const char *k);
/* A meta value of up to max bytes; -1 if absent (or too long). */
int vault_meta_get_var(struct vault *v, const char *k, uint8_t *out, size_t max, size_t *len);
/* A meta value of exactly want bytes, which a vault must have. */
int vault_meta_get(struct vault *v, const char *k, uint8_t *out, size_t want);
int vault_meta_has(struct vault *v, const char *k);
int vault_meta_put(struct vault *v, const char *k, const void *val, size_t len);
/* Open into secure memory; NULL if it does not authenticate. */
uint8_t *vault_open_sealed(const uint8_t *key, const uint8_t *ad, size_t adlen, const uint8_t *c,
	size_t clen, size_t *outlen);
/* nonce || ciphertext into a malloc'ed buffer. */
uint8_t *vault_seal(const uint8_t *key, const uint8_t *ad, size_t adlen, const uint8_t *m,
	size_t mlen, size_t *outlen);
int vault_sqlfail(struct vault *v, const char *what);
/* Write the factors and their wraps (inside a transaction, unlocked).  A
 * factor whose key is not given keeps the wrap it has (policy any). */
int vault_put_factors(struct vault *v, const struct vault_kdf *kdf, const struct vault_factors *f,
	const struct vault_keys *keys);

#endif
