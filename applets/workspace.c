/* workspace.c - `sesame workspace` (ws): checkouts in one layout,
 * {root}/{user}/{server}/{org}/{repo}, bound to trust profiles by links
 * and .sesame.toml files, and a shell with the right profile's secrets.
 * The configuration is wsconf.h, what applies in a directory dotfile.h,
 * the clone workspace/clone.c. */
#include "applets/applet.h"
#include "applets/workspace/cmd.h"
#include "applets/workspace/dotfile.h"
#include "applets/workspace/git.h"
#include "applets/workspace/wsconf.h"
#include "lib/cli/cli.h"
#include "lib/cli/envsecrets.h"
#include "lib/core/envvar.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
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
       sesame workspace clone URL [-p PROFILE] [--adopt true|false] [--no-adopt] [--timeout S]
       sesame workspace clone --project ORG-URL [--include-forks] [--include-archived] [-p PROFILE]
       sesame workspace list [--server HOST] [--org ORG] [-p PROFILE] [-f table|json] [--json]
       sesame workspace status [PATH] [-v]

Checkouts live in one layout, {root}/{user}/{server}/{org}/{repo}, set
up by init (root: --root, else settings.root, else /workspace;
user: --user, else settings.user, else $USER); $SESAME_WORKSPACE_ROOT
overrides the root.  The configuration is workspaces.toml in the config
directory, then the .toml files of workspaces.d in name order (a later
file wins a setting; links add up): [settings] root, user, workspace_auto; [forge]
api_url, token_secret; [links] "PATH" = "PROFILE".

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
  clone    clone URL into the layout: https://HOST/ORG/REPO, http://
           (warned: not private), ssh://[USER@]HOST[:PORT]/ORG/REPO or
           USER@HOST:ORG/REPO (a key of the ssh agent; the server's host
           key must be in ~/.ssh/known_hosts or /etc/ssh/ssh_known_hosts,
           hashed or not), git://HOST[:PORT]/ORG/REPO (warned) or
           file:///PATH/ORG/REPO (server localhost), through libgit2.
           An existing checkout with the same origin is adopted (unless
           --adopt false); another origin is an error.  The clone is made
           beside its place and renamed into it whole: a timeout or
           Ctrl-C leaves nothing.  -p links the result to PROFILE.
           The organisation's own repository, ORG/workspace.git on the
           same server, is checked out as {org} itself, the repositories
           inside it.  settings.workspace_auto says what a clone does
           about it: auto (the default) clones it when {org} does not
           exist yet, says it is behind, and points it out when {org}
           exists without it; always (or --workspace-init, or
           --workspace-update) also fast-forwards it, and --force makes
           an existing {org} its checkout, keeping your files; prompt
           asks first, on a terminal; never leaves it alone, as
           --no-workspace does.
           --project: every repository of the organisation (or of the
           user) ORG-URL names, as the forge's API lists them (GitHub's
           REST shape: api.github.com for github.com, else forge.api_url,
           e.g. https://HOST/api/v3 for GitHub Enterprise, /api/v1 for
           Gitea and Forgejo), all pages; forks and archived ones only
           with --include-*; each cloned from ORG-URL/NAME.git, not from
           where the API says.  A token, $GITHUB_TOKEN or else the secret
           forge.token_secret of the profile (-p, else the default), is
           sent as a bearer token, never over http:// off this machine,
           never printed.  One line per repository on stderr (Cloned X,
           X (exists), Failed X: why), then "N cloned, M skipped (exist),
           K failed"; exit 1 if any failed.  -p links the organisation's
           directory.  --depth needs libgit2 1.7 (the build's is named in
           the error).
  list     the checkouts under {root}/{user}: each organisation, then
           each repository's branch, commit, clean or dirty and profile;
           -f json (or --json): [{"server","org","repo","profile","path",
           "is_workspace_git"}]
  status   PATH's checkout (default: the current directory): remote,
           branch, commit, tracking, clean or dirty, profile; -v adds the
           layout and the disk it uses

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
  --adopt WHEN            clone: adopt an existing checkout, true (the
                          default) or false
  --no-adopt              clone: the same as --adopt false
  --timeout S             clone: give up after S seconds without progress
                          (default 60)
  --depth N               clone: a shallow clone (needs libgit2 1.7)
  --project               clone: every repository of an organisation
  --workspace-init        clone: the organisation's workspace.git, as if
                          workspace_auto were always
  --workspace-update      clone: the same (it also fast-forwards it)
  --no-workspace          clone: leave the organisation's workspace.git alone
  --force                 clone: make an existing organisation directory
                          the workspace.git checkout
  --include-forks         clone --project: forks too
  --include-archived      clone --project: archived ones too
  --server HOST           list: only that server's
  --org ORG               list: only that organisation's
  -f, --format F          list: table (the default) or json
  --json                  list: -f json
  -v, --verbose           status: the layout and the disk used
*/

/*APPLET clone clone_main "clone a repository into the workspace layout (sesame workspace clone)"
usage: sesame clone URL [-p PROFILE] [--adopt true|false] [--no-adopt] [--timeout S] [--project] ...

The same as sesame workspace clone (see sesame help workspace).
*/

/*APPLET cl cl_main "the same as sesame clone"
usage: sesame cl URL ...
*/

/*APPLET ws ws_main "the same as sesame workspace"
usage: sesame ws SUBCOMMAND ...   (see sesame help workspace)
*/

struct ws_opts ws_opts;
#define TT ws_opts

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

void ws_mkdirs(const char *dir)
{
	char p[PATH_MAX];

	if (strlen(dir) >= sizeof(p))
		die("workspace: %.200s...: the path is too long", dir);
	memcpy(p, dir, strlen(dir) + 1);
	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			die("workspace: cannot create %s: %s%s", p, strerror(errno), errno == EACCES ?
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
	ws_mkdirs(dir);
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

/* --- status, list, clone ---------------------------------------------------- */

/* libgit2 itself is only ever loaded in the children git.c forks. */
void ws_xgit(const char *cmd)
{
	if (!strcmp(ws_git_built_with, "none"))
		die("%s: git is not in this build (built with GIT=0)", cmd);
}

/* The profile that applies in dir, and from where (NULL: none of dir's own). */
static const char *profile_of(const char *dir, const char **from)
{
	static struct ws_effective e;

	*from = NULL;
	if (ws_effective_get(&TT.conf, dir, &e) < 0)
		return NULL;
	*from = e.profile_from;
	return e.profile_from ? e.profile : NULL;
}

static long long du_total;
static int du_entry(const char *p, const struct stat *sb, int type, struct FTW *f)
{
	(void)p, (void)type, (void)f;
	du_total += (long long)sb->st_blocks * 512;
	return 0;
}

static int do_status(int argc, char **argv)
{
	char path[PATH_MAX], user_dir[PATH_MAX * 2];
	struct ws_effective e;
	struct ws_git_info g;
	const char *repo, *from, *prof;

	path_arg("workspace status", argc, argv, path, sizeof(path));
	effective("workspace status", path, &e);
	snprintf(user_dir, sizeof(user_dir), "%s/%s", TT.conf.root, TT.conf.user);
	if (!*e.org_dir)
		die("workspace status: %s is not inside the workspace's organisations, %s/SERVER/ORG (sesame workspace "
			"init sets the root)", path, user_dir);
	repo = *e.repo_dir && ws_is_checkout(e.repo_dir) ? e.repo_dir : ws_is_checkout(e.org_dir) ? e.org_dir : NULL;
	if (!repo)
		die("workspace status: %s is not a git checkout", *e.repo_dir ? e.repo_dir : e.org_dir);
	ws_xgit("workspace status");
	if (ws_git_info(repo, &g) < 0)
		die("workspace status: %s", last_error());
	printf("Workspace: %s\nRemote: %s\nBranch: %s\n", repo, *g.origin ? g.origin : "unknown",
		*g.branch ? g.branch : "(detached)");
	if (*g.commit)
		printf("Commit: %s %s\n", g.commit, g.summary);
	else
		printf("Commit: (unborn)\n");
	if (*g.upstream)
		printf("Tracking: %s (%s)\n", g.upstream, !g.ahead && !g.behind ? "up to date" :
			g.ahead && g.behind ? "diverged" : g.ahead ? "ahead" : "behind");
	if (g.ahead || g.behind)
		printf("  %d ahead, %d behind\n", g.ahead, g.behind);
	printf("Status: %s\n", g.dirty ? "dirty" : "clean");
	if ((prof = profile_of(repo, &from)))
		printf("Profile: %s (source: %s)\n", prof, from);
	else
		printf("Profile: (none)\n");
	printf("Namespace: %s (%s)\n", strrchr(e.org_dir, '/') + 1, ws_is_checkout(e.org_dir) ? "workspace.git" :
		"no workspace.git");
	if (TT.verbose) {
		const char *org = strrchr(e.org_dir, '/') + 1;
		char server[PATH_MAX];

		snprintf(server, sizeof(server), "%.*s", (int)(org - 1 - e.org_dir), e.org_dir);
		printf("Convention: %s / %s / %s / %s / %s\n", TT.conf.root, TT.conf.user, strrchr(server, '/') + 1, org,
			repo == e.org_dir ? "(workspace.git)" : strrchr(repo, '/') + 1);
		du_total = 0;
		nftw(repo, du_entry, 16, FTW_PHYS);
		printf("Disk: %.1f MiB\n", (double)du_total / (1024.0 * 1024.0));
	}
	return fflush(stdout) ? 1 : 0;
}

static int visible_dir(const char *parent, const struct dirent *d, char *out, size_t n)
{
	struct stat sb;

	if (d->d_name[0] == '.' || (size_t)snprintf(out, n, "%s/%s", parent, d->d_name) >= n)
		return 0;
	return lstat(out, &sb) == 0 && S_ISDIR(sb.st_mode);	/* a link is not followed */
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int do_list(int argc, char **argv)
{
	char top[PATH_MAX * 2], sdir[PATH_MAX * 3], odir[PATH_MAX * 4], rdir[PATH_MAX * 5];
	struct dirent **sv = NULL, **ov = NULL, **rv = NULL;
	int ns, json = TT.format && !strcmp(TT.format, "json"), nserv = 0, norg = 0, nrepo = 0;

	if (optind < argc)
		usage_error("workspace", "list: unexpected argument '%s'", argv[optind]);
	if (TT.format && strcmp(TT.format, "json") && strcmp(TT.format, "table"))
		usage_error("workspace", "list: -f table or json, not '%s'", TT.format);
	ws_xgit("workspace list");
	snprintf(top, sizeof(top), "%s/%s", TT.conf.root, TT.conf.user);
	ns = scandir(top, &sv, NULL, by_name);
	if (json)
		printf("[");
	for (int i = 0; i < ns; i++) {
		int no, counted = 0;

		if (!visible_dir(top, sv[i], sdir, sizeof(sdir)) || (TT.server && strcmp(TT.server, sv[i]->d_name)) ||
		    (no = scandir(sdir, &ov, NULL, by_name)) < 0)
			continue;
		for (int j = 0; j < no; j++) {
			int nr, wsgit, header = 0;

			if (!visible_dir(sdir, ov[j], odir, sizeof(odir)) || (TT.org && strcmp(TT.org, ov[j]->d_name)) ||
			    (nr = scandir(odir, &rv, NULL, by_name)) < 0)
				continue;
			wsgit = ws_is_checkout(odir);
			for (int k = -1; k < nr; k++) {
				struct ws_git_info g;
				const char *from, *prof, *dir = k < 0 ? odir : rdir, *name = k < 0 ? "(workspace.git)" : NULL;

				if (k < 0 && !wsgit)
					continue;
				if (k >= 0 && (!visible_dir(odir, rv[k], rdir, sizeof(rdir)) || !ws_is_checkout(rdir)))
					continue;
				if (k >= 0)
					name = rv[k]->d_name;
				prof = profile_of(dir, &from);
				if (TT.profile && (!prof || strcmp(prof, TT.profile)))
					continue;
				if (ws_git_info(dir, &g) < 0)
					die("workspace list: %s", last_error());
				counted += !counted, nrepo++;
				if (!header++)
					norg++;
				if (json) {
					printf("%s{\"server\":", nrepo > 1 ? "," : "");
					cli_json_str(stdout, sv[i]->d_name, strlen(sv[i]->d_name));
					printf(",\"org\":");
					cli_json_str(stdout, ov[j]->d_name, strlen(ov[j]->d_name));
					printf(",\"repo\":");
					if (k < 0)
						printf("null");
					else
						cli_json_str(stdout, name, strlen(name));
					printf(",\"profile\":");
					if (prof)
						cli_json_str(stdout, prof, strlen(prof));
					else
						printf("null");
					printf(",\"path\":");
					cli_json_str(stdout, dir, strlen(dir));
					printf(",\"is_workspace_git\":%s}", k < 0 ? "true" : "false");
					continue;
				}
				if (header == 1)
					printf("%s/%s%s\n", sv[i]->d_name, ov[j]->d_name, wsgit ? " (workspace)" : "");
				printf("  %-20s %-14s %-8s %s%s%s\n", name, *g.branch ? g.branch : "(detached)",
					*g.commit ? g.commit : "(unborn)", g.dirty ? "dirty" : "clean", prof ? "  profile: " : "",
					prof ? prof : "");
			}
			for (int k = 0; k < nr; k++)
				free(rv[k]);
			free(rv);
		}
		nserv += counted;
		for (int j = 0; j < no; j++)
			free(ov[j]);
		free(ov);
	}
	for (int i = 0; i < ns; i++)
		free(sv[i]);
	free(sv);
	if (json)
		printf("]\n");
	else if (!nrepo)
		printf("No workspaces found.\n");
	else
		printf("%d server%s, %d org%s, %d repo%s\n", nserv, nserv == 1 ? "" : "s", norg, norg == 1 ? "" : "s",
			nrepo, nrepo == 1 ? "" : "s");
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
		usage_error("workspace", "which one: init, clone, list, status, link, unlink, config show, shell?");
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
	TT.adopt = 1;
	TT.timeout = 60;
	while ((o = getopt_long(argc, argv, OPTSTR_workspace, longopts_workspace, NULL)) != -1) {
		long long n;

		switch (o) {
		case OPT_ADOPT:
			if (strcmp(optarg, "true") && strcmp(optarg, "false"))
				usage_error("workspace", "--adopt true or false, not '%s'", optarg);
			TT.adopt = !strcmp(optarg, "true");
			break;
		case OPT_NO_ADOPT: TT.adopt = 0; break;
		case OPT_TIMEOUT:
			if (parse_range(optarg, 1, 3600, &n) < 0)
				usage_error("workspace", "--timeout: %s", last_error());
			TT.timeout = (int)n;
			break;
		case OPT_DEPTH:
			if (parse_range(optarg, 1, 1 << 30, &n) < 0)
				usage_error("workspace", "--depth: %s", last_error());
			TT.depth = (int)n;
			break;
		case OPT_PROJECT: TT.project = 1; break;
		case OPT_INCLUDE_FORKS: TT.forks = 1; break;
		case OPT_INCLUDE_ARCHIVED: TT.archived = 1; break;
		case OPT_WORKSPACE_INIT: case OPT_WORKSPACE_UPDATE: TT.ws_flag = 1; break;
		case OPT_FORCE: TT.force = 1; break;
		case OPT_NO_WORKSPACE: TT.no_workspace = 1; break;
		case OPT_SERVER: TT.server = optarg; break;
		case OPT_ORG: TT.org = optarg; break;
		case 'f': TT.format = optarg; break;
		case OPT_JSON: TT.format = "json"; break;
		case 'v': TT.verbose = 1; break;
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
	if ((TT.root || TT.user) && strcmp(sub, "init"))
		usage_error("workspace", "--root and --user are for init");
	if ((TT.prefix || TT.shell || TT.s.nallowed) && strcmp(sub, "shell"))
		usage_error("workspace", "--prefix, --allow and --shell are for shell");
	if (TT.profile && strcmp(sub, "link") && strcmp(sub, "shell") && strcmp(sub, "clone") && strcmp(sub, "list"))
		usage_error("workspace", "-p is for link, shell, clone and list");
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
	if (!strcmp(sub, "status"))
		return do_status(argc, argv);
	if (!strcmp(sub, "list"))
		return do_list(argc, argv);
	if (!strcmp(sub, "clone"))
		return ws_clone(argc, argv);
	usage_error("workspace", "unknown subcommand '%s' (init, clone, list, status, link, unlink, config show, "
		"shell)", sub);
}

int ws_main(int argc, char **argv)
{
	return workspace_main(argc, argv);
}

/* clone and cl: workspace clone, with the arguments as they are. */
int clone_main(int argc, char **argv)
{
	char **av = xcalloc((size_t)argc + 2, sizeof(*av));

	av[0] = "workspace";
	av[1] = "clone";
	int r;

	for (int i = 1; i < argc; i++)
		av[i + 1] = argv[i];
	r = workspace_main(argc + 1, av);
	free(av);
	return r;
}

int cl_main(int argc, char **argv)
{
	return clone_main(argc, argv);
}
