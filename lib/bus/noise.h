/* noise.h - the Noise Protocol Framework (revision 34) on libsodium.
 *
 * The bus speaks Noise_IK_25519_ChaChaPoly_BLAKE2b; this module implements
 * the framework generically so that it can be checked against any published
 * vectors: every one-way, interactive and deferred pattern, psk modifiers,
 * DH 25519, ciphers ChaChaPoly and AESGCM (where the CPU has AES-NI), hashes
 * BLAKE2b, SHA256 and SHA512.  BLAKE2s and 448 are not in libsodium, and
 * fallback/hfs modifiers are not supported: noise_protocol_parse refuses them.
 *
 * Handshake state (keys included) lives in secure memory and is wiped by
 * noise_handshake_free.
 */
#ifndef SESAME_NOISE_H
#define SESAME_NOISE_H

#include <stddef.h>
#include <stdint.h>

#define NOISE_MAX_MESSAGE 65535
#define NOISE_KEYLEN 32
#define NOISE_DHLEN 32
#define NOISE_TAGLEN 16
#define NOISE_MAX_HASHLEN 64
#define NOISE_MAX_MSGS 8	/* handshake messages in a pattern */
#define NOISE_MAX_TOKENS 10	/* tokens in one message */

enum noise_cipher { NOISE_CHACHAPOLY, NOISE_AESGCM };
enum noise_hash { NOISE_BLAKE2B, NOISE_SHA256, NOISE_SHA512 };
enum noise_token { NOISE_E, NOISE_S, NOISE_EE, NOISE_ES, NOISE_SE, NOISE_SS, NOISE_PSK };

struct noise_protocol {
	char name[96];
	enum noise_cipher cipher;
	enum noise_hash hash;
	int pre_i, pre_r;	/* pre-message: 1 if the side's static is known */
	int nmsgs;
	uint8_t ntokens[NOISE_MAX_MSGS];
	uint8_t tokens[NOISE_MAX_MSGS][NOISE_MAX_TOKENS];
	int npsks;		/* psk tokens in the pattern */
	int one_way;
};

struct noise_cipherstate {
	uint8_t k[NOISE_KEYLEN];
	uint64_t n;
	int has_key;
	enum noise_cipher cipher;
};

struct noise_handshake;

/* Parse "Noise_IK_25519_ChaChaPoly_BLAKE2b"; -1 with a reason if it is
 * malformed or not supported here. */
int noise_protocol_parse(const char *name, struct noise_protocol *p);

/* A new handshake (in secure memory); NULL with a reason. */
struct noise_handshake *noise_handshake_new(const struct noise_protocol *p, int initiator,
	const uint8_t *prologue, size_t prologue_len);
void noise_handshake_free(struct noise_handshake *hs);
/* Keys, before the first message.  The public half of a private key is
 * derived unless pub gives it (a server reusing its static key).  Without noise_set_ephemeral a fresh ephemeral is generated when
 * the pattern needs it; setting one serves test vectors and servers that
 * precompute the next ephemeral while idle (pub may then be given, else it
 * is derived).  Never reuse an ephemeral. */
int noise_set_static(struct noise_handshake *hs, const uint8_t priv[NOISE_DHLEN],
	const uint8_t *pub);
int noise_set_ephemeral(struct noise_handshake *hs, const uint8_t priv[NOISE_DHLEN],
	const uint8_t *pub);
int noise_set_remote_static(struct noise_handshake *hs, const uint8_t pub[NOISE_DHLEN]);
/* Generate the ephemeral key now rather than when the first "e" token is
 * written (the same key either way): for doing the work before a moment
 * that matters, e.g. before connecting. */
int noise_make_ephemeral(struct noise_handshake *hs);
/* psks are consumed in the order the pattern's psk tokens appear. */
int noise_add_psk(struct noise_handshake *hs, const uint8_t psk[NOISE_KEYLEN]);
/* The same, filled in place: where the caller writes the next psk's bytes,
 * inside the handshake's secure memory (a key read from a file then needs
 * no other copy); NULL once the handshake started or all slots are used. */
uint8_t *noise_psk_slot(struct noise_handshake *hs);

/* Write the next handshake message carrying payload into out (capacity
 * cap, at most NOISE_MAX_MESSAGE is ever written); *outlen its length. */
int noise_write_message(struct noise_handshake *hs, const uint8_t *payload, size_t plen,
	uint8_t *out, size_t cap, size_t *outlen);
/* Read a handshake message; the payload goes to out. */
int noise_read_message(struct noise_handshake *hs, const uint8_t *msg, size_t mlen,
	uint8_t *out, size_t cap, size_t *outlen);
/* 1 when every handshake message has been written or read. */
int noise_handshake_done(const struct noise_handshake *hs);
/* 1 if it is this side's turn to write. */
int noise_my_turn(const struct noise_handshake *hs);
/* After the handshake: the cipher states for sending and receiving.  A
 * one-way responder gets only recv (send is left without a key). */
int noise_split(struct noise_handshake *hs, struct noise_cipherstate *send,
	struct noise_cipherstate *recv);
/* The handshake hash (channel binding); valid once done. */
const uint8_t *noise_handshake_hash(const struct noise_handshake *hs, size_t *len);
/* The peer's static key once it is known, else NULL. */
const uint8_t *noise_remote_static(const struct noise_handshake *hs);

/* Transport messages: ciphertext = plaintext + 16-byte tag.  Fail when the
 * nonce would reach 2^64-1 (reserved), or on authentication failure (the
 * nonce is then not advanced). */
int noise_encrypt(struct noise_cipherstate *cs, const uint8_t *ad, size_t adlen,
	const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *outlen);
int noise_decrypt(struct noise_cipherstate *cs, const uint8_t *ad, size_t adlen,
	const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *outlen);
int noise_rekey(struct noise_cipherstate *cs);
void noise_cipherstate_wipe(struct noise_cipherstate *cs);

/* Generate a 25519 key pair. */
void noise_keypair(uint8_t priv[NOISE_DHLEN], uint8_t pub[NOISE_DHLEN]);

#endif
