/* libFuzzer target for log_format: whatever the message bytes and buffer
 * size, a line is one line (no raw control characters), NUL-terminated,
 * within the buffer, and a JSON line closes its object. */
#include "lib/core/log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[4096], buf[4096];
	size_t bufsize, n, len;
	int json;

	if (size < 2)
		return 0;
	bufsize = 1 + (size_t)data[0] * 16;	/* 1 .. 4081 */
	json = data[1] & 1;
	n = size - 2 < sizeof(msg) - 1 ? size - 2 : sizeof(msg) - 1;
	memcpy(msg, data + 2, n);
	msg[n] = 0;
	memset(buf, 0x55, sizeof(buf));
	len = log_format(buf, bufsize, LOGL_INFO, "fuzz", "2026-01-01T00:00:00.000Z", msg, json);
	if (len >= bufsize || strlen(buf) != len)
		abort();
	for (size_t i = 0; len && i + 1 < len; i++)
		if ((unsigned char)buf[i] < 0x20)
			abort();
	if (len && buf[len - 1] != '\n')
		abort();
	if (json && len > 4 && (buf[0] != '{' || buf[len - 2] != '}'))
		abort();
	return 0;
}
