/* libFuzzer target for keyboard layers: the action parser never overruns
 * and what it parses formats back to the same action; and the layer
 * engine, loaded from the input's first part as TOML and fed key events
 * from the rest, never sends a release without its press, a press twice,
 * or a repeat of a key that is up, and holds nothing after remap_release. */
#include "applets/input/remap.h"
#include "lib/config/layer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t down[1024];

static void emit(void *ctx, unsigned code, int value)
{
	(void)ctx;
	if (code >= sizeof(down) || (value == 1 && down[code]) || (value != 1 && !down[code]))
		abort();
	down[code] = value != 0;
}

static void bad(const char *what, const char *why)
{
	(void)what;
	(void)why;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *cut = memchr(data, 0, size);
	size_t tlen = cut ? (size_t)(cut - data) : size;
	char *s = malloc(tlen + 1), fmt[160];
	struct layer_action a, b;
	struct toml_value *t;

	if (!s)
		return 0;
	memcpy(s, data, tlen);
	s[tlen] = 0;
	if (layer_action_parse(s, &a) == 0) {
		layer_action_format(&a, fmt, sizeof(fmt));
		if (layer_action_parse(fmt, &b) < 0 || memcmp(&a, &b, sizeof(a)))
			abort();
	}
	if ((t = toml_parse(s, tlen, "fuzz"))) {
		struct remap *r = remap_new(emit, NULL);
		long long now = 0;

		memset(down, 0, sizeof(down));
		remap_load(r, toml_get(t, "layers"), toml_get(t, "apps"), 200, bad);
		remap_set_app(r, "org.example.app");
		/* Events: 3 bytes each, code (0-255), value (0-2), ms since the last. */
		for (const uint8_t *p = cut ? cut + 1 : data + size; p + 3 <= data + size; p += 3) {
			now += p[2];
			if (p[1] == 3)
				remap_tick(r, now);
			else
				remap_key(r, p[0], p[1] % 3, now);
		}
		remap_release(r);
		for (size_t i = 0; i < sizeof(down); i++)
			if (down[i])
				abort();
		remap_free(r);
		toml_free(t);
	}
	free(s);
	return 0;
}
