/* libFuzzer target for sealed vault backups (lib/store/backup.h): the
 * bytes as a file's header, and as a decrypted payload.  A header kept
 * asks for bounded costs; a payload kept has valid, distinct names and
 * values no larger than a vault's. */
#include "lib/core/secmem.h"
#include "lib/store/backup.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct backup_kdf k;
	struct backup b;

	if (sodium_init() < 0)
		return 0;
	if (backup_header(data, size, &k) == 0 && (k.ops < 1 || k.ops > 20 || k.mem_kib < 8 || k.mem_kib > 1048576))
		abort();
	if (backup_payload(data, size, &b) == 0) {
		if (!profile_name_valid(b.profile))
			abort();
		for (size_t i = 0; i < b.n; i++) {
			if (!secret_name_valid(b.s[i].name) || b.s[i].len > VAULT_MAX_VALUE)
				abort();
			for (size_t j = 0; j < i; j++)
				if (!strcmp(b.s[i].name, b.s[j].name))
					abort();
		}
		backup_free(&b);
	} else if (b.n || b.s) {
		abort();	/* a refused payload keeps nothing */
	}
	return 0;
}
