/* vault_factor.c - a vault's factors (vault.h): password, SSH key, TPM2
 * and key file, each wrapping the vault key (policy any) or all of them
 * bound together (policy all); checking the keys given against them, and
 * the backoff after wrong ones. */
#include "lib/store/vault_int.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_kdf_blob(const struct vault_kdf *kdf, uint8_t b[24])
{
	for (int i = 0; i < 4; i++) {
		b[i] = (uint8_t)(kdf->opslimit >> (24 - 8 * i));
		b[4 + i] = (uint8_t)(kdf->memlimit_kib >> (24 - 8 * i));
	}
	memcpy(b + 8, kdf->salt, 16);
}

/* The vault key wrapped under kek in slot "password", "ssh" or "all". */
static int put_slot(struct vault *v, const char *slot, const uint8_t kek[VAULT_KEYLEN])
{
	uint8_t ad[128], *wrapped;
	char label[64], k[32];
	size_t adlen, wl;
	int r;

	snprintf(label, sizeof(label), "sesame/wrap/v1/%s", slot);
	snprintf(k, sizeof(k), "wrap:%s", slot);
	adlen = vault_aad(ad, label, v->profile, NULL, 0, 0);
	wrapped = vault_seal(kek, ad, adlen, v->k->vault, VAULT_KEYLEN, &wl);
	r = vault_meta_put(v, k, wrapped, wl);
	free(wrapped);
	return r;
}

const char *const vault_factor_names[VAULT_FACTORS] = { "password", "ssh", "tpm2", "keyfile" };

static void factor_list(const struct vault_factors *f, const struct vault_keys *keys, int has[VAULT_FACTORS],
	const uint8_t *k[VAULT_FACTORS])
{
	has[0] = f->password, has[1] = f->ssh, has[2] = f->tpm2, has[3] = f->keyfile;
	k[0] = keys->password, k[1] = keys->ssh, k[2] = keys->tpm2, k[3] = keys->keyfile;
}

/* The key for policy "all": every enrolled factor's key, bound together
 * in the order of vault_factor_names (for a password and an SSH key, as
 * vaults made when those were the only two have it). */
static void combine(const int has[VAULT_FACTORS], const uint8_t *const k[VAULT_FACTORS], uint8_t out[VAULT_KEYLEN])
{
	crypto_generichash_state st;
	int first = 1;

	for (int i = 0; i < VAULT_FACTORS; i++) {
		if (!has[i])
			continue;
		if (first) {
			crypto_generichash_init(&st, k[i], VAULT_KEYLEN, VAULT_KEYLEN);
			crypto_generichash_update(&st, (const uint8_t *)"sesame/all/v1", 13);
			first = 0;
		} else {
			crypto_generichash_update(&st, k[i], VAULT_KEYLEN);
		}
	}
	crypto_generichash_final(&st, out, VAULT_KEYLEN);
	sodium_memzero(&st, sizeof(st));
}

void vault_secret_kek(const char *factor, const char *profile, const uint8_t secret[32], uint8_t kek[VAULT_KEYLEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, secret, 32, VAULT_KEYLEN);
	crypto_generichash_update(&st, (const uint8_t *)"sesame/secret-kek/v1", 20);
	crypto_generichash_update(&st, (const uint8_t *)factor, strlen(factor) + 1);
	crypto_generichash_update(&st, (const uint8_t *)profile, strlen(profile) + 1);
	crypto_generichash_final(&st, kek, VAULT_KEYLEN);
	sodium_memzero(&st, sizeof(st));
}

void vault_ssh_kek(const uint8_t nonce[32], const uint8_t *sig, size_t siglen, uint8_t kek[VAULT_KEYLEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, nonce, 32, VAULT_KEYLEN);
	crypto_generichash_update(&st, (const uint8_t *)"sesame/ssh-kek/v1", 17);
	crypto_generichash_update(&st, sig, siglen);
	crypto_generichash_final(&st, kek, VAULT_KEYLEN);
	sodium_memzero(&st, sizeof(st));
}

size_t vault_ssh_challenge(const char *profile, const uint8_t nonce[32], uint8_t *out, size_t n)
{
	static const char label[] = "sesame vault unlock v1";
	size_t pl = strlen(profile), len = sizeof(label) + pl + 1 + 32;

	if (len > n)
		return 0;
	memcpy(out, label, sizeof(label));		/* with its NUL */
	memcpy(out + sizeof(label), profile, pl + 1);
	memcpy(out + sizeof(label) + pl + 1, nonce, 32);
	return len;
}

/* Write the factors and their wraps (inside a transaction, unlocked).  A
 * factor whose key is not given keeps the wrap it has (policy any). */
int vault_put_factors(struct vault *v, const struct vault_kdf *kdf, const struct vault_factors *f,
	const struct vault_keys *keys)
{
	static const char *const data_key[VAULT_FACTORS] = { NULL, NULL, "tpm2:data", "keyfile:data" };
	const uint8_t *data[VAULT_FACTORS] = { NULL, NULL, f->tpm2_data, f->keyfile_data };
	const size_t data_len[VAULT_FACTORS] = { 0, 0, f->tpm2_len, f->keyfile_len };
	uint8_t kdfblob[24], all[VAULT_KEYLEN];
	const uint8_t *k[VAULT_FACTORS];
	int has[VAULT_FACTORS], n = 0, bound, r = 0;
	char name[32];

	factor_list(f, keys, has, k);
	for (int i = 0; i < VAULT_FACTORS; i++)
		n += has[i] != 0;
	if (!n)
		return fail("vault %s: at least one factor is needed", v->profile);
	if (f->ssh && !f->ssh_key_len)
		return fail("vault %s: the SSH factor has no key", v->profile);
	bound = f->all && n >= 2;
	for (int i = 0; i < VAULT_FACTORS; i++) {
		snprintf(name, sizeof(name), "wrap:%s", vault_factor_names[i]);
		if (has[i] && data_key[i] && (!data_len[i] || data_len[i] > VAULT_MAX_FACTOR_DATA))
			return fail("vault %s: the %s factor has no data", v->profile, vault_factor_names[i]);
		if (has[i] && !k[i] && (bound || !vault_meta_has(v, name)))
			return fail(bound ? "vault %s: policy all needs every factor's key; the %s one is missing" :
				"vault %s: the %s factor's key is missing", v->profile, vault_factor_names[i]);
	}
	r |= vault_meta_put(v, "policy", f->all ? "all" : "any", 3);
	if (f->password && kdf) {
		put_kdf_blob(kdf, kdfblob);
		r |= vault_meta_put(v, "kdf", kdfblob, sizeof(kdfblob));
	}
	for (int i = 0; i < VAULT_FACTORS; i++) {
		snprintf(name, sizeof(name), "factor:%s", vault_factor_names[i]);
		r |= has[i] ? vault_meta_put(v, name, "1", 1) : vault_meta_del(v, name);
		if (data_key[i])
			r |= has[i] ? vault_meta_put(v, data_key[i], data[i], data_len[i]) : vault_meta_del(v, data_key[i]);
	}
	if (f->ssh)
		r |= vault_meta_put(v, "ssh:key", f->ssh_key, f->ssh_key_len) | vault_meta_put(v, "ssh:nonce", f->ssh_nonce, 32);
	else
		r |= vault_meta_del(v, "ssh:key") | vault_meta_del(v, "ssh:nonce");
	if (r)
		return -1;
	if (bound) {
		combine(has, k, all);
		r = put_slot(v, "all", all);
		sodium_memzero(all, sizeof(all));
		for (int i = 0; i < VAULT_FACTORS && r == 0; i++) {
			snprintf(name, sizeof(name), "wrap:%s", vault_factor_names[i]);
			r = vault_meta_del(v, name);
		}
		return r < 0 ? -1 : 0;
	}
	if (vault_meta_del(v, "wrap:all") < 0)
		return -1;
	for (int i = 0; i < VAULT_FACTORS; i++) {
		snprintf(name, sizeof(name), "wrap:%s", vault_factor_names[i]);
		if (!has[i] ? vault_meta_del(v, name) < 0 : k[i] && put_slot(v, vault_factor_names[i], k[i]) < 0)
			return -1;
	}
	return 0;
}

int vault_get_factors(struct vault *v, struct vault_factors *f)
{
	uint8_t b[8];
	size_t n;

	memset(f, 0, sizeof(*f));
	f->all = vault_meta_get_var(v, "policy", b, sizeof(b), &n) == 0 && n == 3 && !memcmp(b, "all", 3);
	/* Vaults made before factors were recorded have only wrap:password. */
	f->password = vault_meta_has(v, "factor:password") || vault_meta_has(v, "wrap:password");
	if (vault_meta_get_var(v, "factor:ssh", b, sizeof(b), &n) == 0) {
		if (vault_meta_get_var(v, "ssh:key", f->ssh_key, sizeof(f->ssh_key), &f->ssh_key_len) < 0 ||
		    vault_meta_get(v, "ssh:nonce", f->ssh_nonce, 32) < 0)
			return fail("vault %s: its SSH factor is damaged", v->profile);
		f->ssh = 1;
	}
	if (vault_meta_get_var(v, "factor:tpm2", b, sizeof(b), &n) == 0) {
		if (vault_meta_get_var(v, "tpm2:data", f->tpm2_data, sizeof(f->tpm2_data), &f->tpm2_len) < 0 || !f->tpm2_len)
			return fail("vault %s: its TPM2 factor is damaged", v->profile);
		f->tpm2 = 1;
	}
	if (vault_meta_get_var(v, "factor:keyfile", b, sizeof(b), &n) == 0) {
		if (vault_meta_get_var(v, "keyfile:data", f->keyfile_data, sizeof(f->keyfile_data), &f->keyfile_len) < 0 ||
		    !f->keyfile_len)
			return fail("vault %s: its key-file factor is damaged", v->profile);
		f->keyfile = 1;
	}
	return 0;
}

static uint8_t *unwrap_slot(struct vault *v, const char *slot, const uint8_t kek[VAULT_KEYLEN])
{
	uint8_t wrapped[NONCE + VAULT_KEYLEN + TAG], ad[128], *key;
	char label[64], k[32];
	size_t adlen, kl;

	snprintf(label, sizeof(label), "sesame/wrap/v1/%s", slot);
	snprintf(k, sizeof(k), "wrap:%s", slot);
	if (vault_meta_get(v, k, wrapped, sizeof(wrapped)) < 0)
		return NULL;
	adlen = vault_aad(ad, label, v->profile, NULL, 0, 0);
	key = vault_open_sealed(kek, ad, adlen, wrapped, sizeof(wrapped), &kl);
	if (!key || kl != VAULT_KEYLEN) {
		secmem_free(key);
		return NULL;
	}
	return key;
}

/* The vault key from whatever keys were given, per the vault's policy,
 * in secure memory; NULL with a reason. */
static uint8_t *unwrap(struct vault *v, const struct vault_keys *keys)
{
	static const char *const what[VAULT_FACTORS] = {
		"a password", "an SSH key", "a TPM2-sealed key", "a key file"
	};
	static const char *const wrong[VAULT_FACTORS] = {
		"wrong password for profile %s", "the SSH key's signature does not open profile %s",
		"the TPM's sealed key does not open profile %s", "the key file does not open profile %s"
	};
	struct vault_factors *f = xmalloc(sizeof(*f));
	uint8_t *key = NULL, all[VAULT_KEYLEN];
	const uint8_t *k[VAULT_FACTORS];
	int has[VAULT_FACTORS], n = 0, given = -1;

	if (vault_get_factors(v, f) < 0) {
		free(f);
		return NULL;
	}
	factor_list(f, keys, has, k);
	for (int i = 0; i < VAULT_FACTORS; i++)
		n += has[i] != 0;
	if (f->all && n >= 2) {
		char need[128] = "";

		for (int i = 0; i < VAULT_FACTORS; i++)
			if (has[i])
				snprintf(need + strlen(need), sizeof(need) - strlen(need), "%s%s", *need ? " and " : "",
					what[i]);
		for (int i = 0; i < VAULT_FACTORS; i++)
			if (has[i] && !k[i]) {
				free(f);
				return fail("profile %s needs %s (policy all)", v->profile, need), NULL;
			}
		combine(has, k, all);
		key = unwrap_slot(v, "all", all);
		sodium_memzero(all, sizeof(all));
		if (!key)
			fail("profile %s: %s do not open it together (policy all)", v->profile, need);
		free(f);
		return key;
	}
	free(f);
	for (int i = 0; i < VAULT_FACTORS; i++) {
		if (!k[i] || !has[i])
			continue;
		if ((key = unwrap_slot(v, vault_factor_names[i], k[i])))
			return key;
		if (given < 0)
			given = i;
	}
	if (given >= 0)
		return fail(wrong[given], v->profile), NULL;
	for (int i = 0; i < VAULT_FACTORS; i++)
		if (k[i])
			return fail("profile %s is not protected by %s", v->profile, what[i]), NULL;
	return fail("profile %s: no factor was given", v->profile), NULL;
}

int vault_verify_keys(struct vault *v, const struct vault_keys *keys)
{
	uint8_t *key = unwrap(v, keys);

	secmem_free(key);
	return key ? 0 : -1;
}

int vault_verify(struct vault *v, const uint8_t kek[VAULT_KEYLEN])
{
	struct vault_keys keys = { .password = kek };

	return vault_verify_keys(v, &keys);
}

int vault_set_factors(struct vault *v, const struct vault_kdf *kdf, const struct vault_factors *f,
	const struct vault_keys *keys)
{
	if (!v->k)
		return fail("profile %s is locked", v->profile);
	if (vault_exec(v, "BEGIN IMMEDIATE;") < 0)
		return -1;
	if (vault_put_factors(v, kdf, f, keys) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", last_error());
		vault_exec(v, "ROLLBACK;");
		return fail("%s", why);
	}
	return vault_commit(v, 1);
}

int vault_unlock_keys(struct vault *v, const struct vault_keys *keys)
{
	uint8_t *key;

	if (v->k)
		return 0;
	if (!(key = unwrap(v, keys)))
		return -1;
	if (!(v->k = secmem_alloc(sizeof(*v->k)))) {
		secmem_free(key);
		return -1;
	}
	memcpy(v->k->vault, key, VAULT_KEYLEN);
	secmem_free(key);
	vault_derive(v->k);
	return 0;
}

int vault_unlock(struct vault *v, const uint8_t kek[VAULT_KEYLEN])
{
	struct vault_keys keys = { .password = kek };

	return vault_unlock_keys(v, &keys);
}

static uint64_t meta_u64(struct vault *v, const char *k)
{
	uint8_t b[8];
	uint64_t x = 0;

	if (vault_meta_get(v, k, b, sizeof(b)) < 0)
		return 0;	/* absent: no failures recorded */
	for (int i = 0; i < 8; i++)
		x = x << 8 | b[i];
	return x;
}

static int meta_put_u64(struct vault *v, const char *k, uint64_t x)
{
	uint8_t b[8];

	for (int i = 7; i >= 0; i--, x >>= 8)
		b[i] = (uint8_t)x;
	return vault_meta_put(v, k, b, sizeof(b));
}

unsigned vault_unlock_failures(struct vault *v)
{
	return (unsigned)meta_u64(v, "unlock:failures");
}

uint64_t vault_unlock_wait(struct vault *v, uint64_t now_ms)
{
	uint64_t nb = meta_u64(v, "unlock:not_before");

	return nb > now_ms ? nb - now_ms : 0;
}

int vault_unlock_failed(struct vault *v, uint64_t now_ms)
{
	uint64_t n = meta_u64(v, "unlock:failures") + 1, delay = 0;

	if (n > VAULT_FREE_FAILURES) {
		unsigned shift = (unsigned)(n - VAULT_FREE_FAILURES - 1);

		delay = shift >= 12 ? 3600000 : 1000ull << shift;
		if (delay > 3600000)
			delay = 3600000;
	}
	if (vault_exec(v, "BEGIN IMMEDIATE;") < 0)
		return -1;
	if (meta_put_u64(v, "unlock:failures", n) < 0 || meta_put_u64(v, "unlock:not_before", now_ms + delay) < 0) {
		vault_exec(v, "ROLLBACK;");
		return -1;
	}
	return vault_exec(v, "COMMIT;");
}

int vault_unlock_succeeded(struct vault *v)
{
	if (!meta_u64(v, "unlock:failures"))
		return 0;
	return vault_exec(v, "DELETE FROM meta WHERE k IN ('unlock:failures', 'unlock:not_before');");
}
