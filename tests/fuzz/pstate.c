/* libFuzzer target for daemon-profile's state file: the parser never
 * reads past its buffer (which is not NUL-terminated here), every name it
 * hands on is a valid profile name that stands in the input, and the
 * lines it takes and skips add up to no more than the lines there are. */
#include "applets/profile/pstate.h"
#include "lib/store/vault.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	const uint8_t *data;
	size_t size, taken;
};

static void check(enum pstate_kind kind, const char *name, void *ctx)
{
	struct seen *s = ctx;

	if ((kind != PSTATE_DEFAULT && kind != PSTATE_ACTIVE) || !profile_name_valid(name) ||
	    !memmem(s->data, s->size, name, strlen(name)))
		abort();
	s->taken++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);	/* exactly size bytes: ASan sees any overread */
	struct seen s = { copy, size, 0 };
	size_t lines = 1, bad;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	bad = pstate_parse((const char *)copy, size, check, &s);
	if (bad + s.taken > lines)
		abort();
	free(copy);
	return 0;
}
