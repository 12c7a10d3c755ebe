/* Unit tests for lib/noise beyond the vectors: the bus's own suite end
 * to end with generated keys, authentication failures, nonce exhaustion,
 * rekey, size limits, and protocol names that must be refused. */
#include "lib/bus/noise.h"
#include "lib/core/util.h"
#include "tap.h"

#include <sodium.h>
#include <string.h>

#define IK "Noise_IK_25519_ChaChaPoly_BLAKE2b"

static uint8_t buf[NOISE_MAX_MESSAGE + 64], pl[NOISE_MAX_MESSAGE + 64];

struct pair {
	struct noise_handshake *i, *r;
	struct noise_cipherstate is, ir, rs, rr; /* initiator send/recv, responder send/recv */
};

/* An IK handshake between fresh keys; the initiator believes the
 * responder's key is rs_pub. Returns 0 if both messages went through. */
static int handshake(struct pair *p, const uint8_t *rs_pub_override)
{
	struct noise_protocol proto;
	uint8_t is[32], ip[32], rsk[32], rp[32];
	size_t n, m;

	noise_protocol_parse(IK, &proto);
	noise_keypair(is, ip);
	noise_keypair(rsk, rp);
	p->i = noise_handshake_new(&proto, 1, (const uint8_t *)"prologue", 8);
	p->r = noise_handshake_new(&proto, 0, (const uint8_t *)"prologue", 8);
	noise_set_static(p->i, is, NULL);
	noise_set_remote_static(p->i, rs_pub_override ? rs_pub_override : rp);
	noise_set_static(p->r, rsk, NULL);
	if (noise_write_message(p->i, (const uint8_t *)"hello", 5, buf, sizeof(buf), &n) < 0 ||
	    noise_read_message(p->r, buf, n, pl, sizeof(pl), &m) < 0)
		return -1;
	if (noise_write_message(p->r, NULL, 0, buf, sizeof(buf), &n) < 0 ||
	    noise_read_message(p->i, buf, n, pl, sizeof(pl), &m) < 0)
		return -1;
	if (noise_split(p->i, &p->is, &p->ir) < 0 || noise_split(p->r, &p->rs, &p->rr) < 0)
		return -1;
	return memcmp(noise_remote_static(p->r), ip, 32) == 0 ? 0 : -1;
}

static void pair_free(struct pair *p)
{
	noise_handshake_free(p->i);
	noise_handshake_free(p->r);
}

int main(void)
{
	struct noise_protocol proto;
	struct pair p = { 0 };
	uint8_t other[32], priv[32];
	size_t n, m;

	if (sodium_init() < 0)
		return 1;
	ok(noise_protocol_parse(IK, &proto) == 0 && proto.nmsgs == 2 && proto.pre_r && !proto.pre_i,
		"the bus suite parses: IK, two messages, responder static known beforehand");
	ok(noise_protocol_parse("Noise_IK_25519_ChaChaPoly_BLAKE2s", &proto) < 0 &&
		strstr(last_error(), "BLAKE2s"), "BLAKE2s is refused with a reason (not in libsodium)");
	ok(noise_protocol_parse("Noise_IK_448_ChaChaPoly_BLAKE2b", &proto) < 0, "448 is refused");
	ok(noise_protocol_parse("Noise_XXfallback_25519_ChaChaPoly_BLAKE2b", &proto) < 0,
		"the fallback modifier is refused");
	ok(noise_protocol_parse("Noise_NNpsk9_25519_ChaChaPoly_BLAKE2b", &proto) < 0,
		"a psk modifier beyond the pattern's messages is refused");
	ok(noise_protocol_parse("Noise_IK_25519_ChaChaPoly_BLAKE2b_extra", &proto) < 0 &&
		noise_protocol_parse("Noise__25519_ChaChaPoly_BLAKE2b", &proto) < 0 &&
		noise_protocol_parse("", &proto) < 0, "malformed names are refused");
	ok(noise_protocol_parse("Noise_X1K1_25519_ChaChaPoly_SHA256", &proto) == 0 && proto.nmsgs == 4,
		"deferred patterns parse (X1K1: four messages)");

	ok(handshake(&p, NULL) == 0, "IK handshake between fresh keys completes; the responder learns the initiator's key");
	ok(noise_encrypt(&p.is, NULL, 0, (const uint8_t *)"ping", 4, buf, sizeof(buf), &n) == 0 && n == 20 &&
		noise_decrypt(&p.rr, NULL, 0, buf, n, pl, sizeof(pl), &m) == 0 && m == 4 &&
		!memcmp(pl, "ping", 4), "a transport message round-trips (4 bytes + 16-byte tag)");
	noise_encrypt(&p.rs, NULL, 0, (const uint8_t *)"pong", 4, buf, sizeof(buf), &n);
	buf[2] ^= 1;
	ok(noise_decrypt(&p.ir, NULL, 0, buf, n, pl, sizeof(pl), &m) < 0 && p.ir.n == 0,
		"a flipped bit fails authentication and does not advance the nonce");
	buf[2] ^= 1;
	ok(noise_decrypt(&p.ir, NULL, 0, buf, n, pl, sizeof(pl), &m) == 0, "the untampered message still decrypts");
	ok(noise_decrypt(&p.ir, NULL, 0, buf, n, pl, sizeof(pl), &m) < 0, "a replayed message is refused");

	p.is.n = p.rr.n = UINT64_MAX - 1;
	ok(noise_encrypt(&p.is, NULL, 0, (const uint8_t *)"x", 1, buf, sizeof(buf), &n) == 0 &&
		noise_decrypt(&p.rr, NULL, 0, buf, n, pl, sizeof(pl), &m) == 0, "nonce 2^64-2 is still usable");
	ok(noise_encrypt(&p.is, NULL, 0, (const uint8_t *)"x", 1, buf, sizeof(buf), &n) < 0 &&
		strstr(last_error(), "exhausted"), "nonce 2^64-1 is reserved: encryption is refused");

	ok(noise_rekey(&p.rs) == 0 && noise_rekey(&p.ir) == 0 &&
		noise_encrypt(&p.rs, NULL, 0, (const uint8_t *)"after", 5, buf, sizeof(buf), &n) == 0 &&
		noise_decrypt(&p.ir, NULL, 0, buf, n, pl, sizeof(pl), &m) == 0, "both sides rekey and stay in step");

	ok(noise_encrypt(&p.rs, NULL, 0, pl, NOISE_MAX_MESSAGE - 15, buf, sizeof(buf), &n) < 0,
		"a transport message over 65535 bytes is refused");
	ok(noise_encrypt(&p.rs, NULL, 0, pl, NOISE_MAX_MESSAGE - 16, buf, sizeof(buf), &n) == 0 &&
		n == NOISE_MAX_MESSAGE, "exactly 65535 bytes is allowed");
	ok(noise_decrypt(&p.ir, NULL, 0, buf, 10, pl, sizeof(pl), &m) < 0, "a message shorter than a tag is refused");
	pair_free(&p);

	noise_keypair(priv, other);
	memset(&p, 0, sizeof(p));
	ok(handshake(&p, other) < 0, "an initiator with the wrong server key cannot complete the handshake");
	ok(noise_read_message(p.r, buf, 96, pl, sizeof(pl), &m) < 0 &&
		strstr(last_error(), "already failed"), "a failed handshake stays failed");
	pair_free(&p);

	{
		struct noise_handshake *r;
		uint8_t zero[32] = { 0 };

		noise_protocol_parse(IK, &proto);
		r = noise_handshake_new(&proto, 0, NULL, 0);
		noise_set_static(r, priv, NULL);
		memset(buf, 0, 96); /* an all-zero (low-order) ephemeral */
		ok(noise_read_message(r, buf, 96, pl, sizeof(pl), &m) < 0 && strstr(last_error(), "low-order"),
			"a low-order ephemeral key is refused");
		noise_handshake_free(r);
		r = noise_handshake_new(&proto, 0, NULL, 0);
		noise_set_static(r, priv, NULL);
		ok(noise_read_message(r, buf, 40, pl, sizeof(pl), &m) < 0, "a truncated first message is refused");
		noise_handshake_free(r);
		r = noise_handshake_new(&proto, 1, NULL, 0);
		ok(noise_write_message(r, NULL, 0, buf, sizeof(buf), &n) < 0 && strstr(last_error(), "beforehand"),
			"IK without the server's key cannot start");
		noise_handshake_free(r);
		(void)zero;
	}
	{
		/* The bus's CLI handshake with the psk filled in place on one side. */
		struct noise_handshake *i, *r;
		uint8_t psk[32], *slot;

		randombytes_buf(psk, sizeof(psk));
		noise_protocol_parse("Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b", &proto);
		i = noise_handshake_new(&proto, 1, NULL, 0);
		r = noise_handshake_new(&proto, 0, NULL, 0);
		slot = noise_psk_slot(i);
		ok(slot != NULL, "a psk slot is handed out before the first message");
		memcpy(slot, psk, 32);
		noise_add_psk(r, psk);
		ok(noise_write_message(i, (const uint8_t *)"req", 3, buf, sizeof(buf), &n) == 0 &&
			noise_read_message(r, buf, n, pl, sizeof(pl), &m) == 0 && m == 3 && !memcmp(pl, "req", 3),
			"a psk written into its slot works like one added by copy (0-RTT payload decrypts)");
		ok(!noise_psk_slot(i) && strstr(last_error(), "before the first message"),
			"no psk slot once the handshake started");
		noise_handshake_free(i);
		noise_handshake_free(r);
	}
	return done_testing();
}
