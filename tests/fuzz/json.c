/* libFuzzer target for the JSON reader: any input either
 * parses or fails with a message; nothing crashes or leaks. */
#include "lib/core/json.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	struct json *j = json_parse((const char *)data, size, err, sizeof(err));

	if (!j && !err[0])
		abort();
	json_free(j);
	return 0;
}
