/* env.c - `sesame env` and `sesame export`: a profile's secrets as
 * environment variables, for one command or for a file.  All of them or a
 * clear error: nothing is skipped silently, and names that would change
 * how a program loads or runs (LD_PRELOAD, PATH, ...) are refused. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/envfile.h"
#include "lib/cli/envsecrets.h"
#include "lib/cli/mask.h"
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
usage: sesame env [-p PROFILES] [--prefix P] [--allow NAME]... [--mask] -- COMMAND [ARGS...]
       sesame env --env-file FILE... [-p PROFILES] [--allow NAME]... [--mask] -- COMMAND [ARGS...]

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

--env-file FILE (op run --env-file's job) sets the variables of a .env
file instead: ordinary lines (NAME=value, "quoted" with \n \t \" \\ \$
escapes, 'single-quoted', export NAME=..., # comments) and references,

  DB_PASSWORD=sesame://work/db-password

a secret of a profile (sesame://PROFILE/NAME, NAME percent-decoded: %2F
a '/', %25 a '%').  Only the secrets referenced are fetched (with -p,
the profiles' secrets too); every name passes the same denylist, and a
reference that cannot be fetched, a name set twice (also by a profile's
secret) or a malformed line (FILE:LINE: why) ends it before COMMAND
runs.  Several --env-file: in order, a name in two of them an error.

--mask relays COMMAND's stdout and stderr (through a pseudo-terminal
where sesame's is a terminal, so it still writes line by line; else a
pipe) with every secret value it was given replaced by
<concealed by sesame>; its exit status is kept (128 + N for signal N).
Values shorter than 4 bytes are not concealed (said on stderr).

  -p, --profile PROFILES  the profiles, comma-separated
  --prefix P              P_ before every variable's name
  --allow NAME            let the variable NAME (any case) through all
                          the same, for a secret that really is one
                          (repeatable)
  --env-file FILE         a .env file of variables and sesame://
                          references (repeatable, up to 8)
  --mask                  conceal the secrets in COMMAND's output
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
static const char *env_files[8];
static int nenv_files, mask;

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
		case OPT_ENV_FILE:
			if (format)
				usage_error(cmd, "--env-file is for env");
			if (nenv_files == (int)ARRAY_LEN(env_files))
				usage_error(cmd, "--env-file: %zu files at most", ARRAY_LEN(env_files));
			env_files[nenv_files++] = optarg;
			break;
		case OPT_MASK:
			if (format)
				usage_error(cmd, "--mask is for env");
			mask = 1;
			break;
		default:
			if (!format && o == '?' && !strncmp(argv[optind - 1], "--format", 8))
				usage_error(cmd, "--format is for export, not env");
			usage_option(cmd, argv, o, opts);
		}
	}
}

/* The --env-file variables: parsed, checked, their references fetched
 * (secure memory, in ref[]); dies before anything runs. */
static void load_env_files(struct envfile *e, uint8_t **ref, size_t *reflen)
{
	struct bus_client *c = NULL;
	struct cli_io *io = NULL;

	for (int f = 0; f < nenv_files; f++) {
		size_t len;
		char *text = read_file(env_files[f], ENVFILE_MAX, &len);

		if (!text)
			die("env: %s: %s; nothing was run", env_files[f], errno == EFBIG ? "larger than 1 MiB" : last_error());
		if (envfile_parse(e, text, len, env_files[f]) < 0)
			die("env: %s; nothing was run", last_error());
		free(text);
	}
	for (int i = 0; i < e->n; i++) {
		const struct envfile_var *v = &e->v[i];

		if (env_secrets_denied(&S, v->name))
			die("env: %s:%d: %s: a variable that changes how programs load or run; refused (--allow %s "
				"if meant); nothing was run", v->file, v->line, v->name, v->name);
		for (int k = 0; k < S.n; k++)
			if (!strcmp(S.v[k].name, v->name))
				die("env: %s is set by an env file and by secret '%s' of profile %s; nothing was run",
					v->name, S.v[k].secret, S.v[k].profile);
		if (v->value)
			continue;
		if (!c) {
			io = xcli_io();
			c = xcli_connect();
		}
		if (!(ref[i] = xcli_secret_fetch(c, io, v->profile, v->secret, &reflen[i])))
			die_code(last_exit(), "env: %s: sesame://%s/%s: %s; nothing was run", v->name, v->profile, v->secret,
				last_error());
		if (memchr(ref[i], 0, reflen[i]))
			die("env: %s: secret '%s' of profile %s holds a NUL byte, which an environment cannot carry; "
				"nothing was run", v->name, v->secret, v->profile);
	}
	if (c)
		bus_close(c);
}

static void set_var(const char *name, const void *v, size_t len)
{
	char *s = xmalloc(len + 1);

	memcpy(s, v, len);
	s[len] = 0;
	if (setenv(name, s, 1) < 0)
		die("env: cannot set %s: %s", name, strerror(errno));
	sodium_memzero(s, len);
	free(s);
}

int env_main(int argc, char **argv)
{
	const char *spec = NULL, *prefix = NULL;
	char joined[CLI_MAX_PROFILES * (PROFILE_BUF + 1)] = "", profiles[CLI_MAX_PROFILES][PROFILE_BUF];
	struct envfile e = { 0 };
	uint8_t *ref[ENVFILE_MAX_VARS] = { 0 };
	size_t reflen[ENVFILE_MAX_VARS] = { 0 };
	int np, r;

	usage_opts(argc, argv, "env", &spec, &prefix, NULL);
	if (optind >= argc)
		usage_error("env", "which command? (sesame env [-p PROFILES] -- COMMAND ...)");
	if (!nenv_files || spec) {
		np = cli_profiles("env", spec, profiles, CLI_MAX_PROFILES);
		xenv_secrets_fetch(&S, "env", spec, prefix, 0);
		for (int i = 0; i < np; i++) {
			strcat(joined, i ? "," : "");
			strcat(joined, profiles[i]);
		}
	}
	if (nenv_files)
		load_env_files(&e, ref, reflen);
	xenv_secrets_setenv(&S, "env");
	if (*joined)
		setenv("SESAME_PROFILES", joined, 1);
	for (int i = 0; i < e.n; i++)
		set_var(e.v[i].name, e.v[i].value ? (const void *)e.v[i].value : ref[i],
			e.v[i].value ? e.v[i].len : reflen[i]);
	if (!mask) {
		for (int i = 0; i < e.n; i++)
			if (ref[i])
				secmem_free(ref[i]);
		env_secrets_free(&S);
		envfile_free(&e);
		execvp(argv[optind], argv + optind);
		die_code(errno == ENOENT ? 127 : 126, "env: cannot run %s: %s", argv[optind], strerror(errno));
	}
	{
		const uint8_t **v = xcalloc((size_t)(S.n + e.n) + 1, sizeof(*v));
		size_t *len = xcalloc((size_t)(S.n + e.n) + 1, sizeof(*len));
		const char **name = xcalloc((size_t)(S.n + e.n) + 1, sizeof(*name));
		struct mask_set m = { v, len, 0 };

		for (int i = 0; i < S.n; i++)
			name[m.n] = S.v[i].name, v[m.n] = S.v[i].value, len[m.n++] = S.v[i].len;
		for (int i = 0; i < e.n; i++)
			if (ref[i])
				name[m.n] = e.v[i].name, v[m.n] = ref[i], len[m.n++] = reflen[i];
		for (int i = 0; i < m.n; i++)
			if (len[i] < MASK_MIN)
				fprintf(stderr, "sesame: warning: env --mask: %s is shorter than %d bytes: not concealed (it "
					"would blot out ordinary text)\n", name[i], MASK_MIN);
		r = mask_run(argv + optind, &m);
		for (int i = 0; i < e.n; i++)
			if (ref[i])
				secmem_free(ref[i]);
		env_secrets_free(&S);
		envfile_free(&e);
		free(v);
		free(len);
		free(name);
		if (r < 0)
			die("env --mask: %s", last_error());
		return r;
	}
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
