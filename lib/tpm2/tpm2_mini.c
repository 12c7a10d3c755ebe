/* tpm2_mini.c - the TPM2 factor without tpm2-tss (tpm2.h), for the static
 * build: the dozen TPM 2.0 commands sesame sends, marshalled here, over
 * /dev/tpmrm0 or a swtpm's TCP socket.  The same objects as tpm2.c makes
 * (the SRK template, the sealed object and its policy), so a vault sealed
 * by one opens with the other.
 *
 * This file: the objects (the primary key, the sealed object, its policy)
 * and tpm2.h's functions.  tpm2_link.c holds the connection, every read
 * bounded by the time left of TPM2_TIMEOUT_MS; tpm2_session.c the
 * sessions, salted to the primary by ECDH and encrypting the secret both
 * ways, with mbed TLS's P-256 and AES (vendored, vendor/pins). */
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/tpm2/tpm2.h"
#include "lib/tpm2/tpm2_mini.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tpm2_available(void)
{
	return 1;
}

static void pcr_selection(struct out *o, uint32_t mask)
{
	put32(o, 1);
	put16(o, ALG_SHA256);
	put8(o, 3);
	put8(o, mask & 0xff), put8(o, mask >> 8 & 0xff), put8(o, mask >> 16 & 0xff);
}

/* The storage primary key, made from the SRK template with the owner
 * hierarchy's (empty) password; its public point and name kept. */
static int make_primary(struct tpm *t)
{
	struct out o, p;
	struct in i;
	const uint8_t *x, *y, *name;
	size_t rn, xl, yl, nl, l;
	long rc;

	/* TPMT_PUBLIC of the template, as a TPM2B. */
	p.n = 0, p.over = 0;
	put16(&p, ALG_ECC), put16(&p, ALG_SHA256);
	put32(&p, OBJ_FIXEDTPM | OBJ_FIXEDPARENT | OBJ_SENSITIVEDATAORIGIN | OBJ_USERWITHAUTH | OBJ_NODA |
		OBJ_RESTRICTED | OBJ_DECRYPT);
	put16(&p, 0);					/* authPolicy */
	put16(&p, ALG_AES), put16(&p, 128), put16(&p, ALG_CFB);	/* symmetric */
	put16(&p, ALG_NULL);				/* scheme */
	put16(&p, ECC_NIST_P256);
	put16(&p, ALG_NULL);				/* kdf */
	put2b(&p, (const uint8_t[32]){ 0 }, 32);	/* unique.x */
	put2b(&p, (const uint8_t[32]){ 0 }, 32);	/* unique.y */

	tpm2m_begin(&o, ST_SESSIONS, CC_CreatePrimary);
	put32(&o, RH_OWNER);
	put32(&o, 9);					/* a password session, empty */
	put32(&o, RS_PW), put16(&o, 0), put8(&o, 0), put16(&o, 0);
	put16(&o, 4), put16(&o, 0), put16(&o, 0);	/* inSensitive: no userAuth, no data */
	put2b(&o, p.b, p.n);
	put16(&o, 0);					/* outsideInfo */
	put32(&o, 0);					/* creationPCR */
	tpm2m_finish(&o);
	if ((rc = tpm2m_transact(t, &o, &rn)) != 0)
		return rc < 0 ? -1 : tpm2_fail_rc((uint32_t)rc, "making the storage primary key (is the owner "
			"hierarchy's password empty?)");
	i = (struct in){ t->resp, rn, 10, 0 };
	t->srk = get32(&i);
	get32(&i);					/* parameterSize */
	l = get16(&i);					/* outPublic */
	{
		struct in pub = { get(&i, l), l, 0, 0 };

		if (i.bad)
			return fail("the TPM answered a malformed primary key");
		if (get16(&pub) != ALG_ECC)
			pub.bad = 1;
		get16(&pub), get32(&pub);
		get2b(&pub, 64, &xl);			/* authPolicy */
		if (get16(&pub) == ALG_AES)
			get16(&pub), get16(&pub);
		if (get16(&pub) != ALG_NULL)
			get16(&pub);
		get16(&pub);				/* curve */
		if (get16(&pub) != ALG_NULL)
			get16(&pub);
		x = get2b(&pub, 32, &xl);
		y = get2b(&pub, 32, &yl);
		if (pub.bad || xl != 32 || yl != 32)
			return fail("the TPM's storage primary key is not the P-256 key asked for");
		memcpy(t->srk_x, x, 32);
		memcpy(t->srk_y, y, 32);
	}
	get2b(&i, MAX_MSG, &l);				/* creationData */
	get2b(&i, 64, &l);				/* creationHash */
	get16(&i), get32(&i), get2b(&i, 64, &l);	/* creationTicket */
	name = get2b(&i, sizeof(t->srk_name), &nl);
	if (i.bad || nl != 34)
		return fail("the TPM answered a malformed primary key");
	memcpy(t->srk_name, name, 34);
	return 0;
}

static void tpm_close(struct tpm *t);

static int tpm_open(struct tpm *t)
{
	if (tpm2m_connect(t) < 0) {
		if (t->fd >= 0)
			close(t->fd);
		return -1;
	}
	if (make_primary(t) < 0) {
		tpm_close(t);
		return -1;
	}
	return 0;
}

static void tpm_close(struct tpm *t)
{
	if (t->srk)
		tpm2m_flush(t, t->srk);
	if (t->fd >= 0)
		close(t->fd);
	sodium_memzero(t->resp, sizeof(t->resp));
	t->fd = -1;
}

/* The SHA-256 values of the PCRs in mask into values[PCR]. */
static int read_pcrs(struct tpm *t, uint32_t mask, uint8_t values[TPM2_MAX_PCR][32])
{
	while (mask) {
		struct out o;
		struct in i;
		size_t rn;
		long rc;
		uint32_t done = 0, nsel, ndig;
		unsigned sel[3] = { 0, 0, 0 }, sz = 0;
		int k = 0;

		tpm2m_begin(&o, ST_NO_SESSIONS, CC_PCR_Read);
		pcr_selection(&o, mask);
		tpm2m_finish(&o);
		if ((rc = tpm2m_transact(t, &o, &rn)) != 0)
			return rc < 0 ? -1 : tpm2_fail_rc((uint32_t)rc, "reading the PCRs");
		i = (struct in){ t->resp, rn, 10, 0 };
		get32(&i);				/* pcrUpdateCounter */
		nsel = get32(&i);
		for (uint32_t n = 0; n < nsel && !i.bad; n++) {
			unsigned hash = get16(&i), size = get8(&i);

			for (unsigned b = 0; b < size; b++) {
				unsigned v = get8(&i);

				if (hash == ALG_SHA256 && b < 3)
					sel[b] = v, sz = size;
			}
		}
		ndig = get32(&i);
		for (int p = 0; p < TPM2_MAX_PCR && p / 8 < (int)sz && !i.bad; p++) {
			const uint8_t *d;
			size_t dl;

			if (!(sel[p / 8] >> (p % 8) & 1))
				continue;
			if ((uint32_t)k++ >= ndig || !(d = get2b(&i, 64, &dl)) || dl != 32) {
				i.bad = 1;
				break;
			}
			memcpy(values[p], d, 32);
			done |= 1u << p;
		}
		if (i.bad)
			return fail("the TPM answered a malformed PCR reading");
		if (!(done & mask))
			return fail("the TPM has no SHA-256 bank for PCRs it was asked (tpm2_pcrallocate)");
		mask &= ~done;
	}
	return 0;
}

static void pcr_digest(const struct tpm2_sealed *s, uint8_t d[32])
{
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	for (int i = 0; i < TPM2_MAX_PCR; i++)
		if (s->pcrs >> i & 1)
			crypto_hash_sha256_update(&st, s->values[i], 32);
	crypto_hash_sha256_final(&st, d);
}

/* The policy digest of PolicyPCR (if PCRs) then PolicyAuthValue (if a
 * PIN), as a trial session would give it (Part 3, 23.7 and 23.17). */
static void policy_digest(const struct tpm2_sealed *s, uint8_t out[32])
{
	crypto_hash_sha256_state st;
	uint8_t d[32], cc[4];
	struct out sel = { .n = 0 };

	memset(out, 0, 32);
	if (s->pcrs) {
		pcr_digest(s, d);
		pcr_selection(&sel, s->pcrs);
		set32(cc, CC_PolicyPCR);
		crypto_hash_sha256_init(&st);
		crypto_hash_sha256_update(&st, out, 32);
		crypto_hash_sha256_update(&st, cc, 4);
		crypto_hash_sha256_update(&st, sel.b, sel.n);
		crypto_hash_sha256_update(&st, d, 32);
		crypto_hash_sha256_final(&st, out);
	}
	if (s->pin) {
		set32(cc, CC_PolicyAuthValue);
		crypto_hash_sha256_init(&st);
		crypto_hash_sha256_update(&st, out, 32);
		crypto_hash_sha256_update(&st, cc, 4);
		crypto_hash_sha256_final(&st, out);
	}
}

static int do_changed(struct tpm *t, const struct tpm2_sealed *s, uint32_t *changed)
{
	static uint8_t now[TPM2_MAX_PCR][32];

	*changed = 0;
	if (s->pcrs && read_pcrs(t, s->pcrs, now) < 0)
		return -1;
	for (int i = 0; i < TPM2_MAX_PCR; i++)
		if (s->pcrs >> i & 1 && memcmp(now[i], s->values[i], 32))
			*changed |= 1u << i;
	return 0;
}

int tpm2_pcrs_changed(const struct tpm2_sealed *s, uint32_t *changed)
{
	struct tpm t;
	int r;

	*changed = 0;
	if (!s->pcrs)
		return 0;
	if (tpm2m_connect(&t) < 0) {
		if (t.fd >= 0)
			close(t.fd);
		return -1;
	}
	r = do_changed(&t, s, changed);
	tpm_close(&t);
	return r;
}

int tpm2_seal(struct tpm2_sealed *s, int values_given, const uint8_t *pin, size_t pinlen, uint8_t *secret)
{
	const uint8_t *names[1];
	size_t nl[1] = { 34 }, l;
	uint8_t pol[32];
	struct out *p = xmalloc(sizeof(*p));	/* holds the secret: wiped below */
	struct out pub = { .n = 0 };
	struct sess ss;
	struct in r;
	const uint8_t *priv, *pb;
	struct tpm t;
	int rc = -1;

	s->pin = pin != NULL;
	if (pinlen > 32)
		return free(p), fail("a TPM2 PIN is at most 32 bytes");
	if (tpm_open(&t) < 0)
		return free(p), -1;
	if (s->pcrs && !values_given && read_pcrs(&t, s->pcrs, s->values) < 0)
		goto out;
	/* The sealed object's template. */
	put16(&pub, ALG_KEYEDHASH), put16(&pub, ALG_SHA256);
	put32(&pub, OBJ_FIXEDTPM | OBJ_FIXEDPARENT | (s->pcrs || s->pin ? 0 : OBJ_USERWITHAUTH) |
		(s->pin ? 0 : OBJ_NODA));
	if (s->pcrs || s->pin) {
		policy_digest(s, pol);
		put2b(&pub, pol, 32);
	} else {
		put16(&pub, 0);
	}
	put16(&pub, ALG_NULL);				/* keyedHash scheme */
	put16(&pub, 0);					/* unique */
	randombytes_buf(secret, TPM2_SECRET_LEN);
	p->n = 0, p->over = 0;
	put16(p, 2 + pinlen + 2 + TPM2_SECRET_LEN);	/* inSensitive */
	put2b(p, pin, pinlen);
	put2b(p, secret, TPM2_SECRET_LEN);
	put2b(p, pub.b, pub.n);				/* inPublic */
	put16(p, 0);					/* outsideInfo */
	put32(p, 0);					/* creationPCR */
	if (tpm2m_session(&t, SE_HMAC, &ss) < 0)
		goto out;
	names[0] = t.srk_name;
	if (tpm2m_run(&t, CC_Create, &t.srk, names, nl, 1, &ss, NULL, 0, ATTR_DECRYPT, p->b, p->n, 0, NULL, &r,
	    "sealing") == 0) {
		priv = get2b(&r, TPM2_MAX_BLOB - 2, &l);
		if (!r.bad) {
			memcpy(s->priv, priv - 2, l + 2);
			s->privlen = l + 2;
		}
		pb = get2b(&r, TPM2_MAX_BLOB - 2, &l);
		if (!r.bad) {
			memcpy(s->pub, pb - 2, l + 2);
			s->publen = l + 2;
			rc = 0;
		} else {
			fail("the TPM answered a malformed sealed object");
		}
	}
	tpm2m_flush(&t, ss.handle);
	sodium_memzero(&ss, sizeof(ss));
out:
	if (rc < 0)
		sodium_memzero(secret, TPM2_SECRET_LEN);
	sodium_memzero(p, sizeof(*p));
	free(p);
	tpm_close(&t);
	return rc;
}

uint8_t *tpm2_unseal(const struct tpm2_sealed *s, const uint8_t *pin, size_t pinlen)
{
	struct out o;
	uint8_t obj_name[34], pd[32], *secret = NULL, params[2 * TPM2_MAX_BLOB];
	const uint8_t *names[1], *nm, *data;
	size_t nl[1] = { 34 }, l, rn;
	uint32_t obj = 0;
	struct sess hs = { 0 }, ps = { 0 };
	struct in r;
	struct tpm t;
	long rc;

	if (s->pin && !pin)
		return fail("the TPM2 factor needs its PIN"), NULL;
	if (pinlen > 32)
		return fail("a TPM2 PIN is at most 32 bytes"), NULL;
	if (s->publen + s->privlen > sizeof(params))
		return fail("the vault's TPM2 blobs are malformed"), NULL;
	if (tpm_open(&t) < 0)
		return NULL;
	if (tpm2m_session(&t, SE_HMAC, &hs) < 0)
		goto out;
	/* Load: the blobs as stored (each a TPM2B already). */
	memcpy(params, s->priv, s->privlen);
	memcpy(params + s->privlen, s->pub, s->publen);
	names[0] = t.srk_name;
	if (tpm2m_run(&t, CC_Load, &t.srk, names, nl, 1, &hs, NULL, 0, ATTR_CONTINUE, params, s->privlen + s->publen, 1,
	    &obj, &r, "loading the sealed key") < 0) {
		obj = 0;
		goto out;
	}
	nm = get2b(&r, 34, &l);
	if (r.bad || l != 34) {
		fail("the TPM answered a malformed object name");
		goto out;
	}
	memcpy(obj_name, nm, 34);
	if (s->pcrs || s->pin) {
		if (tpm2m_session(&t, SE_POLICY, &ps) < 0)
			goto out;
		if (s->pcrs) {
			tpm2m_begin(&o, ST_NO_SESSIONS, CC_PolicyPCR);
			put32(&o, ps.handle);
			pcr_digest(s, pd);
			put2b(&o, pd, 32);
			pcr_selection(&o, s->pcrs);
			tpm2m_finish(&o);
			if ((rc = tpm2m_transact(&t, &o, &rn)) != 0) {
				uint32_t changed = 0;

				if (rc > 0 && (((uint32_t)rc & 0x80) ? 0x80 | ((uint32_t)rc & 0x3f) : 0) == RC_VALUE &&
				    do_changed(&t, s, &changed) == 0 && changed)
					tpm2_fail_pcrs(changed);
				else if (rc > 0)
					tpm2_fail_rc((uint32_t)rc, "checking the PCR policy");
				goto out;
			}
		}
		if (s->pin) {
			tpm2m_begin(&o, ST_NO_SESSIONS, CC_PolicyAuthValue);
			put32(&o, ps.handle);
			tpm2m_finish(&o);
			if ((rc = tpm2m_transact(&t, &o, &rn)) != 0) {
				if (rc > 0)
					tpm2_fail_rc((uint32_t)rc, "the PIN policy");
				goto out;
			}
			ps.with_auth = 1;
		}
	} else {
		hs.with_auth = 1;	/* userWithAuth, an empty authValue */
	}
	names[0] = obj_name;
	if (tpm2m_run(&t, CC_Unseal, &obj, names, nl, 1, ps.handle ? &ps : &hs, pin, pinlen, ATTR_ENCRYPT, NULL, 0, 0,
	    NULL, &r, "unsealing") < 0)
		goto out;
	data = get2b(&r, 128, &l);
	if (r.bad || l != TPM2_SECRET_LEN)
		fail("the TPM unsealed %zu bytes, not %d", l, TPM2_SECRET_LEN);
	else if ((secret = secmem_alloc(TPM2_SECRET_LEN)))
		memcpy(secret, data, TPM2_SECRET_LEN);
	sodium_memzero((uint8_t *)r.b, r.n);
out:
	if (obj)
		tpm2m_flush(&t, obj);
	if (ps.handle)
		tpm2m_flush(&t, ps.handle);
	if (hs.handle)
		tpm2m_flush(&t, hs.handle);
	sodium_memzero(&hs, sizeof(hs));
	sodium_memzero(&ps, sizeof(ps));
	tpm_close(&t);
	return secret;
}

/* TPM_CAP_TPM_PROPERTIES from first, count of them. */
static int properties(struct tpm *t, uint32_t first, uint32_t count, struct tpm2_info *i)
{
	struct out o;
	struct in r;
	size_t rn;
	long rc;
	uint32_t n;

	tpm2m_begin(&o, ST_NO_SESSIONS, CC_GetCapability);
	put32(&o, CAP_TPM_PROPERTIES), put32(&o, first), put32(&o, count);
	tpm2m_finish(&o);
	if ((rc = tpm2m_transact(t, &o, &rn)) != 0)
		return rc < 0 ? -1 : tpm2_fail_rc((uint32_t)rc, "reading its capabilities");
	r = (struct in){ t->resp, rn, 10, 0 };
	get8(&r);
	get32(&r);
	n = get32(&r);
	for (uint32_t k = 0; k < n && !r.bad; k++) {
		uint32_t p = get32(&r), v = get32(&r);

		if (r.bad)
			break;
		if (p == PT_MANUFACTURER)
			for (int c = 0; c < 4; c++) {
				char ch = (char)(v >> (24 - 8 * c));

				i->manufacturer[c] = ch >= 0x21 && ch < 0x7f ? ch : 0;
			}
		else if (p == PT_PERMANENT)
			i->lockout = (v & PERMANENT_INLOCKOUT) != 0;
		else if (p == PT_LOCKOUT_COUNTER)
			i->failures = v;
		else if (p == PT_MAX_AUTH_FAIL)
			i->max_failures = v;
		else if (p == PT_LOCKOUT_RECOVERY)
			i->recovery_s = v;
	}
	return r.bad ? fail("the TPM answered malformed capabilities") : 0;
}

int tpm2_info(struct tpm2_info *i)
{
	struct out o;
	struct in r;
	struct tpm t;
	size_t rn;
	long rc;
	uint32_t n;

	memset(i, 0, sizeof(*i));
	snprintf(i->tcti, sizeof(i->tcti), "%s", tpm2_tcti());
	if (tpm2m_connect(&t) < 0) {
		if (t.fd >= 0)
			close(t.fd);
		return -1;
	}
	if (properties(&t, PT_MANUFACTURER, 1, i) < 0 || properties(&t, PT_PERMANENT, 32, i) < 0) {
		tpm_close(&t);
		return -1;
	}
	tpm2m_begin(&o, ST_NO_SESSIONS, CC_GetCapability);
	put32(&o, CAP_PCRS), put32(&o, 0), put32(&o, 1);
	tpm2m_finish(&o);
	if ((rc = tpm2m_transact(&t, &o, &rn)) != 0) {
		tpm_close(&t);
		return rc < 0 ? -1 : tpm2_fail_rc((uint32_t)rc, "reading its PCR banks");
	}
	r = (struct in){ t.resp, rn, 10, 0 };
	get8(&r);
	get32(&r);
	n = get32(&r);
	for (uint32_t k = 0; k < n && !r.bad; k++) {
		unsigned hash = get16(&r), size = get8(&r);

		for (unsigned b = 0; b < size && !r.bad; b++)
			i->sha256_bank |= hash == ALG_SHA256 && get8(&r) != 0;
	}
	tpm_close(&t);
	return r.bad ? fail("the TPM answered malformed PCR banks") : 0;
}
