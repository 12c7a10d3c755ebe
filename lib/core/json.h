/* json.h - a small, total JSON reader for input sesame does not trust:
 * a forge's API answers (workspace clone --project), exports to import,
 * and the test tools' vector files.  RFC 8259: strings must be valid
 * UTF-8, escapes and surrogate pairs checked; an object with the same
 * key twice is refused (two readers could take different ones); depth,
 * members and values are bounded.  Bad input is an error with the byte
 * offset, never a crash (tests/fuzz/json.c). */
#ifndef SESAME_JSON_H
#define SESAME_JSON_H

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
	size_t n, cap;
};

#define JSON_MAX_DEPTH 64
#define JSON_MAX_VALUES (1u << 20)	/* in one document */
#define JSON_MAX_MEMBERS 4096		/* in one object */

/* Parse text (len bytes); NULL with a message in err (size errlen). */
struct json *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(struct json *j);
/* Member of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* A member that is a string without NULs (else NULL), or a boolean
 * (else def). */
const char *json_get_str(const struct json *obj, const char *key);
int json_get_bool(const struct json *obj, const char *key, int def);

#endif
