/* toml.h - a TOML 1.0.0 parser (https://toml.io/en/v1.0.0).
 *
 * toml_parse() reads a whole document into a tree of values.  It is total:
 * any input gives a tree or -1 with "NAME:LINE:COL: reason" behind
 * last_error(), never a crash (tests/fuzz/toml.c).  Every rule of the spec
 * is enforced, the redefinition rules included; the tree is read-only for
 * callers.  Strings may hold NUL bytes (from \u0000), so they carry a
 * length; callers that need C strings check for it (toml_cstr).
 */
#ifndef SESAME_TOML_H
#define SESAME_TOML_H

#include <stddef.h>
#include <stdint.h>

/* Containers nest at most this deep (tables, arrays, dotted keys). */
#define TOML_MAX_DEPTH 128

enum toml_type {
	TOML_STRING, TOML_INTEGER, TOML_FLOAT, TOML_BOOL,
	TOML_DATETIME,		/* offset date-time */
	TOML_DATETIME_LOCAL, TOML_DATE_LOCAL, TOML_TIME_LOCAL,
	TOML_ARRAY, TOML_TABLE,
};

struct toml_value;

struct toml_kv {
	char *key;
	size_t len;
	struct toml_value *val;
	int line, col;		/* where the key was written */
};

struct toml_table {
	struct toml_kv *kv;	/* in definition order */
	size_t n, cap;
	uint32_t *index;	/* hash index (kv position + 1), built past a few keys */
	size_t index_cap;
	unsigned char is_explicit;	/* defined by a [header] or as a dotted-key table */
	unsigned char frozen;	/* an inline table: closed for good */
	unsigned dotted;	/* section whose dotted keys created it, 0 if none */
};

struct toml_array {
	struct toml_value **v;
	size_t n, cap;
	unsigned char of_tables;	/* made by [[header]]: may grow */
};

struct toml_value {
	enum toml_type type;
	int line, col;
	int depth;
	union {
		struct { char *s; size_t len; } str;	/* also the canonical text of date/time types */
		int64_t i;
		double f;
		int b;
		struct toml_array arr;
		struct toml_table tab;
	};
};

/* Parse len bytes; name prefixes error messages.  The root is a table;
 * free it with toml_free. */
struct toml_value *toml_parse(const char *buf, size_t len, const char *name);
void toml_free(struct toml_value *v);

/* The value under key in table v (NULL if absent or v is not a table). */
const struct toml_value *toml_get(const struct toml_value *v, const char *key);
/* The string value as a C string, or NULL if v is not a string or holds NUL. */
const char *toml_cstr(const struct toml_value *v);
/* "string", "integer", "float", "bool", "datetime", "datetime-local",
 * "date-local", "time-local", "array", "table" (toml-test's names). */
const char *toml_type_name(enum toml_type t);

#endif
