/* backup.c - sealed vault backups (backup.h). */
#include "lib/store/backup.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "sesame-backup"
#define KEYLEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int backup_add(struct backup *b, const char *name, const uint8_t *v, size_t len)
{
	struct backup_secret *x;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		struct backup_secret *s = realloc(b->s, cap * sizeof(*s));

		if (!s)
			return fail("out of memory");
		b->s = s, b->cap = cap;
	}
	x = &b->s[b->n];
	snprintf(x->name, sizeof(x->name), "%s", name);
	if (!(x->value = secmem_alloc(len ? len : 1)))
		return fail("out of secure memory");
	memcpy(x->value, v, len);
	x->len = len;
	b->n++;
	return 0;
}

void backup_free(struct backup *b)
{
	for (size_t i = 0; i < b->n; i++)
		secmem_free(b->s[i].value);
	free(b->s);
	memset(b, 0, sizeof(*b));
}

static int derive(uint8_t key[KEYLEN], const uint8_t *pass, size_t plen, const struct backup_kdf *k)
{
	if (crypto_pwhash(key, KEYLEN, (const char *)pass, plen, k->salt, k->ops, (size_t)k->mem_kib * 1024,
		crypto_pwhash_ALG_ARGON2ID13) != 0)
		return fail("Argon2id could not run (%u KiB of memory asked)", k->mem_kib);
	return 0;
}

uint8_t *backup_seal(const struct backup *b, const uint8_t *pass, size_t plen, struct backup_kdf *kdf, size_t *len)
{
	size_t plain = 8 + 1 + strlen(b->profile) + 4, o = 0;
	uint8_t *p, *out, key[KEYLEN];
	unsigned long long clen;

	for (size_t i = 0; i < b->n; i++)
		plain += 2 + strlen(b->s[i].name) + 4 + b->s[i].len;
	if (plain + BACKUP_HEADER + 16 > BACKUP_MAX_FILE)
		return fail("the vault is larger than a backup may be (%u MiB)", BACKUP_MAX_FILE >> 20), NULL;
	if (!(p = secmem_alloc(plain)))
		return fail("out of secure memory"), NULL;
	for (int k = 7; k >= 0; k--)
		p[o++] = (uint8_t)(b->created >> (8 * k));
	p[o++] = (uint8_t)strlen(b->profile);
	memcpy(p + o, b->profile, strlen(b->profile));
	o += strlen(b->profile);
	put32(p + o, (uint32_t)b->n), o += 4;
	for (size_t i = 0; i < b->n; i++) {
		size_t nl = strlen(b->s[i].name);

		p[o++] = (uint8_t)(nl >> 8), p[o++] = (uint8_t)nl;
		memcpy(p + o, b->s[i].name, nl), o += nl;
		put32(p + o, (uint32_t)b->s[i].len), o += 4;
		memcpy(p + o, b->s[i].value, b->s[i].len), o += b->s[i].len;
	}
	if (!(out = malloc(BACKUP_HEADER + plain + crypto_aead_xchacha20poly1305_ietf_ABYTES))) {
		secmem_free(p);
		return fail("out of memory"), NULL;
	}
	randombytes_buf(kdf->salt, sizeof(kdf->salt));
	memcpy(out, MAGIC, 13);
	out[13] = 1;
	out[14] = 1;
	put32(out + 15, kdf->ops);
	put32(out + 19, kdf->mem_kib);
	memcpy(out + 23, kdf->salt, 16);
	randombytes_buf(out + 39, 24);
	if (derive(key, pass, plen, kdf) < 0) {
		secmem_free(p);
		free(out);
		return NULL;
	}
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + BACKUP_HEADER, &clen, p, plain, out, BACKUP_HEADER, NULL,
		out + 39, key);
	sodium_memzero(key, sizeof(key));
	secmem_free(p);
	*len = BACKUP_HEADER + (size_t)clen;
	return out;
}

int backup_header(const uint8_t *f, size_t len, struct backup_kdf *k)
{
	if (len < BACKUP_HEADER + crypto_aead_xchacha20poly1305_ietf_ABYTES || memcmp(f, MAGIC, 13))
		return fail("not a sesame backup");
	if (f[13] != 1)
		return fail("a backup of version %u: this sesame reads version 1", f[13]);
	if (f[14] != 1)
		return fail("a backup sealed with KDF %u: this sesame knows 1 (Argon2id)", f[14]);
	k->ops = get32(f + 15);
	k->mem_kib = get32(f + 19);
	if (k->ops < 1 || k->ops > 20 || k->mem_kib < 8 || k->mem_kib > 1048576)
		return fail("the backup asks for Argon2id with %u passes and %u KiB: refused (1-20 passes, 8 KiB to 1 GiB)",
			k->ops, k->mem_kib);
	memcpy(k->salt, f + 23, 16);
	return 0;
}

int backup_payload(const uint8_t *p, size_t len, struct backup *b)
{
	size_t o = 9, pl;
	uint32_t n;

	memset(b, 0, sizeof(*b));
	if (len < 9 || (pl = p[8]) < 1 || pl > PROFILE_MAX || len < 9 + pl + 4)
		return fail("the backup's contents are damaged (header)");
	for (int k = 0; k < 8; k++)
		b->created = b->created << 8 | p[k];
	memcpy(b->profile, p + o, pl);
	b->profile[pl] = 0;
	o += pl;
	if (!profile_name_valid(b->profile))
		return fail("the backup's contents are damaged (profile name)");
	n = get32(p + o), o += 4;
	for (uint32_t i = 0; i < n; i++) {
		size_t nl, vl;
		char name[VAULT_MAX_NAME + 1];

		if (len - o < 2 || (nl = (size_t)p[o] << 8 | p[o + 1]) < 1 || nl > VAULT_MAX_NAME || len - o - 2 < nl + 4)
			goto bad;
		memcpy(name, p + o + 2, nl);
		name[nl] = 0;
		o += 2 + nl;
		vl = get32(p + o), o += 4;
		if (vl > len - o || vl > VAULT_MAX_VALUE || !secret_name_valid(name) || memchr(name, 0, nl))
			goto bad;
		for (size_t k = 0; k < b->n; k++)
			if (!strcmp(b->s[k].name, name))
				goto bad;
		if (backup_add(b, name, p + o, vl) < 0) {
			backup_free(b);
			return -1;
		}
		o += vl;
	}
	if (o != len)
		goto bad;
	return 0;
bad:
	n = (uint32_t)b->n + 1;
	backup_free(b);
	return fail("the backup's contents are damaged (secret %u)", n);
}

int backup_open(const uint8_t *f, size_t len, const uint8_t *pass, size_t plen, struct backup *b)
{
	struct backup_kdf k;
	uint8_t key[KEYLEN], *p;
	unsigned long long pl;
	int r;

	memset(b, 0, sizeof(*b));
	if (len > BACKUP_MAX_FILE)
		return fail("larger than a backup can be");
	if (backup_header(f, len, &k) < 0 || derive(key, pass, plen, &k) < 0)
		return -1;
	if (!(p = secmem_alloc(len - BACKUP_HEADER))) {
		sodium_memzero(key, sizeof(key));
		return fail("out of secure memory");
	}
	r = crypto_aead_xchacha20poly1305_ietf_decrypt(p, &pl, NULL, f + BACKUP_HEADER, len - BACKUP_HEADER, f,
		BACKUP_HEADER, f + 39, key);
	sodium_memzero(key, sizeof(key));
	if (r != 0) {
		secmem_free(p);
		return fail("the passphrase is wrong, or the file was changed");
	}
	r = backup_payload(p, (size_t)pl, b);
	secmem_free(p);
	return r;
}
