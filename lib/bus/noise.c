/* noise.c - Noise framework state machines over libsodium primitives.
 * Names follow the specification (CipherState, SymmetricState,
 * HandshakeState; MixKey, MixHash, ...), so the two read side by side. */
#include "lib/bus/noise.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* --- patterns (spec sections 7.4, 7.5, 7.6), in the spec's notation ------
 * pre: which side's static is a pre-message ("i", "r", "ir", "").
 * msgs: messages separated by ';', alternating from the initiator. */
static const struct {
	const char *name, *pre, *msgs;
} patterns[] = {
	{ "N", "r", "e es" },
	{ "K", "ir", "e es ss" },
	{ "X", "r", "e es s ss" },
	{ "NN", "", "e;e ee" },
	{ "NK", "r", "e es;e ee" },
	{ "NX", "", "e;e ee s es" },
	{ "KN", "i", "e;e ee se" },
	{ "KK", "ir", "e es ss;e ee se" },
	{ "KX", "i", "e;e ee se s es" },
	{ "XN", "", "e;e ee;s se" },
	{ "XK", "r", "e es;e ee;s se" },
	{ "XX", "", "e;e ee s es;s se" },
	{ "IN", "", "e s;e ee se" },
	{ "IK", "r", "e es s ss;e ee se" },
	{ "IX", "", "e s;e ee se s es" },
	{ "NK1", "r", "e;e ee es" },
	{ "NX1", "", "e;e ee s;es" },
	{ "X1N", "", "e;e ee;s;se" },
	{ "X1K", "r", "e es;e ee;s;se" },
	{ "XK1", "r", "e;e ee es;s se" },
	{ "X1K1", "r", "e;e ee es;s;se" },
	{ "X1X", "", "e;e ee s es;s;se" },
	{ "XX1", "", "e;e ee s;es s se" },
	{ "X1X1", "", "e;e ee s;es s;se" },
	{ "K1N", "i", "e;e ee;se" },
	{ "K1K", "ir", "e es;e ee;se" },
	{ "KK1", "ir", "e;e ee se es" },
	{ "K1K1", "ir", "e;e ee es;se" },
	{ "K1X", "i", "e;e ee s es;se" },
	{ "KX1", "i", "e;e ee se s;es" },
	{ "K1X1", "i", "e;e ee s;se es" },
	{ "I1N", "", "e s;e ee;se" },
	{ "I1K", "r", "e es s;e ee;se" },
	{ "IK1", "r", "e s;e ee se es" },
	{ "I1K1", "r", "e s;e ee es;se" },
	{ "I1X", "", "e s;e ee s es;se" },
	{ "IX1", "", "e s;e ee se s;es" },
	{ "I1X1", "", "e s;e ee s;se es" },
};

static int token_parse(const char *s, size_t n)
{
	static const char *const names[] = { "e", "s", "ee", "es", "se", "ss", "psk" };

	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strlen(names[i]) == n && !memcmp(s, names[i], n))
			return (int)i;
	return -1;
}

static int add_token(struct noise_protocol *p, int msg, int tok)
{
	if (tok < 0 || msg >= NOISE_MAX_MSGS)
		return fail("noise: bad pattern table entry");
	if (p->ntokens[msg] >= NOISE_MAX_TOKENS)
		return fail("noise: too many tokens in a message");
	p->tokens[msg][p->ntokens[msg]++] = (uint8_t)tok;
	return 0;
}

/* Apply "psk0+psk2"-style modifiers (spec 9.2): psk0 goes first in the
 * first message, pskN last in the Nth. */
static int apply_psks(struct noise_protocol *p, const char *mods)
{
	while (*mods) {
		char *end;
		long n;

		if (strncmp(mods, "psk", 3))
			return fail("noise: unsupported pattern modifier '%s'", mods);
		n = strtol(mods + 3, &end, 10);
		if (end == mods + 3 || n < 0 || n > p->nmsgs || (*end && *end != '+'))
			return fail("noise: bad psk modifier in '%s'", mods);
		if (n == 0) {
			if (p->ntokens[0] >= NOISE_MAX_TOKENS)
				return fail("noise: too many tokens in a message");
			memmove(p->tokens[0] + 1, p->tokens[0], p->ntokens[0]);
			p->tokens[0][0] = NOISE_PSK;
			p->ntokens[0]++;
		} else if (add_token(p, (int)n - 1, NOISE_PSK) < 0) {
			return -1;
		}
		p->npsks++;
		mods = *end ? end + 1 : end;
	}
	return 0;
}

int noise_protocol_parse(const char *name, struct noise_protocol *p)
{
	char buf[96], *part[5], *save = NULL, *mods;
	size_t i, plen;
	int n = 0;

	memset(p, 0, sizeof(*p));
	if (strlen(name) >= sizeof(buf))
		return fail("noise: protocol name too long");
	strcpy(buf, name);
	strcpy(p->name, name);
	for (char *t = strtok_r(buf, "_", &save); t; t = strtok_r(NULL, "_", &save)) {
		if (n == 5)
			return fail("noise: malformed protocol name '%s'", name);
		part[n++] = t;
	}
	if (n != 5 || strcmp(part[0], "Noise"))
		return fail("noise: malformed protocol name '%s'", name);
	if (strcmp(part[2], "25519"))
		return fail("noise: DH '%s' not supported (25519 only)", part[2]);
	if (!strcmp(part[3], "ChaChaPoly"))
		p->cipher = NOISE_CHACHAPOLY;
	else if (!strcmp(part[3], "AESGCM") && crypto_aead_aes256gcm_is_available())
		p->cipher = NOISE_AESGCM;
	else
		return fail("noise: cipher '%s' not supported here", part[3]);
	if (!strcmp(part[4], "BLAKE2b"))
		p->hash = NOISE_BLAKE2B;
	else if (!strcmp(part[4], "SHA256"))
		p->hash = NOISE_SHA256;
	else if (!strcmp(part[4], "SHA512"))
		p->hash = NOISE_SHA512;
	else
		return fail("noise: hash '%s' not supported (BLAKE2b, SHA256, SHA512)", part[4]);

	/* The base pattern is the longest table name that prefixes part[1]
	 * and is followed by nothing or by modifiers. */
	for (i = 0, plen = 0, n = -1; i < ARRAY_LEN(patterns); i++) {
		size_t l = strlen(patterns[i].name);

		if (!strncmp(part[1], patterns[i].name, l) && l > plen &&
		    (part[1][l] == 0 || !strncmp(part[1] + l, "psk", 3)))
			n = (int)i, plen = l;
	}
	if (n < 0)
		return fail("noise: handshake pattern '%s' not supported", part[1]);
	mods = part[1] + plen;
	p->pre_i = strchr(patterns[n].pre, 'i') != NULL;
	p->pre_r = strchr(patterns[n].pre, 'r') != NULL;
	p->one_way = strlen(patterns[n].name) == 1;
	for (const char *s = patterns[n].msgs; ; ) {
		size_t l = strcspn(s, " ;");

		if (l && add_token(p, p->nmsgs, token_parse(s, l)) < 0)
			return -1;
		s += l;
		if (*s == ';' || !*s) {
			p->nmsgs++;
			if (!*s)
				break;
		}
		s++;
	}
	return apply_psks(p, mods);
}

/* --- hash and HMAC ----------------------------------------------------- */

union hash_state {
	crypto_generichash_state b2b;
	crypto_hash_sha256_state s256;
	crypto_hash_sha512_state s512;
};

static size_t hashlen(enum noise_hash h) { return h == NOISE_SHA256 ? 32 : 64; }
static size_t blocklen(enum noise_hash h) { return h == NOISE_SHA256 ? 64 : 128; }

static void h_init(enum noise_hash h, union hash_state *st)
{
	if (h == NOISE_BLAKE2B)
		crypto_generichash_init(&st->b2b, NULL, 0, 64);
	else if (h == NOISE_SHA256)
		crypto_hash_sha256_init(&st->s256);
	else
		crypto_hash_sha512_init(&st->s512);
}

static void h_update(enum noise_hash h, union hash_state *st, const uint8_t *d, size_t n)
{
	if (h == NOISE_BLAKE2B)
		crypto_generichash_update(&st->b2b, d, n);
	else if (h == NOISE_SHA256)
		crypto_hash_sha256_update(&st->s256, d, n);
	else
		crypto_hash_sha512_update(&st->s512, d, n);
}

static void h_final(enum noise_hash h, union hash_state *st, uint8_t *out)
{
	if (h == NOISE_BLAKE2B)
		crypto_generichash_final(&st->b2b, out, 64);
	else if (h == NOISE_SHA256)
		crypto_hash_sha256_final(&st->s256, out);
	else
		crypto_hash_sha512_final(&st->s512, out);
	sodium_memzero(st, sizeof(*st));
}

/* HASH(a || b) */
static void hash2(enum noise_hash h, const uint8_t *a, size_t al, const uint8_t *b, size_t bl,
	uint8_t *out)
{
	union hash_state st;

	h_init(h, &st);
	h_update(h, &st, a, al);
	h_update(h, &st, b, bl);
	h_final(h, &st, out);
}

/* HMAC-HASH(key, a || b), RFC 2104 as the spec defines it (section 4.3):
 * libsodium has HMAC for SHA-2 but not for BLAKE2b, so it is composed
 * here from the hash, the same way for all three. */
static void hmac(enum noise_hash h, const uint8_t *key, size_t keylen,
	const uint8_t *a, size_t al, const uint8_t *b, size_t bl, uint8_t *out)
{
	uint8_t k[128], pad[128], inner[64];
	size_t bs = blocklen(h);
	union hash_state st;

	memset(k, 0, sizeof(k));
	if (keylen > bs)
		hash2(h, key, keylen, NULL, 0, k);
	else
		memcpy(k, key, keylen);
	for (size_t i = 0; i < bs; i++)
		pad[i] = k[i] ^ 0x36;
	h_init(h, &st);
	h_update(h, &st, pad, bs);
	h_update(h, &st, a, al);
	h_update(h, &st, b, bl);
	h_final(h, &st, inner);
	for (size_t i = 0; i < bs; i++)
		pad[i] = k[i] ^ 0x5c;
	hash2(h, pad, bs, inner, hashlen(h), out);
	sodium_memzero(k, sizeof(k));
	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
}

/* HKDF(chaining_key, ikm, n) for n = 2 or 3 (spec 4.3). */
static void hkdf(enum noise_hash h, const uint8_t *ck, const uint8_t *ikm, size_t ikmlen,
	uint8_t *o1, uint8_t *o2, uint8_t *o3)
{
	uint8_t tk[64], one = 1, two = 2, three = 3;
	size_t hl = hashlen(h);

	hmac(h, ck, hl, ikm, ikmlen, NULL, 0, tk);
	hmac(h, tk, hl, &one, 1, NULL, 0, o1);
	hmac(h, tk, hl, o1, hl, &two, 1, o2);
	if (o3)
		hmac(h, tk, hl, o2, hl, &three, 1, o3);
	sodium_memzero(tk, sizeof(tk));
}

/* --- CipherState (spec 5.1) ------------------------------------------- */

static void nonce_bytes(const struct noise_cipherstate *cs, uint64_t n, uint8_t out[12])
{
	memset(out, 0, 12);
	for (int i = 0; i < 8; i++) {
		if (cs->cipher == NOISE_CHACHAPOLY)
			out[4 + i] = (uint8_t)(n >> (8 * i));		/* little-endian */
		else
			out[11 - i] = (uint8_t)(n >> (8 * i));		/* big-endian */
	}
}

static int encrypt_at(const struct noise_cipherstate *cs, uint64_t n, const uint8_t *ad, size_t adlen,
	const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t nonce[12];
	unsigned long long clen;

	nonce_bytes(cs, n, nonce);
	if (cs->cipher == NOISE_CHACHAPOLY)
		return crypto_aead_chacha20poly1305_ietf_encrypt(out, &clen, in, len, ad, adlen,
			NULL, nonce, cs->k);
	return crypto_aead_aes256gcm_encrypt(out, &clen, in, len, ad, adlen, NULL, nonce, cs->k);
}

int noise_encrypt(struct noise_cipherstate *cs, const uint8_t *ad, size_t adlen,
	const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t need = len + (cs->has_key ? NOISE_TAGLEN : 0);

	if (need > cap || need > NOISE_MAX_MESSAGE)
		return fail("noise: message of %zu bytes does not fit", need);
	if (!cs->has_key) {
		memmove(out, in, len);
		*outlen = len;
		return 0;
	}
	if (cs->n == UINT64_MAX)
		return fail("noise: nonces exhausted; the session must end");
	if (encrypt_at(cs, cs->n, ad, adlen, in, len, out) != 0)
		return fail("noise: encryption failed");
	cs->n++;
	*outlen = need;
	return 0;
}

int noise_decrypt(struct noise_cipherstate *cs, const uint8_t *ad, size_t adlen,
	const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	uint8_t nonce[12];
	unsigned long long plen;
	int r;

	if (len > NOISE_MAX_MESSAGE)
		return fail("noise: message of %zu bytes is too long", len);
	if (!cs->has_key) {
		if (len > cap)
			return fail("noise: message of %zu bytes does not fit", len);
		memmove(out, in, len);
		*outlen = len;
		return 0;
	}
	if (len < NOISE_TAGLEN || len - NOISE_TAGLEN > cap)
		return fail("noise: message of %zu bytes is malformed or does not fit", len);
	if (cs->n == UINT64_MAX)
		return fail("noise: nonces exhausted; the session must end");
	nonce_bytes(cs, cs->n, nonce);
	if (cs->cipher == NOISE_CHACHAPOLY)
		r = crypto_aead_chacha20poly1305_ietf_decrypt(out, &plen, NULL, in, len, ad, adlen, nonce, cs->k);
	else
		r = crypto_aead_aes256gcm_decrypt(out, &plen, NULL, in, len, ad, adlen, nonce, cs->k);
	if (r != 0)
		return fail("noise: message failed authentication");
	cs->n++;
	*outlen = (size_t)plen;
	return 0;
}

int noise_rekey(struct noise_cipherstate *cs)
{
	uint8_t zeros[NOISE_KEYLEN] = { 0 }, out[NOISE_KEYLEN + NOISE_TAGLEN];

	if (!cs->has_key)
		return fail("noise: rekey without a key");
	if (encrypt_at(cs, UINT64_MAX, NULL, 0, zeros, sizeof(zeros), out) != 0)
		return fail("noise: rekey failed");
	memcpy(cs->k, out, NOISE_KEYLEN);
	sodium_memzero(out, sizeof(out));
	return 0;
}

void noise_cipherstate_wipe(struct noise_cipherstate *cs)
{
	sodium_memzero(cs, sizeof(*cs));
}

static void initialize_key(struct noise_cipherstate *cs, const uint8_t *k)
{
	memcpy(cs->k, k, NOISE_KEYLEN);
	cs->n = 0;
	cs->has_key = 1;
}

/* --- SymmetricState and HandshakeState (spec 5.2, 5.3) ----------------- */

struct noise_handshake {
	struct noise_protocol p;
	struct noise_cipherstate cs;
	uint8_t ck[NOISE_MAX_HASHLEN], h[NOISE_MAX_HASHLEN];
	size_t hl;
	uint8_t s[NOISE_DHLEN], s_pub[NOISE_DHLEN], e[NOISE_DHLEN], e_pub[NOISE_DHLEN];
	uint8_t rs[NOISE_DHLEN], re[NOISE_DHLEN];
	int has_s, has_e, has_rs, has_re, started;
	uint8_t psks[NOISE_MAX_MSGS][NOISE_KEYLEN];
	int npsks, next_psk;
	int initiator, msg;	/* msg: index of the next handshake message */
	int failed;
};

static void mix_hash(struct noise_handshake *hs, const uint8_t *d, size_t n)
{
	hash2(hs->p.hash, hs->h, hs->hl, d, n, hs->h);
}

static void mix_key(struct noise_handshake *hs, const uint8_t *ikm, size_t n)
{
	uint8_t k[NOISE_MAX_HASHLEN];

	hkdf(hs->p.hash, hs->ck, ikm, n, hs->ck, k, NULL);
	initialize_key(&hs->cs, k);
	sodium_memzero(k, sizeof(k));
}

static void mix_key_and_hash(struct noise_handshake *hs, const uint8_t *ikm, size_t n)
{
	uint8_t th[NOISE_MAX_HASHLEN], k[NOISE_MAX_HASHLEN];

	hkdf(hs->p.hash, hs->ck, ikm, n, hs->ck, th, k);
	mix_hash(hs, th, hs->hl);
	initialize_key(&hs->cs, k);
	sodium_memzero(th, sizeof(th));
	sodium_memzero(k, sizeof(k));
}

static int encrypt_and_hash(struct noise_handshake *hs, const uint8_t *in, size_t len,
	uint8_t *out, size_t cap, size_t *outlen)
{
	if (noise_encrypt(&hs->cs, hs->h, hs->hl, in, len, out, cap, outlen) < 0)
		return -1;
	mix_hash(hs, out, *outlen);
	return 0;
}

static int decrypt_and_hash(struct noise_handshake *hs, const uint8_t *in, size_t len,
	uint8_t *out, size_t cap, size_t *outlen)
{
	uint8_t h[NOISE_MAX_HASHLEN];

	/* The hash covers the ciphertext; keep it, `in` may alias `out`. */
	hash2(hs->p.hash, hs->h, hs->hl, in, len, h);
	if (noise_decrypt(&hs->cs, hs->h, hs->hl, in, len, out, cap, outlen) < 0)
		return -1;
	memcpy(hs->h, h, hs->hl);
	return 0;
}

void noise_keypair(uint8_t priv[NOISE_DHLEN], uint8_t pub[NOISE_DHLEN])
{
	randombytes_buf(priv, NOISE_DHLEN);
	crypto_scalarmult_curve25519_base(pub, priv);
}

struct noise_handshake *noise_handshake_new(const struct noise_protocol *p, int initiator,
	const uint8_t *prologue, size_t prologue_len)
{
	struct noise_handshake *hs = secmem_alloc(sizeof(*hs));
	size_t nl = strlen(p->name);

	if (!hs)
		return NULL;
	hs->p = *p;
	hs->initiator = initiator;
	hs->cs.cipher = p->cipher;
	hs->hl = hashlen(p->hash);
	/* InitializeSymmetric(protocol_name) */
	if (nl <= hs->hl)
		memcpy(hs->h, p->name, nl);
	else
		hash2(p->hash, (const uint8_t *)p->name, nl, NULL, 0, hs->h);
	memcpy(hs->ck, hs->h, hs->hl);
	mix_hash(hs, prologue, prologue_len);
	return hs;
}

void noise_handshake_free(struct noise_handshake *hs)
{
	secmem_free(hs); /* wipes */
}

/* A key pair into (dpriv, dpub); the public half derived unless given. */
static int set_keypair(struct noise_handshake *hs, uint8_t *dpriv, uint8_t *dpub, int *has,
	const uint8_t *priv, const uint8_t *pub)
{
	if (hs->started)
		return fail("noise: keys must be set before the first message");
	memcpy(dpriv, priv, NOISE_DHLEN);
	if (pub)
		memcpy(dpub, pub, NOISE_DHLEN);
	else
		crypto_scalarmult_curve25519_base(dpub, dpriv);
	*has = 1;
	return 0;
}

int noise_set_static(struct noise_handshake *hs, const uint8_t priv[NOISE_DHLEN],
	const uint8_t *pub)
{
	return set_keypair(hs, hs->s, hs->s_pub, &hs->has_s, priv, pub);
}

int noise_set_ephemeral(struct noise_handshake *hs, const uint8_t priv[NOISE_DHLEN],
	const uint8_t *pub)
{
	return set_keypair(hs, hs->e, hs->e_pub, &hs->has_e, priv, pub);
}

int noise_make_ephemeral(struct noise_handshake *hs)
{
	if (hs->started)
		return fail("noise: keys must be set before the first message");
	noise_keypair(hs->e, hs->e_pub);
	hs->has_e = 1;
	return 0;
}

int noise_set_remote_static(struct noise_handshake *hs, const uint8_t pub[NOISE_DHLEN])
{
	if (hs->started)
		return fail("noise: keys must be set before the first message");
	memcpy(hs->rs, pub, NOISE_DHLEN);
	hs->has_rs = 1;
	return 0;
}

uint8_t *noise_psk_slot(struct noise_handshake *hs)
{
	if (hs->started)
		return fail("noise: keys must be set before the first message"), NULL;
	if (hs->npsks >= NOISE_MAX_MSGS)
		return fail("noise: too many psks"), NULL;
	return hs->psks[hs->npsks++];
}

int noise_add_psk(struct noise_handshake *hs, const uint8_t psk[NOISE_KEYLEN])
{
	uint8_t *slot = noise_psk_slot(hs);

	if (!slot)
		return -1;
	memcpy(slot, psk, NOISE_KEYLEN);
	return 0;
}

/* Pre-messages are hashed on the first message, once keys are set. */
static int start(struct noise_handshake *hs)
{
	int i_known = hs->initiator ? hs->has_s : hs->has_rs;
	int r_known = hs->initiator ? hs->has_rs : hs->has_s;

	if (hs->started)
		return 0;
	if (hs->p.npsks > hs->npsks)
		return fail("noise: pattern needs %d psks, %d given", hs->p.npsks, hs->npsks);
	if (hs->p.pre_i) {
		if (!i_known)
			return fail("noise: the initiator's static key must be known beforehand");
		mix_hash(hs, hs->initiator ? hs->s_pub : hs->rs, NOISE_DHLEN);
	}
	if (hs->p.pre_r) {
		if (!r_known)
			return fail("noise: the responder's static key must be known beforehand");
		mix_hash(hs, hs->initiator ? hs->rs : hs->s_pub, NOISE_DHLEN);
	}
	hs->started = 1;
	return 0;
}

int noise_handshake_done(const struct noise_handshake *hs)
{
	return hs->msg >= hs->p.nmsgs;
}

int noise_my_turn(const struct noise_handshake *hs)
{
	return !noise_handshake_done(hs) && (hs->msg % 2 == 0) == (hs->initiator != 0);
}

/* DH for a token, from this side's point of view. */
static int dh_token(struct noise_handshake *hs, int tok)
{
	const uint8_t *priv, *pub;
	int mine_e, theirs_e, ok_keys;
	uint8_t out[NOISE_DHLEN];

	/* es: initiator's e with responder's s; se: initiator's s with
	 * responder's e.  The letters name initiator then responder. */
	switch (tok) {
	case NOISE_EE: mine_e = 1, theirs_e = 1; break;
	case NOISE_SS: mine_e = 0, theirs_e = 0; break;
	case NOISE_ES: mine_e = hs->initiator, theirs_e = !hs->initiator; break;
	default: /* NOISE_SE */ mine_e = !hs->initiator, theirs_e = hs->initiator; break;
	}
	priv = mine_e ? hs->e : hs->s;
	pub = theirs_e ? hs->re : hs->rs;
	ok_keys = (mine_e ? hs->has_e : hs->has_s) && (theirs_e ? hs->has_re : hs->has_rs);
	if (!ok_keys)
		return fail("noise: a key needed for a DH is missing");
	if (crypto_scalarmult_curve25519(out, priv, pub) != 0)
		return fail("noise: DH with a low-order public key refused");
	mix_key(hs, out, sizeof(out));
	sodium_memzero(out, sizeof(out));
	return 0;
}

static int next_psk(struct noise_handshake *hs)
{
	if (hs->next_psk >= hs->npsks)
		return fail("noise: psk missing");
	mix_key_and_hash(hs, hs->psks[hs->next_psk++], NOISE_KEYLEN);
	return 0;
}

/* Tokens the writer and the reader process alike: psk and the DHs. */
static int common_token(struct noise_handshake *hs, int tok)
{
	return tok == NOISE_PSK ? next_psk(hs) : dh_token(hs, tok);
}

static int fail_state(struct noise_handshake *hs)
{
	hs->failed = 1; /* a failed handshake cannot be resumed */
	return -1;
}

int noise_write_message(struct noise_handshake *hs, const uint8_t *payload, size_t plen,
	uint8_t *out, size_t cap, size_t *outlen)
{
	size_t len = 0, n;
	int m = hs->msg;

	if (hs->failed)
		return fail("noise: handshake already failed");
	if (!noise_my_turn(hs))
		return fail("noise: not this side's turn to write");
	if (start(hs) < 0)
		return fail_state(hs);
	if (cap > NOISE_MAX_MESSAGE)
		cap = NOISE_MAX_MESSAGE;
	for (int i = 0; i < hs->p.ntokens[m]; i++) {
		int tok = hs->p.tokens[m][i];

		switch (tok) {
		case NOISE_E:
			if (!hs->has_e)
				noise_keypair(hs->e, hs->e_pub), hs->has_e = 1;
			if (cap - len < NOISE_DHLEN)
				return fail("noise: message does not fit"), fail_state(hs);
			memcpy(out + len, hs->e_pub, NOISE_DHLEN);
			len += NOISE_DHLEN;
			mix_hash(hs, hs->e_pub, NOISE_DHLEN);
			if (hs->p.npsks)
				mix_key(hs, hs->e_pub, NOISE_DHLEN);
			break;
		case NOISE_S:
			if (!hs->has_s)
				return fail("noise: no static key to send"), fail_state(hs);
			if (encrypt_and_hash(hs, hs->s_pub, NOISE_DHLEN, out + len, cap - len, &n) < 0)
				return fail_state(hs);
			len += n;
			break;
		default:
			if (common_token(hs, tok) < 0)
				return fail_state(hs);
		}
	}
	if (encrypt_and_hash(hs, payload, plen, out + len, cap - len, &n) < 0)
		return fail_state(hs);
	*outlen = len + n;
	hs->msg++;
	return 0;
}

int noise_read_message(struct noise_handshake *hs, const uint8_t *msg, size_t mlen,
	uint8_t *out, size_t cap, size_t *outlen)
{
	size_t off = 0, n;
	int m = hs->msg;

	if (hs->failed)
		return fail("noise: handshake already failed");
	if (noise_handshake_done(hs) || noise_my_turn(hs))
		return fail("noise: not this side's turn to read");
	if (mlen > NOISE_MAX_MESSAGE)
		return fail("noise: message of %zu bytes is too long", mlen), fail_state(hs);
	if (start(hs) < 0)
		return fail_state(hs);
	for (int i = 0; i < hs->p.ntokens[m]; i++) {
		int tok = hs->p.tokens[m][i];

		switch (tok) {
		case NOISE_E:
			if (mlen - off < NOISE_DHLEN)
				return fail("noise: handshake message too short"), fail_state(hs);
			memcpy(hs->re, msg + off, NOISE_DHLEN);
			hs->has_re = 1;
			off += NOISE_DHLEN;
			mix_hash(hs, hs->re, NOISE_DHLEN);
			if (hs->p.npsks)
				mix_key(hs, hs->re, NOISE_DHLEN);
			break;
		case NOISE_S: {
			size_t want = NOISE_DHLEN + (hs->cs.has_key ? NOISE_TAGLEN : 0);

			if (mlen - off < want)
				return fail("noise: handshake message too short"), fail_state(hs);
			if (decrypt_and_hash(hs, msg + off, want, hs->rs, NOISE_DHLEN, &n) < 0)
				return fail_state(hs);
			hs->has_rs = 1;
			off += want;
			break;
		}
		default:
			if (common_token(hs, tok) < 0)
				return fail_state(hs);
		}
	}
	if (decrypt_and_hash(hs, msg + off, mlen - off, out, cap, outlen) < 0)
		return fail_state(hs);
	hs->msg++;
	return 0;
}

int noise_split(struct noise_handshake *hs, struct noise_cipherstate *send,
	struct noise_cipherstate *recv)
{
	uint8_t k1[NOISE_MAX_HASHLEN], k2[NOISE_MAX_HASHLEN];
	struct noise_cipherstate c1 = { .cipher = hs->p.cipher }, c2 = { .cipher = hs->p.cipher };

	if (!noise_handshake_done(hs) || hs->failed)
		return fail("noise: split before the handshake is complete");
	hkdf(hs->p.hash, hs->ck, NULL, 0, k1, k2, NULL);
	initialize_key(&c1, k1);
	initialize_key(&c2, k2);
	if (hs->initiator) {
		*send = c1;
		*recv = c2;
	} else {
		*send = c2;
		*recv = c1;
	}
	if (hs->p.one_way)	/* one-way: only initiator -> responder */
		noise_cipherstate_wipe(hs->initiator ? recv : send);
	send->cipher = recv->cipher = hs->p.cipher;
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));
	noise_cipherstate_wipe(&c1);
	noise_cipherstate_wipe(&c2);
	return 0;
}

const uint8_t *noise_handshake_hash(const struct noise_handshake *hs, size_t *len)
{
	*len = hs->hl;
	return hs->h;
}

const uint8_t *noise_remote_static(const struct noise_handshake *hs)
{
	return hs->has_rs ? hs->rs : NULL;
}
