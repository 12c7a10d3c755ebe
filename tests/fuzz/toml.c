/* libFuzzer target for toml_parse: any bytes give a tree or an error of
 * the form "fuzz:LINE:COL: reason", never a crash or a leak; a tree has no
 * duplicate keys, nests no deeper than TOML_MAX_DEPTH, and every string is
 * NUL-terminated at its length. */
#include "lib/config/toml.h"
#include "lib/core/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct toml_value *v, int depth)
{
	size_t i, j;

	if (depth > TOML_MAX_DEPTH + 1)
		abort();
	switch (v->type) {
	case TOML_TABLE:
		for (i = 0; i < v->tab.n; i++) {
			for (j = 0; j < i; j++)
				if (v->tab.kv[i].len == v->tab.kv[j].len &&
				    !memcmp(v->tab.kv[i].key, v->tab.kv[j].key, v->tab.kv[i].len))
					abort();
			if (v->tab.kv[i].key[v->tab.kv[i].len] != 0)
				abort();
			check(v->tab.kv[i].val, depth + 1);
		}
		break;
	case TOML_ARRAY:
		for (i = 0; i < v->arr.n; i++)
			check(v->arr.v[i], depth + 1);
		break;
	case TOML_STRING: case TOML_DATETIME: case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL: case TOML_TIME_LOCAL:
		if (!v->str.s || v->str.s[v->str.len] != 0)
			abort();
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_value *root = toml_parse((const char *)data, size, "fuzz");
	int line, col;

	if (!root) {
		if (sscanf(last_error(), "fuzz:%d:%d: ", &line, &col) != 2 || line < 1 || col < 1)
			abort();
		return 0;
	}
	check(root, 0);
	toml_free(root);
	return 0;
}
