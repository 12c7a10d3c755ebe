/* tpm2_session.c - the static build's TPM2 client (tpm2_mini.c): sessions
 * salted to the storage primary key by ECDH on NIST P-256 (KDFe), keyed
 * by KDFa, encrypting the first parameter both ways with AES-128-CFB, and
 * every response's HMAC checked (TPM 2.0 Part 1, 19.6, 21; Part 1, 11.4.10
 * for the KDFs).  The primitives are libraries': SHA-256 and HMAC-SHA-256
 * from libsodium, P-256 and AES from mbed TLS. */
#include "lib/core/util.h"
#include "lib/tpm2/tpm2.h"
#include "lib/tpm2/tpm2_mini.h"

#include <mbedtls/aes.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <sodium.h>

/* KDFa (Part 1, 11.4.10.2) with HMAC-SHA-256, for 256 bits or fewer. */
static void kdfa(const uint8_t *key, size_t keylen, const char *label, const uint8_t *u, size_t ul,
	const uint8_t *v, size_t vl, unsigned bits, uint8_t out[32])
{
	crypto_auth_hmacsha256_state st;
	uint8_t ctr[4], b[4];

	set32(ctr, 1);
	set32(b, bits);
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, ctr, 4);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)label, strlen(label) + 1);
	crypto_auth_hmacsha256_update(&st, u, ul);
	crypto_auth_hmacsha256_update(&st, v, vl);
	crypto_auth_hmacsha256_update(&st, b, 4);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

static int rng(void *ctx, unsigned char *b, size_t n)
{
	(void)ctx;
	randombytes_buf(b, n);
	return 0;
}

/* An ECDH salt for a session (Part 1, C.6.1): a fresh key pair on P-256,
 * the shared point with the primary key, KDFe into the 32-byte seed;
 * the marshalled TPMS_ECC_POINT to send into point. */
static int ecc_salt(const struct tpm *t, uint8_t seed[32], struct out *point)
{
#ifdef TPM2_MINI_FUZZ
	/* The fuzzer's "TPM" has no key: a fixed salt, so the parsing after
	 * it is reached. */
	(void)t;
	memset(seed, 0, 32);
	put16(point, 0);
	return 0;
#endif
	mbedtls_ecp_group g;
	mbedtls_ecp_point q, peer;
	mbedtls_mpi d, z;
	uint8_t zb[32], qx[32], qy[32], ctr[4];
	crypto_hash_sha256_state st;
	int r = -1;

	mbedtls_ecp_group_init(&g);
	mbedtls_ecp_point_init(&q);
	mbedtls_ecp_point_init(&peer);
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&z);
	if (mbedtls_ecp_group_load(&g, MBEDTLS_ECP_DP_SECP256R1) ||
	    mbedtls_mpi_read_binary(&peer.X, t->srk_x, 32) || mbedtls_mpi_read_binary(&peer.Y, t->srk_y, 32) ||
	    mbedtls_mpi_lset(&peer.Z, 1) || mbedtls_ecp_check_pubkey(&g, &peer)) {
		fail("the TPM's storage key is not a P-256 point");
		goto out;
	}
	if (mbedtls_ecp_gen_keypair(&g, &d, &q, rng, NULL) || mbedtls_ecdh_compute_shared(&g, &z, &peer, &d, rng, NULL) ||
	    mbedtls_mpi_write_binary(&z, zb, 32) || mbedtls_mpi_write_binary(&q.X, qx, 32) ||
	    mbedtls_mpi_write_binary(&q.Y, qy, 32)) {
		fail("ECDH with the TPM's storage key failed");
		goto out;
	}
	/* KDFe (Part 1, 11.4.10.3): H(counter || Z || "SECRET\0" || Qe.x || Qs.x). */
	set32(ctr, 1);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, ctr, 4);
	crypto_hash_sha256_update(&st, zb, 32);
	crypto_hash_sha256_update(&st, (const uint8_t *)"SECRET", 7);
	crypto_hash_sha256_update(&st, qx, 32);
	crypto_hash_sha256_update(&st, t->srk_x, 32);
	crypto_hash_sha256_final(&st, seed);
	put16(point, 2 + 32 + 2 + 32);
	put2b(point, qx, 32);
	put2b(point, qy, 32);
	r = 0;
out:
	sodium_memzero(zb, sizeof(zb));
	mbedtls_mpi_free(&d);
	mbedtls_mpi_free(&z);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_point_free(&peer);
	mbedtls_ecp_group_free(&g);
	return r;
}

/* AES-128-CFB over buf in place (Part 1, 21.3): key and IV by KDFa. */
static void cfb(const uint8_t *skey, size_t sklen, const uint8_t *newer, const uint8_t *older, uint8_t *buf,
	size_t n, int enc)
{
	uint8_t kv[32];
	mbedtls_aes_context a;
	size_t off = 0;

	kdfa(skey, sklen, "CFB", newer, 32, older, 32, 256, kv);
	mbedtls_aes_init(&a);
	mbedtls_aes_setkey_enc(&a, kv, 128);
	mbedtls_aes_crypt_cfb128(&a, enc ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT, n, &off, kv + 16, buf, buf);
	mbedtls_aes_free(&a);
	sodium_memzero(kv, sizeof(kv));
}


/* A session salted to the primary key (its handle in s), HMAC or policy. */
int tpm2m_session(struct tpm *t, int type, struct sess *s)
{
	uint8_t seed[32];
	struct out o, point = { .n = 0 };
	struct in i;
	const uint8_t *nt;
	size_t rn, ntl;
	long rc;

	memset(s, 0, sizeof(*s));
	randombytes_buf(s->caller, sizeof(s->caller));
	if (ecc_salt(t, seed, &point) < 0)
		return -1;
	tpm2m_begin(&o, ST_NO_SESSIONS, CC_StartAuthSession);
	put32(&o, t->srk);
	put32(&o, RH_NULL);
	put2b(&o, s->caller, 32);
	put(&o, point.b, point.n);
	put8(&o, (unsigned)type);
	put16(&o, ALG_AES), put16(&o, 128), put16(&o, ALG_CFB);
	put16(&o, ALG_SHA256);
	tpm2m_finish(&o);
	if ((rc = tpm2m_transact(t, &o, &rn)) != 0) {
		sodium_memzero(seed, sizeof(seed));
		return rc < 0 ? -1 : tpm2_fail_rc((uint32_t)rc, "starting a session");
	}
	i = (struct in){ t->resp, rn, 10, 0 };
	s->handle = get32(&i);
	nt = get2b(&i, 32, &ntl);
	if (i.bad || ntl != 32) {
		sodium_memzero(seed, sizeof(seed));
		return fail("the TPM answered a malformed session");
	}
	memcpy(s->tpm, nt, 32);
	kdfa(seed, 32, "ATH", s->tpm, 32, s->caller, 32, 256, s->key);
	sodium_memzero(seed, sizeof(seed));
	return 0;
}

/* The HMAC key: the session key and, where it counts, the entity's
 * authValue (trailing zeros off, Part 1, 19.6.5). */
static size_t hmac_key(const struct sess *s, const uint8_t *auth, size_t alen, uint8_t key[32 + 64])
{
	memcpy(key, s->key, 32);
	while (alen && auth && !auth[alen - 1])
		alen--;
	if (!s->with_auth || !auth)
		alen = 0;
	if (alen)
		memcpy(key + 32, auth, alen);
	return 32 + alen;
}

/* A session's HMAC over a command's cpHash or a response's rpHash (Part 1,
 * 19.6.5): the newer nonce is the sender's (ours for a command, the TPM's
 * for its response). */
static void auth_hmac(const uint8_t *key, size_t klen, const uint8_t hash[32], const uint8_t newer[32],
	const uint8_t older[32], uint8_t attrs, uint8_t out[32])
{
	crypto_auth_hmacsha256_state hs;

	crypto_auth_hmacsha256_init(&hs, key, klen);
	crypto_auth_hmacsha256_update(&hs, hash, 32);
	crypto_auth_hmacsha256_update(&hs, newer, 32);
	crypto_auth_hmacsha256_update(&hs, older, 32);
	crypto_auth_hmacsha256_update(&hs, &attrs, 1);
	crypto_auth_hmacsha256_final(&hs, out);
	sodium_memzero(&hs, sizeof(hs));
}

/* A command authorized by session s (for the entity whose authValue is
 * auth): names are the handles' names (for cpHash).  With ATTR_DECRYPT the
 * first parameter (a TPM2B) goes encrypted; with ATTR_ENCRYPT the first
 * response parameter comes back so, and is decrypted.  The response is
 * authenticated.  0 with the response parameters in *rp (within
 * t->resp) and nh response handles in rh; or the failure. */
int tpm2m_run(struct tpm *t, uint32_t cc, const uint32_t *handles, const uint8_t *const *names,
	const size_t *namelen, int nh, struct sess *s, const uint8_t *auth, size_t alen, unsigned attrs,
	uint8_t *params, size_t plen, int nrh, uint32_t *rh, struct in *rp, const char *what)
{
	crypto_hash_sha256_state st;
	uint8_t cp[32], hmac[32], key[96], cc4[4], rc4[4] = { 0 }, a = (uint8_t)attrs;
	const uint8_t *nt, *rhmac, *rpar;
	size_t klen, rn, ntl, hl, psize;
	struct out o;
	struct in i;
	long rc;

	randombytes_buf(s->caller, 32);
	klen = hmac_key(s, auth, alen, key);
	if ((attrs & ATTR_DECRYPT) && plen >= 2) {
		size_t n = (size_t)(params[0] << 8 | params[1]);

		if (n <= plen - 2)
			cfb(key, klen, s->caller, s->tpm, params + 2, n, 1);
	}
	set32(cc4, cc);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, cc4, 4);
	for (int k = 0; k < nh; k++)
		crypto_hash_sha256_update(&st, names[k], namelen[k]);
	if (plen)
		crypto_hash_sha256_update(&st, params, plen);
	crypto_hash_sha256_final(&st, cp);
	auth_hmac(key, klen, cp, s->caller, s->tpm, a, hmac);

	tpm2m_begin(&o, ST_SESSIONS, cc);
	for (int k = 0; k < nh; k++)
		put32(&o, handles[k]);
	put32(&o, 4 + 2 + 32 + 1 + 2 + 32);
	put32(&o, s->handle);
	put2b(&o, s->caller, 32);
	put8(&o, a);
	put2b(&o, hmac, 32);
	if (plen)
		put(&o, params, plen);
	tpm2m_finish(&o);
	rc = tpm2m_transact(t, &o, &rn);
	sodium_memzero(&o, sizeof(o));
	if (rc != 0) {
		sodium_memzero(key, sizeof(key));
		return rc < 0 ? -1 : tpm2_fail_rc((uint32_t)rc, what);
	}
	i = (struct in){ t->resp, rn, 10, 0 };
	for (int k = 0; k < nrh; k++)
		rh[k] = get32(&i);
	psize = get32(&i);
	rpar = get(&i, psize);
	nt = get2b(&i, 32, &ntl);
	get8(&i);
	rhmac = get2b(&i, 32, &hl);
	if (i.bad || ntl != 32 || hl != 32 || i.pos != rn) {
		sodium_memzero(key, sizeof(key));
		return fail("the TPM answered a malformed response (%s)", what);
	}
	memcpy(s->tpm, nt, 32);
	/* rpHash = H(responseCode || commandCode || parameters). */
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, rc4, 4);
	crypto_hash_sha256_update(&st, cc4, 4);
	crypto_hash_sha256_update(&st, rpar, psize);
	crypto_hash_sha256_final(&st, cp);
	auth_hmac(key, klen, cp, s->tpm, s->caller, t->resp[i.pos - 32 - 2 - 1], hmac);	/* its attributes */
#ifdef TPM2_MINI_FUZZ
	memcpy(hmac, rhmac, 32);	/* the fuzzer cannot forge it: parse what follows anyway */
#endif
	if (sodium_memcmp(hmac, rhmac, 32)) {
		sodium_memzero(key, sizeof(key));
		return fail("the TPM's response does not authenticate (%s): altered on its way?", what);
	}
	if ((attrs & ATTR_ENCRYPT) && psize >= 2) {
		size_t n = (size_t)(rpar[0] << 8 | rpar[1]);

		if (n <= psize - 2)
			cfb(key, klen, s->tpm, s->caller, (uint8_t *)rpar + 2, n, 0);
	}
	sodium_memzero(key, sizeof(key));
	*rp = (struct in){ rpar, psize, 0, 0 };
	return 0;
}

