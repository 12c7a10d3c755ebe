/* sesame.c - the multicall entry point.
 *
 * Dispatch, in order: the basename of argv[0] if it names an applet (the
 * daemon-* symlinks), else `sesame daemon ROLE ...`, else `sesame CMD ...`,
 * else one of sesame's own options.  Help comes from the generated table.
 */

/*APPLET sesame - top "trust-scoped secret manager and desktop helper"
usage: sesame COMMAND [ARGS...]
   or: sesame daemon ROLE [ARGS...]
   or: daemon-ROLE [ARGS...]
   or: sesame help [COMMAND]
   or: sesame --list | --version | --help

sesame keeps secrets in per-profile encrypted vaults and serves them to
commands and daemons over an encrypted local bus.  One executable holds
every command and every daemon role; a role also runs through a symlink
named after it (daemon-secrets -> sesame).  `COMMAND --help` shows a
command's help.

  --list      print every applet compiled in, one per line
  --version   print the version
  --help      print this help

EXIT STATUS
  0   success
  1   failure
  2   usage error
  69  a daemon could not be reached
  75  timeout
  77  denied, or the vault is locked

ENVIRONMENT
  SESAME_LOG         log level: error, warn, info (default), debug
  SESAME_LOG_FORMAT  log line format: plain (default) or json
  SESAME_CONFIG_DIR  config directory (user: ~/.config/pds; system: /etc/pds)
  SESAME_DATA_DIR    vaults and audit log (user: the config directory;
                     system: /var/lib/pds)
  SESAME_RUNTIME_DIR bus socket and keys (user: $XDG_RUNTIME_DIR/pds;
                     system: /run/pds)
  SESAME_CACHE_DIR   cache (user: ~/.cache/sesame; system: /var/cache/sesame)
  SESAME_POLICY      administrator policy file (/etc/pds/policy.toml)
  System mode applies to root when XDG_RUNTIME_DIR is unset.
*/

#include "applets/applet.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets.h"

#ifndef SESAME_VERSION
#define SESAME_VERSION "unknown"
#endif

const struct applet *applet_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(applet_table); i++)
		if (!strcmp(applet_table[i].name, name))
			return &applet_table[i];
	return NULL;
}

const struct applet *applet_find_role(const char *name)
{
	char full[64];
	const struct applet *a;

	if (strncmp(name, "daemon-", 7) && snprintf(full, sizeof(full), "daemon-%s", name) < (int)sizeof(full))
		name = full;
	a = applet_find(name);
	return a && (a->flags & APPLET_ROLE) ? a : NULL;
}

void applet_list_roles(FILE *f)
{
	for (size_t i = 0; i < ARRAY_LEN(applet_table); i++)
		if (applet_table[i].flags & APPLET_ROLE)
			fprintf(f, "  %-10s %s\n", applet_table[i].name + 7, applet_table[i].summary);
}

void applet_print_help(const struct applet *a, FILE *f)
{
	static const char same[] = "the same as sesame ";
	const struct applet *t;

	/* Another name (ws, cl): the help of the command it stands for. */
	if (!strncmp(a->summary, same, sizeof(same) - 1) && (t = applet_find(a->summary + sizeof(same) - 1)) && t != a)
		a = t;
	fprintf(f, "%s\n%s%s", a->usage, a->help, a->main ? "" :
		"\nNot in this build: running it says so and exits 1.\n");
}

int applet_run(const struct applet *a, int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help")) {
			applet_print_help(a, stdout);
			return fflush(stdout) ? 1 : 0;
		}
	}
	if (!a->main)
		die("%s: not in this build (built with DESKTOP=0)", a->name);
	log_init(a->name);
	/* A command lives for milliseconds and prints what it fetched: locked,
	 * wiped, unswappable pages are enough.  memfd_secret's removal from the
	 * kernel's direct map flushes every CPU's TLB, a cost the long-lived
	 * daemons (which hold the vault keys) pay once and commands would pay
	 * on every call. */
	if (!(a->flags & APPLET_ROLE) && secmem_use(SECMEM_MLOCK) < 0)
		die("%s", last_error());
	argv[0] = (char *)a->name;
	opterr = 0;	/* each applet names a refused option itself (usage_option) */
	return a->main(argc, argv);
}

static void print_top_help(FILE *f)
{
	int w = 10;

	for (size_t i = 0; i < ARRAY_LEN(applet_table); i++)
		if (!(applet_table[i].flags & APPLET_ROLE) && (int)strlen(applet_table[i].name) > w)
			w = (int)strlen(applet_table[i].name);
	fprintf(f, "%s\n%s\nCommands:\n", sesame_usage, sesame_help);
	for (size_t i = 0; i < ARRAY_LEN(applet_table); i++)
		if (!(applet_table[i].flags & APPLET_ROLE))
			fprintf(f, "  %-*s %s\n", w, applet_table[i].name, applet_table[i].summary);
	fprintf(f, "\nDaemon roles (sesame daemon ROLE):\n");
	applet_list_roles(f);
}

static int help_main(int argc, char **argv)
{
	const struct applet *a;

	if (argc < 2) {
		print_top_help(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "daemon") && argc > 2)
		a = applet_find_role(argv[2]);
	else
		a = applet_find(argv[1]);
	if (!a)
		usage_error(NULL, "help: no such command '%s'", argv[1]);
	applet_print_help(a, stdout);
	return 0;
}

/* Output that did not reach its file fails the command, with one message
 * whichever applet wrote it (/dev/full, a full disk).  The applet's own
 * fflush may have taken the reason with it. */
static int finish(int r)
{
	int e = fflush(stdout) ? errno : 0;

	if (!ferror(stdout))
		return r;
	complain("cannot write to standard output%s%s", e ? ": " : "", e ? strerror(e) : "");
	return r ? r : EXIT_FAILURE;
}

static int dispatch(int argc, char **argv)
{
	const char *base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
	const struct applet *a;

	base = base ? base + 1 : argc > 0 && argv[0] ? argv[0] : "sesame";
	if (strcmp(base, "sesame") && (a = applet_find(base)))
		return applet_run(a, argc, argv);

	if (argc < 2) {
		fprintf(stderr, "%s\nTry 'sesame --help'.\n", sesame_usage);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < ARRAY_LEN(applet_table); i++)
			printf("%s\n", applet_table[i].name);
		return fflush(stdout) ? 1 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("sesame %s\n", SESAME_VERSION);
		return fflush(stdout) ? 1 : 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_top_help(stdout);
		return fflush(stdout) ? 1 : 0;
	}
	if (!strcmp(argv[1], "help"))
		return help_main(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		usage_error(NULL, "unknown option '%s'", argv[1]);
	/* `sesame daemon ROLE --help` is the role's help, not daemon's. */
	if (!strcmp(argv[1], "daemon") && argc > 2 && (a = applet_find_role(argv[2])))
		return applet_run(a, argc - 2, argv + 2);
	if (!(a = applet_find(argv[1])))
		usage_error(NULL, "unknown command '%s'", argv[1]);
	return applet_run(a, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	xstd_fds_open();
	return finish(dispatch(argc, argv));
}
