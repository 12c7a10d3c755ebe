/* paths.h - where sesame keeps things, for a user or for the system.
 *
 * User mode (XDG): config ~/.config/pds, data = config dir (vaults/, audit
 * log), runtime $XDG_RUNTIME_DIR/pds, cache ~/.cache/sesame.
 * System mode (root without XDG_RUNTIME_DIR, the embedded case): /etc/pds,
 * /var/lib/pds, /run/pds, /var/cache/sesame.
 * Each can be overridden by environment (absolute paths only):
 * SESAME_CONFIG_DIR, SESAME_DATA_DIR, SESAME_RUNTIME_DIR, SESAME_CACHE_DIR.
 * The administrator's policy file is fixed at build time (POLICY_FILE,
 * /etc/pds/policy.toml): no variable moves or removes it.  SESAME_POLICY
 * names a further policy layer under it (tests use it), which can lock
 * what the user's files set but cannot change what the system policy does.
 */
#ifndef SESAME_PATHS_H
#define SESAME_PATHS_H

#include <limits.h>

/* Each path is shorter than PATH_MAX.  They point into pool, packed one
 * after another: a command touches one page of it, not five (a page
 * fault each).  Not to be copied by assignment. */
struct paths {
	int system;			/* 1 in system mode */
	const char *config;		/* config.toml, config.d/ */
	const char *data;		/* vaults/, audit.jsonl */
	const char *runtime;		/* bus.sock, bus.pub, keys/ */
	const char *cache;
	const char *policy;		/* the administrator's policy file (build time) */
	const char *extra_policy;	/* SESAME_POLICY, or NULL */
	char pool[5 * PATH_MAX];
};

/* Fill p from the environment; -1 with a reason (e.g. no HOME). */
int paths_resolve(struct paths *p);
/* The directory of the policy file (i 0) or of SESAME_POLICY's (i 1)
 * into dir (PATH_MAX bytes), for the sandbox to let the roles read; NULL
 * if there is none. */
const char *paths_policy_dir(const struct paths *p, int i, char *dir);
/* Join dir and name into out (size PATH_MAX); -1 if too long. */
int paths_join(char *out, const char *dir, const char *name);
/* Create dir and missing parents; the directories created are 0700.
 * The final directory must then be private: owned by us and with no
 * group or other permissions.  -1 with a reason otherwise. */
int paths_mkdir_private(const char *dir);
/* Check that an existing file or directory is owned by us and has no
 * group/other permissions; -1 with a reason naming the path. */
int paths_check_private(const char *path);

#endif
