/* bundle.h - provisioning bundles: secrets a provisioning host prepares
 * for one device, which only that device can open and which it takes
 * only from a provisioner its policy trusts (sesame bundle, device-key).
 *
 * File, version 1: "sesame-bundle" (13 bytes), 1 (the version), then a
 * libsodium sealed box (X25519, XSalsa20-Poly1305) to the device's
 * public key of:
 *     the provisioner's Ed25519 public key (32), its signature (64) of
 *     the inner part, the inner part:
 *         "sesame-bundle-v1" (16), serial (8), created (8, Unix
 *         seconds), the device's public key (32), the profile (1 + n),
 *         the number of secrets (4), each: name (2 + n), value (4 + n)
 * Integers big-endian.  The device's key is inside what is signed, so a
 * bundle for one device cannot be passed off to another; the serial
 * only grows (import refuses one not above the last it took from that
 * provisioner for that profile): an old bundle cannot be replayed. */
#ifndef SESAME_BUNDLE_H
#define SESAME_BUNDLE_H

#include "lib/store/backup.h"

#include <sodium.h>
#include <stdint.h>

#define BUNDLE_MAX_FILE (8u << 20)

struct bundle {
	uint64_t serial, created;
	uint8_t device[crypto_box_PUBLICKEYBYTES];
	uint8_t signer[crypto_sign_PUBLICKEYBYTES];	/* open: who signed it */
	struct backup secrets;		/* .profile and the secrets */
};

/* b sealed to b->device, signed with sk (64 bytes, Ed25519): the file
 * (malloc'ed, *len).  NULL with a reason. */
uint8_t *bundle_seal(const struct bundle *b, const uint8_t sk[crypto_sign_SECRETKEYBYTES], size_t *len);
/* The file opened with the device's key pair and its signature checked
 * (against b->signer, which the caller then checks is trusted).  -1 with
 * a reason. */
int bundle_open(const uint8_t *file, size_t len, const uint8_t pk[crypto_box_PUBLICKEYBYTES],
	const uint8_t sk[crypto_box_SECRETKEYBYTES], struct bundle *b);
/* The inner part read into b (apart, for the fuzz target).  -1 with a
 * reason. */
int bundle_inner(const uint8_t *p, size_t len, struct bundle *b);
void bundle_free(struct bundle *b);

#endif
