/* config.c - `sesame config check|show`: the layered configuration
 * (lib/config/config.h) as the daemons will see it; no daemon needed. */
#include "applets/applet.h"
#include "lib/cli/cli.h"
#include "lib/config/config.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"

#include <math.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*APPLET config config_main "check the configuration or show the merged result"
usage: sesame config check [FILE]
       sesame config show [--json]

The configuration is read in layers, lowest first: the policy file
(/etc/pds/policy.toml, fixed when sesame is built; root's and writable by
root alone, or it is refused), then $SESAME_POLICY if set (a further policy
layer, which cannot change what the first sets), config.toml in the config
directory, then config.d/ *.toml in name order.  A key the policy sets
cannot be overridden; a layer that tries gets a warning and the policy
value stays.  Unknown keys, wrong types and values out of range are
errors, with FILE:LINE:COL and the key path.

  check        check every layer (or only FILE); prints errors, warnings
               and notes, exits 1 if there is any error
  show         the merged result, each value with the file and line it
               came from (or "default")

  --json       show: one JSON object
*/

static int counts[3];

static void report(enum config_level level, const char *msg, void *ctx)
{
	static const char *const tag[] = { "note", "warning", "error" };

	(void)ctx;
	counts[level]++;
	fprintf(stderr, "%s: %s\n", tag[level], msg);
}

static void put_toml(FILE *f, const struct toml_value *v)
{
	size_t i;

	switch (v->type) {
	case TOML_STRING:
		cli_json_str(f, v->str.s, v->str.len);
		break;
	case TOML_INTEGER:
		fprintf(f, "%lld", (long long)v->i);
		break;
	case TOML_FLOAT:
		if (isnan(v->f))
			fputs("nan", f);
		else if (isinf(v->f))
			fputs(v->f < 0 ? "-inf" : "inf", f);
		else
			fprintf(f, "%.17g", v->f);
		break;
	case TOML_BOOL:
		fputs(v->b ? "true" : "false", f);
		break;
	case TOML_ARRAY:
		fputc('[', f);
		for (i = 0; i < v->arr.n; i++) {
			fputs(i ? ", " : "", f);
			put_toml(f, v->arr.v[i]);
		}
		fputc(']', f);
		break;
	case TOML_TABLE:
		fputc('{', f);
		for (i = 0; i < v->tab.n; i++) {
			fputs(i ? ", " : " ", f);
			cli_json_str(f, v->tab.kv[i].key, v->tab.kv[i].len);
			fputs(" = ", f);
			put_toml(f, v->tab.kv[i].val);
		}
		fputs(v->tab.n ? " }" : "}", f);
		break;
	default:
		fwrite(v->str.s, 1, v->str.len, f);
	}
}

static void put_json(FILE *f, const struct toml_value *v)
{
	size_t i;

	switch (v->type) {
	case TOML_FLOAT:
		if (isnan(v->f) || isinf(v->f)) {
			fprintf(f, "\"%s\"", isnan(v->f) ? "nan" : v->f < 0 ? "-inf" : "inf");
			return;
		}
		break;
	case TOML_ARRAY:
		fputc('[', f);
		for (i = 0; i < v->arr.n; i++) {
			fputs(i ? "," : "", f);
			put_json(f, v->arr.v[i]);
		}
		fputc(']', f);
		return;
	case TOML_TABLE:
		fputc('{', f);
		for (i = 0; i < v->tab.n; i++) {
			fputs(i ? "," : "", f);
			cli_json_str(f, v->tab.kv[i].key, v->tab.kv[i].len);
			fputc(':', f);
			put_json(f, v->tab.kv[i].val);
		}
		fputc('}', f);
		return;
	case TOML_STRING: case TOML_DATETIME: case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL: case TOML_TIME_LOCAL:
		cli_json_str(f, v->str.s, v->str.len);
		return;
	default:
		break;
	}
	put_toml(f, v);
}

static int first = 1;

static void show_text(const char *path, const struct toml_value *v, const char *def,
	const char *source, int locked, void *ctx)
{
	(void)ctx;
	printf("%s = ", path);
	if (v)
		put_toml(stdout, v);
	else
		fputs(def, stdout);
	printf("  # %s%s\n", source, locked ? ", locked by policy" : "");
}

static void show_json(const char *path, const struct toml_value *v, const char *def,
	const char *source, int locked, void *ctx)
{
	(void)ctx;
	printf("%s\n  ", first ? "{" : ",");
	first = 0;
	cli_json_str(stdout, path, strlen(path));
	fputs(":{\"value\":", stdout);
	if (v) {
		put_json(stdout, v);
	} else {
		/* Defaults are written in TOML; the simple ones read as JSON. */
		struct toml_value *t;
		char *doc = xasprintf("v = %s\n", def);
		if ((t = toml_parse(doc, strlen(doc), "default"))) {
			put_json(stdout, toml_get(t, "v"));
			toml_free(t);
		} else {
			cli_json_str(stdout, def, strlen(def));
		}
		free(doc);
	}
	fputs(",\"source\":", stdout);
	cli_json_str(stdout, source, strlen(source));
	printf(",\"locked\":%s}", locked ? "true" : "false");
}

int config_main(int argc, char **argv)
{
	struct paths p;
	struct config *c;
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub)
		usage_error("config", "which one: check or show?");
	if (paths_resolve(&p) < 0)
		die("%s", last_error());
	if (!strcmp(sub, "check")) {
		int r;

		if (argc > 3)
			usage_error("config", "check takes at most one FILE");
		if (argc == 3) {
			r = config_check_file(argv[2], report, NULL);
		} else {
			c = config_load(&p, report, NULL);
			r = c ? 0 : -1;
			config_free(c);
		}
		if (r < 0 && !counts[CONFIG_ERROR])
			fprintf(stderr, "error: %s\n", last_error());
		if (r < 0)
			return 1;
		printf("%s: ok (%d warning%s, %d note%s)\n", argc == 3 ? argv[2] : "configuration",
			counts[CONFIG_WARNING], counts[CONFIG_WARNING] == 1 ? "" : "s",
			counts[CONFIG_NOTE], counts[CONFIG_NOTE] == 1 ? "" : "s");
		return 0;
	}
	if (!strcmp(sub, "show")) {
		int json = 0, o;

		optind = 2;
		while ((o = getopt_long(argc, argv, OPTSTR_config, longopts_config, NULL)) != -1) {
			if (o == OPT_JSON)
				json = 1;
			else
				usage_option("config", argv, o, longopts_config);
		}
		if (optind < argc)
			usage_error("config", "show: unknown argument '%s'", argv[optind]);
		if (!(c = config_load(&p, report, NULL)))
			die("config: %d error%s; nothing to show", counts[CONFIG_ERROR],
				counts[CONFIG_ERROR] == 1 ? "" : "s");
		config_each(c, json ? show_json : show_text, NULL);
		if (json)
			printf("%s}\n", first ? "{" : "\n");
		config_free(c);
		return 0;
	}
	usage_error("config", "unknown subcommand '%s' (check or show)", sub);
}
