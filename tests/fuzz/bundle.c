/* libFuzzer target for provisioning bundles (lib/store/bundle.h): the
 * bytes as a bundle's inner part (what a device reads once the box is
 * open and the signature checked: a provisioner's key can still be
 * stolen), and as a whole file opened with a fixed device key.  Whatever
 * is kept has a valid profile and valid, distinct secret names. */
#include "lib/store/bundle.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pk[32], sk[32];
	static int ready;
	struct bundle b = { 0 };

	if (!ready) {
		if (sodium_init() < 0)
			return 0;
		crypto_box_keypair(pk, sk);
		ready = 1;
	}
	if (bundle_inner(data, size, &b) == 0) {
		if (!profile_name_valid(b.secrets.profile))
			abort();
		for (size_t i = 0; i < b.secrets.n; i++) {
			if (!secret_name_valid(b.secrets.s[i].name) || b.secrets.s[i].len > VAULT_MAX_VALUE)
				abort();
			for (size_t j = 0; j < i; j++)
				if (!strcmp(b.secrets.s[i].name, b.secrets.s[j].name))
					abort();
		}
		bundle_free(&b);
	} else if (b.secrets.n || b.secrets.s) {
		abort();
	}
	if (bundle_open(data, size, pk, sk, &b) == 0)
		abort();	/* random bytes never open under a fresh key */
	return 0;
}
