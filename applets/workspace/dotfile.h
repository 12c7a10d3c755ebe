/* dotfile.h - what applies in a workspace directory: its .sesame.toml
 * files (the organisation's, {root}/{user}/{server}/{org}/.sesame.toml,
 * and the repository's), the link in workspaces.toml, and where each value
 * came from (sesame workspace config show).
 *
 *   profile = "work"
 *   secret_prefix = "API"
 *   tags = ["backend", "go"]
 *   [env]
 *   RUST_LOG = "debug"
 *
 * The repository's file wins over the organisation's key by key; env
 * adds up, the repository's winning a variable.  A profile: -p, then the
 * files, then the link, then $SESAME_PROFILES, then default.  A
 * .sesame.toml comes with what is checked out, so it is read as a
 * hostile file: a regular file (not a link), 64 KiB at most, every key
 * known and checked, env names plain and each value checked against the
 * denylist by the caller.
 */
#ifndef SESAME_DOTFILE_H
#define SESAME_DOTFILE_H

#include "applets/workspace/wsconf.h"

#include <stddef.h>

#define WS_MAX_ENV 64
#define WS_MAX_TAGS 32

struct ws_env {
	char name[128];
	char value[1024];
	const char *from;
	char where[PATH_MAX + 16];	/* FILE:LINE */
};

struct ws_effective {
	char dir[PATH_MAX];		/* the directory asked about, canonical */
	char org_dir[PATH_MAX];		/* "" outside the layout */
	char repo_dir[PATH_MAX];	/* "" for an organisation's directory */
	char profile[PROFILE_BUF];
	const char *profile_from;	/* "repo .sesame.toml", "workspace .sesame.toml",
					 * "user config link", or NULL */
	char prefix[64];
	const char *prefix_from;
	struct ws_env env[WS_MAX_ENV];
	int nenv;
	char tags[WS_MAX_TAGS][64];
	int ntags;
	const char *tags_from;
};

/* What applies in dir.  -1 with the reason (a .sesame.toml that is not
 * right: FILE:LINE:COL). */
int ws_effective_get(const struct ws_conf *c, const char *dir, struct ws_effective *e);
/* One .sesame.toml's text into e, as from (for ws_effective_get and the
 * fuzz target).  -1 with the reason. */
int ws_dotfile_parse(struct ws_effective *e, const char *text, size_t len, const char *file, const char *from);

#endif
