/* clone.c - `sesame workspace clone` (and clone, cl): one repository into
 * the layout, adopted if it is there, with its organisation's
 * workspace.git; or with --project every repository the forge lists. */
#include "applets/workspace/cmd.h"
#include "applets/workspace/git.h"
#include "applets/workspace/project.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/envsecrets.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TT ws_opts

static int ask(const char *question)
{
	char line[16];

	fprintf(stderr, "%s [y/N] ", question);
	return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

static int empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n == 0;
}

/* The organisation's workspace.git, found beside the repository cloned
 * (ORG/workspace.git on the same server): cloned into the organisation's
 * directory, updated, or pointed out, as settings.workspace_auto and the
 * flags say.  Best effort: what goes wrong is a warning, and the clone of
 * the repository goes on. */
static void org_workspace(const struct ws_url *u, const char *url, const char *org_dir)
{
	const char *mode = TT.ws_flag ? "always" : TT.conf.auto_mode;
	char wurl[4200];
	size_t l;
	int r, empty;

	if (TT.no_workspace || !strcmp(u->repo, "workspace") || !strcmp(mode, "never"))
		return;
	if (ws_is_checkout(org_dir)) {
		r = ws_git_update_supervised(org_dir, !strcmp(mode, "always"), TT.timeout);
		if (r == -2)
			die_code(130, "workspace clone: interrupted");
		if (r < 0)
			fprintf(stderr, "sesame: warning: the organisation's workspace at %s: %s\n", org_dir, last_error());
		else if (!strcmp(mode, "always"))
			printf(r ? "Updated the organisation's workspace at %s\n" :
				"The organisation's workspace at %s is up to date\n", org_dir);
		else if (r > 0)
			printf("Note: the organisation's workspace at %s is %d commit%s behind its upstream "
				"(--workspace-update brings it up to date)\n", org_dir, r, r == 1 ? "" : "s");
		return;
	}
	/* ORG/workspace.git on the same server: the URL with its last part replaced. */
	snprintf(wurl, sizeof(wurl), "%s", url);
	while ((l = strlen(wurl)) && wurl[l - 1] == '/')
		wurl[l - 1] = 0;
	if (!strrchr(wurl, '/'))
		return;
	snprintf(strrchr(wurl, '/') + 1, sizeof(wurl) - (size_t)(strrchr(wurl, '/') + 1 - wurl), "workspace.git");
	if ((r = ws_git_probe_supervised(wurl, TT.timeout)) == -2)
		die_code(130, "workspace clone: interrupted");
	if (r <= 0)
		return;
	empty = empty_dir(org_dir);
	if (empty == 0 && !TT.force) {
		if (!strcmp(mode, "always"))
			fprintf(stderr, "sesame: warning: %s exists and is not a checkout: --force makes it the checkout "
				"of %s\n", org_dir, wurl);
		else
			printf("Tip: the organisation has a workspace repository, %s: sesame clone --workspace-init --force "
				"%s makes %s its checkout\n", wurl, url, org_dir);
		return;
	}
	if (!strcmp(mode, "prompt")) {
		char q[PATH_MAX + 4400];

		if (!isatty(0) || !isatty(2)) {
			printf("Note: the organisation has a workspace repository, %s; not cloned (workspace_auto = prompt "
				"asks on a terminal)\n", wurl);
			return;
		}
		snprintf(q, sizeof(q), "Clone the organisation's workspace repository %s into %s?", wurl, org_dir);
		if (!ask(q))
			return;
	}
	ws_mkdirs(org_dir);
	if ((r = ws_git_clone_supervised(wurl, org_dir, TT.timeout)) == -2)
		die_code(130, "workspace clone: %s", last_error());
	if (r < 0)
		fprintf(stderr, "sesame: warning: the organisation's workspace: %s\n", last_error());
	else
		printf("Cloned the organisation's workspace repository to %s\n", org_dir);
}

/* The forge token: $GITHUB_TOKEN, else forge.token_secret of the
 * profile; NULL if neither.  Secure memory. */
static char *forge_token(void)
{
	char profiles[1][PROFILE_BUF], *t;
	const char *env = getenv("GITHUB_TOKEN");
	struct bus_client *c;
	size_t len;
	uint8_t *v;

	if (env && *env) {
		if (strpbrk(env, "\r\n"))
			die("workspace clone: $GITHUB_TOKEN holds a line break: it is no token");
		return secmem_dup(env, strlen(env) + 1);
	}
	if (!*TT.conf.token_secret)
		return NULL;
	cli_profiles("workspace clone", TT.profile, profiles, 1);
	c = xcli_connect();
	v = xcli_secret_fetch(c, xcli_io(), profiles[0], TT.conf.token_secret, &len);
	bus_close(c);
	if (!v)
		die_code(last_exit(), "workspace clone: the forge token, secret '%s' of profile %s: %s",
			TT.conf.token_secret, profiles[0], last_error());
	if (!len || memchr(v, 0, len) || memchr(v, '\n', len) || memchr(v, '\r', len)) {
		secmem_free(v);
		die("workspace clone: secret '%s' of profile %s is no token (empty, or with a NUL or a line break)",
			TT.conf.token_secret, profiles[0]);
	}
	t = secmem_alloc(len + 1);
	if (t) {
		memcpy(t, v, len);
		t[len] = 0;
	}
	secmem_free(v);
	if (!t)
		die("workspace clone: out of secure memory");
	return t;
}

/* --project: each repository the forge lists for the organisation,
 * cloned as a lone clone would be; the tally at the end. */
static int do_project(const char *url)
{
	char org_url[4200], base[512], org_dir[PATH_MAX * 2], dest[PATH_MAX * 2], rurl[4400], *token;
	struct forge_list l = { 0 };
	struct ws_url u;
	int cloned = 0, skipped = 0, failed = 0, r;

	if (ws_url_org(url, &u, org_url, sizeof(org_url)) < 0 || forge_api_base(TT.conf.api_url, &u, base,
		sizeof(base)) < 0 || ws_layout_path(TT.conf.root, TT.conf.user, &u, org_dir, sizeof(org_dir)) < 0)
		die("workspace clone --project: %s", last_error());
	ws_xgit("workspace clone");
	if (u.scheme == WS_HTTP || u.scheme == WS_GIT)
		fprintf(stderr, "sesame: warning: %s is not encrypted: what is cloned can be read and changed on the way\n",
			url);
	token = forge_token();
	r = ws_project_list(base, u.org, token, TT.timeout, &l);
	if (token)
		secmem_free(token);
	if (r < 0)
		die("workspace clone --project: %s", last_error());
	if (ws_url_in_org(org_url, "workspace", rurl, sizeof(rurl)) == 0)
		org_workspace(&u, rurl, org_dir);
	for (size_t i = 0; i < l.n; i++) {
		const struct forge_repo *x = &l.v[i];

		if (!strcmp(x->name, "workspace") || (x->fork && !TT.forks) || (x->archived && !TT.archived))
			continue;
		if (x->bad) {
			fprintf(stderr, "Failed %s: not a usable directory name\n", x->name);
			failed++;
			continue;
		}
		if ((size_t)snprintf(dest, sizeof(dest), "%s/%s", org_dir, x->name) >= sizeof(dest) ||
			ws_url_in_org(org_url, x->name, rurl, sizeof(rurl)) < 0) {
			fprintf(stderr, "Failed %s: the path or URL is too long\n", x->name);
			failed++;
			continue;
		}
		if (ws_is_checkout(dest)) {
			fprintf(stderr, "%s (exists)\n", x->name);
			skipped++;
			continue;
		}
		if (access(dest, F_OK) == 0) {
			fprintf(stderr, "Failed %s: %s exists and is not a git checkout\n", x->name, dest);
			failed++;
			continue;
		}
		ws_mkdirs(org_dir);
		if ((r = ws_git_clone_supervised(rurl, dest, TT.timeout)) == -2) {
			forge_list_free(&l);
			die_code(130, "workspace clone --project: %s (%d cloned before)", last_error(), cloned);
		}
		if (r < 0) {
			fprintf(stderr, "Failed %s: %s\n", x->name, last_error());
			failed++;
		} else {
			fprintf(stderr, "Cloned %s\n", x->name);
			cloned++;
		}
	}
	forge_list_free(&l);
	fprintf(stderr, "%d cloned, %d skipped (exist), %d failed\n", cloned, skipped, failed);
	if (TT.profile && (cloned || skipped)) {
		if (ws_conf_set_link(&TT.conf, org_dir, TT.profile) < 0)
			die("workspace clone --project: %s", last_error());
		printf("Linked %s -> profile \"%s\"\n", org_dir, TT.profile);
	}
	return failed || fflush(stdout) ? 1 : 0;
}

int ws_clone(int argc, char **argv)
{
	char dest[PATH_MAX * 2], parent[PATH_MAX * 2];
	struct ws_url u;
	struct ws_git_info g;
	const char *url;
	int r;

	if (optind >= argc)
		usage_error("workspace", "clone: which URL?");
	if (optind < argc - 1)
		usage_error("workspace", "clone: unexpected argument '%s'", argv[optind + 1]);
	url = argv[optind];
	if ((TT.forks || TT.archived) && !TT.project)
		usage_error("workspace", "clone: --include-forks and --include-archived are for --project");
	if (TT.depth)
		die("workspace clone: --depth: shallow clones need libgit2 1.7 or later; this sesame was built with "
			"libgit2 %s", ws_git_built_with);
	if (TT.profile)
		cli_profile_arg("workspace", TT.profile);
	if (TT.project)
		return do_project(url);
	if (ws_url_parse(url, &u) < 0)
		die("workspace clone: %s", last_error());
	if (!*u.repo)
		die("workspace clone: %s names an organisation, not a repository (--project clones all of its "
			"repositories)", url);
	if (u.scheme == WS_HTTP || u.scheme == WS_GIT)
		fprintf(stderr, "sesame: warning: %s is not encrypted: what is cloned can be read and changed on the way\n",
			url);
	if (ws_layout_path(TT.conf.root, TT.conf.user, &u, dest, sizeof(dest)) < 0)
		die("workspace clone: %s", last_error());
	snprintf(parent, sizeof(parent), "%s", dest);
	*strrchr(parent, '/') = 0;
	if (!strcmp(u.repo, "workspace"))	/* workspace.git is checked out as the organisation's directory */
		snprintf(dest, sizeof(dest), "%s", parent);
	else
		org_workspace(&u, url, parent);
	if (ws_is_checkout(dest)) {
		char have[1024], want[1024];

		if (!TT.adopt)
			die("workspace clone: %s exists already (--adopt false)", dest);
		ws_xgit("workspace clone");
		if (ws_git_info(dest, &g) < 0)
			die("workspace clone: %s", last_error());
		ws_url_norm(g.origin, have, sizeof(have));
		ws_url_norm(url, want, sizeof(want));
		if (strcmp(have, want))
			die("workspace clone: %s is a checkout of %s, not of %s; nothing was changed", dest,
				*g.origin ? g.origin : "no origin", url);
		printf("Adopted existing repository: %s\n", dest);
	} else {
		struct stat sb;

		if (lstat(dest, &sb) == 0 && (!strcmp(u.repo, "workspace") ? !TT.force && !empty_dir(dest) : 1))
			die("workspace clone: %s exists and is not a git checkout; nothing was changed%s", dest,
				!strcmp(u.repo, "workspace") ? " (--force makes it the checkout, keeping its files)" : "");

		ws_xgit("workspace clone");
		ws_mkdirs(!strcmp(u.repo, "workspace") ? dest : parent);
		if ((r = ws_git_clone_supervised(url, dest, TT.timeout)) < 0)
			die_code(r == -2 ? 130 : 1, "workspace clone: %s", last_error());
		printf("Cloned to: %s\n", dest);
	}
	if (TT.profile) {
		if (ws_conf_set_link(&TT.conf, dest, TT.profile) < 0)
			die("workspace clone: %s", last_error());
		printf("Linked -> profile \"%s\"\n", TT.profile);
	}
	return fflush(stdout) ? 1 : 0;
}
