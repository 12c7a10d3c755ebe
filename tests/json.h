/* json.h - a small, total JSON reader for test tools (noise-vectors).
 * Depth, sizes and escapes are checked; bad input is an error with the
 * byte offset, never a crash (tests/fuzz/json.c). */
#ifndef SESAME_TEST_JSON_H
#define SESAME_TEST_JSON_H

#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	char *str;		/* string value (NUL-terminated, may hold NULs: see len) */
	size_t len;
	double num;
	int boolean;
	struct json **items;	/* array items or object values */
	char **keys;		/* object keys */
	size_t n;
};

/* Parse text (len bytes); NULL with a message in err (size errlen). */
struct json *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(struct json *j);
/* Member of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);

#endif
