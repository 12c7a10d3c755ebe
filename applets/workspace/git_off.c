/* git_off.c - git.h in a build without libgit2 (GIT=0). */
#include "applets/workspace/git.h"
#include "lib/core/util.h"

#include <stdio.h>
#include <string.h>

const char ws_git_built_with[] = "none";

int ws_git_available(void)
{
	return fail("git is not in this build (built with GIT=0)"), 0;
}

int ws_git_info(const char *path, struct ws_git_info *i)
{
	(void)path;
	memset(i, 0, sizeof(*i));
	return fail("git is not in this build (built with GIT=0)");
}

int ws_git_clone_supervised(const char *url, const char *dest, int timeout_s)
{
	(void)url, (void)dest, (void)timeout_s;
	return fail("git is not in this build (built with GIT=0)");
}

int ws_git_probe_supervised(const char *url, int timeout_s)
{
	(void)url, (void)timeout_s;
	return fail("git is not in this build (built with GIT=0)");
}

int ws_git_update_supervised(const char *path, int fast_forward, int timeout_s)
{
	(void)path, (void)fast_forward, (void)timeout_s;
	return fail("git is not in this build (built with GIT=0)");
}
