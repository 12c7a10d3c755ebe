/* cmd.h - what the files of `sesame workspace` share: its options, as
 * parsed by applets/workspace.c, and a few of its helpers (each file
 * names the struct TT, as the others do). */
#ifndef SESAME_WS_CMD_H
#define SESAME_WS_CMD_H

#include "applets/workspace/wsconf.h"
#include "lib/cli/envsecrets.h"

struct ws_opts {
	struct ws_conf conf;
	const char *profile, *root, *user, *prefix, *shell, *server, *org, *format;
	int adopt, timeout, verbose, depth, project, forks, archived, ws_flag, force, no_workspace;
	struct env_secrets s;
};
extern struct ws_opts ws_opts;

/* mkdir -p, or die naming the directory that could not be made. */
void ws_mkdirs(const char *dir);
/* Die if this build has no git (GIT=0). */
void ws_xgit(const char *cmd);
/* workspace clone URL (optind is at URL). */
int ws_clone(int argc, char **argv);

#endif
