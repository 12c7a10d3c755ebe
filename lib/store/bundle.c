/* bundle.c - provisioning bundles (bundle.h). */
#include "lib/store/bundle.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "sesame-bundle"
#define INNER "sesame-bundle-v1"
#define SIGNED (crypto_sign_PUBLICKEYBYTES + crypto_sign_BYTES)

static void put(uint8_t *p, uint64_t v, int bytes)
{
	for (int k = bytes - 1; k >= 0; k--)
		*p++ = (uint8_t)(v >> (8 * k));
}

static uint64_t get(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | *p++;
	return v;
}

uint8_t *bundle_seal(const struct bundle *b, const uint8_t sk[crypto_sign_SECRETKEYBYTES], size_t *len)
{
	const struct backup *s = &b->secrets;
	size_t pl = strlen(s->profile), inner = 16 + 8 + 8 + 32 + 1 + pl + 4, o, total;
	uint8_t *p, *out;

	for (size_t i = 0; i < s->n; i++)
		inner += 2 + strlen(s->s[i].name) + 4 + s->s[i].len;
	total = SIGNED + inner;
	if (14 + crypto_box_SEALBYTES + total > BUNDLE_MAX_FILE)
		return fail("the bundle would be larger than %u MiB", BUNDLE_MAX_FILE >> 20), NULL;
	if (!(p = secmem_alloc(total)))
		return fail("out of secure memory"), NULL;
	memcpy(p, sk + 32, 32);		/* an Ed25519 secret key ends with its public key */
	o = SIGNED;
	memcpy(p + o, INNER, 16), o += 16;
	put(p + o, b->serial, 8), o += 8;
	put(p + o, b->created, 8), o += 8;
	memcpy(p + o, b->device, 32), o += 32;
	p[o++] = (uint8_t)pl;
	memcpy(p + o, s->profile, pl), o += pl;
	put(p + o, s->n, 4), o += 4;
	for (size_t i = 0; i < s->n; i++) {
		size_t nl = strlen(s->s[i].name);

		put(p + o, nl, 2), o += 2;
		memcpy(p + o, s->s[i].name, nl), o += nl;
		put(p + o, s->s[i].len, 4), o += 4;
		memcpy(p + o, s->s[i].value, s->s[i].len), o += s->s[i].len;
	}
	crypto_sign_detached(p + 32, NULL, p + SIGNED, inner, sk);
	if (!(out = malloc(14 + crypto_box_SEALBYTES + total))) {
		secmem_free(p);
		return fail("out of memory"), NULL;
	}
	memcpy(out, MAGIC, 13);
	out[13] = 1;
	if (crypto_box_seal(out + 14, p, total, b->device) != 0) {
		secmem_free(p);
		free(out);
		return fail("the device's public key is not usable"), NULL;
	}
	secmem_free(p);
	*len = 14 + crypto_box_SEALBYTES + total;
	return out;
}

int bundle_inner(const uint8_t *p, size_t len, struct bundle *b)
{
	size_t o = 16 + 8 + 8 + 32, pl;
	uint32_t n;

	memset(&b->secrets, 0, sizeof(b->secrets));
	if (len < o + 1 + 4 || memcmp(p, INNER, 16) || (pl = p[o]) < 1 || pl > PROFILE_MAX || len - o - 1 < pl + 4)
		return fail("the bundle's contents are damaged (header)");
	b->serial = get(p + 16, 8);
	b->created = get(p + 24, 8);
	memcpy(b->device, p + 32, 32);
	memcpy(b->secrets.profile, p + o + 1, pl);
	b->secrets.profile[pl] = 0;
	if (!profile_name_valid(b->secrets.profile))
		return fail("the bundle's profile is no profile name");
	o += 1 + pl;
	n = (uint32_t)get(p + o, 4), o += 4;
	for (uint32_t i = 0; i < n; i++) {
		char name[VAULT_MAX_NAME + 1];
		size_t nl, vl;

		if (len - o < 2 || (nl = (size_t)get(p + o, 2)) < 1 || nl > VAULT_MAX_NAME || len - o - 2 < nl + 4)
			goto bad;
		memcpy(name, p + o + 2, nl);
		name[nl] = 0;
		o += 2 + nl;
		vl = (size_t)get(p + o, 4), o += 4;
		if (vl > len - o || vl > VAULT_MAX_VALUE || memchr(name, 0, nl) || !secret_name_valid(name))
			goto bad;
		for (size_t k = 0; k < b->secrets.n; k++)
			if (!strcmp(b->secrets.s[k].name, name))
				goto bad;
		if (backup_add(&b->secrets, name, p + o, vl) < 0) {
			backup_free(&b->secrets);
			return -1;
		}
		o += vl;
	}
	if (o == len)
		return 0;
bad:
	backup_free(&b->secrets);
	return fail("the bundle's contents are damaged (a secret)");
}

int bundle_open(const uint8_t *f, size_t len, const uint8_t pk[crypto_box_PUBLICKEYBYTES],
	const uint8_t sk[crypto_box_SECRETKEYBYTES], struct bundle *b)
{
	size_t total;
	uint8_t *p;

	memset(b, 0, sizeof(*b));
	if (len < 14 + crypto_box_SEALBYTES + SIGNED || len > BUNDLE_MAX_FILE || memcmp(f, MAGIC, 13))
		return fail("not a sesame bundle");
	if (f[13] != 1)
		return fail("a bundle of version %u: this sesame reads version 1", f[13]);
	total = len - 14 - crypto_box_SEALBYTES;
	if (!(p = secmem_alloc(total)))
		return fail("out of secure memory");
	if (crypto_box_seal_open(p, f + 14, len - 14, pk, sk) != 0) {
		secmem_free(p);
		return fail("this bundle is not for this device (its key does not open it), or it was changed");
	}
	memcpy(b->signer, p, 32);
	if (crypto_sign_verify_detached(p + 32, p + SIGNED, total - SIGNED, b->signer) != 0) {
		secmem_free(p);
		return fail("the bundle's signature does not verify: it was changed after it was signed");
	}
	if (bundle_inner(p + SIGNED, total - SIGNED, b) < 0) {
		secmem_free(p);
		return -1;
	}
	secmem_free(p);
	if (sodium_memcmp(b->device, pk, 32) != 0) {
		bundle_free(b);
		return fail("the bundle was signed for another device and sealed to this one: refused");
	}
	return 0;
}

void bundle_free(struct bundle *b)
{
	backup_free(&b->secrets);
}
