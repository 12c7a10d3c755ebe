/* vault - helpers for make bench:
 *   vault fill PATH PROFILE N PASSWORD
 *       create a vault (default Argon2id) holding secrets k0..k(N-1) with
 *       values v0..v(N-1), written in one transaction
 * (unlock's baseline, raw Argon2id, is timed by buspeer unlock-time, each
 * derivation next to an unlock) */
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 1;
	if (argc == 6 && !strcmp(argv[1], "fill")) {
		struct vault_kdf kdf;
		uint8_t kek[VAULT_KEYLEN];
		struct vault *v;
		long n = atol(argv[4]);

		vault_kdf_defaults(&kdf);
		if (vault_derive_kek(&kdf, (const uint8_t *)argv[5], strlen(argv[5]), kek) < 0 ||
		    !(v = vault_create(argv[2], argv[3], &kdf, kek)) || vault_bulk_begin(v) < 0)
			die("fill: %s", last_error());
		for (long i = 0; i < n; i++) {
			char k[32], val[32];

			snprintf(k, sizeof(k), "k%ld", i);
			snprintf(val, sizeof(val), "v%ld", i);
			if (vault_set(v, k, (const uint8_t *)val, strlen(val)) < 0)
				die("fill: %s", last_error());
		}
		if (vault_bulk_end(v) < 0)
			die("fill: %s", last_error());
		vault_close(v);
		return 0;
	}
	fprintf(stderr, "usage: vault fill PATH PROFILE N PASSWORD\n");
	return 2;
}
