/* config_int.h - the configuration's insides, shared by its files
 * (config.h is what the rest of sesame sees):
 *   config.c         the layers: loading, merging, inheriting, reporting
 *   config_schema.c  the schema table, and checking a value against it
 *   config_get.c     typed reads of the merged result
 *   config_watch.c   noticing a layer change (inotify) */
#ifndef SESAME_CONFIG_INT_H
#define SESAME_CONFIG_INT_H

#include "lib/config/config.h"
#include "lib/config/toml.h"

#include <stddef.h>

#define MAX_PATH_LEN 256
#define MAX_ERRORS 20

enum kind {
	K_TABLE,	/* a known table: its keys are checked */
	K_STR, K_INT, K_BOOL, K_FLOAT,
	K_STRV,		/* array of strings */
	K_ENUM,		/* a string from the "a|b|c" in extra */
	K_NAME,		/* a profile name */
	K_COLOR,	/* "#RRGGBB" or "#RRGGBBAA" */
	K_STRMAP,	/* a table of strings, kept whole */
	K_BINDMAP,	/* a table of "combination" = "command" (binding.h) */
	K_LAYERMAP,	/* a table of KEY = "action" (layer.h) */
	K_USB,		/* array of "vvvv:pppp" */
	K_TIMES,	/* array of time rules */
	K_HINTS,	/* non-empty, no repeated character */
	K_TRUE,		/* only true is supported */
	K_ANY,		/* anything, kept whole */
};

/* What a "*" segment may be called. */
enum keyrule { KEY_NONE, KEY_NAME, KEY_BINDING };

struct rule {
	const char *pat;
	unsigned char kind, keyrule;
	long long min, max;
	const char *extra;	/* K_ENUM choices; K_TRUE: why */
	const char *def;	/* the default, as config show prints it */
	const char *note;	/* kept but not used by this build: why */
};

struct layer {
	char *file;
	char *text;
	struct toml_value *root;
	int policy;
};

struct entry {
	char *path;
	const struct toml_value *v;
	const struct rule *rule;
	size_t layer;
	int line, col;
	int locked;
	char *from;		/* inherited from this profile (extends) */
};

struct config {
	struct layer *layers;
	size_t nlayers;
	struct entry *e;
	size_t n, cap;
	int errors;
	config_report_fn *report;
	void *ctx;
};

/* config_schema.c */
/* Does path match pattern, segment by segment ("*" is any one segment)? */
int config_match(const char *pat, const char *path);
/* The schema's i-th rule, or NULL past the last. */
const struct rule *config_rule(size_t i);
/* The rule of a key path, or NULL if the schema has none. */
const struct rule *config_rule_find(const char *path);
/* 1 if a user-named key s (n bytes) may be a "*" segment. */
int config_key_ok(const char *s, size_t n);
/* Check v, at path, against rule r; a mistake is reported (config_say)
 * and counted.  1 if the value is kept. */
int config_check_value(struct config *c, const char *file, const char *path, const struct rule *r,
	const struct toml_value *v);

/* config.c */
void config_say(struct config *c, enum config_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The entry of a key path in the merged result, or NULL. */
struct entry *config_entry(const struct config *c, const char *path);

#endif
