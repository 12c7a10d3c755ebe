/* libFuzzer target for parse_range (lib/core/util.h), the reading of every
 * number typed on a command line: never a crash, and whatever it accepts
 * is digits (and a leading '-') that strtoll reads to the same value,
 * within the range. */
#include "lib/core/util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[64];
	long long min, max, v;
	char *end;

	if (size < 16 || size - 16 >= sizeof(s))
		return 0;
	memcpy(&min, data, 8);
	memcpy(&max, data + 8, 8);
	memcpy(s, data + 16, size - 16);
	s[size - 16] = 0;
	if (min > max || parse_range(s, min, max, &v) < 0)
		return 0;
	if (v < min || v > max || strspn(s + (s[0] == '-'), "0123456789") != strlen(s + (s[0] == '-')))
		abort();
	errno = 0;
	if (strtoll(s, &end, 10) != v || *end || errno)
		abort();
	return 0;
}
