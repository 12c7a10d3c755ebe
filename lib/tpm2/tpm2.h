/* tpm2.h - the TPM2 factor: a 32-byte secret sealed in the TPM.
 *
 * Enrolment creates a sealed data object under a storage primary key
 * made in the owner hierarchy from the TCG's SRK template (ECC NIST P-256,
 * AES-128-CFB), optionally bound to PCR values (SHA-256 bank: the values
 * now, or given ones) and to a PIN (the object's authValue: the TPM's
 * dictionary-attack lockout counts wrong ones).  The primary is made again
 * at each use from the same template, so nothing is stored in the TPM; the
 * vault keeps what this header calls the data: the object's public and
 * private blobs and the policy.  Every command runs in a session salted
 * to the primary key with parameter encryption, so the secret does not
 * cross the TPM bus in clear.
 *
 * The TPM is named by a tpm2-tss TCTI string: SESAME_TPM2_TCTI, else the
 * configuration's global.tpm2.tcti, else "device:/dev/tpmrm0".  Every
 * call is bounded in time (TPM2_TIMEOUT_MS). */
#ifndef SESAME_TPM2_H
#define SESAME_TPM2_H

#include <stddef.h>
#include <stdint.h>

#define TPM2_SECRET_LEN 32
#define TPM2_MAX_PCR 24
#define TPM2_MAX_BLOB 512
#define TPM2_TIMEOUT_MS 10000

/* The factor's data, as the vault keeps it (tpm2_data_format/parse):
 *   "sesame-tpm2" NUL, u8 version 1, u8 flags (1: a PIN), u32 PCR mask
 *   (bit i: PCR i, SHA-256 bank), 32 bytes per PCR in the mask (the
 *   values sealed to, in order), u16 + the public blob (TPM2B_PUBLIC
 *   marshalled), u16 + the private blob (TPM2B_PRIVATE marshalled).
 * Integers big-endian. */
struct tpm2_sealed {
	int pin;
	uint32_t pcrs;
	uint8_t values[TPM2_MAX_PCR][32];	/* index: PCR number */
	uint8_t pub[TPM2_MAX_BLOB], priv[TPM2_MAX_BLOB];
	size_t publen, privlen;
};

/* 0, or -1 with a reason (malformed, truncated, trailing bytes...). */
int tpm2_data_parse(const uint8_t *d, size_t n, struct tpm2_sealed *s);
/* Its length, 0 if it does not fit in n. */
size_t tpm2_data_format(const struct tpm2_sealed *s, uint8_t *out, size_t n);
/* "7,11" into a mask; -1 with a reason. */
int tpm2_pcrs_parse(const char *list, uint32_t *mask);
/* A mask as "7,11" (or "none"). */
void tpm2_pcrs_format(uint32_t mask, char *out, size_t n);

/* The TCTI string to use (see above). */
const char *tpm2_tcti(void);
/* 1 if this sesame can talk to a TPM at all (built with tpm2-tss and
 * the library loads); else 0 with the reason in last_error(). */
int tpm2_available(void);

/* Seal a fresh secret (into secret, TPM2_SECRET_LEN bytes) to the PCRs
 * in s->pcrs, at the values in s->values if given (values_given), else
 * the TPM's now; with pin (NULL: none).  Fills s.  -1 with a reason. */
int tpm2_seal(struct tpm2_sealed *s, int values_given, const uint8_t *pin, size_t pinlen, uint8_t *secret);
/* The secret (secure memory), or NULL with a reason: which PCRs differ
 * from the sealed values, a wrong PIN, the TPM in lockout or cleared
 * since, no TPM. */
uint8_t *tpm2_unseal(const struct tpm2_sealed *s, const uint8_t *pin, size_t pinlen);

/* For the implementations (tpm2.c with tpm2-tss, tpm2_mini.c without):
 * a TPM response code, as sesame words it (what: the command), and the
 * message for PCRs changed since enrolment; both -1. */
int tpm2_fail_rc(uint32_t rc, const char *what);
int tpm2_fail_pcrs(uint32_t changed);

/* For status --doctor. */
struct tpm2_info {
	char manufacturer[8];	/* "IBM", "STM", ... */
	char tcti[128];
	int sha256_bank;	/* the SHA-256 PCR bank is allocated */
	int lockout;		/* in dictionary-attack lockout */
	uint32_t failures, max_failures, recovery_s;
};
int tpm2_info(struct tpm2_info *i);
/* Which of s's PCRs have other values now (a mask), -1 with a reason. */
int tpm2_pcrs_changed(const struct tpm2_sealed *s, uint32_t *changed);

#endif
