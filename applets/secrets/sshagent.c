/* sshagent.c - SSH agent client (sshagent.h). */
#include "applets/secrets/sshagent.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <errno.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum {
	AGENT_FAILURE = 5,
	AGENTC_REQUEST_IDENTITIES = 11,
	AGENT_IDENTITIES_ANSWER = 12,
	AGENTC_SIGN_REQUEST = 13,
	AGENT_SIGN_RESPONSE = 14,
	AGENT_RSA_SHA2_512 = 4,
};

#define TIMEOUT_MS 10000	/* an agent may ask for confirmation */

/* ---- reading SSH wire types ------------------------------------------ */

struct rd {
	const uint8_t *p, *end;
};

static int get_u32(struct rd *r, uint32_t *v)
{
	if (r->end - r->p < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	return 0;
}

static int get_str(struct rd *r, const uint8_t **s, size_t *n)
{
	uint32_t l;

	if (get_u32(r, &l) < 0 || (size_t)(r->end - r->p) < l)
		return -1;
	*s = r->p;
	*n = l;
	r->p += l;
	return 0;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* ---- identities ------------------------------------------------------- */

int ssh_identity_describe(struct ssh_identity *id)
{
	struct rd r = { id->blob, id->blob + id->len };
	uint8_t h[crypto_hash_sha256_BYTES];
	const uint8_t *t;
	size_t tl;

	if (get_str(&r, &t, &tl) < 0 || tl == 0 || tl >= sizeof(id->type) || memchr(t, 0, tl))
		return -1;
	memcpy(id->type, t, tl);
	id->type[tl] = 0;
	crypto_hash_sha256(h, id->blob, id->len);
	memcpy(id->fp, "SHA256:", 7);
	sodium_bin2base64(id->fp + 7, sizeof(id->fp) - 7, h, sizeof(h), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	return 0;
}

int ssh_key_eligible(const struct ssh_identity *id)
{
	return !strcmp(id->type, "ssh-ed25519") || !strcmp(id->type, "ssh-rsa");
}

int ssh_parse_identities(const uint8_t *msg, size_t len, struct ssh_identity *ids, size_t max)
{
	struct rd r = { msg, msg + len };
	uint32_t n;
	size_t got = 0;

	if (len < 1 || msg[0] != AGENT_IDENTITIES_ANSWER)
		return fail("the SSH agent sent an unexpected reply (type %u)", len ? msg[0] : 0);
	r.p++;
	if (get_u32(&r, &n) < 0 || n > 4096)
		return fail("the SSH agent's key list is malformed");
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *blob, *comment;
		size_t bl, cl;

		if (get_str(&r, &blob, &bl) < 0 || get_str(&r, &comment, &cl) < 0)
			return fail("the SSH agent's key list is malformed");
		if (got == max || bl > SSH_MAX_BLOB)
			continue;	/* too many, or a key too big to be ours */
		memset(&ids[got], 0, sizeof(ids[got]));
		memcpy(ids[got].blob, blob, bl);
		ids[got].len = bl;
		if (ssh_identity_describe(&ids[got]) < 0)
			continue;
		for (size_t j = 0; j < cl && j + 1 < sizeof(ids[got].comment); j++)
			ids[got].comment[j] = comment[j] < 0x20 || comment[j] == 0x7f ? '?' : (char)comment[j];
		got++;
	}
	return (int)got;
}

int ssh_parse_signature(const uint8_t *msg, size_t len, const char *want_alg, const uint8_t **sig,
	size_t *slen)
{
	struct rd r = { msg, msg + len }, in;
	const uint8_t *alg, *raw;
	size_t al, rl;

	if (len >= 1 && msg[0] == AGENT_FAILURE)
		return fail("the SSH agent refused to sign (is the key still loaded?)");
	if (len < 1 || msg[0] != AGENT_SIGN_RESPONSE)
		return fail("the SSH agent sent an unexpected reply (type %u)", len ? msg[0] : 0);
	r.p++;
	if (get_str(&r, sig, slen) < 0)
		return fail("the SSH agent's signature is malformed");
	in = (struct rd){ *sig, *sig + *slen };
	if (get_str(&in, &alg, &al) < 0 || get_str(&in, &raw, &rl) < 0 || rl == 0)
		return fail("the SSH agent's signature is malformed");
	if (al != strlen(want_alg) || memcmp(alg, want_alg, al))
		return fail("the SSH agent signed with %.*s, not %s", (int)(al > 32 ? 32 : al), alg, want_alg);
	return 0;
}

/* ---- the socket ------------------------------------------------------- */

int ssh_agent_connect(void)
{
	const char *path = getenv("SSH_AUTH_SOCK");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!path || !*path)
		return fail("no SSH agent (SSH_AUTH_SOCK is not set)");
	if (strlen(path) >= sizeof(sa.sun_path))
		return fail("SSH_AUTH_SOCK is too long");
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return fail("cannot reach the SSH agent at %s: %s", path, strerror(e));
	}
	return fd;
}

static int io(int fd, short ev, void *buf, size_t n, long long deadline)
{
	size_t done = 0;

	while (done < n) {
		struct pollfd pf = { fd, ev, 0 };
		struct timespec ts;
		long long now;
		ssize_t r;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
		if (now >= deadline)
			return fail("the SSH agent did not answer in %d s", TIMEOUT_MS / 1000);
		if (poll(&pf, 1, (int)(deadline - now)) <= 0)
			continue;
		r = ev == POLLOUT ? write(fd, (uint8_t *)buf + done, n - done) : read(fd, (uint8_t *)buf + done, n - done);
		if (r == 0)
			return fail("the SSH agent closed the connection");
		if (r < 0 && errno != EINTR && errno != EAGAIN)
			return fail("SSH agent: %s", strerror(errno));
		if (r > 0)
			done += (size_t)r;
	}
	return 0;
}

/* One request, one reply (malloc'ed, *len bytes). */
static uint8_t *transact(int fd, const uint8_t *req, size_t rlen, size_t *len)
{
	struct timespec ts;
	long long deadline;
	uint8_t hdr[4], *reply;
	uint32_t n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 + TIMEOUT_MS;
	put_u32(hdr, (uint32_t)rlen);
	if (io(fd, POLLOUT, hdr, 4, deadline) < 0 || io(fd, POLLOUT, (void *)req, rlen, deadline) < 0 ||
	    io(fd, POLLIN, hdr, 4, deadline) < 0)
		return NULL;
	n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if (n == 0 || n > SSH_AGENT_MAX_MSG)
		return fail("the SSH agent sent a reply of %u bytes", n), NULL;
	reply = xmalloc(n);
	if (io(fd, POLLIN, reply, n, deadline) < 0) {
		free(reply);
		return NULL;
	}
	*len = n;
	return reply;
}

int ssh_agent_identities(int fd, struct ssh_identity *ids, size_t max)
{
	uint8_t req = AGENTC_REQUEST_IDENTITIES, *reply;
	size_t len;
	int n;

	if (!(reply = transact(fd, &req, 1, &len)))
		return -1;
	n = ssh_parse_identities(reply, len, ids, max);
	free(reply);
	return n;
}

uint8_t *ssh_agent_sign(int fd, const struct ssh_identity *id, const uint8_t *data, size_t dlen,
	size_t *siglen)
{
	int rsa = !strcmp(id->type, "ssh-rsa");
	size_t rlen = 1 + 4 + id->len + 4 + dlen + 4, len, slen;
	uint8_t *req, *reply, *out;
	const uint8_t *sig;

	if (!ssh_key_eligible(id))
		return fail("%s keys cannot unlock a vault (only Ed25519 and RSA sign deterministically)",
			id->type), NULL;
	req = xmalloc(rlen);
	req[0] = AGENTC_SIGN_REQUEST;
	put_u32(req + 1, (uint32_t)id->len);
	memcpy(req + 5, id->blob, id->len);
	put_u32(req + 5 + id->len, (uint32_t)dlen);
	memcpy(req + 9 + id->len, data, dlen);
	put_u32(req + 9 + id->len + dlen, rsa ? AGENT_RSA_SHA2_512 : 0);
	reply = transact(fd, req, rlen, &len);
	free(req);
	if (!reply)
		return NULL;
	if (ssh_parse_signature(reply, len, rsa ? "rsa-sha2-512" : "ssh-ed25519", &sig, &slen) < 0 ||
	    !(out = secmem_dup(sig, slen))) {
		sodium_memzero(reply, len);
		free(reply);
		return NULL;
	}
	sodium_memzero(reply, len);
	free(reply);
	*siglen = slen;
	return out;
}

/* ---- public key files and checks ------------------------------------- */

int ssh_pubkey_parse(const char *line, struct ssh_identity *id)
{
	char type[32], b64[4096];
	size_t bl;

	memset(id, 0, sizeof(*id));
	if (sscanf(line, "%31s %4095s", type, b64) != 2)
		return fail("not an OpenSSH public key line (TYPE BASE64 [COMMENT])");
	if (sodium_base642bin(id->blob, sizeof(id->blob), b64, strlen(b64), NULL, &bl, NULL,
	    sodium_base64_VARIANT_ORIGINAL) < 0)
		return fail("the public key's base64 is malformed (or the key is too big)");
	id->len = bl;
	if (ssh_identity_describe(id) < 0 || strcmp(id->type, type))
		return fail("the public key is malformed (type %s)", type);
	return 0;
}

int ssh_signature_check(const uint8_t *key, size_t klen, const uint8_t *sig, size_t slen,
	const uint8_t *data, size_t dlen)
{
	struct rd k = { key, key + klen }, s = { sig, sig + slen };
	const uint8_t *kt, *pk, *st, *raw;
	size_t ktl, pkl, stl, rawl;

	if (get_str(&k, &kt, &ktl) < 0 || get_str(&s, &st, &stl) < 0)
		return -1;
	if (ktl != 11 || memcmp(kt, "ssh-ed25519", 11))
		return 0;
	if (get_str(&k, &pk, &pkl) < 0 || pkl != crypto_sign_PUBLICKEYBYTES || stl != 11 ||
	    memcmp(st, "ssh-ed25519", 11) || get_str(&s, &raw, &rawl) < 0 || rawl != crypto_sign_BYTES)
		return -1;
	return crypto_sign_verify_detached(raw, data, dlen, pk) == 0 ? 1 : -1;
}
