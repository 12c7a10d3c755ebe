/* libFuzzer target: the bus server's side of Noise_IK reading whatever a
 * hostile client sends as its first message, then as transport messages.
 * Reading must fail cleanly or succeed; never crash or overrun. */
#include "lib/bus/noise.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct noise_protocol proto;
	static uint8_t priv[32], out[NOISE_MAX_MESSAGE];
	static int ready;
	struct noise_handshake *r;
	struct noise_cipherstate send, recv;
	size_t n, split = size > 0 ? data[0] : 0;

	if (!ready) {
		if (sodium_init() < 0 || noise_protocol_parse("Noise_IK_25519_ChaChaPoly_BLAKE2b", &proto) < 0)
			abort();
		memset(priv, 7, sizeof(priv));
		ready = 1;
	}
	if (size < 1)
		return 0;
	data++, size--;
	if (split > size)
		split = size;
	r = noise_handshake_new(&proto, 0, (const uint8_t *)"fuzz", 4);
	if (!r)
		abort();
	noise_set_static(r, priv, NULL);
	if (noise_read_message(r, data, split, out, sizeof(out), &n) == 0) {
		if (n > split)
			abort();
		if (noise_write_message(r, NULL, 0, out, sizeof(out), &n) == 0 &&
		    noise_split(r, &send, &recv) == 0) {
			(void)noise_decrypt(&recv, NULL, 0, data + split, size - split, out, sizeof(out), &n);
			noise_cipherstate_wipe(&send);
			noise_cipherstate_wipe(&recv);
		}
	}
	noise_handshake_free(r);
	return 0;
}
