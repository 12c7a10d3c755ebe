/* config_schema.c - the config schema: one table of every key (a path
 * pattern, "*" standing for a name the user gives), what its value must
 * be, its default, and for keys this build cannot honour, why; and the
 * checks of a value against its rule.  One idea, the table, which is
 * most of the file. */
#include "lib/config/config_int.h"
#include "lib/config/binding.h"
#include "lib/config/layer.h"
#include "lib/core/names.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	/* Provisioners whose bundles sesame bundle import takes: Ed25519 public
	 * keys (base64), honoured only from the policy file. */
	{ "global.provisioning", K_TABLE, 0, 0, 0, NULL, NULL, NULL },
	{ "global.provisioning.trusted_keys", K_STRV, 0, 0, 0, NULL, "[]", NULL },
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
	{ "profiles.*.clipboard.max_images", K_INT, 0, 0, 1000, NULL, "10", BUILT_NOTE },
	{ "profiles.*.clipboard.sensitive_ttl_s", K_INT, 0, 0, 86400, NULL, "30", BUILT_NOTE },
	{ "profiles.*.clipboard.detect_sensitive", K_BOOL, 0, 0, 0, NULL, "true", BUILT_NOTE },
	{ "profiles.*.input", K_TABLE, 0, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.input.bindings", K_BINDMAP, 0, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.input.tap_timeout_ms", K_INT, 0, 10, 5000, NULL, "200", BUILT_NOTE },
	{ "profiles.*.input.layers", K_TABLE, 0, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.input.layers.*", K_LAYERMAP, KEY_NAME, 0, 0, NULL, NULL, BUILT_NOTE },
	{ "profiles.*.input.apps", K_STRMAP, 0, 0, 0, NULL, NULL, BUILT_NOTE },
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
	{ "profiles.*.wm.hint_color", K_COLOR, 0, 0, 0, NULL, "\"#a0a0a0\"", BUILT_NOTE },
	{ "profiles.*.wm.hint_matched_color", K_COLOR, 0, 0, 0, NULL, "\"#4caf50\"", BUILT_NOTE },
	{ "profiles.*.wm.font", K_STR, 0, 0, 0, NULL, "\"monospace:size=14\"", BUILT_NOTE },
	{ "profiles.*.wm.icon_theme", K_STR, 0, 0, 0, NULL, "\"hicolor\"", BUILT_NOTE },
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

/* Does path match pattern, segment by segment ("*" is any one segment)? */
int config_match(const char *pat, const char *path)
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

const struct rule *config_rule(size_t i)
{
	return i < ARRAY_LEN(schema) ? &schema[i] : NULL;
}

const struct rule *config_rule_find(const char *path)
{
	for (size_t i = 0; i < ARRAY_LEN(schema); i++)
		if (config_match(schema[i].pat, path))
			return &schema[i];
	return NULL;
}

/* Keys that can be part of a path: no dots, nothing odd. */
int config_key_ok(const char *s, size_t n)
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
	config_say(c, CONFIG_ERROR, "%s:%d:%d: %s: %s", file, v->line, v->col, path, msg);
	return -1;
}

/* Checks v against its rule; reports at file:line:col of v. */
int config_check_value(struct config *c, const char *file, const char *path, const struct rule *r,
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
				config_say(c, CONFIG_ERROR, "%s:%d:%d: %s[%zu]: expected a string, found %s", file,
					e->line, e->col, path, i, e->type == TOML_STRING ? "a NUL" : a_type(e));
				return -1;
			}
			if (r->kind == K_USB && config_usb_id(s, &id) < 0) {
				config_say(c, CONFIG_ERROR, "%s:%d:%d: %s[%zu]: '%.64s' is not a USB id "
					"(vendor:product in hex, like \"1050:0407\")", file, e->line, e->col, path, i, s);
				return -1;
			}
			if (r->kind == K_TIMES && config_time_rule(s, &tr) < 0) {
				config_say(c, CONFIG_ERROR, "%s:%d:%d: %s[%zu]: '%.64s' is not a time rule "
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
				config_say(c, CONFIG_ERROR, "%s:%d:%d: %s: %s", file, kv->line, kv->col, path,
					memchr(kv->key, 0, kv->len) ? "a NUL in a key combination" : last_error());
				return -1;
			}
			if (!toml_cstr(kv->val) || binding_split(toml_cstr(kv->val), argv, BIND_MAX_ARGS, buf,
			    sizeof(buf)) < 0) {
				config_say(c, CONFIG_ERROR, "%s:%d:%d: %s.\"%s\": %s", file, kv->line, kv->col, path, kv->key,
					toml_cstr(kv->val) ? last_error() : "expected a command line (a string)");
				return -1;
			}
		}
		return 0;
	case K_LAYERMAP:
		if (v->type != TOML_TABLE)
			return bad(c, file, v, path, "expected a table of KEY = \"action\", found %s", a_type(v));
		for (i = 0; i < v->tab.n; i++) {
			const struct toml_kv *kv = &v->tab.kv[i];
			struct layer_action a;

			if (memchr(kv->key, 0, kv->len) || layer_key_code(kv->key) < 0) {
				config_say(c, CONFIG_ERROR, "%s:%d:%d: %s: '%.64s' is not a key's name (evdev names: a, "
					"capslock, leftctrl, esc, f5...)", file, kv->line, kv->col, path, kv->key);
				return -1;
			}
			if (!toml_cstr(kv->val) || layer_action_parse(toml_cstr(kv->val), &a) < 0) {
				config_say(c, CONFIG_ERROR, "%s:%d:%d: %s.%s: %s", file, kv->line, kv->col, path, kv->key,
					toml_cstr(kv->val) ? last_error() : "expected an action (a string)");
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
				config_say(c, CONFIG_ERROR, "%s:%d:%d: %s: every entry must be NAME = \"string\" "
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
