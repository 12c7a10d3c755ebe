/* tpm2_mini.h - inside lib/tpm2/tpm2_mini.c, the static build's TPM2 client
 * (see there): the TPM 2.0 constants it uses, marshalling, the connection
 * (tpm2_link.c) and the salted, encrypted sessions (tpm2_session.c).  Not
 * for use elsewhere. */
#ifndef SESAME_TPM2_MINI_H
#define SESAME_TPM2_MINI_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* TPM 2.0 Part 2 constants. */
enum {
	ST_NO_SESSIONS = 0x8001, ST_SESSIONS = 0x8002,
	CC_CreatePrimary = 0x131, CC_Create = 0x153, CC_Load = 0x157, CC_Unseal = 0x15e,
	CC_FlushContext = 0x165, CC_PolicyAuthValue = 0x16b, CC_StartAuthSession = 0x176,
	CC_GetCapability = 0x17a, CC_PCR_Read = 0x17e, CC_PolicyPCR = 0x17f,
	RH_OWNER = 0x40000001, RH_NULL = 0x40000007, RS_PW = 0x40000009,
	ALG_AES = 0x0006, ALG_KEYEDHASH = 0x0008, ALG_SHA256 = 0x000b, ALG_NULL = 0x0010,
	ALG_ECC = 0x0023, ALG_CFB = 0x0043, ECC_NIST_P256 = 0x0003,
	SE_HMAC = 0x00, SE_POLICY = 0x01,
	ATTR_CONTINUE = 0x01, ATTR_DECRYPT = 0x20, ATTR_ENCRYPT = 0x40,
	CAP_PCRS = 5, CAP_TPM_PROPERTIES = 6,
	PT_MANUFACTURER = 0x105, PT_PERMANENT = 0x200, PT_LOCKOUT_COUNTER = 0x20e, PT_MAX_AUTH_FAIL = 0x20f,
	PT_LOCKOUT_RECOVERY = 0x211, PERMANENT_INLOCKOUT = 0x200,
	RC_VALUE = 0x084,
};
/* TPMA_OBJECT */
#define OBJ_FIXEDTPM 0x2u
#define OBJ_FIXEDPARENT 0x10u
#define OBJ_SENSITIVEDATAORIGIN 0x20u
#define OBJ_USERWITHAUTH 0x40u
#define OBJ_NODA 0x400u
#define OBJ_RESTRICTED 0x10000u
#define OBJ_DECRYPT 0x20000u

#define MAX_MSG 4096

/* --- marshalling ------------------------------------------------------ */

struct out {
	uint8_t b[MAX_MSG];
	size_t n;
	int over;
};

static inline void put(struct out *o, const void *p, size_t n)
{
	if (!n)
		return;		/* p may be NULL (no PIN) */
	if (o->over || n > sizeof(o->b) - o->n) {
		o->over = 1;
		return;
	}
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static inline void put8(struct out *o, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(o, &b, 1);
}

static inline void put16(struct out *o, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(o, b, 2);
}

static inline void put32(struct out *o, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	put(o, b, 4);
}

static inline void put2b(struct out *o, const void *p, size_t n)
{
	put16(o, (unsigned)n);
	put(o, p, n);
}

static inline void set32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
}

struct in {
	const uint8_t *b;
	size_t n, pos;
	int bad;
};

static inline const uint8_t *get(struct in *i, size_t n)
{
	const uint8_t *p;

	if (i->bad || n > i->n - i->pos) {
		i->bad = 1;
		return NULL;
	}
	p = i->b + i->pos;
	i->pos += n;
	return p;
}

static inline unsigned get8(struct in *i)
{
	const uint8_t *p = get(i, 1);

	return p ? p[0] : 0;
}

static inline unsigned get16(struct in *i)
{
	const uint8_t *p = get(i, 2);

	return p ? (unsigned)(p[0] << 8 | p[1]) : 0;
}

static inline uint32_t get32(struct in *i)
{
	const uint8_t *p = get(i, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

/* A TPM2B: its bytes (and length), at most max. */
static inline const uint8_t *get2b(struct in *i, size_t max, size_t *len)
{
	size_t n = get16(i);

	if (n > max) {
		i->bad = 1;
		return NULL;
	}
	*len = n;
	return get(i, n);
}

struct tpm {
	int fd, stream;		/* stream: a socket (read the header, then the rest) */
	long long deadline;	/* CLOCK_MONOTONIC ms */
	uint32_t srk;		/* the storage primary key's handle, 0 before */
	uint8_t srk_name[34];
	uint8_t srk_x[32], srk_y[32];
	uint8_t resp[MAX_MSG];
};
struct sess {
	uint32_t handle;
	uint8_t key[32];	/* sessionKey */
	uint8_t caller[32], tpm[32];	/* the nonces, the last of each */
	int with_auth;		/* the entity's authValue goes into the HMAC key (policy: PolicyAuthValue) */
};
/* tpm2_link.c: the connection and the commands' framing. */
long long tpm2m_now_ms(void);
/* Open the TPM that tpm2_tcti() names; the deadline starts. */
int tpm2m_connect(struct tpm *t);
/* Send a command, read its response into t->resp: its code, or -1 with a
 * reason.  What the TPM did not start (it was busy) is sent again. */
long tpm2m_transact(struct tpm *t, const struct out *cmd, size_t *rlen);
/* A command: header (size set by tpm2m_finish), then what the caller puts. */
void tpm2m_begin(struct out *o, unsigned tag, uint32_t cc);
void tpm2m_finish(struct out *o);
void tpm2m_flush(struct tpm *t, uint32_t handle);

/* tpm2_session.c: a session salted to t's primary key (HMAC or policy). */
int tpm2m_session(struct tpm *t, int type, struct sess *s);
/* A command authorized by session s (see tpm2_session.c). */
int tpm2m_run(struct tpm *t, uint32_t cc, const uint32_t *handles, const uint8_t *const *names,
	const size_t *namelen, int nh, struct sess *s, const uint8_t *auth, size_t alen, unsigned attrs,
	uint8_t *params, size_t plen, int nrh, uint32_t *rh, struct in *rp, const char *what);

#endif
