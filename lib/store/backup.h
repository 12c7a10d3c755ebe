/* backup.h - a vault's secrets in one sealed file (sesame vault backup
 * and restore), for another machine: sealed under a key derived from a
 * recovery passphrase chosen at backup time, not under the vault's
 * factors (a TPM or an SSH key may not come along).
 *
 * Format, version 1 (integers big-endian):
 *     0  13  "sesame-backup"
 *    13   1  version: 1
 *    14   1  KDF: 1, Argon2id v1.3 (libsodium crypto_pwhash)
 *    15   4  opslimit (1 to 20)
 *    19   4  memlimit in KiB (8 to 1048576)
 *    23  16  salt
 *    39  24  nonce
 *    63      XChaCha20-Poly1305 (IETF) of the payload, with the 63 bytes
 *            above as associated data: nothing in the file can change
 *            without the tag failing
 * Payload: created (8, Unix seconds), the profile (1 + n bytes), the
 * number of secrets (4), then each: its name (2 + n bytes), its value
 * (4 + n bytes); nothing after.  The costs are stored, so a restore
 * derives the same key; a file asking for more than 1 GiB or 20 passes
 * is refused before anything is derived.  Values live in secure memory. */
#ifndef SESAME_BACKUP_H
#define SESAME_BACKUP_H

#include "lib/core/names.h"
#include "lib/store/vault.h"

#include <stddef.h>
#include <stdint.h>

#define BACKUP_HEADER 63
#define BACKUP_MAX_FILE (64u << 20)

struct backup_secret {
	char name[VAULT_MAX_NAME + 1];
	uint8_t *value;		/* secure memory */
	size_t len;
};

struct backup {
	char profile[PROFILE_BUF];
	uint64_t created;
	struct backup_secret *s;
	size_t n, cap;
};

struct backup_kdf {
	uint32_t ops, mem_kib;
	uint8_t salt[16];
};

/* Add a secret (the value copied into secure memory); -1 if out of it. */
int backup_add(struct backup *b, const char *name, const uint8_t *v, size_t len);
void backup_free(struct backup *b);
/* b sealed under pass with the costs in kdf (salt drawn here): the file's
 * bytes (malloc'ed, *len).  NULL with a reason. */
uint8_t *backup_seal(const struct backup *b, const uint8_t *pass, size_t plen, struct backup_kdf *kdf, size_t *len);
/* A file's header read and checked: its costs.  -1 with a reason. */
int backup_header(const uint8_t *file, size_t len, struct backup_kdf *kdf);
/* The file opened with pass into b.  -1 with a reason ("the passphrase
 * is wrong, or the file was changed" when the tag fails). */
int backup_open(const uint8_t *file, size_t len, const uint8_t *pass, size_t plen, struct backup *b);
/* A decrypted payload read into b (apart, for the fuzz target).  -1 with
 * a reason. */
int backup_payload(const uint8_t *p, size_t len, struct backup *b);

#endif
