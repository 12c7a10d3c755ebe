/* env.c - `sesame env` and `sesame export`: a profile's secrets as
 * environment variables, for one command or for a file.  All of them or a
 * clear error: nothing is skipped silently, and names that would change
 * how a program loads or runs (LD_PRELOAD, PATH, ...) are refused. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/core/envvar.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/*APPLET env env_main "run a command with a profile's secrets in its environment"
usage: sesame env [-p PROFILES] [--prefix P] [--allow NAME]... -- COMMAND [ARGS...]

Fetches every secret of PROFILES (comma-separated; default $SESAME_PROFILES,
else default; for a name in several profiles the first one wins) and runs
COMMAND with them added to the environment, plus SESAME_PROFILES.  A
secret named db-password becomes DB_PASSWORD (letters upper-cased, '-' and
'.' and anything else not alphanumeric become '_'); --prefix P makes it
P_DB_PASSWORD.  COMMAND does not run at all if any secret cannot be
fetched, maps to a variable that changes how programs load or run or
what command they run (LD_*, DYLD_*, PATH, IFS, BASH_ENV, ENV, PS4,
NODE_OPTIONS, PYTHONPATH, PERL5OPT, PERL5DB, JAVA_TOOL_OPTIONS,
GIT_SSH_COMMAND, GIT_CONFIG_*, GLIBC_TUNABLES, PAGER, SESAME_*, ... after
sudo's table of unsafe variables), collides with another secret's
variable, or holds a NUL byte.  Exits with COMMAND's status (127 if it
cannot be run).

  -p, --profile PROFILES  the profiles, comma-separated
  --prefix P              P_ before every variable's name
  --allow NAME            let the variable NAME (any case) through all
                          the same, for a secret that really is one
                          (repeatable)
(--format is export's: env refuses it.)
*/

/*APPLET export export_main "print a profile's secrets as shell, dotenv or JSON"
usage: sesame export [-p PROFILES] [-f shell|dotenv|json] [--prefix P] [--allow NAME]...

Prints every secret of PROFILES as variables, named and checked as for
sesame env (the same refusals apply, and --allow NAME as there; nothing
is printed if one fails):
  shell    export NAME='value'     (single quotes; safe to eval)
  dotenv   NAME="value"            (\ " $ ` and newlines escaped)
  json     {"NAME":"value",...}    (values must be valid UTF-8)
shell and dotenv also refuse a name that starts with a digit, which no
shell accepts (a secret named 2fa): --prefix gives every name a start.
The output holds secrets: mind where it goes.

  -p, --profile PROFILES  the profiles, comma-separated
  -f, --format F          shell (the default), dotenv or json
  --prefix P              P_ before every variable's name
  --allow NAME            as for env (repeatable)
*/

struct var {
	char name[VAULT_MAX_NAME + 80];
	char secret[VAULT_MAX_NAME + 1];
	char profile[PROFILE_BUF];
	uint8_t *value;		/* secure memory */
	size_t len;
};

static struct var *vars;
static int nvars;
static const char *allowed[16];	/* --allow NAME */
static int nallowed;

static int denied(const char *name)
{
	for (int i = 0; i < nallowed; i++)
		if (!strcasecmp(allowed[i], name))
			return 0;
	return envvar_denied(name);
}

static void free_vars(void)
{
	for (int i = 0; i < nvars; i++)
		secmem_free(vars[i].value);
	free(vars);
}

struct listing {
	const char *profile, *prefix;
	int *cap;
};

/* A name xcli_list found: a new variable, unless an earlier profile has
 * a secret of that name (the first wins). */
static void add_var(const char *secret, void *vctx)
{
	struct listing *l = vctx;
	struct var *x;

	for (int k = 0; k < nvars; k++)
		if (!strcmp(vars[k].secret, secret))
			return;
	if (nvars == *l->cap)
		vars = xreallocarray(vars, *l->cap = *l->cap ? *l->cap * 2 : 32, sizeof(*vars));
	x = &vars[nvars++];
	memset(x, 0, sizeof(*x));
	snprintf(x->secret, sizeof(x->secret), "%s", secret);
	snprintf(x->profile, sizeof(x->profile), "%s", l->profile);
	envvar_name(x->name, sizeof(x->name), l->prefix, x->secret);
}

/* Everything from every profile, checked; dies with a clear error.
 * shell_names: every name must also be one a shell accepts. */
static void fetch(const char *cmd, const char *spec, const char *prefix, int shell_names)
{
	struct cli_io *io = xcli_io();	/* secure memory: the values pass here */
	uint8_t *buf = io->buf;
	struct wire_out *req = &io->req;
	char profiles[CLI_MAX_PROFILES][PROFILE_BUF];
	int np = cli_profiles(cmd, spec, profiles, CLI_MAX_PROFILES), cap = 0;
	struct bus_client *c;

	if (prefix && *prefix) {
		for (const char *s = prefix; *s; s++)
			if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
				usage_error(cmd, "--prefix '%s': letters, digits and '_' only", prefix);
	}
	c = xcli_connect();
	for (int i = 0; i < np; i++) {
		struct listing l = { profiles[i], prefix, &cap };
		int from = nvars;

		xcli_list(c, io, profiles[i], add_var, &l);
		for (int k = from; k < nvars; k++) {
			struct var *x = &vars[k];
			struct wire_msg m;
			const uint8_t *val;
			uint16_t vl;

			wire_begin(req, WIRE_SECRET_GET, 0, 0);
			wire_put_str(req, WF_PROFILE, profiles[i]);
			wire_put_str(req, WF_KEY, x->secret);
			xcli_request(c, io, &m);
			if (!wire_find(&m, WF_VALUE, &val, &vl) || !(x->value = secmem_dup(val, vl))) {
				free_vars();
				die("%s: cannot fetch secret '%s' of profile %s: %s", cmd, x->secret, profiles[i],
					last_error());
			}
			x->len = vl;
			sodium_memzero(buf, WIRE_HEADER + m.fields_len);
		}
	}
	bus_close(c);
	for (int i = 0; i < nvars; i++) {
		const char *why = NULL, *other = "";

		if (denied(vars[i].name))
			why = "a variable that changes how programs load or run; refused (--allow NAME if meant)";
		else if (memchr(vars[i].value, 0, vars[i].len))
			why = "its value holds a NUL byte, which an environment cannot carry";
		else if (shell_names && vars[i].name[0] >= '0' && vars[i].name[0] <= '9')
			why = "a name no shell accepts, as it starts with a digit; --prefix gives it a start";
		for (int k = 0; !why && k < i; k++)
			if (!strcmp(vars[k].name, vars[i].name)) {
				why = "the same variable as secret '";
				other = vars[k].secret;
			}
		if (why) {
			char msg[1800];

			snprintf(msg, sizeof(msg), "%s: secret '%s' (profile %s) maps to %s: %s%s%s", cmd,
				vars[i].secret, vars[i].profile, vars[i].name, why, other, *other ? "'" : "");
			free_vars();
			die("%s; nothing was %s", msg, strcmp(cmd, "env") ? "printed" : "run");
		}
	}
}

static void usage_opts(int argc, char **argv, const char *cmd, const char **spec, const char **prefix,
	const char **format)
{
	const struct option *opts = format ? longopts_export : longopts_env;
	int o;

	while ((o = getopt_long(argc, argv, format ? "+" OPTSTR_export : "+" OPTSTR_env, opts, NULL)) != -1) {
		switch (o) {
		case 'p': *spec = optarg; break;
		case OPT_PREFIX: *prefix = optarg; break;
		case OPT_ALLOW:
			if (nallowed == (int)ARRAY_LEN(allowed))
				usage_error(cmd, "--allow: %zu names at most", ARRAY_LEN(allowed));
			allowed[nallowed++] = optarg;
			break;
		case 'f':
			*format = optarg;
			break;
		default:
			if (!format && o == '?' && !strncmp(argv[optind - 1], "--format", 8))
				usage_error(cmd, "--format is for export, not env");
			usage_option(cmd, argv, o, opts);
		}
	}
}

int env_main(int argc, char **argv)
{
	const char *spec = NULL, *prefix = NULL;
	char joined[CLI_MAX_PROFILES * (PROFILE_BUF + 1)] = "", profiles[CLI_MAX_PROFILES][PROFILE_BUF];
	int np;

	usage_opts(argc, argv, "env", &spec, &prefix, NULL);
	if (optind >= argc)
		usage_error("env", "which command? (sesame env [-p PROFILES] -- COMMAND ...)");
	np = cli_profiles("env", spec, profiles, CLI_MAX_PROFILES);
	fetch("env", spec, prefix, 0);
	for (int i = 0; i < np; i++) {
		strcat(joined, i ? "," : "");
		strcat(joined, profiles[i]);
	}
	for (int i = 0; i < nvars; i++) {
		char *v = xmalloc(vars[i].len + 1);

		memcpy(v, vars[i].value, vars[i].len);
		v[vars[i].len] = 0;
		if (setenv(vars[i].name, v, 1) < 0)
			die("env: cannot set %s: %s", vars[i].name, strerror(errno));
		sodium_memzero(v, vars[i].len);
		free(v);
	}
	setenv("SESAME_PROFILES", joined, 1);
	free_vars();
	execvp(argv[optind], argv + optind);
	die_code(errno == ENOENT ? 127 : 126, "env: cannot run %s: %s", argv[optind], strerror(errno));
}

int export_main(int argc, char **argv)
{
	const char *spec = NULL, *prefix = NULL, *format = "shell";

	usage_opts(argc, argv, "export", &spec, &prefix, &format);
	if (optind < argc)
		usage_error("export", "unexpected argument '%s'", argv[optind]);
	if (strcmp(format, "shell") && strcmp(format, "dotenv") && strcmp(format, "json"))
		usage_error("export", "-f: shell, dotenv or json, not '%s'", format);
	fetch("export", spec, prefix, strcmp(format, "json"));
	if (!strcmp(format, "json"))
		for (int i = 0; i < nvars; i++)
			if (!utf8_valid(vars[i].value, vars[i].len)) {
				char name[sizeof(vars[i].name)];

				strcpy(name, vars[i].name);
				free_vars();
				die("export: %s is not valid UTF-8 and cannot be a JSON string; nothing was printed", name);
			}
	if (!strcmp(format, "json"))
		putchar('{');
	for (int i = 0; i < nvars; i++) {
		const uint8_t *v = vars[i].value;

		if (!strcmp(format, "shell")) {
			printf("export %s='", vars[i].name);
			for (size_t k = 0; k < vars[i].len; k++)
				v[k] == '\'' ? (void)fputs("'\\''", stdout) : (void)putchar(v[k]);
			printf("'\n");
		} else if (!strcmp(format, "dotenv")) {
			printf("%s=\"", vars[i].name);
			for (size_t k = 0; k < vars[i].len; k++) {
				if (v[k] == '\\' || v[k] == '"' || v[k] == '$' || v[k] == '`')
					printf("\\%c", v[k]);
				else if (v[k] == '\n')
					fputs("\\n", stdout);
				else if (v[k] == '\r')
					fputs("\\r", stdout);
				else
					putchar(v[k]);
			}
			printf("\"\n");
		} else {
			printf("%s\"%s\":", i ? "," : "", vars[i].name);
			cli_json_str(stdout, v, vars[i].len);
		}
	}
	if (!strcmp(format, "json"))
		printf("}\n");
	free_vars();
	return fflush(stdout) ? 1 : 0;
}
