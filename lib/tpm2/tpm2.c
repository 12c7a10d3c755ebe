/* tpm2.c - the TPM2 factor with tpm2-tss's ESAPI (tpm2.h), loaded when a
 * command first talks to a TPM: a `secret get` maps none of it.  With
 * DLOPEN=0 the libraries are linked instead. */
#include "lib/tpm2/tpm2.h"
#include "lib/core/dynlib.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#ifndef TSS_ESYS_LIB
#define TSS_ESYS_LIB "libtss2-esys.so.0"
#endif
#ifndef TSS_TCTILDR_LIB
#define TSS_TCTILDR_LIB "libtss2-tctildr.so.0"
#endif
#ifndef TSS_MU_LIB
#define TSS_MU_LIB "libtss2-mu.so.0"
#endif

/* Each function sesame calls: the library it is in, its name. */
#define TSS_FUNCTIONS(X) \
	X(tctildr, Tss2_TctiLdr_Initialize) X(tctildr, Tss2_TctiLdr_Finalize) \
	X(esys, Esys_Initialize) X(esys, Esys_Finalize) X(esys, Esys_SetTimeout) X(esys, Esys_Free) \
	X(esys, Esys_CreatePrimary) X(esys, Esys_StartAuthSession) X(esys, Esys_TRSess_SetAttributes) \
	X(esys, Esys_PolicyPCR) X(esys, Esys_PolicyAuthValue) X(esys, Esys_PolicyGetDigest) \
	X(esys, Esys_Create) X(esys, Esys_Load) X(esys, Esys_Unseal) X(esys, Esys_FlushContext) \
	X(esys, Esys_TR_SetAuth) X(esys, Esys_PCR_Read) X(esys, Esys_GetCapability) \
	X(mu, Tss2_MU_TPM2B_PUBLIC_Marshal) X(mu, Tss2_MU_TPM2B_PUBLIC_Unmarshal) \
	X(mu, Tss2_MU_TPM2B_PRIVATE_Marshal) X(mu, Tss2_MU_TPM2B_PRIVATE_Unmarshal)

#define TSS_POINTER(lib, name) __typeof__(&name) name;
static struct {
	void *esys, *tctildr, *mu;
	TSS_FUNCTIONS(TSS_POINTER)
} TT;
#define TSS_RESOLVE(lib, name) \
	if (!missing && !(*(void **)&TT.name = dlsym(TT.lib, #name))) \
		missing = #name;

#define TSS_LINKED(lib, name) TT.name = name;

static int load(void)
{
	const char *missing = NULL;

	if (TT.esys)
		return 0;
	/* tpm2-tss logs to stderr by default; sesame says what failed itself. */
	setenv("TSS2_LOG", "all+NONE", 0);
#if !SESAME_DLOPEN
	/* Linked (DLOPEN=0, as the Buildroot and Yocto recipes build). */
	TSS_FUNCTIONS(TSS_LINKED)
	TT.esys = TT.tctildr = TT.mu = &TT;
	(void)missing;
	return 0;
#endif
	if (!(TT.tctildr = dyn_open(TSS_TCTILDR_LIB, "the TPM2 factor; Debian: libtss2-tctildr0")) ||
	    !(TT.mu = dyn_open(TSS_MU_LIB, "the TPM2 factor; Debian: libtss2-mu0")) ||
	    !(TT.esys = dyn_open(TSS_ESYS_LIB, "the TPM2 factor; Debian: libtss2-esys-3.0.2-0")))
		return -1;
	TSS_FUNCTIONS(TSS_RESOLVE)
	if (missing) {
		fail("tpm2-tss lacks %s", missing);
		TT.esys = NULL;
		return -1;
	}
	return 0;
}

int tpm2_available(void)
{
	return load() == 0;
}

/* A TPM response code without its parameter/handle/session number. */
static unsigned tpm_code(TSS2_RC rc)
{
	if ((rc & TSS2_RC_LAYER_MASK) != TSS2_TPM_RC_LAYER)
		return 0;
	return rc & TPM2_RC_FMT1 ? TPM2_RC_FMT1 | (rc & 0x3f) : rc & 0x97f;
}

static int tss_fail(TSS2_RC rc, const char *what)
{
	unsigned layer = (rc & TSS2_RC_LAYER_MASK) >> TSS2_RC_LAYER_SHIFT;

	if (layer == 0)
		return tpm2_fail_rc(rc, what);
	if (rc == TSS2_ESYS_RC_TRY_AGAIN || rc == TSS2_TCTI_RC_TRY_AGAIN || (rc & 0xffff) == TSS2_BASE_RC_TRY_AGAIN)
		return fail("the TPM did not answer within %d ms (%s)", TPM2_TIMEOUT_MS, what);
	if ((rc & 0xffff) == TSS2_BASE_RC_IO_ERROR)
		return fail("cannot talk to the TPM at %s (%s): I/O error", tpm2_tcti(), what);
	return fail("TPM: %s failed (response code 0x%x)", what, (unsigned)rc);
}

struct tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *ctx;
	ESYS_TR primary;
};

static void tpm_close(struct tpm *t)
{
	if (t->ctx && t->primary != ESYS_TR_NONE)
		TT.Esys_FlushContext(t->ctx, t->primary);
	if (t->ctx)
		TT.Esys_Finalize(&t->ctx);
	if (t->tcti)
		TT.Tss2_TctiLdr_Finalize(&t->tcti);
}

/* Connected, with the storage primary key made (the SRK template). */
static int tpm_open(struct tpm *t)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC tmpl = { .publicArea = {
		.type = TPM2_ALG_ECC, .nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
			TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
		.parameters.eccDetail = {
			.symmetric = { .algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB },
			.scheme.scheme = TPM2_ALG_NULL, .curveID = TPM2_ECC_NIST_P256, .kdf.scheme = TPM2_ALG_NULL,
		},
		.unique.ecc = { .x.size = 32, .y.size = 32 },
	} };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION none = { 0 };
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_CREATION_DATA *cd = NULL;
	TPM2B_DIGEST *ch = NULL;
	TPMT_TK_CREATION *tk = NULL;
	const char *tcti = tpm2_tcti();
	TSS2_RC rc;

	memset(t, 0, sizeof(*t));
	t->primary = ESYS_TR_NONE;
	if (load() < 0)
		return -1;
	if ((rc = TT.Tss2_TctiLdr_Initialize(tcti, &t->tcti)) != TSS2_RC_SUCCESS) {
		t->tcti = NULL;
		return fail("no TPM at %s (response code 0x%x): %s", tcti, (unsigned)rc, !strncmp(tcti, "device", 6) ?
			"no TPM in this machine, or its driver (tpm_tis, tpm_crb) is not loaded, or no access to it" :
			"is the TPM (simulator) running there?");
	}
	if ((rc = TT.Esys_Initialize(&t->ctx, t->tcti, NULL)) != TSS2_RC_SUCCESS) {
		t->ctx = NULL;
		tpm_close(t);
		return tss_fail(rc, "connecting");
	}
	TT.Esys_SetTimeout(t->ctx, TPM2_TIMEOUT_MS);
	rc = TT.Esys_CreatePrimary(t->ctx, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
		&tmpl, &outside, &none, &t->primary, &pub, &cd, &ch, &tk);
	TT.Esys_Free(pub), TT.Esys_Free(cd), TT.Esys_Free(ch), TT.Esys_Free(tk);
	if (rc != TSS2_RC_SUCCESS) {
		t->primary = ESYS_TR_NONE;
		tss_fail(rc, "making the storage primary key (is the owner hierarchy's password empty?)");
		tpm_close(t);
		return -1;
	}
	return 0;
}

/* A session salted to the primary key, encrypting the first parameter
 * of commands and responses (AES-128-CFB). */
static int salted(struct tpm *t, TPM2_SE type, ESYS_TR *s)
{
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB };
	TSS2_RC rc;

	rc = TT.Esys_StartAuthSession(t->ctx, type == TPM2_SE_TRIAL ? ESYS_TR_NONE : t->primary, ESYS_TR_NONE,
		ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL, type, &sym, TPM2_ALG_SHA256, s);
	if (rc != TSS2_RC_SUCCESS)
		return tss_fail(rc, "starting a session");
	if (type != TPM2_SE_TRIAL && (rc = TT.Esys_TRSess_SetAttributes(t->ctx, *s, TPMA_SESSION_DECRYPT |
	    TPMA_SESSION_ENCRYPT | TPMA_SESSION_CONTINUESESSION, 0xff)) != TSS2_RC_SUCCESS) {
		TT.Esys_FlushContext(t->ctx, *s);
		return tss_fail(rc, "setting the session's encryption");
	}
	return 0;
}

static void selection(uint32_t mask, TPML_PCR_SELECTION *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->count = 1;
	sel->pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel->pcrSelections[0].sizeofSelect = 3;
	for (int i = 0; i < 3; i++)
		sel->pcrSelections[0].pcrSelect[i] = (uint8_t)(mask >> (8 * i));
}

/* The SHA-256 bank's values of the PCRs in mask, into values[PCR]. */
static int read_pcrs(struct tpm *t, uint32_t mask, uint8_t values[TPM2_MAX_PCR][32])
{
	while (mask) {
		TPML_PCR_SELECTION sel, *got = NULL;
		TPML_DIGEST *vals = NULL;
		uint32_t counter, done = 0;
		TSS2_RC rc;
		uint32_t k = 0;

		selection(mask, &sel);
		if ((rc = TT.Esys_PCR_Read(t->ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, &counter, &got,
		    &vals)) != TSS2_RC_SUCCESS)
			return tss_fail(rc, "reading the PCRs");
		for (uint32_t i = 0; i < got->count; i++) {
			if (got->pcrSelections[i].hash != TPM2_ALG_SHA256)
				continue;
			for (int p = 0; p < TPM2_MAX_PCR && p / 8 < got->pcrSelections[i].sizeofSelect; p++)
				if (got->pcrSelections[i].pcrSelect[p / 8] >> (p % 8) & 1 && k < vals->count &&
				    vals->digests[k].size == 32) {
					memcpy(values[p], vals->digests[k++].buffer, 32);
					done |= 1u << p;
				}
		}
		TT.Esys_Free(got);
		TT.Esys_Free(vals);
		if (!(done & mask))
			return fail("the TPM has no SHA-256 bank for PCRs it was asked (tpm2_pcrallocate)");
		mask &= ~done;
	}
	return 0;
}

static void pcr_digest(const struct tpm2_sealed *s, TPM2B_DIGEST *d)
{
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	for (int i = 0; i < TPM2_MAX_PCR; i++)
		if (s->pcrs >> i & 1)
			crypto_hash_sha256_update(&st, s->values[i], 32);
	d->size = 32;
	crypto_hash_sha256_final(&st, d->buffer);
}

static int do_changed(const struct tpm2_sealed *s, uint32_t *changed);

/* Run the object's policy in session ps (a trial one to compute it). */
static int policy(struct tpm *t, const struct tpm2_sealed *s, ESYS_TR ps)
{
	TPML_PCR_SELECTION sel;
	TPM2B_DIGEST d;
	TSS2_RC rc;

	if (s->pcrs) {
		selection(s->pcrs, &sel);
		pcr_digest(s, &d);
		if ((rc = TT.Esys_PolicyPCR(t->ctx, ps, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &d, &sel)) !=
		    TSS2_RC_SUCCESS) {
			uint32_t changed = 0;

			if (tpm_code(rc) != TPM2_RC_VALUE || do_changed(s, &changed) < 0 || !changed)
				return tss_fail(rc, "checking the PCR policy");
			return tpm2_fail_pcrs(changed);
		}
	}
	if (s->pin && (rc = TT.Esys_PolicyAuthValue(t->ctx, ps, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE)) !=
	    TSS2_RC_SUCCESS)
		return tss_fail(rc, "the PIN policy");
	return 0;
}

static int do_changed(const struct tpm2_sealed *s, uint32_t *changed)
{
	static uint8_t now[TPM2_MAX_PCR][32];
	struct tpm t;

	*changed = 0;
	if (!s->pcrs)
		return 0;
	if (tpm_open(&t) < 0)
		return -1;
	if (read_pcrs(&t, s->pcrs, now) < 0) {
		tpm_close(&t);
		return -1;
	}
	tpm_close(&t);
	for (int i = 0; i < TPM2_MAX_PCR; i++)
		if (s->pcrs >> i & 1 && memcmp(now[i], s->values[i], 32))
			*changed |= 1u << i;
	return 0;
}

static int do_seal(struct tpm2_sealed *s, int values_given, const uint8_t *pin, size_t pinlen, uint8_t *secret)
{
	TPM2B_SENSITIVE_CREATE *in = NULL;
	TPM2B_PUBLIC tmpl = { .publicArea = {
		.type = TPM2_ALG_KEYEDHASH, .nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT,
		.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL,
	} };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION none = { 0 };
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_CREATION_DATA *cd = NULL;
	TPM2B_DIGEST *ch = NULL, *pd = NULL;
	TPMT_TK_CREATION *tk = NULL;
	ESYS_TR ts = ESYS_TR_NONE, hs = ESYS_TR_NONE;
	size_t off = 0, off2 = 0;
	struct tpm t;
	TSS2_RC rc;
	int r = -1;

	s->pin = pin != NULL;
	if (pinlen > sizeof(in->sensitive.userAuth.buffer))
		return fail("a TPM2 PIN is at most %zu bytes", sizeof(in->sensitive.userAuth.buffer));
	if (tpm_open(&t) < 0)
		return -1;
	if (s->pcrs && !values_given && read_pcrs(&t, s->pcrs, s->values) < 0)
		goto out;
	if (s->pcrs || s->pin) {
		if (salted(&t, TPM2_SE_TRIAL, &ts) < 0 || policy(&t, s, ts) < 0)
			goto out;
		if ((rc = TT.Esys_PolicyGetDigest(t.ctx, ts, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pd)) !=
		    TSS2_RC_SUCCESS) {
			tss_fail(rc, "computing the policy");
			goto out;
		}
		tmpl.publicArea.authPolicy = *pd;
	} else {
		tmpl.publicArea.objectAttributes |= TPMA_OBJECT_USERWITHAUTH;	/* no policy: empty auth */
	}
	if (!s->pin)
		tmpl.publicArea.objectAttributes |= TPMA_OBJECT_NODA;	/* nothing to guess */
	if (!(in = secmem_alloc(sizeof(*in))) || salted(&t, TPM2_SE_HMAC, &hs) < 0)
		goto out;
	randombytes_buf(secret, TPM2_SECRET_LEN);
	in->sensitive.data.size = TPM2_SECRET_LEN;
	memcpy(in->sensitive.data.buffer, secret, TPM2_SECRET_LEN);
	if (pin) {
		in->sensitive.userAuth.size = (UINT16)pinlen;
		memcpy(in->sensitive.userAuth.buffer, pin, pinlen);
	}
	if ((rc = TT.Esys_Create(t.ctx, t.primary, hs, ESYS_TR_NONE, ESYS_TR_NONE, in, &tmpl, &outside, &none, &priv,
	    &pub, &cd, &ch, &tk)) != TSS2_RC_SUCCESS) {
		tss_fail(rc, "sealing");
		goto out;
	}
	if (TT.Tss2_MU_TPM2B_PUBLIC_Marshal(pub, s->pub, sizeof(s->pub), &off) != TSS2_RC_SUCCESS ||
	    TT.Tss2_MU_TPM2B_PRIVATE_Marshal(priv, s->priv, sizeof(s->priv), &off2) != TSS2_RC_SUCCESS) {
		fail("the sealed object's blobs are larger than %d bytes", TPM2_MAX_BLOB);
		goto out;
	}
	s->publen = off, s->privlen = off2;
	r = 0;
out:
	if (r < 0)
		sodium_memzero(secret, TPM2_SECRET_LEN);
	secmem_free(in);
	TT.Esys_Free(priv), TT.Esys_Free(pub), TT.Esys_Free(cd), TT.Esys_Free(ch), TT.Esys_Free(tk), TT.Esys_Free(pd);
	if (ts != ESYS_TR_NONE)
		TT.Esys_FlushContext(t.ctx, ts);
	if (hs != ESYS_TR_NONE)
		TT.Esys_FlushContext(t.ctx, hs);
	tpm_close(&t);
	return r;
}

static uint8_t *do_unseal(const struct tpm2_sealed *s, const uint8_t *pin, size_t pinlen)
{
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	TPM2B_AUTH auth = { 0 };
	TPM2B_SENSITIVE_DATA *out = NULL;
	ESYS_TR hs = ESYS_TR_NONE, ps = ESYS_TR_NONE, obj = ESYS_TR_NONE;
	uint8_t *secret = NULL;
	size_t off = 0;
	struct tpm t;
	TSS2_RC rc;

	if (s->pin && !pin)
		return fail("the TPM2 factor needs its PIN"), NULL;
	if (pinlen > sizeof(auth.buffer))
		return fail("a TPM2 PIN is at most %zu bytes", sizeof(auth.buffer)), NULL;
	memset(&pub, 0, sizeof(pub));
	memset(&priv, 0, sizeof(priv));
	if (TT.esys || load() == 0) {
		if (TT.Tss2_MU_TPM2B_PUBLIC_Unmarshal(s->pub, s->publen, &off, &pub) != TSS2_RC_SUCCESS || off != s->publen ||
		    (off = 0, TT.Tss2_MU_TPM2B_PRIVATE_Unmarshal(s->priv, s->privlen, &off, &priv)) != TSS2_RC_SUCCESS ||
		    off != s->privlen)
			return fail("the vault's TPM2 blobs are malformed"), NULL;
	}
	if (tpm_open(&t) < 0)
		return NULL;
	if (salted(&t, TPM2_SE_HMAC, &hs) < 0)
		goto out;
	if ((rc = TT.Esys_Load(t.ctx, t.primary, hs, ESYS_TR_NONE, ESYS_TR_NONE, &priv, &pub, &obj)) != TSS2_RC_SUCCESS) {
		obj = ESYS_TR_NONE;
		tss_fail(rc, "loading the sealed key");
		goto out;
	}
	if (pin) {
		auth.size = (UINT16)pinlen;
		memcpy(auth.buffer, pin, pinlen);
	}
	TT.Esys_TR_SetAuth(t.ctx, obj, &auth);
	sodium_memzero(&auth, sizeof(auth));
	if (s->pcrs || s->pin) {
		if (salted(&t, TPM2_SE_POLICY, &ps) < 0 || policy(&t, s, ps) < 0)
			goto out;
	}
	if ((rc = TT.Esys_Unseal(t.ctx, obj, ps != ESYS_TR_NONE ? ps : hs, ESYS_TR_NONE, ESYS_TR_NONE, &out)) !=
	    TSS2_RC_SUCCESS) {
		tss_fail(rc, "unsealing");
		goto out;
	}
	if (out->size != TPM2_SECRET_LEN)
		fail("the TPM unsealed %u bytes, not %d", out->size, TPM2_SECRET_LEN);
	else if ((secret = secmem_alloc(TPM2_SECRET_LEN)))
		memcpy(secret, out->buffer, TPM2_SECRET_LEN);
out:
	if (out) {
		sodium_memzero(out, sizeof(*out));
		TT.Esys_Free(out);
	}
	if (obj != ESYS_TR_NONE)
		TT.Esys_FlushContext(t.ctx, obj);
	if (ps != ESYS_TR_NONE)
		TT.Esys_FlushContext(t.ctx, ps);
	if (hs != ESYS_TR_NONE)
		TT.Esys_FlushContext(t.ctx, hs);
	tpm_close(&t);
	return secret;
}

static int do_info(struct tpm2_info *i)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	struct tpm t;
	TSS2_RC rc;

	memset(i, 0, sizeof(*i));
	snprintf(i->tcti, sizeof(i->tcti), "%s", tpm2_tcti());
	if (tpm_open(&t) < 0)
		return -1;
	rc = TT.Esys_GetCapability(t.ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES,
		TPM2_PT_MANUFACTURER, 1, &more, &cap);
	if (rc == TSS2_RC_SUCCESS && cap->data.tpmProperties.count == 1) {
		uint32_t v = cap->data.tpmProperties.tpmProperty[0].value;

		for (int k = 0; k < 4; k++) {
			char c = (char)(v >> (24 - 8 * k));

			i->manufacturer[k] = c >= 0x21 && c < 0x7f ? c : 0;
		}
	}
	TT.Esys_Free(cap), cap = NULL;
	rc = TT.Esys_GetCapability(t.ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES,
		TPM2_PT_PERMANENT, 32, &more, &cap);
	for (uint32_t k = 0; rc == TSS2_RC_SUCCESS && k < cap->data.tpmProperties.count; k++) {
		TPMS_TAGGED_PROPERTY *p = &cap->data.tpmProperties.tpmProperty[k];

		if (p->property == TPM2_PT_PERMANENT)
			i->lockout = (p->value & TPMA_PERMANENT_INLOCKOUT) != 0;
		else if (p->property == TPM2_PT_LOCKOUT_COUNTER)
			i->failures = p->value;
		else if (p->property == TPM2_PT_MAX_AUTH_FAIL)
			i->max_failures = p->value;
		else if (p->property == TPM2_PT_LOCKOUT_RECOVERY)
			i->recovery_s = p->value;
	}
	TT.Esys_Free(cap), cap = NULL;
	rc = TT.Esys_GetCapability(t.ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_PCRS, 0, 1, &more, &cap);
	for (uint32_t k = 0; rc == TSS2_RC_SUCCESS && k < cap->data.assignedPCR.count; k++) {
		TPMS_PCR_SELECTION *b = &cap->data.assignedPCR.pcrSelections[k];

		for (int j = 0; b->hash == TPM2_ALG_SHA256 && j < b->sizeofSelect; j++)
			i->sha256_bank |= b->pcrSelect[j] != 0;
	}
	TT.Esys_Free(cap);
	tpm_close(&t);
	if (rc != TSS2_RC_SUCCESS)
		return tss_fail(rc, "reading its capabilities");
	return 0;
}

/* Every conversation with the TPM runs in a child process, given
 * TPM2_TIMEOUT_MS: a TPM, simulator or driver that stops answering cannot
 * hang the command, whatever the TCTI makes of timeouts.  The child sends
 * the whole job back through a pipe, its error in place of a result. */
enum { J_SEAL, J_UNSEAL, J_INFO, J_CHANGED };
struct job {
	int kind, values_given, ok;
	struct tpm2_sealed s;
	uint8_t pin[sizeof(((TPM2B_AUTH *)0)->buffer)];
	size_t pinlen;
	int has_pin;
	uint8_t secret[TPM2_SECRET_LEN];
	uint32_t changed;
	struct tpm2_info info;
	char err[512];
};

static void run_job(struct job *j)
{
	uint8_t *sec;

	switch (j->kind) {
	case J_SEAL:
		j->ok = do_seal(&j->s, j->values_given, j->has_pin ? j->pin : NULL, j->pinlen, j->secret) == 0;
		break;
	case J_UNSEAL:
		if ((sec = do_unseal(&j->s, j->has_pin ? j->pin : NULL, j->pinlen))) {
			memcpy(j->secret, sec, TPM2_SECRET_LEN);
			secmem_free(sec);
		}
		j->ok = sec != NULL;
		break;
	case J_INFO:
		j->ok = do_info(&j->info) == 0;
		break;
	default:
		j->ok = do_changed(&j->s, &j->changed) == 0;
	}
	sodium_memzero(j->pin, sizeof(j->pin));
	if (!j->ok)
		snprintf(j->err, sizeof(j->err), "%s", last_error());
}

static long long ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int bounded(struct job *j)
{
	long long end = ms_now() + TPM2_TIMEOUT_MS;
	size_t got = 0;
	int p[2], status;
	pid_t pid;

	tpm2_tcti();	/* read once, here: the child's copy has it, and its error messages */
	if (load() < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return fail("pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		close(p[0]), close(p[1]);
		return fail("fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(p[0]);
		run_job(j);
		write_all(p[1], j, sizeof(*j));
		sodium_memzero(j, sizeof(*j));
		_exit(0);
	}
	close(p[1]);
	sodium_memzero(j->pin, sizeof(j->pin));
	while (got < sizeof(*j)) {
		struct pollfd pf = { p[0], POLLIN, 0 };
		long long left = end - ms_now();
		ssize_t n;

		if (left <= 0 || poll(&pf, 1, (int)left) == 0)
			break;
		if ((n = read(p[0], (uint8_t *)j + got, sizeof(*j) - got)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	if (got < sizeof(*j))
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got < sizeof(*j)) {
		sodium_memzero(j, sizeof(*j));
		if (ms_now() >= end)
			return fail("the TPM at %s did not answer within %d ms", tpm2_tcti(), TPM2_TIMEOUT_MS);
		return fail("the TPM helper process died (%s %d)", WIFSIGNALED(status) ? "signal" : "exit status",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	}
	if (!j->ok)
		return fail("%s", j->err);
	return 0;
}

static struct job *new_job(int kind, const uint8_t *pin, size_t pinlen)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->kind = kind;
	if (pin) {
		if (pinlen > sizeof(j->pin)) {
			free(j);
			return fail("a TPM2 PIN is at most %zu bytes", sizeof(j->pin)), NULL;
		}
		memcpy(j->pin, pin, pinlen);
		j->pinlen = pinlen;
		j->has_pin = 1;
	}
	return j;
}

static void job_free(struct job *j)
{
	sodium_memzero(j, sizeof(*j));
	free(j);
}

int tpm2_seal(struct tpm2_sealed *s, int values_given, const uint8_t *pin, size_t pinlen, uint8_t *secret)
{
	struct job *j = new_job(J_SEAL, pin, pinlen);
	int r;

	if (!j)
		return -1;
	j->s = *s;
	j->values_given = values_given;
	if ((r = bounded(j)) == 0) {
		*s = j->s;
		memcpy(secret, j->secret, TPM2_SECRET_LEN);
	}
	job_free(j);
	return r;
}

uint8_t *tpm2_unseal(const struct tpm2_sealed *s, const uint8_t *pin, size_t pinlen)
{
	struct job *j = new_job(J_UNSEAL, pin, pinlen);
	uint8_t *secret = NULL;

	if (!j)
		return NULL;
	j->s = *s;
	if (bounded(j) == 0 && (secret = secmem_alloc(TPM2_SECRET_LEN)))
		memcpy(secret, j->secret, TPM2_SECRET_LEN);
	job_free(j);
	return secret;
}

int tpm2_info(struct tpm2_info *i)
{
	const char *tcti = tpm2_tcti();	/* first: reading the configuration sets last_error() */
	struct job *j = new_job(J_INFO, NULL, 0);
	int r = bounded(j);

	*i = j->info;
	if (r < 0)
		snprintf(i->tcti, sizeof(i->tcti), "%s", tcti);
	job_free(j);
	return r;
}

int tpm2_pcrs_changed(const struct tpm2_sealed *s, uint32_t *changed)
{
	struct job *j = new_job(J_CHANGED, NULL, 0);
	int r;

	j->s = *s;
	r = bounded(j);
	*changed = j->changed;
	job_free(j);
	return r;
}
