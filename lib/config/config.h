/* config.h - layered configuration: the schema of config.toml version 3.
 *
 * Layers, lowest first: the administrator's policy file (paths.h: fixed
 * at build time, root's and writable by root alone or refused), the extra
 * policy layer SESAME_POLICY names (tests), config.toml, then config.d/
 * *.toml in name order.
 * Tables merge key by key; a later layer replaces a value (arrays whole).
 * A value a policy sets is locked: a lower layer that sets it again gets
 * a warning and the policy value stays.  Every key is checked against the
 * schema in config.c: an unknown key, a wrong type or a value out of range
 * is an error naming FILE:LINE:COL and the key path, and the whole load
 * fails (a daemon then keeps the config it had).  Keys kept for roles this
 * build does not include are reported as notes, never silently dropped.
 */
#ifndef SESAME_CONFIG_H
#define SESAME_CONFIG_H

#include "lib/config/toml.h"
#include "lib/core/paths.h"

#include <stddef.h>
#include <stdint.h>

#define CONFIG_VERSION 3
#define CONFIG_MAX_FILE (1 << 20)

enum config_level { CONFIG_NOTE, CONFIG_WARNING, CONFIG_ERROR };
typedef void config_report_fn(enum config_level level, const char *msg, void *ctx);

struct config;

/* Load every layer.  NULL if any error was reported (the reason of the
 * first is behind last_error()).  A NULL report logs each message. */
struct config *config_load(const struct paths *p, config_report_fn *report, void *ctx);
/* Check one file on its own; 0 if it is valid. */
int config_check_file(const char *path, config_report_fn *report, void *ctx);
/* The same for text in memory (name is used in messages). */
int config_check_text(const char *text, size_t len, const char *name, config_report_fn *report, void *ctx);
void config_free(struct config *c);

/* The value at a key path ("global.ipc.channel_capacity"), NULL if unset. */
const struct toml_value *config_get(const struct config *c, const char *path);
const char *config_str(const struct config *c, const char *path, const char *def);
long long config_int(const struct config *c, const char *path, long long def);
int config_bool(const struct config *c, const char *path, int def);
/* "#RRGGBB" or "#RRGGBBAA" as 0xRRGGBBAA (opaque without AA); -1 if
 * it is not one. */
int config_color(const char *s, uint32_t *out);
/* A float, or an integer as one. */
double config_float(const struct config *c, const char *path, double def);
/* An array of strings at path: its n-th string, or NULL past the end. */
const char *config_strv(const struct config *c, const char *path, size_t n);
/* 1 if the policy file sets path. */
int config_locked(const struct config *c, const char *path);
/* "FILE:LINE" of the value at path, or NULL if unset. */
const char *config_source(const struct config *c, const char *path, char *buf, size_t n);

/* Configured profile names, in the order first seen; returns how many
 * (at most max were stored). */
size_t config_profiles(const struct config *c, const char **names, size_t max);
/* The default profile: global.default_profile, else "default". */
const char *config_default_profile(const struct config *c);

/* Every value set by some layer, then every default not overridden. */
typedef void config_each_fn(const char *path, const struct toml_value *v, const char *def,
	const char *source, int locked, void *ctx);
void config_each(const struct config *c, config_each_fn *fn, void *ctx);

/* Activation rule syntax, shared with applets/profile/activation.c. */
/* "vvvv:pppp" (hex) into a 32-bit id; -1 if malformed. */
int config_usb_id(const char *s, uint32_t *id);
struct time_rule {
	uint8_t days;		/* bit 0 = Sunday ... bit 6 = Saturday */
	int from, to;		/* minutes since midnight; to < from wraps past midnight */
};
/* "[DAYS ]HH:MM-HH:MM", DAYS like "mon-fri" or "sat,sun"; -1 if malformed. */
int config_time_rule(const char *s, struct time_rule *r);

/* Watch the config files: an inotify fd (non-blocking) or -1 with a
 * reason.  config_watch_changed drains it; 1 if a layer may have changed. */
int config_watch(const struct paths *p);
int config_watch_changed(int fd);
/* After a change is seen, a reload waits this long: editors write in steps. */
#define CONFIG_RELOAD_DELAY_MS 100
/* Load the configuration again, as a role does on a change or SIGHUP: the
 * watch is made anew (config.d may have appeared; *watch is closed and
 * replaced, -1 if it cannot be made, which is logged), and *conf is
 * replaced if the new configuration loads.  1 if replaced; 0 if it has
 * errors (logged, the previous one kept). */
int config_reload(const struct paths *p, struct config **conf, int *watch);

#endif
