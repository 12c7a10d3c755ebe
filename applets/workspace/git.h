/* git.h - what workspaces need of git, through libgit2: a checkout's
 * branch, commit, state and origin, and a clone.  libgit2 is loaded when
 * first needed (no git program is run); a build with GIT=0 (git_off.c),
 * or a machine without libgit2, says so.  A clone runs in a child
 * process (ws_git_clone_supervised): a timeout or Ctrl-C kills it, and
 * what it wrote, in a temporary directory beside the destination, is
 * removed; only a whole checkout is renamed into place (or, into an
 * existing directory, its .git and the files the directory lacks). */
#ifndef SESAME_WS_GIT_H
#define SESAME_WS_GIT_H

#include <stddef.h>

struct ws_git_info {
	char branch[256];	/* "" when detached */
	char commit[16];	/* a short id; "" on an unborn branch */
	char summary[256];
	int dirty;		/* changes, staged or not, or untracked files */
	char upstream[256];	/* "origin/main", or "" */
	int ahead, behind;
	char origin[1024];	/* remote origin's URL, or "" */
};

/* The libgit2 version this was built with ("1.5.1"), or "none". */
extern const char ws_git_built_with[];
/* 1 if libgit2 can be used; 0 with the reason. */
int ws_git_available(void);
/* What path's checkout is at.  -1 with a reason. */
int ws_git_info(const char *path, struct ws_git_info *i);
/* Clone url into dest (which must not exist), in a child process;
 * progress on stderr if it is a terminal; timeout_s with no progress at
 * all ends it.  -1 with a reason (nothing left behind), or -2 if it was
 * interrupted (SIGINT/SIGTERM: likewise nothing left). */
int ws_git_clone_supervised(const char *url, const char *dest, int timeout_s);
/* Likewise: 1 if url answers as a repository, 0 if not (or no server),
 * -1 with a reason, -2 if interrupted. */
int ws_git_probe_supervised(const char *url, int timeout_s);
/* Fetch origin in path; with fast_forward, move its branch to its
 * upstream if that is a fast-forward that touches none of the user's
 * changes (1 if it moved, 0 if up to date), else how many commits it is
 * behind.  -1 with a reason, -2 if interrupted. */
int ws_git_update_supervised(const char *path, int fast_forward, int timeout_s);
#endif
