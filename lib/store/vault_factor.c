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

/* Each factor a vault can have, one per SSH slot: its wrap slot's name,
 * whether it is enrolled, its key if given, its kind (an index of
 * vault_factor_names), in the order policy "all" binds them. */
#define SLOTS (3 + VAULT_MAX_SSH_KEYS)
struct slot {
	char name[12];		/* "password", "ssh", "ssh:N", "tpm2", "keyfile" */
	int has, kind;
	const uint8_t *k;
};

static int slot_list(const struct vault_factors *f, const struct vault_keys *keys, struct slot out[SLOTS])
{
	int n = 0;

	out[n++] = (struct slot){ "password", f->password, 0, keys ? keys->password : NULL };
	for (int i = 0; i < VAULT_MAX_SSH_KEYS; i++) {
		out[n] = (struct slot){ "ssh", f->ssh_keys[i].present, 1, keys ? keys->ssh[i] : NULL };
		if (i)
			snprintf(out[n].name, sizeof(out[n].name), "ssh:%d", i);
		n++;
	}
	out[n++] = (struct slot){ "tpm2", f->tpm2, 2, keys ? keys->tpm2 : NULL };
	out[n++] = (struct slot){ "keyfile", f->keyfile, 3, keys ? keys->keyfile : NULL };
	return n;
}

/* The key for policy "all": every enrolled factor's key, bound together
 * in slot order (for a password and one SSH key, as vaults made when
 * those were the only two have it). */
static void combine(const struct slot *sl, int n, uint8_t out[VAULT_KEYLEN])
{
	crypto_generichash_state st;
	int first = 1;

	for (int i = 0; i < n; i++) {
		if (!sl[i].has)
			continue;
		if (first) {
			crypto_generichash_init(&st, sl[i].k, VAULT_KEYLEN, VAULT_KEYLEN);
			crypto_generichash_update(&st, (const uint8_t *)"sesame/all/v1", 13);
			first = 0;
		} else {
			crypto_generichash_update(&st, sl[i].k, VAULT_KEYLEN);
		}
	}
	crypto_generichash_final(&st, out, VAULT_KEYLEN);
	sodium_memzero(&st, sizeof(st));
}

/* The meta key of an SSH slot's field ("ssh:key", "ssh:key:3"). */
static void ssh_meta(char *out, size_t n, const char *field, int slot)
{
	if (slot)
		snprintf(out, n, "ssh:%s:%d", field, slot);
	else
		snprintf(out, n, "ssh:%s", field);
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
	const int kind_has[VAULT_FACTORS] = { f->password, f->ssh > 0, f->tpm2, f->keyfile };
	struct slot sl[SLOTS];
	uint8_t kdfblob[24], all[VAULT_KEYLEN];
	int ns = slot_list(f, keys, sl), n = 0, bound, r = 0;
	char name[32];

	for (int i = 0; i < ns; i++)
		n += sl[i].has != 0;
	if (!n)
		return fail("vault %s: at least one factor is needed", v->profile);
	for (int i = 0; i < VAULT_MAX_SSH_KEYS; i++)
		if (f->ssh_keys[i].present && !f->ssh_keys[i].len)
			return fail("vault %s: an SSH factor has no key", v->profile);
	bound = f->all && n >= 2;
	for (int i = 0; i < VAULT_FACTORS; i++)
		if (kind_has[i] && data_key[i] && (!data_len[i] || data_len[i] > VAULT_MAX_FACTOR_DATA))
			return fail("vault %s: the %s factor has no data", v->profile, vault_factor_names[i]);
	for (int i = 0; i < ns; i++) {
		snprintf(name, sizeof(name), "wrap:%.11s", sl[i].name);
		if (sl[i].has && !sl[i].k && (bound || !vault_meta_has(v, name)))
			return fail(bound ? "vault %s: policy all needs every factor's key; the %s one is missing" :
				"vault %s: the %s factor's key is missing", v->profile, vault_factor_names[sl[i].kind]);
	}
	r |= vault_meta_put(v, "policy", f->all ? "all" : "any", 3);
	if (f->password && kdf) {
		put_kdf_blob(kdf, kdfblob);
		r |= vault_meta_put(v, "kdf", kdfblob, sizeof(kdfblob));
	}
	for (int i = 0; i < VAULT_FACTORS; i++) {
		snprintf(name, sizeof(name), "factor:%s", vault_factor_names[i]);
		r |= kind_has[i] ? vault_meta_put(v, name, "1", 1) : vault_meta_del(v, name);
		if (data_key[i])
			r |= kind_has[i] ? vault_meta_put(v, data_key[i], data[i], data_len[i]) :
				vault_meta_del(v, data_key[i]);
	}
	for (int i = 0; i < VAULT_MAX_SSH_KEYS; i++) {
		const struct vault_ssh_key *k = &f->ssh_keys[i];
		char kk[24], kn[24], kc[24];

		ssh_meta(kk, sizeof(kk), "key", i), ssh_meta(kn, sizeof(kn), "nonce", i);
		ssh_meta(kc, sizeof(kc), "comment", i);
		if (k->present)
			r |= vault_meta_put(v, kk, k->key, k->len) | vault_meta_put(v, kn, k->nonce, 32) |
				(*k->comment ? vault_meta_put(v, kc, k->comment, strlen(k->comment)) : vault_meta_del(v, kc));
		else
			r |= vault_meta_del(v, kk) | vault_meta_del(v, kn) | vault_meta_del(v, kc);
	}
	if (r)
		return -1;
	if (bound) {
		combine(sl, ns, all);
		r = put_slot(v, "all", all);
		sodium_memzero(all, sizeof(all));
		for (int i = 0; i < ns && r == 0; i++) {
			snprintf(name, sizeof(name), "wrap:%.11s", sl[i].name);
			r = vault_meta_del(v, name);
		}
		return r < 0 ? -1 : 0;
	}
	if (vault_meta_del(v, "wrap:all") < 0)
		return -1;
	for (int i = 0; i < ns; i++) {
		snprintf(name, sizeof(name), "wrap:%.11s", sl[i].name);
		if (!sl[i].has ? vault_meta_del(v, name) < 0 : sl[i].k && put_slot(v, sl[i].name, sl[i].k) < 0)
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
		for (int i = 0; i < VAULT_MAX_SSH_KEYS; i++) {
			struct vault_ssh_key *k = &f->ssh_keys[i];
			char kk[24], kn[24], kc[24];
			size_t cl;

			ssh_meta(kk, sizeof(kk), "key", i), ssh_meta(kn, sizeof(kn), "nonce", i);
			ssh_meta(kc, sizeof(kc), "comment", i);
			if (vault_meta_get_var(v, kk, k->key, sizeof(k->key), &k->len) < 0)
				continue;	/* no key in this slot */
			if (!k->len || vault_meta_get(v, kn, k->nonce, 32) < 0)
				return fail("vault %s: its SSH factor is damaged (slot %d)", v->profile, i);
			if (vault_meta_get_var(v, kc, (uint8_t *)k->comment, sizeof(k->comment) - 1, &cl) == 0)
				k->comment[cl] = 0;
			k->present = 1;
			f->ssh++;
		}
		if (!f->ssh)
			return fail("vault %s: its SSH factor is damaged (no key)", v->profile);
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
	struct slot sl[SLOTS];
	int n = 0, given = -1, ns;

	if (vault_get_factors(v, f) < 0) {
		free(f);
		return NULL;
	}
	ns = slot_list(f, keys, sl);
	for (int i = 0; i < ns; i++)
		n += sl[i].has != 0;
	if (f->all && n >= 2) {
		char need[160] = "";
		int shown[VAULT_FACTORS] = { 0 };

		for (int i = 0; i < ns; i++)
			if (sl[i].has && !shown[sl[i].kind]++)
				snprintf(need + strlen(need), sizeof(need) - strlen(need), "%s%s", *need ? " and " : "",
					sl[i].kind == 1 && f->ssh > 1 ? "each of its SSH keys" : what[sl[i].kind]);
		for (int i = 0; i < ns; i++)
			if (sl[i].has && !sl[i].k) {
				free(f);
				return fail("profile %s needs %s (policy all)", v->profile, need), NULL;
			}
		combine(sl, ns, all);
		key = unwrap_slot(v, "all", all);
		sodium_memzero(all, sizeof(all));
		if (!key)
			fail("profile %s: %s do not open it together (policy all)", v->profile, need);
		free(f);
		return key;
	}
	free(f);
	for (int i = 0; i < ns; i++) {
		if (!sl[i].k || !sl[i].has)
			continue;
		if ((key = unwrap_slot(v, sl[i].name, sl[i].k)))
			return key;
		if (given < 0)
			given = sl[i].kind;
	}
	if (given >= 0)
		return fail(wrong[given], v->profile), NULL;
	for (int i = 0; i < ns; i++)
		if (sl[i].k)
			return fail("profile %s is not protected by %s", v->profile, what[sl[i].kind]), NULL;
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
