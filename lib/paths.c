/* paths.c - resolve and secure sesame's directories; see paths.h. */
#include "paths.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int set(char *out, const char *a, const char *b)
{
	int n = snprintf(out, PATH_MAX, "%s%s", a, b ? b : "");

	if (n < 0 || n >= PATH_MAX)
		return fail("path too long: %s%s", a, b ? b : "");
	return 0;
}

/* An override from the environment, if set; relative ones are refused
 * (the XDG spec says to ignore them; a silent fallback would surprise). */
static int override(char *out, const char *var)
{
	const char *v = env(var);

	if (!v)
		return 0;
	if (v[0] != '/')
		return fail("%s must be an absolute path, not '%s'", var, v);
	return set(out, v, NULL) < 0 ? -1 : 1;
}

/* $XDG_* if set and absolute, else $HOME/fallback. */
static int xdg(char *out, const char *var, const char *fallback, const char *leaf)
{
	const char *v = env(var), *home;
	char base[PATH_MAX];

	if (v && v[0] == '/') {
		if (set(base, v, NULL) < 0)
			return -1;
	} else {
		if (!(home = env("HOME")))
			return fail("neither %s nor HOME is set", var);
		if (set(base, home, fallback) < 0)
			return -1;
	}
	return set(out, base, leaf);
}

int paths_resolve(struct paths *p)
{
	const char *rt = env("XDG_RUNTIME_DIR");
	int r;

	/* Only the strings' first bytes: the struct is 20 KiB, mostly never
	 * touched, and each page touched costs a CLI call a page fault. */
	p->config[0] = p->data[0] = p->runtime[0] = p->cache[0] = p->policy[0] = 0;
	p->system = geteuid() == 0 && !rt;
	if (p->system) {
		set(p->config, "/etc/pds", NULL);
		set(p->data, "/var/lib/pds", NULL);
		set(p->runtime, "/run/pds", NULL);
		set(p->cache, "/var/cache/sesame", NULL);
	} else {
		/* Each is resolved only if not overridden, so a test (or a service
		 * without HOME) can run with the overrides alone. */
		if (!env("SESAME_CONFIG_DIR") && xdg(p->config, "XDG_CONFIG_HOME", "/.config", "/pds") < 0)
			return -1;
		if (!env("SESAME_CACHE_DIR") && xdg(p->cache, "XDG_CACHE_HOME", "/.cache", "/sesame") < 0)
			return -1;
		if (rt && rt[0] == '/' && set(p->runtime, rt, "/pds") < 0)
			return -1;
	}
	set(p->policy, "/etc/pds/policy.toml", NULL);
	if (override(p->config, "SESAME_CONFIG_DIR") < 0 ||
	    override(p->runtime, "SESAME_RUNTIME_DIR") < 0 ||
	    override(p->cache, "SESAME_CACHE_DIR") < 0 ||
	    override(p->policy, "SESAME_POLICY") < 0)
		return -1;
	if ((r = override(p->data, "SESAME_DATA_DIR")) < 0)
		return -1;
	if (!r && !p->system && set(p->data, p->config, NULL) < 0)
		return -1;
	if (!p->runtime[0])
		return fail("XDG_RUNTIME_DIR is not set (or not absolute); set it or SESAME_RUNTIME_DIR");
	return 0;
}

int paths_join(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_MAX)
		return fail("path too long: %s/%s", dir, name);
	return 0;
}

int paths_check_private(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return fail("%s: %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return fail("%s: is a symbolic link; refusing to use it", path);
	if (st.st_uid != geteuid())
		return fail("%s: owned by uid %u, not by us (uid %u)", path,
			(unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 077)
		return fail("%s: permissions %04o are too open (want %s)", path,
			(unsigned)(st.st_mode & 07777), S_ISDIR(st.st_mode) ? "0700" : "0600");
	return 0;
}

int paths_mkdir_private(const char *dir)
{
	char tmp[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(tmp))
		return fail("bad directory path '%s'", dir);
	memcpy(tmp, dir, len + 1);
	for (char *s = tmp + 1; ; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = 0;
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return fail("cannot create %s: %s", tmp, strerror(errno));
		*s = c;
		if (!c)
			break;
	}
	return paths_check_private(dir);
}
