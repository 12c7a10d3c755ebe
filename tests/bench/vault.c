/* vault - helpers for make bench:
 *   vault fill PATH PROFILE N PASSWORD
 *       create a vault (default Argon2id) holding secrets k0..k(N-1) with
 *       values v0..v(N-1), written in one transaction
 *   vault argon2 N
 *       time N raw libsodium Argon2id derivations with the vault's default
 *       parameters (the baseline for unlock); prints "p50_us=" */
#include "lib/util.h"
#include "lib/vault.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

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
	if (argc == 3 && !strcmp(argv[1], "argon2")) {
		int n = atoi(argv[2]) > 0 ? atoi(argv[2]) : 5;
		long long *t = xcalloc(n, sizeof(*t));
		struct vault_kdf kdf;
		uint8_t out[32];

		vault_kdf_defaults(&kdf);
		for (int i = 0; i < n; i++) {
			long long s = now_us();

			if (crypto_pwhash(out, sizeof(out), "benchmark", 9, kdf.salt, kdf.opslimit,
			    (size_t)kdf.memlimit_kib * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0)
				die("argon2 failed");
			t[i] = now_us() - s;
		}
		qsort(t, n, sizeof(*t), cmp);
		printf("p50_us=%lld\n", t[n / 2]);
		return 0;
	}
	fprintf(stderr, "usage: vault fill PATH PROFILE N PASSWORD | vault argon2 N\n");
	return 2;
}
