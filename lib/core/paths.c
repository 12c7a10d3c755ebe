/* paths.c - resolve and secure sesame's directories; see paths.h. */
#include "lib/core/paths.h"
#include "lib/core/util.h"

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

/* a, b and c joined, packed into p->pool after *used bytes; NULL with a
 * reason if PATH_MAX or more. */
static const char *put(struct paths *p, size_t *used, const char *a, const char *b, const char *c)
{
	char *out = p->pool + *used;
	size_t room = sizeof(p->pool) - *used;
	int n = snprintf(out, room < PATH_MAX ? room : PATH_MAX, "%s%s%s", a, b ? b : "", c ? c : "");

	if (n < 0 || n >= PATH_MAX || (size_t)n >= room)
		return fail("path too long: %s%s%s", a, b ? b : "", c ? c : ""), NULL;
	*used += (size_t)n + 1;
	return out;
}

/* An override from the environment: 1 with *v set, 0 if unset, -1 if
 * relative (the XDG spec says to ignore those; a silent fallback would
 * surprise). */
static int override(const char *var, const char **v)
{
	if (!(*v = env(var)))
		return 0;
	if ((*v)[0] != '/')
		return fail("%s must be an absolute path, not '%s'", var, *v);
	return 1;
}

/* var's override, else the default def (NULL: the XDG one below). */
static const char *pick(struct paths *p, size_t *used, const char *var, const char *def,
	const char *xdg_var, const char *fallback, const char *leaf)
{
	const char *v, *home;
	int r = override(var, &v);

	if (r)
		return r < 0 ? NULL : put(p, used, v, NULL, NULL);
	if (def)
		return put(p, used, def, NULL, NULL);
	/* $XDG_* if set and absolute, else $HOME/fallback; then the leaf. */
	if ((v = env(xdg_var)) && v[0] == '/')
		return put(p, used, v, leaf, NULL);
	if (!(home = env("HOME")))
		return fail("neither %s nor HOME is set", xdg_var), NULL;
	return put(p, used, home, fallback, leaf);
}

/* config.mk's POLICY_FILE and the system mode's directories under
 * SYSCONFDIR, LOCALSTATEDIR and RUNSTATEDIR, given by the Makefile. */
#ifndef SESAME_POLICY_FILE
#define SESAME_POLICY_FILE "/etc/pds/policy.toml"
#endif
#ifndef SESAME_SYS_CONFIG
#define SESAME_SYS_CONFIG "/etc/pds"
#endif
#ifndef SESAME_SYS_DATA
#define SESAME_SYS_DATA "/var/lib/pds"
#endif
#ifndef SESAME_SYS_CACHE
#define SESAME_SYS_CACHE "/var/cache/sesame"
#endif
#ifndef SESAME_SYS_RUNTIME
#define SESAME_SYS_RUNTIME "/run/pds"
#endif

int paths_resolve(struct paths *p)
{
	const char *rt = env("XDG_RUNTIME_DIR"), *v;
	size_t used = 0;
	int sys, r;

	p->system = sys = geteuid() == 0 && !rt;
	if (!(p->config = pick(p, &used, "SESAME_CONFIG_DIR", sys ? SESAME_SYS_CONFIG : NULL,
			"XDG_CONFIG_HOME", "/.config", "/pds")) ||
	    !(p->cache = pick(p, &used, "SESAME_CACHE_DIR", sys ? SESAME_SYS_CACHE : NULL,
			"XDG_CACHE_HOME", "/.cache", "/sesame")))
		return -1;
	p->policy = SESAME_POLICY_FILE;
	if ((r = override("SESAME_POLICY", &v)) < 0)
		return -1;
	p->extra_policy = r ? v : NULL;
	/* data: the config dir for a user */
	if (!(p->data = pick(p, &used, "SESAME_DATA_DIR", sys ? SESAME_SYS_DATA : p->config, NULL, NULL, NULL)))
		return -1;
	if ((r = override("SESAME_RUNTIME_DIR", &v)) < 0)
		return -1;
	if (r)
		p->runtime = put(p, &used, v, NULL, NULL);
	else if (sys)
		p->runtime = put(p, &used, SESAME_SYS_RUNTIME, NULL, NULL);
	else if (rt && rt[0] == '/')
		p->runtime = put(p, &used, rt, "/pds", NULL);
	else
		return fail("XDG_RUNTIME_DIR is not set (or not absolute); set it or SESAME_RUNTIME_DIR");
	return p->runtime ? 0 : -1;
}

const char *paths_policy_dir(const struct paths *p, int i, char *dir)
{
	const char *f = i ? p->extra_policy : p->policy, *slash;

	if (!f || !(slash = strrchr(f, '/')))
		return NULL;
	snprintf(dir, PATH_MAX, "%.*s", slash == f ? 1 : (int)(slash - f), f);
	return dir;
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
