/* tpm2_off.c - a build without the TPM2 factor (TPM2=0): it says so
 * rather than pretending (tpm2.h). */
#include "lib/core/util.h"
#include "lib/tpm2/tpm2.h"

#define WHY "this sesame was built without TPM2 support (TPM2=0)"

int tpm2_available(void)
{
	fail(WHY);
	return 0;
}

int tpm2_seal(struct tpm2_sealed *s, int values_given, const uint8_t *pin, size_t pinlen, uint8_t *secret)
{
	return fail(WHY);
}

uint8_t *tpm2_unseal(const struct tpm2_sealed *s, const uint8_t *pin, size_t pinlen)
{
	return fail(WHY), NULL;
}

int tpm2_info(struct tpm2_info *i)
{
	return fail(WHY);
}

int tpm2_pcrs_changed(const struct tpm2_sealed *s, uint32_t *changed)
{
	return fail(WHY);
}
