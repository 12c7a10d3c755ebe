/* libFuzzer target for the TPM2 factor's stored data (lib/tpm2/tpm2.h), which
 * comes from the vault file: parsing must never crash or read past the
 * input, and what parses must format back to the same bytes. */
#include "lib/tpm2/tpm2.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tpm2_sealed s, t;
	static uint8_t out[4096];
	size_t n;

	if (tpm2_data_parse(data, size, &s) < 0)
		return 0;
	n = tpm2_data_format(&s, out, sizeof(out));
	if (n != size || memcmp(out, data, size))
		abort();
	if (tpm2_data_parse(out, n, &t) < 0 || memcmp(&s, &t, sizeof(s)))
		abort();
	return 0;
}
