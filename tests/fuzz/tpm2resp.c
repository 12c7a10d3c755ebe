/* libFuzzer target for lib/tpm2/tpm2_mini.c's reading of what a TPM answers
 * (the static build's TPM2 factor): a hostile or broken TPM, or something
 * between it and sesame, must never crash it or make it read past a
 * response.  The first byte picks the operation (seal, unseal, info, PCR
 * check) and flags; the rest are the responses, each a 16-bit length and
 * its bytes.  Built with TPM2_MINI_FUZZ, which reads the responses from
 * here, uses a fixed session salt, and takes any response HMAC as good
 * (the fuzzer cannot forge one), so the parsing after them is reached. */
#define TPM2_MINI_FUZZ 1
#define tpm2_available fuzz_tpm2_available
#define tpm2_seal fuzz_tpm2_seal
#define tpm2_unseal fuzz_tpm2_unseal
#define tpm2_info fuzz_tpm2_info
#define tpm2_pcrs_changed fuzz_tpm2_pcrs_changed
#include "lib/tpm2/tpm2_link.c"
#include "lib/tpm2/tpm2_mini.c"
#include "lib/tpm2/tpm2_session.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tpm2_sealed s;
	static struct tpm2_info info;
	uint8_t secret[TPM2_SECRET_LEN], *u;
	uint32_t changed;

	if (size < 1)
		return 0;
	fuzz_in = data + 1;
	fuzz_left = size - 1;
	memset(&s, 0, sizeof(s));
	s.pcrs = data[0] & 0x10 ? 0x880 : 0;
	s.pin = (data[0] & 0x20) != 0;
	s.publen = s.privlen = 16;
	switch (data[0] & 3) {
	case 0:
		fuzz_tpm2_seal(&s, 0, s.pin ? (const uint8_t *)"pin" : NULL, s.pin ? 3 : 0, secret);
		break;
	case 1:
		if ((u = fuzz_tpm2_unseal(&s, s.pin ? (const uint8_t *)"pin" : NULL, s.pin ? 3 : 0)))
			secmem_free(u);
		break;
	case 2:
		fuzz_tpm2_info(&info);
		break;
	default:
		fuzz_tpm2_pcrs_changed(&s, &changed);
	}
	return 0;
}
