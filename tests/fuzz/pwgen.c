/* libFuzzer target for secret generate's --charset specs
 * (applets/secret/pwgen.h): any bytes; an accepted alphabet has 2 to 94
 * printable ASCII characters, each once, in order. */
#include "applets/secret/pwgen.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = malloc(size + 1), set[128];
	size_t n;

	if (!spec)
		return 0;
	memcpy(spec, data, size);
	spec[size] = 0;
	if (pw_charset(spec, set, &n) == 0) {
		if (n < 2 || n > 94)
			abort();
		for (size_t i = 0; i < n; i++)
			if (set[i] < 0x21 || set[i] > 0x7e || (i && set[i] <= set[i - 1]))
				abort();
	}
	free(spec);
	return 0;
}
