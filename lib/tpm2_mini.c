/* tpm2_mini.c - the TPM2 factor without tpm2-tss (tpm2.h), for the static
 * build: the dozen TPM 2.0 commands sesame sends, marshalled here, over
 * /dev/tpmrm0 or a swtpm's TCP socket.  The same objects as tpm2.c makes
 * (the SRK template, the sealed object and its policy), so a vault sealed
 * by one opens with the other.
 *
 * Sessions are salted to the storage primary key by ECDH on NIST P-256
 * (KDFe), keyed by KDFa, and encrypt the secret both ways with AES-128-CFB
 * (TPM 2.0 Part 1, 19.6 and 21); responses are authenticated (their HMAC
 * checked).  The primitives are libraries': SHA-256 and HMAC-SHA-256 from
 * libsodium, P-256 and AES from mbed TLS (vendored, vendor/pins).  Every
 * read from the TPM has the time left of TPM2_TIMEOUT_MS. */
#include "tpm2.h"
#include "secmem.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <mbedtls/aes.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <netdb.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

int tpm2_available(void)
{
	return 1;
}

/* --- marshalling ------------------------------------------------------ */

struct out {
	uint8_t b[MAX_MSG];
	size_t n;
	int over;
};

static void put(struct out *o, const void *p, size_t n)
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

static void put8(struct out *o, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(o, &b, 1);
}

static void put16(struct out *o, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(o, b, 2);
}

static void put32(struct out *o, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	put(o, b, 4);
}

static void put2b(struct out *o, const void *p, size_t n)
{
	put16(o, (unsigned)n);
	put(o, p, n);
}

static void set32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
}

struct in {
	const uint8_t *b;
	size_t n, pos;
	int bad;
};

static const uint8_t *get(struct in *i, size_t n)
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

static unsigned get8(struct in *i)
{
	const uint8_t *p = get(i, 1);

	return p ? p[0] : 0;
}

static unsigned get16(struct in *i)
{
	const uint8_t *p = get(i, 2);

	return p ? (unsigned)(p[0] << 8 | p[1]) : 0;
}

static uint32_t get32(struct in *i)
{
	const uint8_t *p = get(i, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

/* A TPM2B: its bytes (and length), at most max. */
static const uint8_t *get2b(struct in *i, size_t max, size_t *len)
{
	size_t n = get16(i);

	if (n > max) {
		i->bad = 1;
		return NULL;
	}
	*len = n;
	return get(i, n);
}

/* --- the connection ----------------------------------------------------- */

struct tpm {
	int fd, stream;		/* stream: a socket (read the header, then the rest) */
	long long deadline;	/* CLOCK_MONOTONIC ms */
	uint32_t srk;		/* the storage primary key's handle, 0 before */
	uint8_t srk_name[34];
	uint8_t srk_x[32], srk_y[32];
	uint8_t resp[MAX_MSG];
};

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#ifndef TPM2_MINI_FUZZ
/* Wait until fd is ready for events, within the deadline. */
static int ready(struct tpm *t, short events)
{
	for (;;) {
		struct pollfd p = { t->fd, events, 0 };
		long long left = t->deadline - now_ms();
		int r;

		if (left <= 0)
			return fail("the TPM at %s did not answer within %d ms", tpm2_tcti(), TPM2_TIMEOUT_MS);
		if ((r = poll(&p, 1, (int)left)) > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return fail("the TPM at %s: poll: %s", tpm2_tcti(), strerror(errno));
	}
}

/* "swtpm:host=H,port=P" (tpm2-tss's form) into host and port. */
static int swtpm_addr(const char *conf, char *host, size_t hn, char *port, size_t pn)
{
	snprintf(host, hn, "127.0.0.1");
	snprintf(port, pn, "2321");
	for (const char *p = conf; *p;) {
		size_t n = strcspn(p, ",");

		if (!strncmp(p, "host=", 5) && n - 5 < hn)
			snprintf(host, hn, "%.*s", (int)(n - 5), p + 5);
		else if (!strncmp(p, "port=", 5) && n - 5 < pn)
			snprintf(port, pn, "%.*s", (int)(n - 5), p + 5);
		else
			return fail("TCTI swtpm:%s: host=H,port=P only", conf);
		p += n + (p[n] == ',');
	}
	return 0;
}

static int tpm_connect(struct tpm *t)
{
	const char *tcti = tpm2_tcti();
	char host[256], port[16];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int e;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->deadline = now_ms() + TPM2_TIMEOUT_MS;
	if (!strcmp(tcti, "device") || !strncmp(tcti, "device:", 7)) {
		const char *dev = tcti[6] == ':' && tcti[7] ? tcti + 7 : "/dev/tpmrm0";

		if ((t->fd = open(dev, O_RDWR | O_CLOEXEC | O_NONBLOCK)) < 0)
			return fail("no TPM at %s (%s): %s", tcti, strerror(errno), "no TPM in this machine, or its "
				"driver (tpm_tis, tpm_crb) is not loaded, or no access to it");
		return 0;
	}
	if (strncmp(tcti, "swtpm:", 6) && strcmp(tcti, "swtpm"))
		return fail("TCTI '%s': this sesame (without tpm2-tss) speaks to device:PATH and "
			"swtpm:host=H,port=P only", tcti);
	if (swtpm_addr(tcti[5] ? tcti + 6 : "", host, sizeof(host), port, sizeof(port)) < 0)
		return -1;
	if ((e = getaddrinfo(host, port, &hints, &ai)) != 0)
		return fail("no TPM at %s: %s", tcti, gai_strerror(e));
	t->stream = 1;
	if ((t->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0 ||
	    (connect(t->fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)) {
		e = errno;
		freeaddrinfo(ai);
		return fail("no TPM at %s (%s): is the TPM (simulator) running there?", tcti, strerror(e));
	}
	freeaddrinfo(ai);
	if (ready(t, POLLOUT) < 0)
		return -1;
	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &e, &(socklen_t){ sizeof(e) }) < 0 || e)
		return fail("no TPM at %s (%s): is the TPM (simulator) running there?", tcti, strerror(e));
	return 0;
}

#else
/* tests/fuzz/tpm2resp.c: the TPM's responses come from the fuzzer, each
 * a 16-bit length and that many bytes; no device, no socket. */
static const uint8_t *fuzz_in;
static size_t fuzz_left;

static int tpm_connect(struct tpm *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->deadline = now_ms() + TPM2_TIMEOUT_MS;
	return 0;
}
#endif

static void tpm_close(struct tpm *t);

static long transact_once(struct tpm *t, const struct out *cmd, size_t *rlen);

/* Send a command, read its response into t->resp; the response's code,
 * or -1 with a reason (no answer, a malformed one).  A command the TPM
 * did not start (TPM_RC_RETRY, _YIELDED, _TESTING: it was busy, as with a
 * dictionary-attack counter to write) is sent again, as tpm2-tss does,
 * until the deadline. */
static long transact(struct tpm *t, const struct out *cmd, size_t *rlen)
{
	long rc;

	while ((rc = transact_once(t, cmd, rlen)) == 0x922 || rc == 0x908 || rc == 0x90a) {
		if (now_ms() + 20 >= t->deadline)
			break;
		nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	}
	return rc;
}

#ifndef TPM2_MINI_FUZZ
static long transact_once(struct tpm *t, const struct out *cmd, size_t *rlen)
{
	size_t done = 0, want = 10;
	ssize_t n;

	if (cmd->over)
		return fail("a TPM command too large to send");
	while (done < cmd->n) {
		if (ready(t, POLLOUT) < 0)
			return -1;
		if ((n = write(t->fd, cmd->b + done, cmd->n - done)) < 0 && errno != EINTR && errno != EAGAIN)
			return fail("cannot talk to the TPM at %s: %s", tpm2_tcti(), strerror(errno));
		done += n > 0 ? (size_t)n : 0;
	}
	done = 0;
	while (done < want) {
		if (ready(t, POLLIN) < 0)
			return -1;
		n = read(t->fd, t->resp + done, t->stream ? want - done : sizeof(t->resp) - done);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return fail("the TPM at %s closed the connection%s%s", tpm2_tcti(), n ? ": " : "",
				n ? strerror(errno) : "");
		done += (size_t)n;
		if (done >= 10) {
			uint32_t size = (uint32_t)t->resp[2] << 24 | (uint32_t)t->resp[3] << 16 |
				(uint32_t)t->resp[4] << 8 | t->resp[5];

			if (size < 10 || size > sizeof(t->resp))
				return fail("the TPM answered a malformed response (%u bytes)", size);
			want = size;
			if (!t->stream && done != want)
				return fail("the TPM answered %zu bytes of a %u-byte response", done, size);
		}
	}
	*rlen = want;
	return (long)((uint32_t)t->resp[6] << 24 | (uint32_t)t->resp[7] << 16 | (uint32_t)t->resp[8] << 8 |
		t->resp[9]);
}
#else
static long transact_once(struct tpm *t, const struct out *cmd, size_t *rlen)
{
	size_t n, size;

	if (cmd->over || fuzz_left < 2)
		return fail("no more responses");
	n = (size_t)(fuzz_in[0] << 8 | fuzz_in[1]);
	fuzz_in += 2, fuzz_left -= 2;
	if (n > fuzz_left || n > sizeof(t->resp))
		n = fuzz_left < sizeof(t->resp) ? fuzz_left : sizeof(t->resp);
	memcpy(t->resp, fuzz_in, n);
	fuzz_in += n, fuzz_left -= n;
	if (n < 10)
		return fail("the TPM answered a malformed response");
	size = (size_t)t->resp[2] << 24 | (size_t)t->resp[3] << 16 | (size_t)t->resp[4] << 8 | t->resp[5];
	if (size != n)
		return fail("the TPM answered a malformed response (%zu bytes)", size);
	*rlen = n;
	return (long)((uint32_t)t->resp[6] << 24 | (uint32_t)t->resp[7] << 16 | (uint32_t)t->resp[8] << 8 |
		t->resp[9]);
}
#endif

/* A command without sessions: header, handles, parameters. */
static void begin(struct out *o, unsigned tag, uint32_t cc)
{
	o->n = 0;
	o->over = 0;
	put16(o, tag);
	put32(o, 0);	/* the size, set by finish */
	put32(o, cc);
}

static void finish(struct out *o)
{
	if (!o->over)
		set32(o->b + 2, (uint32_t)o->n);
}

static void flush(struct tpm *t, uint32_t h)
{
	struct out o;
	size_t n;

	begin(&o, ST_NO_SESSIONS, CC_FlushContext);
	put32(&o, h);
	finish(&o);
	transact(t, &o, &n);
}

/* --- the primitives, from libsodium and mbed TLS --------------------- */

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

/* --- sessions --------------------------------------------------------- */

struct sess {
	uint32_t handle;
	uint8_t key[32];	/* sessionKey */
	uint8_t caller[32], tpm[32];	/* the nonces, the last of each */
	int with_auth;		/* the entity's authValue goes into the HMAC key (policy: PolicyAuthValue) */
};

/* A session salted to the primary key (its handle in s), HMAC or policy. */
static int start_session(struct tpm *t, int type, struct sess *s)
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
	begin(&o, ST_NO_SESSIONS, CC_StartAuthSession);
	put32(&o, t->srk);
	put32(&o, RH_NULL);
	put2b(&o, s->caller, 32);
	put(&o, point.b, point.n);
	put8(&o, (unsigned)type);
	put16(&o, ALG_AES), put16(&o, 128), put16(&o, ALG_CFB);
	put16(&o, ALG_SHA256);
	finish(&o);
	if ((rc = transact(t, &o, &rn)) != 0) {
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

/* A command authorized by session s (for the entity whose authValue is
 * auth): names are the handles' names (for cpHash).  With ATTR_DECRYPT the
 * first parameter (a TPM2B) goes encrypted; with ATTR_ENCRYPT the first
 * response parameter comes back so, and is decrypted.  The response is
 * authenticated.  0 with the response parameters in *rp (within
 * t->resp) and nh response handles in rh; or the failure. */
static int run(struct tpm *t, uint32_t cc, const uint32_t *handles, const uint8_t *const *names,
	const size_t *namelen, int nh, struct sess *s, const uint8_t *auth, size_t alen, unsigned attrs,
	uint8_t *params, size_t plen, int nrh, uint32_t *rh, struct in *rp, const char *what)
{
	crypto_hash_sha256_state st;
	crypto_auth_hmacsha256_state hs;
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
	crypto_auth_hmacsha256_init(&hs, key, klen);
	crypto_auth_hmacsha256_update(&hs, cp, 32);
	crypto_auth_hmacsha256_update(&hs, s->caller, 32);
	crypto_auth_hmacsha256_update(&hs, s->tpm, 32);
	crypto_auth_hmacsha256_update(&hs, &a, 1);
	crypto_auth_hmacsha256_final(&hs, hmac);

	begin(&o, ST_SESSIONS, cc);
	for (int k = 0; k < nh; k++)
		put32(&o, handles[k]);
	put32(&o, 4 + 2 + 32 + 1 + 2 + 32);
	put32(&o, s->handle);
	put2b(&o, s->caller, 32);
	put8(&o, a);
	put2b(&o, hmac, 32);
	if (plen)
		put(&o, params, plen);
	finish(&o);
	rc = transact(t, &o, &rn);
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
	crypto_auth_hmacsha256_init(&hs, key, klen);
	crypto_auth_hmacsha256_update(&hs, cp, 32);
	crypto_auth_hmacsha256_update(&hs, s->tpm, 32);
	crypto_auth_hmacsha256_update(&hs, s->caller, 32);
	crypto_auth_hmacsha256_update(&hs, &t->resp[i.pos - 32 - 2 - 1], 1);	/* its attributes */
	crypto_auth_hmacsha256_final(&hs, hmac);
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
	sodium_memzero(&hs, sizeof(hs));
	*rp = (struct in){ rpar, psize, 0, 0 };
	return 0;
}

/* --- objects ----------------------------------------------------------- */

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

	begin(&o, ST_SESSIONS, CC_CreatePrimary);
	put32(&o, RH_OWNER);
	put32(&o, 9);					/* a password session, empty */
	put32(&o, RS_PW), put16(&o, 0), put8(&o, 0), put16(&o, 0);
	put16(&o, 4), put16(&o, 0), put16(&o, 0);	/* inSensitive: no userAuth, no data */
	put2b(&o, p.b, p.n);
	put16(&o, 0);					/* outsideInfo */
	put32(&o, 0);					/* creationPCR */
	finish(&o);
	if ((rc = transact(t, &o, &rn)) != 0)
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

static int tpm_open(struct tpm *t)
{
	if (tpm_connect(t) < 0) {
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
		flush(t, t->srk);
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

		begin(&o, ST_NO_SESSIONS, CC_PCR_Read);
		pcr_selection(&o, mask);
		finish(&o);
		if ((rc = transact(t, &o, &rn)) != 0)
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
	if (tpm_connect(&t) < 0) {
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
	if (start_session(&t, SE_HMAC, &ss) < 0)
		goto out;
	names[0] = t.srk_name;
	if (run(&t, CC_Create, &t.srk, names, nl, 1, &ss, NULL, 0, ATTR_DECRYPT, p->b, p->n, 0, NULL, &r,
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
	flush(&t, ss.handle);
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
	if (start_session(&t, SE_HMAC, &hs) < 0)
		goto out;
	/* Load: the blobs as stored (each a TPM2B already). */
	memcpy(params, s->priv, s->privlen);
	memcpy(params + s->privlen, s->pub, s->publen);
	names[0] = t.srk_name;
	if (run(&t, CC_Load, &t.srk, names, nl, 1, &hs, NULL, 0, ATTR_CONTINUE, params, s->privlen + s->publen, 1,
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
		if (start_session(&t, SE_POLICY, &ps) < 0)
			goto out;
		if (s->pcrs) {
			begin(&o, ST_NO_SESSIONS, CC_PolicyPCR);
			put32(&o, ps.handle);
			pcr_digest(s, pd);
			put2b(&o, pd, 32);
			pcr_selection(&o, s->pcrs);
			finish(&o);
			if ((rc = transact(&t, &o, &rn)) != 0) {
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
			begin(&o, ST_NO_SESSIONS, CC_PolicyAuthValue);
			put32(&o, ps.handle);
			finish(&o);
			if ((rc = transact(&t, &o, &rn)) != 0) {
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
	if (run(&t, CC_Unseal, &obj, names, nl, 1, ps.handle ? &ps : &hs, pin, pinlen, ATTR_ENCRYPT, NULL, 0, 0,
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
		flush(&t, obj);
	if (ps.handle)
		flush(&t, ps.handle);
	if (hs.handle)
		flush(&t, hs.handle);
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

	begin(&o, ST_NO_SESSIONS, CC_GetCapability);
	put32(&o, CAP_TPM_PROPERTIES), put32(&o, first), put32(&o, count);
	finish(&o);
	if ((rc = transact(t, &o, &rn)) != 0)
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
	if (tpm_connect(&t) < 0) {
		if (t.fd >= 0)
			close(t.fd);
		return -1;
	}
	if (properties(&t, PT_MANUFACTURER, 1, i) < 0 || properties(&t, PT_PERMANENT, 32, i) < 0) {
		tpm_close(&t);
		return -1;
	}
	begin(&o, ST_NO_SESSIONS, CC_GetCapability);
	put32(&o, CAP_PCRS), put32(&o, 0), put32(&o, 1);
	finish(&o);
	if ((rc = transact(&t, &o, &rn)) != 0) {
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
