/* workspace.c - `sesame workspace` (ws): checkouts in one layout,
 * {root}/{user}/{server}/{org}/{repo}, bound to trust profiles by links
 * and .sesame.toml files, and a shell with the right profile's secrets.
 * The configuration is wsconf.h, what applies in a directory dotfile.h. */
#include "applets/applet.h"
#include "applets/workspace/dotfile.h"
#include "applets/workspace/wsconf.h"
#include "lib/cli/cli.h"
#include "lib/cli/envsecrets.h"
#include "lib/core/envvar.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*APPLET workspace workspace_main "checkouts bound to profiles: directories, links, a shell with their secrets"
usage: sesame workspace init [--root DIR] [--user NAME]
       sesame workspace link -p PROFILE [PATH]
       sesame workspace unlink [PATH]
       sesame workspace config show [PATH]
       sesame workspace shell [-p PROFILES] [--prefix P] [--allow NAME]... [--shell BIN] [PATH] [-- COMMAND...]
       sesame workspace clone|list|status ...   (not in this version yet)

Checkouts live in one layout, {root}/{user}/{server}/{org}/{repo}, set
up by init (root: --root, else settings.root, else /workspace;
user: --user, else settings.user, else $USER); $SESAME_WORKSPACE_ROOT
overrides the root.  The configuration is workspaces.toml in the config
directory, then workspaces.d/ (see sesame help workspace's files below).

  init     create {root}/{user} and write settings.root and .user to
           workspaces.toml (refuses / and the system's directories)
  link     bind PATH (default: the current directory) and all below it to
           PROFILE in workspaces.toml [links]; keys are canonical paths
  unlink   remove PATH's link (exit 1 if it has none)
  config show
           what applies in PATH and where each value comes from: the
           profile, the secret prefix, the environment, the tags
  shell    run COMMAND (after --), else --shell BIN, $SHELL or /bin/sh,
           in PATH with the secrets of its profile as in sesame env, the
           env of its .sesame.toml files, SESAME_PROFILES and
           SESAME_WORKSPACE; exits with its status

A directory's profile: -p, then its repository's .sesame.toml, then its
organisation's ({root}/{user}/{server}/{org}/.sesame.toml), then the
nearest link, then $SESAME_PROFILES, then default.  A .sesame.toml:

  profile = "work"
  secret_prefix = "API"
  tags = ["backend"]
  [env]
  RUST_LOG = "debug"

Its env passes the same denylist as secrets (LD_PRELOAD, PATH, ...:
see sesame help env; --allow NAME lets one through): a checkout's file
cannot change how programs load.  A .sesame.toml that is a symbolic
link is refused.

  -p, --profile PROFILES  link: the profile; shell: the profiles
  --root DIR              init: the workspace root
  --user NAME             init: the user's directory under it
  --prefix P              shell: P_ before every secret's variable
  --allow NAME            shell: let the variable NAME through (repeatable)
  --shell BIN             shell: the shell to run
*/

/*APPLET clone clone_main "clone a repository into the workspace layout (not in this version yet)"
usage: sesame clone URL ...

Not in this version of sesame yet: it says so and exits 1.
*/

/*APPLET cl cl_main "the same as sesame clone (not in this version yet)"
usage: sesame cl URL ...
*/

/*APPLET ws ws_main "the same as sesame workspace"
usage: sesame ws SUBCOMMAND ...   (see sesame help workspace)
*/

static struct {
	struct ws_conf conf;
	const char *profile, *root, *user, *prefix, *shell;
	struct env_secrets s;
} TT;

static void load(void)
{
	struct paths p;

	if (paths_resolve(&p) < 0)
		die("workspace: %s", last_error());
	if (ws_conf_load(&TT.conf, p.config) < 0)
		die("workspace: %s", last_error());
}

static const char *path_arg(const char *cmd, int argc, char **argv, char *out, size_t n)
{
	if (optind < argc - 1)
		usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (ws_canonical(optind < argc ? argv[optind] : ".", out, n) < 0)
		die("%s: %s", cmd, last_error());
	return out;
}

/* --- init ----------------------------------------------------------------- */

static int system_dir(const char *p)
{
	static const char *const dirs[] = { "/", "/etc", "/usr", "/bin", "/sbin", "/var", "/boot", "/dev",
		"/proc", "/sys", "/run", "/tmp", "/lib", "/lib64", "/opt", "/srv", "/root", "/lost+found", "/home" };

	for (size_t i = 0; i < ARRAY_LEN(dirs); i++)
		if (!strcmp(p, dirs[i]))
			return 1;
	return 0;
}

static void mkdirs(const char *dir)
{
	char p[PATH_MAX];

	if (strlen(dir) >= sizeof(p))
		die("workspace init: %.200s...: the path is too long", dir);
	memcpy(p, dir, strlen(dir) + 1);
	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			die("workspace init: cannot create %s: %s%s", p, strerror(errno), errno == EACCES ?
				" (make it as root and give it to this user, or choose another --root)" : "");
		*s = c;
		if (!c)
			break;
	}
}

static int do_init(void)
{
	char root[PATH_MAX], dir[PATH_MAX * 2];
	struct stat sb;

	if (ws_canonical(TT.root ? TT.root : TT.conf.root, root, sizeof(root)) < 0)
		die("workspace init: %s", last_error());
	if (system_dir(root))
		die("workspace init: %s is a system directory; choose another --root", root);
	if (TT.user && !ws_component_valid(TT.user, strlen(TT.user)))
		usage_error("workspace", "--user '%s' cannot be a directory name", TT.user);
	snprintf(dir, sizeof(dir), "%s/%s", root, TT.user ? TT.user : TT.conf.user);
	mkdirs(dir);
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode) || access(dir, W_OK) < 0)
		die("workspace init: %s is not a directory this user can write to", dir);
	if (ws_conf_set_settings(&TT.conf, root, TT.user ? TT.user : TT.conf.user) < 0)
		die("workspace init: %s", last_error());
	printf("Workspace initialized: %s\nConfig written: %s\n", dir, TT.conf.file);
	if (getenv("SESAME_WORKSPACE_ROOT") && strcmp(getenv("SESAME_WORKSPACE_ROOT"), root))
		fprintf(stderr, "sesame: note: SESAME_WORKSPACE_ROOT=%s overrides settings.root\n",
			getenv("SESAME_WORKSPACE_ROOT"));
	return 0;
}

/* --- link, unlink, config show --------------------------------------------------- */

static int do_link(int argc, char **argv, int unlink_it)
{
	char path[PATH_MAX];
	int r;

	path_arg(unlink_it ? "workspace unlink" : "workspace link", argc, argv, path, sizeof(path));
	if (!unlink_it && !TT.profile)
		usage_error("workspace", "link: which profile? (-p PROFILE)");
	if (!unlink_it)
		cli_profile_arg("workspace", TT.profile);
	for (int i = 0; unlink_it && i < TT.conf.nlinks; i++)
		if (!strcmp(TT.conf.links[i].path, path) && strstr(TT.conf.links[i].where, "/workspaces.d/"))
			die("workspace unlink: %s is linked in %s; remove it there", path, TT.conf.links[i].where);
	if ((r = ws_conf_set_link(&TT.conf, path, unlink_it ? NULL : TT.profile)) < 0)
		die("workspace %s: %s", unlink_it ? "unlink" : "link", last_error());
	if (r == 1) {
		fprintf(stderr, "sesame: workspace unlink: no link found for %s\n", path);
		return 1;
	}
	if (unlink_it)
		printf("Unlinked %s\n", path);
	else
		printf("Linked %s -> profile \"%s\"\n", path, TT.profile);
	return 0;
}

static void effective(const char *cmd, const char *dir, struct ws_effective *e)
{
	if (ws_effective_get(&TT.conf, dir, e) < 0)
		die("%s: %s", cmd, last_error());
}

static int do_show(int argc, char **argv)
{
	char path[PATH_MAX];
	struct ws_effective e;
	const char *sp = getenv("SESAME_PROFILES");

	path_arg("workspace config show", argc, argv, path, sizeof(path));
	effective("workspace config show", path, &e);
	printf("Workspace: %s\n", e.dir);
	if (e.profile_from)
		printf("Profile: %s (source: %s)\n", e.profile, e.profile_from);
	else if (sp && *sp)
		printf("Profile: %s (source: SESAME_PROFILES)\n", sp);
	else
		printf("Profile: default (source: default)\n");
	if (e.prefix_from)
		printf("Secret prefix: %s (source: %s)\n", e.prefix, e.prefix_from);
	if (e.nenv) {
		printf("Environment:\n");
		for (int i = 0; i < e.nenv; i++) {
			printf("  %s=", e.env[i].name);
			cli_put_safe(stdout, (const uint8_t *)e.env[i].value, strlen(e.env[i].value));
			printf("  (source: %s)%s\n", e.env[i].from, envvar_denied(e.env[i].name) ?
				"  refused: a variable that changes how programs load or run" : "");
		}
	}
	if (e.ntags) {
		printf("Tags: ");
		for (int i = 0; i < e.ntags; i++)
			printf("%s%s", i ? ", " : "", e.tags[i]);
		printf(" (source: %s)\n", e.tags_from);
	}
	return fflush(stdout) ? 1 : 0;
}

/* --- shell ---------------------------------------------------------------- */

static int do_shell(int argc, char **argv, char **cmd)
{
	char path[PATH_MAX], profiles[CLI_MAX_PROFILES][PROFILE_BUF];
	char joined[CLI_MAX_PROFILES * (PROFILE_BUF + 1)] = "";
	struct ws_effective e;
	const char *spec, *prefix, *sh;
	int np;

	path_arg("workspace shell", argc, argv, path, sizeof(path));
	effective("workspace shell", path, &e);
	spec = TT.profile ? TT.profile : e.profile_from ? e.profile : NULL;
	prefix = TT.prefix ? TT.prefix : e.prefix_from ? e.prefix : NULL;
	for (int i = 0; i < e.nenv; i++)
		if (env_secrets_denied(&TT.s, e.env[i].name))
			die("workspace shell: %s: env %s: a variable that changes how programs load or run; refused "
				"(--allow %s if meant); nothing was run", e.env[i].where, e.env[i].name, e.env[i].name);
	np = cli_profiles("workspace", spec, profiles, CLI_MAX_PROFILES);
	xenv_secrets_fetch(&TT.s, "workspace shell", spec, prefix, 0);
	for (int i = 0; i < np; i++) {
		strcat(joined, i ? "," : "");
		strcat(joined, profiles[i]);
	}
	for (int i = 0; i < e.nenv; i++)
		if (setenv(e.env[i].name, e.env[i].value, 1) < 0)
			die("workspace shell: cannot set %s: %s", e.env[i].name, strerror(errno));
	xenv_secrets_setenv(&TT.s, "workspace shell");	/* a secret wins over a file's env */
	setenv("SESAME_PROFILES", joined, 1);
	setenv("SESAME_WORKSPACE", e.dir, 1);
	if (chdir(e.dir) < 0)
		die("workspace shell: %s: %s", e.dir, strerror(errno));
	if (cmd && *cmd) {
		env_secrets_free(&TT.s);
		execvp(cmd[0], cmd);
		die_code(errno == ENOENT ? 127 : 126, "workspace shell: cannot run %s: %s", cmd[0], strerror(errno));
	}
	sh = TT.shell ? TT.shell : getenv("SHELL") && *getenv("SHELL") ? getenv("SHELL") : "/bin/sh";
	if (isatty(2))
		fprintf(stderr, "Entering workspace shell (profiles: %s, %d secret%s injected)\n", joined, TT.s.n,
			TT.s.n == 1 ? "" : "s");
	env_secrets_free(&TT.s);
	execlp(sh, sh, (char *)NULL);
	die_code(errno == ENOENT ? 127 : 126, "workspace shell: cannot run %s: %s", sh, strerror(errno));
}

int workspace_main(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	char **cmd = NULL;
	int o;

	if (!sub)
		usage_error("workspace", "which one: init, link, unlink, config show, shell?");
	argv++, argc--;
	if (!strcmp(sub, "config")) {
		if (argc < 2 || strcmp(argv[1], "show"))
			usage_error("workspace", "config: only 'config show [PATH]'");
		argv++, argc--;
	}
	/* shell: what follows -- is the command, never PATH. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			if (strcmp(sub, "shell"))
				break;
			cmd = argv + i + 1;
			if (!*cmd)
				usage_error("workspace", "shell: a command after --, or no --");
			argv[i] = NULL;
			argc = i;
			break;
		}
	while ((o = getopt_long(argc, argv, OPTSTR_workspace, longopts_workspace, NULL)) != -1) {
		switch (o) {
		case 'p': TT.profile = optarg; break;
		case OPT_ROOT: TT.root = optarg; break;
		case OPT_USER: TT.user = optarg; break;
		case OPT_PREFIX: TT.prefix = optarg; break;
		case OPT_SHELL: TT.shell = optarg; break;
		case OPT_ALLOW:
			if (env_secrets_allow(&TT.s, optarg) < 0)
				usage_error("workspace", "--allow: %zu names at most", ARRAY_LEN(TT.s.allowed));
			break;
		default:
			usage_option("workspace", argv, o, longopts_workspace);
		}
	}
	if (!strcmp(sub, "clone") || !strcmp(sub, "list") || !strcmp(sub, "status"))
		die("workspace %s: not in this version of sesame yet (init, link, unlink, config show and "
			"shell are)", sub);
	if ((TT.root || TT.user) && strcmp(sub, "init"))
		usage_error("workspace", "--root and --user are for init");
	if ((TT.prefix || TT.shell || TT.s.nallowed) && strcmp(sub, "shell"))
		usage_error("workspace", "--prefix, --allow and --shell are for shell");
	if (TT.profile && strcmp(sub, "link") && strcmp(sub, "shell"))
		usage_error("workspace", "-p is for link and shell");
	load();
	if (!strcmp(sub, "init")) {
		if (optind < argc)
			usage_error("workspace", "unexpected argument '%s'", argv[optind]);
		return do_init();
	}
	if (!strcmp(sub, "link") || !strcmp(sub, "unlink"))
		return do_link(argc, argv, !strcmp(sub, "unlink"));
	if (!strcmp(sub, "config"))
		return do_show(argc, argv);
	if (!strcmp(sub, "shell"))
		return do_shell(argc, argv, cmd);
	usage_error("workspace", "unknown subcommand '%s' (init, link, unlink, config show, shell)", sub);
}

int ws_main(int argc, char **argv)
{
	return workspace_main(argc, argv);
}

int clone_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	die("clone: not in this version of sesame yet (sesame workspace init, link, config show and shell are)");
}

int cl_main(int argc, char **argv)
{
	return clone_main(argc, argv);
}
