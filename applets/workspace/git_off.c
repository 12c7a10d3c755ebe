/* git_off.c - git.h and http.h in a build without libgit2 (GIT=0). */
#include "applets/workspace/git.h"
#include "applets/workspace/http.h"
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

int ws_http_get(const char *url, const char *const *headers, int timeout_s, size_t max, struct ws_http *r)
{
	(void)url, (void)headers, (void)timeout_s, (void)max;
	memset(r, 0, sizeof(*r));
	return fail("git is not in this build (built with GIT=0)");
}

void ws_http_free(struct ws_http *r)
{
	(void)r;
}
