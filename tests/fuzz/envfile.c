/* libFuzzer target for .env files with secret references
 * (lib/cli/envfile.h): any bytes.  Every variable kept has a valid name,
 * no name twice, and either a value without NUL of its stated length or
 * a reference to a valid profile and secret name. */
#include "lib/cli/envfile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct envfile e = { 0 };

	if (envfile_parse(&e, (const char *)data, size, "fuzz") == 0)
		for (int i = 0; i < e.n; i++) {
			const struct envfile_var *v = &e.v[i];

			if (!v->name[0] || (v->name[0] >= '0' && v->name[0] <= '9') ||
			    strspn(v->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != strlen(v->name))
				abort();
			for (int k = 0; k < i; k++)
				if (!strcmp(e.v[k].name, v->name))
					abort();
			if (v->value ? strlen(v->value) != v->len :
			    !profile_name_valid(v->profile) || !secret_name_valid(v->secret))
				abort();
		}
	else if (e.n)
		abort();	/* a failed file adds nothing */
	envfile_free(&e);
	return 0;
}
