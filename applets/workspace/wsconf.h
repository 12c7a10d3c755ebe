/* wsconf.h - the workspaces' configuration: workspaces.toml in the config
 * directory, then the .toml files of workspaces.d in name order (a later file's
 * settings win; links add up), read with the project's TOML parser and
 * checked key by key (file:line:col on every error).
 *
 *   [settings]
 *   root = "/home/me/workspace"   # else $SESAME_WORKSPACE_ROOT, else /workspace
 *   user = "me"                   # else $USER, else "user"
 *   workspace_auto = "auto"       # auto, always, never or prompt
 *   [forge]                       # clone --project (GitHub's REST shape)
 *   api_url = "https://git.example.com/api/v1"  # github.com's is known
 *   token_secret = "github-token" # a secret of the profile (else $GITHUB_TOKEN)
 *   [links]
 *   "/home/me/workspace/me/github.com/work-org" = "work"
 *
 * $SESAME_WORKSPACE_ROOT, when set, wins over settings.root everywhere.
 * Link keys are canonical paths (realpath when they exist), so that one
 * directory has one key whatever way it was named.  sesame edits
 * workspaces.toml itself line by line, keeping everything else in it
 * (comments too), and checks the result reads back as meant before it
 * replaces the file (atomically, mode 0600).
 */
#ifndef SESAME_WSCONF_H
#define SESAME_WSCONF_H

#include "applets/workspace/url.h"
#include "lib/core/names.h"

#include <limits.h>
#include <stddef.h>

struct ws_link {
	char path[PATH_MAX];
	char profile[PROFILE_BUF];
	char where[PATH_MAX + 16];	/* FILE:LINE it came from */
};

struct ws_conf {
	char root[PATH_MAX];
	const char *root_from;		/* "SESAME_WORKSPACE_ROOT", "settings.root" or "default" */
	char user[WS_NAME_MAX + 1];
	char auto_mode[8];
	char api_url[512];		/* "": api.github.com for github.com, none for others */
	char token_secret[256];
	struct ws_link *links;
	int nlinks;
	char file[PATH_MAX];		/* workspaces.toml */
};

/* Read the configuration under config_dir (a missing file is no error).
 * -1 with the reason (FILE:LINE:COL: ...). */
int ws_conf_load(struct ws_conf *c, const char *config_dir);
void ws_conf_free(struct ws_conf *c);
/* The defaults, then one file's text added (for ws_conf_load, and the
 * fuzz target).  -1 with the reason. */
void ws_conf_defaults(struct ws_conf *c);
int ws_conf_parse(struct ws_conf *c, const char *text, size_t len, const char *file);
/* The profile linked to path or its nearest parent that has a link, and
 * the linked directory; NULL if none. */
const struct ws_link *ws_conf_link_for(const struct ws_conf *c, const char *path);
/* workspaces.toml edited: settings root and user set (init); a link of
 * path added or replaced (profile) or removed (profile NULL: 0 if removed,
 * 1 if there was none).  -1 with a reason, the file untouched. */
int ws_conf_set_settings(struct ws_conf *c, const char *root, const char *user);
int ws_conf_set_link(struct ws_conf *c, const char *path, const char *profile);
/* A path as link keys are written: realpath if it exists, else made
 * absolute against the current directory with "." and ".." resolved.
 * -1 with a reason. */
int ws_canonical(const char *path, char *out, size_t n);

#endif
