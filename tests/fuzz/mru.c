/* libFuzzer target for daemon-wm's window order file (applets/wm/mru.h):
 * any file content.  What it reads stays within MRU_MAX, written again
 * and read back it is the same, and each entry is found by its digest. */
#include "applets/wm/mru.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mru m, back;
	static char text[MRU_FILE_MAX + 1];
	size_t len;

	if (mru_parse((const char *)data, size, &m) < 0) {
		if (m.n)
			abort();
		return 0;
	}
	if (m.n < 0 || m.n > MRU_MAX)
		abort();
	len = mru_format(&m, text);
	if (len > MRU_FILE_MAX || mru_parse(text, len, &back) < 0 || back.n != m.n ||
	    memcmp(back.d, m.d, sizeof(m.d[0]) * (size_t)m.n))
		abort();
	for (int i = 0; i < m.n; i++)
		if (mru_rank(&back, m.d[i]) < 0)
			abort();
	return 0;
}
