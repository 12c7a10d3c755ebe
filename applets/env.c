/* env.c - `sesame env` and `sesame export`: a profile's secrets as
 * environment variables, for one command or for a file.  All of them or a
 * clear error: nothing is skipped silently, and names that would change
 * how a program loads or runs (LD_PRELOAD, PATH, ...) are refused. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/envsecrets.h"
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

static struct env_secrets S;

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
			if (env_secrets_allow(&S, optarg) < 0)
				usage_error(cmd, "--allow: %zu names at most", ARRAY_LEN(S.allowed));
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
	xenv_secrets_fetch(&S, "env", spec, prefix, 0);
	for (int i = 0; i < np; i++) {
		strcat(joined, i ? "," : "");
		strcat(joined, profiles[i]);
	}
	xenv_secrets_setenv(&S, "env");
	setenv("SESAME_PROFILES", joined, 1);
	env_secrets_free(&S);
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
	xenv_secrets_fetch(&S, "export", spec, prefix, strcmp(format, "json"));
	if (!strcmp(format, "json"))
		for (int i = 0; i < S.n; i++)
			if (!utf8_valid(S.v[i].value, S.v[i].len)) {
				char name[sizeof(S.v[i].name)];

				strcpy(name, S.v[i].name);
				env_secrets_free(&S);
				die("export: %s is not valid UTF-8 and cannot be a JSON string; nothing was printed", name);
			}
	if (!strcmp(format, "json"))
		putchar('{');
	for (int i = 0; i < S.n; i++) {
		const uint8_t *v = S.v[i].value;

		if (!strcmp(format, "shell")) {
			printf("export %s='", S.v[i].name);
			for (size_t k = 0; k < S.v[i].len; k++)
				v[k] == '\'' ? (void)fputs("'\\''", stdout) : (void)putchar(v[k]);
			printf("'\n");
		} else if (!strcmp(format, "dotenv")) {
			printf("%s=\"", S.v[i].name);
			for (size_t k = 0; k < S.v[i].len; k++) {
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
			printf("%s\"%s\":", i ? "," : "", S.v[i].name);
			cli_json_str(stdout, v, S.v[i].len);
		}
	}
	if (!strcmp(format, "json"))
		printf("}\n");
	env_secrets_free(&S);
	return fflush(stdout) ? 1 : 0;
}
