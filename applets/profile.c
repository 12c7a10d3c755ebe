/* profile.c - `sesame profile list|show|activate|deactivate|default`:
 * daemon-profile keeps which profiles are active and the default; show
 * reads the configuration directly. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/config/config.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*APPLET profile profile_main "list, show, activate, deactivate profiles and set the default"
usage: sesame profile list [--json]
       sesame profile show NAME
       sesame profile activate|deactivate|default NAME
       sesame profile default --reset

Profiles are the [profiles.NAME] tables of the configuration (with none,
there is one: "default").  Several can be active at once: by hand, or by
context when a rule of [profiles.NAME.activation] matches (a USB device,
a WiFi network, a time window).  Deactivating a profile that its context
activated holds until that context ends.  The default profile and the
profiles activated by hand persist across restarts of daemon-profile;
the default set here wins over global.default_profile unless the policy
file sets it.

  list         every profile: active or not, why, and which is the default
  show         the profile's configuration, each value with its source
  activate     activate NAME by hand
  deactivate   deactivate NAME
  default      make NAME the default profile

  --json       list: a JSON array
  --reset      default: forget the choice (global.default_profile, else
               "default", applies)
*/

struct row {
	char name[PROFILE_BUF], state[16], reason[96];
};

static int list(int json)
{
	struct cli_io *io = xcli_io();
	struct wire_out *req = &io->req;
	struct row rows[256];
	struct wire_msg m;
	struct bus_client *c;
	char def[PROFILE_BUF] = "";
	size_t pos = 0, n = 0, w = 4;
	uint16_t tag, len;
	const uint8_t *v;

	wire_begin(req, WIRE_PROFILE_LIST, 0, 0);
	c = xcli_ask(io, &m);
	wire_get_str(&m, WF_DEFAULT, def, sizeof(def));
	while (wire_next(&m, &pos, &tag, &v, &len)) {
		char s[96];

		if (len >= sizeof(s) || memchr(v, 0, len))
			continue;
		memcpy(s, v, len);
		s[len] = 0;
		if (tag == WF_PROFILE && n < ARRAY_LEN(rows) && profile_name_valid(s)) {
			memset(&rows[n], 0, sizeof(rows[n]));
			snprintf(rows[n++].name, sizeof(rows[0].name), "%.64s", s);
		} else if (tag == WF_STATE && n) {
			snprintf(rows[n - 1].state, sizeof(rows[0].state), "%.15s", s);
		} else if (tag == WF_REASON && n) {
			snprintf(rows[n - 1].reason, sizeof(rows[0].reason), "%s", s);
		}
	}
	cli_done(c, io, &m);
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			printf("%s{\"name\":", i ? "," : "");
			cli_json_str(stdout, rows[i].name, strlen(rows[i].name));
			printf(",\"active\":%s,\"default\":%s,\"reason\":", !strcmp(rows[i].state, "active") ?
				"true" : "false", !strcmp(rows[i].name, def) ? "true" : "false");
			cli_json_str(stdout, rows[i].reason, strlen(rows[i].reason));
			printf("}");
		}
		printf("]\n");
		return fflush(stdout) ? 1 : 0;
	}
	for (size_t i = 0; i < n; i++)
		if (strlen(rows[i].name) > w)
			w = strlen(rows[i].name);
	printf("%-*s  %-6s  %-7s  %s\n", (int)w, "NAME", "ACTIVE", "DEFAULT", "WHY");
	for (size_t i = 0; i < n; i++)
		printf("%-*s  %-6s  %-7s  %s\n", (int)w, rows[i].name,
			!strcmp(rows[i].state, "active") ? "yes" : "no",
			!strcmp(rows[i].name, def) ? "yes" : "", rows[i].reason);
	return fflush(stdout) ? 1 : 0;
}

struct show_ctx {
	const char *prefix;
	size_t n;
};

static void show_one(const char *path, const struct toml_value *v, const char *def, const char *source,
	int locked, void *vctx)
{
	struct show_ctx *s = vctx;

	(void)def;
	if (!v || strncmp(path, s->prefix, strlen(s->prefix)))
		return;
	s->n++;
	printf("%s = ", path + strlen(s->prefix));
	if (v->type == TOML_STRING)
		cli_json_str(stdout, v->str.s, v->str.len);
	else if (v->type == TOML_INTEGER)
		printf("%lld", (long long)v->i);
	else if (v->type == TOML_BOOL)
		printf(v->b ? "true" : "false");
	else if (v->type == TOML_FLOAT)
		printf("%g", v->f);
	else if (v->type == TOML_ARRAY) {
		printf("[");
		for (size_t i = 0; i < v->arr.n; i++) {
			const char *e = toml_cstr(v->arr.v[i]);
			printf(i ? ", " : "");
			if (e)
				cli_json_str(stdout, e, strlen(e));
			else
				printf("...");
		}
		printf("]");
	} else {
		printf("{...}  (see sesame config show)");
	}
	printf("  # %s%s\n", source, locked ? ", locked by policy" : "");
}

static int show(const char *name)
{
	struct show_ctx s = { NULL, 0 };
	const char *names[256];
	struct config *c;
	struct paths p;
	char prefix[96];
	size_t n, i;

	if (paths_resolve(&p) < 0)
		die("%s", last_error());
	if (!(c = config_load(&p, NULL, NULL)))
		die("profile: the configuration has errors (sesame config check): %s", last_error());
	n = config_profiles(c, names, ARRAY_LEN(names));
	for (i = 0; i < n && i < ARRAY_LEN(names) && strcmp(names[i], name); i++)
		;
	if (i == n && !(n == 0 && !strcmp(name, "default")))
		die("profile: no profile named '%s' in the configuration", name);
	printf("profile: %s%s\n", name, !strcmp(config_default_profile(c), name) ?
		" (the configured default)" : "");
	snprintf(prefix, sizeof(prefix), "profiles.%s.", name);
	s.prefix = prefix;
	config_each(c, show_one, &s);
	if (!s.n)
		printf("(no settings: every key has its default)\n");
	config_free(c);
	return fflush(stdout) ? 1 : 0;
}

static int change(uint8_t type, const char *name)
{
	struct cli_io *io = xcli_io();
	struct wire_out *req = &io->req;
	struct wire_msg m;
	struct bus_client *c;
	char text[64] = "";

	wire_begin(req, type, 0, 0);
	if (name)
		wire_put_str(req, WF_PROFILE, name);
	c = xcli_ask(io, &m);
	wire_get_str(&m, WF_TEXT, text, sizeof(text));
	if (!name) {
		char def[PROFILE_BUF] = "?";

		wire_get_str(&m, WF_DEFAULT, def, sizeof(def));
		printf("default profile: %s (from the configuration)\n", def);
	} else if (type == WIRE_PROFILE_DEFAULT) {
		printf("default profile: %s\n", name);
	} else {
		printf("profile %s: %s\n", name, text);
	}
	cli_done(c, io, &m);
	return fflush(stdout) ? 1 : 0;
}

int profile_main(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	int o, json = 0, reset = 0;

	if (!sub)
		usage_error("profile", "which one: list, show, activate, deactivate or default?");
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "activate") && strcmp(sub, "deactivate") &&
	    strcmp(sub, "default"))
		usage_error("profile", "unknown subcommand '%s'", sub);
	optind = 2;
	while ((o = getopt_long(argc, argv, OPTSTR_profile, longopts_profile, NULL)) != -1) {
		if (o == OPT_JSON && !strcmp(sub, "list"))
			json = 1;
		else if (o == OPT_RESET && !strcmp(sub, "default"))
			reset = 1;
		else if (o == OPT_JSON || o == OPT_RESET)
			usage_error("profile", "%s is for profile %s", o == OPT_JSON ? "--json" : "--reset",
				o == OPT_JSON ? "list" : "default");
		else
			usage_option("profile", argv, o, longopts_profile);
	}
	argc -= optind, argv += optind;
	if (!strcmp(sub, "list")) {
		if (argc)
			usage_error("profile", "list takes only --json");
		return list(json);
	}
	if (reset) {
		if (argc)
			usage_error("profile", "default --reset takes no NAME");
		return change(WIRE_PROFILE_DEFAULT, NULL);
	}
	if (argc != 1)
		usage_error("profile", "%s takes one profile NAME", sub);
	cli_profile_arg("profile", argv[0]);
	if (!strcmp(sub, "show"))
		return show(argv[0]);
	return change(!strcmp(sub, "activate") ? WIRE_PROFILE_ACTIVATE :
		!strcmp(sub, "deactivate") ? WIRE_PROFILE_DEACTIVATE : WIRE_PROFILE_DEFAULT, argv[0]);
}
