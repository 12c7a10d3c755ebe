/* libFuzzer target for the clipboard's sensitivity check (any text a
 * program puts on the clipboard): never reads past len, and its answer
 * depends on the bytes alone (asked twice, same answer). */
#include "applets/clipboard/sensitive.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	const char *a, *b;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	a = sensitive_kind(copy, size);
	b = sensitive_kind(copy, size);
	if (a != b || (a && !*a))
		abort();
	free(copy);
	return 0;
}
