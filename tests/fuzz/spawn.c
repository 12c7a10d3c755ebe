/* libFuzzer target for the spawner's request parser (applets/launcher/spawn.h): it
 * never reads past the buffer, and what it accepts is what spawn.h says:
 * an absolute directory, argc strings then envc NAME=value strings, each
 * inside the buffer and NUL-terminated, the arrays NULL-terminated. */
#include "applets/launcher/spawn.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const char *s, const uint8_t *buf, size_t len)
{
	return (const uint8_t *)s >= buf && (const uint8_t *)s + strlen(s) < buf + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of its own: the parser's pointers must stay within it. */
	uint8_t *buf = malloc(size ? size : 1);
	struct spawn_req r;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (spawn_decode(buf, size, &r) == 0) {
		if (r.cwd[0] != '/' || !inside(r.cwd, buf, size) || r.argc < 1 || r.argc > SPAWN_MAX_ARGS ||
		    r.envc > SPAWN_MAX_ENV || r.argv[r.argc] || r.envp[r.envc] || !r.argv[0][0])
			abort();
		for (uint32_t i = 0; i < r.argc; i++)
			if (!inside(r.argv[i], buf, size))
				abort();
		for (uint32_t i = 0; i < r.envc; i++)
			if (!inside(r.envp[i], buf, size) || !strchr(r.envp[i], '=') || r.envp[i][0] == '=')
				abort();
		spawn_req_free(&r);
	}
	free(buf);
	return 0;
}
