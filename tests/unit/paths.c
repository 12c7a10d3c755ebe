/* Unit tests for lib/paths: XDG and system resolution, overrides, and
 * the refusal of insecure directories. */
#include "lib/core/paths.h"
#include "lib/core/util.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void clear_env(void)
{
	static const char *vars[] = { "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR",
		"SESAME_CONFIG_DIR", "SESAME_DATA_DIR", "SESAME_RUNTIME_DIR", "SESAME_CACHE_DIR",
		"SESAME_POLICY" };

	for (size_t i = 0; i < ARRAY_LEN(vars); i++)
		unsetenv(vars[i]);
}

int main(void)
{
	struct paths p;
	char tmp[] = "/tmp/sesame-paths-XXXXXX", dir[PATH_MAX];

	clear_env();
	setenv("HOME", "/home/u", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	ok(paths_resolve(&p) == 0 && !p.system, "a user with XDG_RUNTIME_DIR resolves in user mode");
	ok(!strcmp(p.config, "/home/u/.config/pds") && !strcmp(p.data, "/home/u/.config/pds") &&
		!strcmp(p.runtime, "/run/user/1000/pds") && !strcmp(p.cache, "/home/u/.cache/sesame") &&
		!strcmp(p.policy, "/etc/pds/policy.toml"), "user defaults follow DESIGN.md");

	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	setenv("XDG_CACHE_HOME", "relative/cache", 1);
	ok(paths_resolve(&p) == 0 && !strcmp(p.config, "/x/cfg/pds") &&
		!strcmp(p.cache, "/home/u/.cache/sesame"), "XDG_CONFIG_HOME is used; a relative XDG_CACHE_HOME is ignored");

	setenv("SESAME_CONFIG_DIR", "/t/c", 1);
	setenv("SESAME_DATA_DIR", "/t/d", 1);
	setenv("SESAME_RUNTIME_DIR", "/t/r", 1);
	setenv("SESAME_CACHE_DIR", "/t/k", 1);
	setenv("SESAME_POLICY", "/t/policy.toml", 1);
	ok(paths_resolve(&p) == 0 && !strcmp(p.config, "/t/c") && !strcmp(p.data, "/t/d") &&
		!strcmp(p.runtime, "/t/r") && !strcmp(p.cache, "/t/k") && !strcmp(p.extra_policy, "/t/policy.toml"),
		"every directory can be overridden by environment, and SESAME_POLICY adds a policy layer");
	ok(!strcmp(p.policy, "/etc/pds/policy.toml"),
		"but no variable moves the administrator's policy file (got %s)", p.policy);
	setenv("SESAME_POLICY", "/dev/null", 1);
	ok(paths_resolve(&p) == 0 && !strcmp(p.policy, "/etc/pds/policy.toml"),
		"SESAME_POLICY=/dev/null does not drop it either");
	setenv("SESAME_POLICY", "/t/policy.toml", 1);
	{
		/* Five paths of PATH_MAX - 1 bytes fit together; one byte more does not. */
		static char longp[5][PATH_MAX + 1];
		static const char *var[5] = { "SESAME_CONFIG_DIR", "SESAME_DATA_DIR", "SESAME_RUNTIME_DIR",
			"SESAME_CACHE_DIR", "SESAME_POLICY" };

		for (int i = 0; i < 5; i++) {
			memset(longp[i], 'a' + i, PATH_MAX - 1);
			longp[i][0] = '/';
			setenv(var[i], longp[i], 1);
		}
		ok(paths_resolve(&p) == 0 && !strcmp(p.config, longp[0]) && !strcmp(p.data, longp[1]) &&
			!strcmp(p.runtime, longp[2]) && !strcmp(p.cache, longp[3]) && !strcmp(p.extra_policy, longp[4]),
			"five paths of PATH_MAX - 1 bytes each resolve intact");
		longp[2][PATH_MAX - 1] = 'x';
		setenv(var[2], longp[2], 1);
		ok(paths_resolve(&p) < 0 && strstr(last_error(), "path too long"),
			"a path of PATH_MAX bytes is refused");
		setenv("SESAME_CONFIG_DIR", "/t/c", 1);
		setenv("SESAME_RUNTIME_DIR", "/t/r", 1);
		setenv("SESAME_CACHE_DIR", "/t/k", 1);
		setenv("SESAME_POLICY", "/t/policy.toml", 1);
	}
	setenv("SESAME_DATA_DIR", "rel", 1);
	ok(paths_resolve(&p) < 0 && strstr(last_error(), "SESAME_DATA_DIR must be an absolute path"),
		"a relative override is an error that names the variable");

	clear_env();
	unsetenv("HOME");
	setenv("SESAME_CONFIG_DIR", "/t/c", 1);
	setenv("SESAME_CACHE_DIR", "/t/k", 1);
	setenv("SESAME_RUNTIME_DIR", "/t/r", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/0", 1); /* user mode, even as root */
	ok(paths_resolve(&p) == 0 && !strcmp(p.data, "/t/c"),
		"in user mode the overrides alone suffice without HOME");
	clear_env();
	if (geteuid() == 0) {
		ok(paths_resolve(&p) == 0 && p.system && !strcmp(p.config, "/etc/pds") &&
			!strcmp(p.data, "/var/lib/pds") && !strcmp(p.runtime, "/run/pds") &&
			!strcmp(p.cache, "/var/cache/sesame"), "root without XDG_RUNTIME_DIR is system mode");
		setenv("HOME", "/root", 1);
		setenv("XDG_RUNTIME_DIR", "/run/user/0", 1);
		ok(paths_resolve(&p) == 0 && !p.system, "root with XDG_RUNTIME_DIR is user mode");
	} else {
		setenv("HOME", "/home/u", 1);
		ok(paths_resolve(&p) < 0 && strstr(last_error(), "XDG_RUNTIME_DIR is not set"),
			"a user without XDG_RUNTIME_DIR gets a clear error");
		skip("system mode needs root");
	}

	if (!mkdtemp(tmp))
		return ok(0, "mkdtemp"), done_testing();
	snprintf(dir, sizeof(dir), "%s/a/b/c", tmp);
	ok(paths_mkdir_private(dir) == 0, "paths_mkdir_private creates missing parents");
	{
		struct stat st;

		ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "created directories are 0700");
	}
	chmod(dir, 0755);
	ok(paths_mkdir_private(dir) < 0 && strstr(last_error(), "too open"),
		"an existing 0755 directory is refused as too open");
	snprintf(dir, sizeof(dir), "%s/link", tmp);
	if (symlink("/tmp", dir) == 0)
		ok(paths_check_private(dir) < 0 && strstr(last_error(), "symbolic link"),
			"a symlink in place of a private path is refused");
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
		(void)!system(cmd);
	}
	return done_testing();
}
