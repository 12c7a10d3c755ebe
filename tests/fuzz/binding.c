/* libFuzzer target for key bindings from the configuration: the
 * combination parser and the command splitter never overrun, a parsed
 * combination formats back to one that parses the same, and split words
 * lie inside the buffer, NUL-terminated, argv NULL-terminated. */
#include "lib/config/binding.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), key[BIND_MAX_KEY], key2[BIND_MAX_KEY], fmt[128], buf[256];
	char *argv[BIND_MAX_ARGS];
	unsigned mods, mods2;
	int n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (binding_parse(s, &mods, key) == 0) {
		if (!*key || strlen(key) >= BIND_MAX_KEY || mods > 15)
			abort();
		binding_format(mods, key, fmt, sizeof(fmt));
		if (binding_parse(fmt, &mods2, key2) < 0 || mods2 != mods || strcmp(key, key2))
			abort();
	}
	if ((n = binding_split(s, argv, BIND_MAX_ARGS, buf, sizeof(buf))) >= 0) {
		if (n < 1 || n >= BIND_MAX_ARGS || argv[n])
			abort();
		for (int i = 0; i < n; i++)
			if (argv[i] < buf || argv[i] >= buf + sizeof(buf) || !memchr(argv[i], 0,
			    (size_t)(buf + sizeof(buf) - argv[i])))
				abort();
	}
	free(s);
	return 0;
}
