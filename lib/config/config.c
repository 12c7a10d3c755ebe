/* config.c - the config schema, the layers and their merge (config.h).
 *
 * The schema is one table: a key path pattern ("*" stands for one key the
 * user names, e.g. a profile), what its value must be, its default, and
 * for keys this build cannot honour, why.  Loading walks each layer's tree
 * against it and records every value with the file and line it came from.
 */
#include "lib/config/config.h"
#include "lib/config/binding.h"
#include "lib/core/log.h"
#include "lib/core/names.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/inotify.h>
#include <unistd.h>

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

#define WM_NOTE "not used: overlay_delay_ms alone decides when the cards show " \
	"(an Alt release before then is the quick switch)"
#define DESKTOP_NOTE "kept for the desktop roles, which this build does not include"
/* Keys of the desktop roles built with DESKTOP=1 (the Makefile defines
 * SESAME_DESKTOP): used there, kept with a note elsewhere. */
#if SESAME_DESKTOP
#define BUILT_NOTE NULL
#else
#define BUILT_NOTE DESKTOP_NOTE
#endif
#define LAYER_NOTE "kept, not applied: remapping keys needs an exclusive grab and a uinput device, " \
	"which daemon-input does not do"
#define POLICY_NOTE "has no effect: it belongs to auth mode \"policy\", which sesame does not support"
#define COMPAT_NOTE "accepted for compatibility with the original; it has no effect in sesame"

static const struct rule schema[] = {
	{ "config_version", K_INT, 0, 1, CONFIG_VERSION, NULL, "3", NULL },
	{ "global", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "global.default_profile", K_NAME, 0, 0, 0, NULL, "\"default\"", NULL },
	{ "global.sandbox", K_ENUM, 0, 0, 0, "enforce|best-effort", "\"" SANDBOX_DEFAULT "\"", NULL },
	{ "global.ipc", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "global.ipc.socket_path", K_STR, 0, 0, 0, NULL, NULL,
	  "has no effect: the bus is always bus.sock in the runtime directory (SESAME_RUNTIME_DIR moves it)" },
	{ "global.ipc.channel_capacity", K_INT, 0, 1, 1 << 20, NULL, "1024", NULL },
	{ "global.ipc.slow_subscriber_timeout_ms", K_INT, 0, 10, 600000, NULL, "5000", NULL },
	{ "global.logging", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "global.logging.level", K_ENUM, 0, 0, 0, "error|warn|info|debug", "\"info\"", NULL },
	{ "global.logging.json", K_BOOL, 0, 0, 0, NULL, "false", NULL },
	{ "global.logging.journald", K_BOOL, 0, 0, 0, NULL, "true", NULL },
	{ "global.tpm2", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	/* The TPM, as a tpm2-tss TCTI string (SESAME_TPM2_TCTI overrides). */
	{ "global.tpm2.tcti", K_STR, 0, 0, 0, NULL, "\"device:/dev/tpmrm0\"", NULL },
	{ "global.audit", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "global.audit.max_size_kib", K_INT, 0, 0, 1 << 20, NULL, "8192", NULL },	/* 0: never rotate */
	{ "global.audit.keep", K_INT, 0, 1, 100, NULL, "4", NULL },
	/* default: true in system mode, false for a user (audit_configure) */
	{ "global.audit.required", K_BOOL, 0, 0, 0, NULL, NULL, NULL },
	{ "global.activation", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "global.activation.wifi_source", K_ENUM, 0, 0, 0,
	  "auto|iwgetid|wpa_supplicant|networkmanager|none", "\"auto\"", NULL },
	{ "global.activation.wpa_supplicant_dir", K_STR, 0, 0, 0, NULL, "\"/run/wpa_supplicant\"", NULL },
	{ "global.activation.usb_sysfs", K_STR, 0, 0, 0, NULL, "\"/sys/bus/usb/devices\"", NULL },
	{ "global.activation.interval_ms", K_INT, 0, 50, 3600000, NULL, "5000", NULL },
	{ "profiles", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*", K_TABLE, KEY_NAME, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.name", K_NAME, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.extends", K_NAME, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.color", K_STR, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.icon", K_STR, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.activation", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.activation.wifi_ssids", K_STRV, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.activation.usb_devices", K_USB, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.activation.time_rules", K_TIMES, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.activation.require_security_key", K_BOOL, 0, 0, 0, NULL, "false",
	  "has no effect: list the security key's vendor:product under usb_devices instead" },
	{ "profiles.*.auth", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.auth.mode", K_ENUM, 0, 0, 0, "any|all", "\"any\"", NULL },	/* "policy": refused */
	{ "profiles.*.auth.required", K_STRV, 0, 0, 0, NULL, NULL, POLICY_NOTE },
	{ "profiles.*.auth.additional_required", K_INT, 0, 0, 16, NULL, "0", POLICY_NOTE },
	{ "profiles.*.secrets", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.secrets.provider", K_STR, 0, 0, 0, NULL, NULL,
	  "has no effect: secrets always live in the profile's vault" },
	{ "profiles.*.secrets.secrets", K_ANY, 0, 0, 0, NULL, NULL,
	  "has no effect: store secrets with `sesame secret set`" },
	{ "profiles.*.secrets.argon2_memory_kib", K_INT, 0, 8, 4 << 20, NULL, "19456", NULL },
	{ "profiles.*.secrets.argon2_iterations", K_INT, 0, 1, 64, NULL, "2", NULL },
	{ "profiles.*.secrets.access", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.secrets.access.*", K_STRV, KEY_NAME, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.clipboard", K_TABLE, 0, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.clipboard.max_history", K_INT, 0, 0, 100000, NULL, "1000", BUILT_NOTE },
	{ "profiles.*.clipboard.sensitive_ttl_s", K_INT, 0, 0, 86400, NULL, "30", BUILT_NOTE },
	{ "profiles.*.clipboard.detect_sensitive", K_BOOL, 0, 0, 0, NULL, "true", BUILT_NOTE },
	{ "profiles.*.input", K_TABLE, 0, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.input.bindings", K_BINDMAP, 0, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.input.layers", K_TABLE, 0, 0, 0, NULL, NULL, LAYER_NOTE },
	{ "profiles.*.input.layers.*", K_STRMAP, KEY_NAME, 0, 0, NULL, NULL, LAYER_NOTE },
	{ "profiles.*.wm", K_TABLE, 0, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.wm.hint_keys", K_HINTS, 0, 0, 0, NULL, "\"asdfghjkl\"", BUILT_NOTE },
	{ "profiles.*.wm.overlay_delay_ms", K_INT, 0, 0, 10000, NULL, "150", BUILT_NOTE },
	{ "profiles.*.wm.activation_delay_ms", K_INT, 0, 0, 10000, NULL, "200", WM_NOTE },
	{ "profiles.*.wm.quick_switch_threshold_ms", K_INT, 0, 0, 10000, NULL, "250", WM_NOTE },
	{ "profiles.*.wm.border_width", K_FLOAT, 0, 0, 100, NULL, "4.0", BUILT_NOTE },
	{ "profiles.*.wm.border_color", K_COLOR, 0, 0, 0, NULL, "\"#89b4fa\"", BUILT_NOTE },
	{ "profiles.*.wm.background_color", K_COLOR, 0, 0, 0, NULL, "\"#000000c8\"", BUILT_NOTE },
	{ "profiles.*.wm.card_color", K_COLOR, 0, 0, 0, NULL, "\"#1e1e1ef0\"", BUILT_NOTE },
	{ "profiles.*.wm.text_color", K_COLOR, 0, 0, 0, NULL, "\"#ffffff\"", BUILT_NOTE },
	{ "profiles.*.wm.hint_color", K_COLOR, 0, 0, 0, NULL, "\"#646464\"", BUILT_NOTE },
	{ "profiles.*.wm.hint_matched_color", K_COLOR, 0, 0, 0, NULL, "\"#4caf50\"", BUILT_NOTE },
	{ "profiles.*.wm.show_title", K_BOOL, 0, 0, 0, NULL, "true", BUILT_NOTE },
	{ "profiles.*.wm.show_app_id", K_BOOL, 0, 0, 0, NULL, "false", BUILT_NOTE },
	{ "profiles.*.wm.max_visible_windows", K_INT, 0, 1, 1000, NULL, "20", BUILT_NOTE },
	{ "profiles.*.wm.key_bindings", K_TABLE, 0, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.wm.key_bindings.*", K_TABLE, KEY_BINDING, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.wm.key_bindings.*.apps", K_STRV, 0, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.wm.key_bindings.*.launch", K_STR, 0, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.wm.key_bindings.*.tags", K_STRV, 0, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.wm.key_bindings.*.launch_args", K_STRV, 0, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.launcher", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.launcher.max_results", K_INT, 0, 1, 1000, NULL, "20", NULL },
	{ "profiles.*.launcher.frecency", K_BOOL, 0, 0, 0, NULL, "true", NULL },
	{ "profiles.*.audit", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.audit.enabled", K_TRUE, 0, 0, 0, "the audit log is always on", "true", NULL },
	{ "profiles.*.audit.retention_days", K_INT, 0, 0, 36500, NULL, "90",
	  "has no effect: the audit log is rotated by size (global.audit.max_size_kib and keep), not by age" },
	{ "profiles.*.launch_profiles", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.launch_profiles.*", K_TABLE, KEY_NAME, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.launch_profiles.*.env", K_STRMAP, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.launch_profiles.*.secrets", K_STRV, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.launch_profiles.*.devshell", K_STR, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.launch_profiles.*.cwd", K_STR, 0, 0, 0, NULL, NULL, NULL },
	{ "profiles.*.platform", K_ANY, 0, 0, 0, NULL, NULL, COMPAT_NOTE },
	{ "crypto", K_TABLE, 0, 0, 0, NULL, NULL, COMPAT_NOTE },
	{ "crypto.kdf", K_ENUM, 0, 0, 0, "argon2id|pbkdf2-sha256", "\"argon2id\"", COMPAT_NOTE },
	{ "crypto.hkdf", K_ENUM, 0, 0, 0, "blake3|hkdf-sha256", "\"blake3\"", COMPAT_NOTE },
	{ "crypto.noise_cipher", K_ENUM, 0, 0, 0, "chacha-poly|aes-gcm", "\"chacha-poly\"", COMPAT_NOTE },
	{ "crypto.noise_hash", K_ENUM, 0, 0, 0, "blake2s|sha256", "\"blake2s\"", COMPAT_NOTE },
	{ "crypto.audit_hash", K_ENUM, 0, 0, 0, "blake3|sha256", "\"blake3\"", COMPAT_NOTE },
	{ "crypto.minimum_peer_profile", K_ENUM, 0, 0, 0, "leading-edge|governance-compatible|custom",
	  "\"leading-edge\"", COMPAT_NOTE },
	{ "agents", K_ANY, 0, 0, 0, NULL, NULL, COMPAT_NOTE },
	{ "extensions", K_ANY, 0, 0, 0, NULL, NULL, COMPAT_NOTE },
	{ "policy", K_ANY, 0, 0, 0, NULL, NULL, COMPAT_NOTE },
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

/* ---- reporting ------------------------------------------------------ */

static void log_report(enum config_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == CONFIG_ERROR)
		log_error("config: %s", msg);
	else if (level == CONFIG_WARNING)
		log_warn("config: %s", msg);
	else
		log_info("config: %s", msg);
}

PRINTF(3, 4)
static void say(struct config *c, enum config_level level, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level == CONFIG_ERROR) {
		if (!c->errors)
			fail("%s", msg);
		if (++c->errors > MAX_ERRORS)
			return;
		if (c->errors == MAX_ERRORS + 1)
			snprintf(msg, sizeof(msg), "too many errors; stopping here");
	}
	c->report(level, msg, c->ctx);
}

/* ---- the schema ----------------------------------------------------- */

/* Does path match pattern, segment by segment ("*" is any one segment)? */
static int match(const char *pat, const char *path)
{
	for (;;) {
		const char *pe = strchr(pat, '.'), *se = strchr(path, '.');
		size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
		size_t sl = se ? (size_t)(se - path) : strlen(path);

		if (!(pl == 1 && *pat == '*') && (pl != sl || memcmp(pat, path, pl)))
			return 0;
		if (!pe || !se)
			return !pe && !se;
		pat = pe + 1;
		path = se + 1;
	}
}

static const struct rule *find_rule(const char *path)
{
	for (size_t i = 0; i < ARRAY_LEN(schema); i++)
		if (match(schema[i].pat, path))
			return &schema[i];
	return NULL;
}

/* Keys that can be part of a path: no dots, nothing odd. */
static int key_ok(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '+'))
			return 0;
	return 1;
}

int config_usb_id(const char *s, uint32_t *id)
{
	unsigned v, p;
	int n = -1;

	if (strlen(s) != 9 || sscanf(s, "%4x:%4x%n", &v, &p, &n) != 2 || n != 9)
		return -1;
	for (int i = 0; i < 9; i++)
		if (i != 4 && !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return -1;
	*id = v << 16 | p;
	return 0;
}

static int day_index(const char *s)
{
	static const char days[] = "sunmontuewedthufrisat";

	for (int i = 0; i < 7; i++)
		if (!strncmp(s, days + 3 * i, 3))
			return i;
	return -1;
}

static int hhmm(const char *s)
{
	if (!(s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' &&
	      s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9'))
		return -1;
	int h = (s[0] - '0') * 10 + s[1] - '0';
	return h > 24 ? -1 : h * 60 + (s[3] - '0') * 10 + s[4] - '0';
}

int config_time_rule(const char *s, struct time_rule *r)
{
	size_t len = strlen(s);
	const char *t = s;

	r->days = 0x7f;
	if (len > 11) {
		/* Days: "mon", "mon-fri", "sat,sun", "mon-wed,fri". */
		r->days = 0;
		for (;;) {
			int a = day_index(t), b;
			if (a < 0)
				return -1;
			b = a;
			t += 3;
			if (*t == '-') {
				if ((b = day_index(t + 1)) < 0)
					return -1;
				t += 4;
			}
			for (int d = a;; d = (d + 1) % 7) {
				r->days |= (uint8_t)(1 << d);
				if (d == b)
					break;
			}
			if (*t != ',')
				break;
			t++;
		}
		if (*t != ' ')
			return -1;
		while (*t == ' ')
			t++;
	}
	if (strlen(t) != 11 || t[5] != '-' || (r->from = hhmm(t)) < 0 || (r->to = hhmm(t + 6)) < 0 ||
	    r->from >= 24 * 60 || r->to > 24 * 60 || r->from == r->to)
		return -1;
	return 0;
}

static const char *a_type(const struct toml_value *v)
{
	switch (v->type) {
	case TOML_INTEGER: return "an integer";
	case TOML_ARRAY: return "an array";
	case TOML_TABLE: return "a table";
	case TOML_FLOAT: return "a float";
	case TOML_BOOL: return "a boolean";
	case TOML_STRING: return "a string";
	default: return "a date or time";
	}
}

static int choice_ok(const char *choices, const char *s)
{
	size_t n = strlen(s);

	for (const char *c = choices; *c;) {
		const char *e = strchr(c, '|');
		size_t l = e ? (size_t)(e - c) : strlen(c);
		if (l == n && !memcmp(c, s, n))
			return 1;
		c += l + (e != NULL);
	}
	return 0;
}

PRINTF(5, 6)
static int bad(struct config *c, const char *file, const struct toml_value *v, const char *path,
	const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say(c, CONFIG_ERROR, "%s:%d:%d: %s: %s", file, v->line, v->col, path, msg);
	return -1;
}

/* Checks v against its rule; reports at file:line:col of v. */
static int check_value(struct config *c, const char *file, const char *path, const struct rule *r,
	const struct toml_value *v)
{
	const char *s;
	double d;
	size_t i;

	switch (r->kind) {
	case K_TABLE:
		if (v->type != TOML_TABLE)
			return bad(c, file, v, path, "expected a table, found %s", a_type(v));
		return 0;
	case K_STR: case K_NAME: case K_COLOR: case K_ENUM: case K_HINTS:
		if (v->type != TOML_STRING)
			return bad(c, file, v, path, "expected a string, found %s", a_type(v));
		if (!(s = toml_cstr(v)))
			return bad(c, file, v, path, "a NUL character is not allowed");
		if (r->kind == K_NAME && !profile_name_valid(s))
			return bad(c, file, v, path, "'%.64s' is not a valid profile name "
				"(1-64 of A-Z a-z 0-9 _ -, starting with a letter or digit)", s);
		if (r->kind == K_ENUM && !strcmp(s, "policy") && !strcmp(r->extra, "any|all"))
			return bad(c, file, v, path, "mode \"policy\" is not supported; use \"any\" "
				"(one factor unlocks) or \"all\" (every factor is needed)");
		if (r->kind == K_ENUM && !choice_ok(r->extra, s))
			return bad(c, file, v, path, "'%.64s' is not one of %s", s, r->extra);
		if (r->kind == K_COLOR && config_color(s, &(uint32_t){ 0 }) < 0)
			return bad(c, file, v, path, "'%.64s' is not a colour (#RRGGBB or #RRGGBBAA)", s);
		if (r->kind == K_HINTS) {
			if (!*s)
				return bad(c, file, v, path, "must not be empty");
			for (i = 0; s[i]; i++)
				if (strchr(s + i + 1, s[i]))
					return bad(c, file, v, path, "the character '%c' appears twice", s[i]);
		}
		return 0;
	case K_INT:
		if (v->type != TOML_INTEGER)
			return bad(c, file, v, path, "expected an integer, found %s", a_type(v));
		if (v->i < r->min || v->i > r->max)
			return bad(c, file, v, path, "%lld is out of range (%lld to %lld)", (long long)v->i,
				r->min, r->max);
		return 0;
	case K_FLOAT:
		if (v->type != TOML_FLOAT && v->type != TOML_INTEGER)
			return bad(c, file, v, path, "expected a number, found %s", a_type(v));
		d = v->type == TOML_FLOAT ? v->f : (double)v->i;
		if (!(d >= (double)r->min && d <= (double)r->max))
			return bad(c, file, v, path, "out of range (%lld to %lld)", r->min, r->max);
		return 0;
	case K_BOOL: case K_TRUE:
		if (v->type != TOML_BOOL)
			return bad(c, file, v, path, "expected true or false, found %s", a_type(v));
		if (r->kind == K_TRUE && !v->b)
			return bad(c, file, v, path, "false is not supported: %s", r->extra);
		return 0;
	case K_STRV: case K_USB: case K_TIMES:
		if (v->type != TOML_ARRAY)
			return bad(c, file, v, path, "expected an array of strings, found %s", a_type(v));
		for (i = 0; i < v->arr.n; i++) {
			const struct toml_value *e = v->arr.v[i];
			struct time_rule tr;
			uint32_t id;

			if (!(s = toml_cstr(e))) {
				say(c, CONFIG_ERROR, "%s:%d:%d: %s[%zu]: expected a string, found %s", file,
					e->line, e->col, path, i, e->type == TOML_STRING ? "a NUL" : a_type(e));
				return -1;
			}
			if (r->kind == K_USB && config_usb_id(s, &id) < 0) {
				say(c, CONFIG_ERROR, "%s:%d:%d: %s[%zu]: '%.64s' is not a USB id "
					"(vendor:product in hex, like \"1050:0407\")", file, e->line, e->col, path, i, s);
				return -1;
			}
			if (r->kind == K_TIMES && config_time_rule(s, &tr) < 0) {
				say(c, CONFIG_ERROR, "%s:%d:%d: %s[%zu]: '%.64s' is not a time rule "
					"(\"[DAYS ]HH:MM-HH:MM\", like \"mon-fri 09:00-17:30\")", file, e->line,
					e->col, path, i, s);
				return -1;
			}
		}
		return 0;
	case K_BINDMAP:
		if (v->type != TOML_TABLE)
			return bad(c, file, v, path, "expected a table of \"combination\" = \"command\", found %s",
				a_type(v));
		for (i = 0; i < v->tab.n; i++) {
			const struct toml_kv *kv = &v->tab.kv[i];
			char key[BIND_MAX_KEY], buf[1024], *argv[BIND_MAX_ARGS];
			unsigned mods;

			if (memchr(kv->key, 0, kv->len) || binding_parse(kv->key, &mods, key) < 0) {
				say(c, CONFIG_ERROR, "%s:%d:%d: %s: %s", file, kv->line, kv->col, path,
					memchr(kv->key, 0, kv->len) ? "a NUL in a key combination" : last_error());
				return -1;
			}
			if (!toml_cstr(kv->val) || binding_split(toml_cstr(kv->val), argv, BIND_MAX_ARGS, buf,
			    sizeof(buf)) < 0) {
				say(c, CONFIG_ERROR, "%s:%d:%d: %s.\"%s\": %s", file, kv->line, kv->col, path, kv->key,
					toml_cstr(kv->val) ? last_error() : "expected a command line (a string)");
				return -1;
			}
		}
		return 0;
	case K_STRMAP:
		if (v->type != TOML_TABLE)
			return bad(c, file, v, path, "expected a table of strings, found %s", a_type(v));
		for (i = 0; i < v->tab.n; i++) {
			const struct toml_kv *kv = &v->tab.kv[i];
			if (!toml_cstr(kv->val) || memchr(kv->key, 0, kv->len) || memchr(kv->key, '=', kv->len) ||
			    !kv->len) {
				say(c, CONFIG_ERROR, "%s:%d:%d: %s: every entry must be NAME = \"string\" "
					"(no '=' or NUL in NAME)", file, kv->line, kv->col, path);
				return -1;
			}
		}
		return 0;
	case K_ANY:
		return 0;
	}
	return 0;
}

/* ---- the merge ------------------------------------------------------ */

static struct entry *find_entry(const struct config *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].path, path))
			return &c->e[i];
	return NULL;
}

static void set_entry(struct config *c, size_t layer, const char *path, const struct rule *r,
	const struct toml_value *v, int line, int col)
{
	struct layer *l = &c->layers[layer];
	struct entry *e = find_entry(c, path);

	if (e && e->locked && l->policy < c->layers[e->layer].policy && r->kind != K_TABLE) {
		say(c, CONFIG_WARNING, "%s:%d:%d: %s is set by policy (%s:%d) and cannot be overridden; "
			"the policy value stays", l->file, line, col, path, c->layers[e->layer].file, e->line);
		return;
	}
	if (!e) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 64;
			c->e = xreallocarray(c->e, c->cap, sizeof(*c->e));
		}
		e = &c->e[c->n++];
		memset(e, 0, sizeof(*e));
		e->path = xstrdup(path);
	} else if (r->kind == K_TABLE) {
		return;		/* a table keeps where it was first made */
	}
	e->v = v;
	e->rule = r;
	e->layer = layer;
	e->line = line;
	e->col = col;
	e->locked = l->policy && r->kind != K_TABLE;
}

/* noted: an enclosing table was already reported as a note. */
static void walk(struct config *c, size_t layer, const struct toml_value *t, const char *prefix, int noted)
{
	const char *file = c->layers[layer].file;

	for (size_t i = 0; i < t->tab.n; i++) {
		const struct toml_kv *kv = &t->tab.kv[i];
		char path[MAX_PATH_LEN];
		const struct rule *r;

		if (!key_ok(kv->key, kv->len)) {
			say(c, CONFIG_ERROR, "%s:%d:%d: %s%s\"%.64s\": unknown key", file, kv->line, kv->col,
				prefix, *prefix ? "." : "", memchr(kv->key, 0, kv->len) ? "(NUL)" : kv->key);
			continue;
		}
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", kv->key);
		if (!(r = find_rule(path))) {
			say(c, CONFIG_ERROR, "%s:%d:%d: %s: unknown key", file, kv->line, kv->col, path);
			continue;
		}
		if (r->keyrule == KEY_NAME && !profile_name_valid(kv->key)) {
			say(c, CONFIG_ERROR, "%s:%d:%d: %s: '%s' is not a valid name (1-64 of A-Z a-z 0-9 _ -, "
				"starting with a letter or digit)", file, kv->line, kv->col, path, kv->key);
			continue;
		}
		if (r->keyrule == KEY_BINDING && kv->len > 16) {
			say(c, CONFIG_ERROR, "%s:%d:%d: %s: a key binding name is at most 16 characters",
				file, kv->line, kv->col, path);
			continue;
		}
		if (check_value(c, file, path, r, kv->val) < 0)
			continue;
		if (r->note && !noted)
			say(c, CONFIG_NOTE, "%s:%d: %s: %s", file, kv->line, path, r->note);
		set_entry(c, layer, path, r, kv->val, kv->line, kv->col);
		if (r->kind == K_TABLE)
			walk(c, layer, kv->val, path, noted || r->note);
	}
}

/* profiles.P.extends = "Q": P gets every value of Q it does not set
 * itself (after Q got its own parent's).  Missing parents and cycles are
 * errors. */
static int inherit(struct config *c, const char *name, int depth)
{
	char path[MAX_PATH_LEN], prefix[MAX_PATH_LEN], want[MAX_PATH_LEN];
	const struct entry *ext;
	const char *parent;
	size_t plen, n;

	snprintf(path, sizeof(path), "profiles.%s.extends", name);
	if (!(ext = find_entry(c, path)))
		return 0;
	parent = toml_cstr(ext->v);
	snprintf(prefix, sizeof(prefix), "profiles.%s", parent);
	if (depth > 32 || !strcmp(parent, name)) {
		say(c, CONFIG_ERROR, "%s:%d:%d: %s: profiles extend each other in a circle",
			c->layers[ext->layer].file, ext->line, ext->col, path);
		return -1;
	}
	if (!find_entry(c, prefix)) {
		say(c, CONFIG_ERROR, "%s:%d:%d: %s: no profile named '%s'", c->layers[ext->layer].file,
			ext->line, ext->col, path, parent);
		return -1;
	}
	if (inherit(c, parent, depth + 1) < 0)
		return -1;
	strcat(prefix, ".");
	plen = strlen(prefix);
	n = c->n;
	for (size_t i = 0; i < n; i++) {
		struct entry e = c->e[i], *add;
		const char *rest = e.path + plen;

		if (strncmp(e.path, prefix, plen) || !strcmp(rest, "name") || !strcmp(rest, "extends"))
			continue;
		snprintf(want, sizeof(want), "profiles.%s.%s", name, rest);
		if (find_entry(c, want))
			continue;
		set_entry(c, e.layer, want, e.rule, e.v, e.line, e.col);
		add = find_entry(c, want);
		add->locked = 0;
		free(add->from);
		add->from = xstrdup(e.from ? e.from : parent);
	}
	return 0;
}

/* Checks that need the merged result. */
static void cross_check(struct config *c)
{
	const char *names[256];
	size_t n = config_profiles(c, names, ARRAY_LEN(names));
	const struct entry *e;
	const char *def;

	for (size_t i = 0; i < n && i < ARRAY_LEN(names); i++)
		if (inherit(c, names[i], 0) < 0)
			return;
	n = config_profiles(c, names, ARRAY_LEN(names));
	for (size_t i = 0; i < c->n; i++) {
		char want[MAX_PATH_LEN];
		const char *dot;

		e = &c->e[i];
		if (!match("profiles.*.name", e->path) || e->from)
			continue;
		dot = strchr(e->path + 9, '.');
		snprintf(want, sizeof(want), "%.*s", (int)(dot - e->path - 9), e->path + 9);
		if (strcmp(toml_cstr(e->v), want))
			say(c, CONFIG_ERROR, "%s:%d:%d: %s: '%s' differs from the table's name '%s'",
				c->layers[e->layer].file, e->line, e->col, e->path, toml_cstr(e->v), want);
	}
	def = config_default_profile(c);
	if (n && (e = find_entry(c, "global.default_profile"))) {
		size_t i;
		for (i = 0; i < n && strcmp(names[i], def); i++)
			;
		if (i == n)
			say(c, CONFIG_ERROR, "%s:%d:%d: global.default_profile: '%s' is not a configured "
				"profile", c->layers[e->layer].file, e->line, e->col, def);
	}
}

/* 0 with the file's text, 1 if there is no such file, -1 with a reason. */
static int read_layer(const char *path, char **text, size_t *len)
{
	if ((*text = read_file(path, CONFIG_MAX_FILE, len)))
		return 0;
	return errno == ENOENT ? 1 : fail("%s: %s", path, last_error());
}

/* Parses and walks one layer (takes text). */
static void add_text(struct config *c, const char *name, char *text, size_t len, int policy)
{
	struct layer *l;

	c->layers = xreallocarray(c->layers, c->nlayers + 1, sizeof(*c->layers));
	l = &c->layers[c->nlayers];
	memset(l, 0, sizeof(*l));
	l->file = xstrdup(name);
	l->text = text;
	l->policy = policy;
	c->nlayers++;
	if (!(l->root = toml_parse(text, len, name))) {
		say(c, CONFIG_ERROR, "%s", last_error());
		return;
	}
	walk(c, c->nlayers - 1, l->root, "", 0);
}

/* Policy levels: a layer cannot change what a higher one locked. */
enum { USER_LAYER, EXTRA_POLICY, SYSTEM_POLICY };

/* Reads one layer; a missing file is no layer.  The administrator's
 * policy counts only if root owns it and nobody else may write it: a file
 * anyone could have put there is no policy (an error, not ignored). */
static void add_layer(struct config *c, const char *path, int policy)
{
	char *text;
	size_t len;
	int r;
	struct stat st;

	if (policy == SYSTEM_POLICY && stat(path, &st) == 0 && (st.st_uid != 0 || st.st_mode & 022)) {
		say(c, CONFIG_ERROR, "%s: a policy file must belong to root and be writable by root alone "
			"(it is uid %u's, mode %04o): fix it with chown root and chmod go-w", path,
			(unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return;
	}
	r = read_layer(path, &text, &len);
	if (r == 1)
		return;
	if (r < 0)
		say(c, CONFIG_ERROR, "%s", last_error());
	else
		add_text(c, path, text, len, policy);
}

static int toml_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".toml");
}

static struct config *config_new(config_report_fn *report, void *ctx)
{
	struct config *c = xcalloc(1, sizeof(*c));

	c->report = report ? report : log_report;
	c->ctx = ctx;
	return c;
}

static struct config *finish(struct config *c)
{
	if (!c->errors)
		cross_check(c);
	if (c->errors) {
		char why[512];
		snprintf(why, sizeof(why), "%s", last_error());
		config_free(c);
		fail("%s", why);
		return NULL;
	}
	return c;
}

struct config *config_load(const struct paths *p, config_report_fn *report, void *ctx)
{
	struct config *c = config_new(report, ctx);
	char path[PATH_MAX], dir[PATH_MAX];
	struct dirent **list;
	int n;

	add_layer(c, p->policy, SYSTEM_POLICY);
	if (p->extra_policy)
		add_layer(c, p->extra_policy, EXTRA_POLICY);
	if (paths_join(path, p->config, "config.toml") == 0)
		add_layer(c, path, USER_LAYER);
	if (paths_join(dir, p->config, "config.d") == 0 &&
	    (n = scandir(dir, &list, toml_name, alphasort)) >= 0) {
		for (int i = 0; i < n; i++) {
			if (paths_join(path, dir, list[i]->d_name) == 0)
				add_layer(c, path, USER_LAYER);
			free(list[i]);
		}
		free(list);
	} else if (errno != ENOENT) {
		say(c, CONFIG_ERROR, "%s: %s", dir, strerror(errno));
	}
	return finish(c);
}

int config_check_file(const char *path, config_report_fn *report, void *ctx)
{
	struct config *c = config_new(report, ctx);
	char *text;
	size_t len;
	int r = read_layer(path, &text, &len);

	if (r) {
		if (r == 1)
			fail("%s: no such file", path);
		config_free(c);
		return -1;
	}
	free(text);
	add_layer(c, path, 0);
	if (!(c = finish(c)))
		return -1;
	config_free(c);
	return 0;
}

int config_check_text(const char *text, size_t len, const char *name, config_report_fn *report, void *ctx)
{
	struct config *c = config_new(report, ctx);
	char *copy = xmalloc(len + 1);

	memcpy(copy, text, len);
	add_text(c, name, copy, len, 0);
	if (!(c = finish(c)))
		return -1;
	config_free(c);
	return 0;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nlayers; i++) {
		free(c->layers[i].file);
		free(c->layers[i].text);
		toml_free(c->layers[i].root);
	}
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].path);
		free(c->e[i].from);
	}
	free(c->layers);
	free(c->e);
	free(c);
}

/* ---- reading -------------------------------------------------------- */

const struct toml_value *config_get(const struct config *c, const char *path)
{
	const struct entry *e = c ? find_entry(c, path) : NULL;

	return e ? e->v : NULL;
}

const char *config_str(const struct config *c, const char *path, const char *def)
{
	const char *s = toml_cstr(config_get(c, path));

	return s ? s : def;
}

long long config_int(const struct config *c, const char *path, long long def)
{
	const struct toml_value *v = config_get(c, path);

	return v && v->type == TOML_INTEGER ? v->i : def;
}

int config_color(const char *s, uint32_t *out)
{
	size_t n = strlen(s);

	if (s[0] != '#' || (n != 7 && n != 9) || strspn(s + 1, "0123456789abcdefABCDEF") != n - 1)
		return -1;
	*out = (uint32_t)strtoul(s + 1, NULL, 16);
	if (n == 7)
		*out = *out << 8 | 0xff;
	return 0;
}

double config_float(const struct config *c, const char *path, double def)
{
	const struct toml_value *v = config_get(c, path);

	if (v && v->type == TOML_INTEGER)
		return (double)v->i;
	return v && v->type == TOML_FLOAT ? v->f : def;
}

int config_bool(const struct config *c, const char *path, int def)
{
	const struct toml_value *v = config_get(c, path);

	return v && v->type == TOML_BOOL ? v->b : def;
}

const char *config_strv(const struct config *c, const char *path, size_t n)
{
	const struct toml_value *v = config_get(c, path);

	if (!v || v->type != TOML_ARRAY || n >= v->arr.n)
		return NULL;
	return toml_cstr(v->arr.v[n]);
}

int config_locked(const struct config *c, const char *path)
{
	const struct entry *e = c ? find_entry(c, path) : NULL;

	return e && e->locked;
}

const char *config_source(const struct config *c, const char *path, char *buf, size_t n)
{
	const struct entry *e = c ? find_entry(c, path) : NULL;

	if (!e)
		return NULL;
	snprintf(buf, n, "%s:%d", c->layers[e->layer].file, e->line);
	return buf;
}

size_t config_profiles(const struct config *c, const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; c && i < c->n; i++) {
		const char *p = c->e[i].path;
		if (strncmp(p, "profiles.", 9) || strchr(p + 9, '.'))
			continue;
		if (n < max)
			names[n] = p + 9;
		n++;
	}
	return n;
}

const char *config_default_profile(const struct config *c)
{
	return config_str(c, "global.default_profile", "default");
}

void config_each(const struct config *c, config_each_fn *fn, void *ctx)
{
	char src[PATH_MAX + 16];

	for (size_t i = 0; i < c->n; i++) {
		const struct entry *e = &c->e[i];
		if (e->rule->kind == K_TABLE)
			continue;
		snprintf(src, sizeof(src), "%s%s%s%s:%d", e->from ? "inherited from " : "", e->from ? e->from : "",
			e->from ? " at " : "", c->layers[e->layer].file, e->line);
		fn(e->path, e->v, NULL, src, e->locked, ctx);
	}
	for (size_t i = 0; i < ARRAY_LEN(schema); i++)
		if (schema[i].def && !strchr(schema[i].pat, '*') && !find_entry(c, schema[i].pat))
			fn(schema[i].pat, NULL, schema[i].def, "default", 0, ctx);
}

/* ---- watching ------------------------------------------------------- */

int config_watch(const struct paths *p)
{
	char dir[PATH_MAX];
	const char *slash;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE;

	if (fd < 0)
		return fail("inotify: %s", strerror(errno));
	/* A first start: make the directory, so a config written later is seen.
	 * In system mode it is /etc/pds, where the administrator's policy
	 * lives too, which every user's sesame must read: 0755, not private
	 * (a root daemon that made it 0700 locked every user out). */
	if (access(p->config, F_OK) < 0 && errno == ENOENT &&
	    (p->system ? (mkdir(p->config, 0755) < 0 || chmod(p->config, 0755) < 0) &&	/* whatever the umask */
		fail("cannot make %s: %s", p->config, strerror(errno)) : paths_mkdir_private(p->config) < 0))
		log_warn("config: %s", last_error());
	if (inotify_add_watch(fd, p->config, mask) < 0)
		log_warn("config: cannot watch %s: %s", p->config, strerror(errno));
	if (paths_join(dir, p->config, "config.d") == 0 && inotify_add_watch(fd, dir, mask) < 0 &&
	    errno != ENOENT)
		log_warn("config: cannot watch %s: %s", dir, strerror(errno));
	for (int i = 0; i < 2; i++) {
		const char *pol = i ? p->extra_policy : p->policy;

		if (pol && (slash = strrchr(pol, '/')) && slash != pol) {
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - pol), pol);
			inotify_add_watch(fd, dir, mask);	/* /etc/pds may not exist: fine */
		}
	}
	return fd;
}

int config_watch_changed(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int changed = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			size_t l = ev->len ? strlen(ev->name) : 0;

			/* config.d appearing, or any .toml file changing. */
			if ((l > 5 && !strcmp(ev->name + l - 5, ".toml")) || (l && !strcmp(ev->name, "config.d")))
				changed = 1;
			p += sizeof(*ev) + ev->len;
		}
	}
	return changed;
}
