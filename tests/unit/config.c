/* Unit tests for lib/config's policy layers: the administrator's policy
 * file locks what it sets, against the user's files and against
 * SESAME_POLICY's extra layer, and counts only when root owns it and
 * nobody else may write it. */
#include "lib/config/config.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char errors[2048];

static void report(enum config_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == CONFIG_ERROR)
		snprintf(errors + strlen(errors), sizeof(errors) - strlen(errors), "%s; ", msg);
}

static void put(const char *path, const char *text, int mode)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		exit(1);
	chmod(path, (mode_t)mode);
}

static struct config *load(const struct paths *p)
{
	errors[0] = 0;
	return config_load(p, report, NULL);
}

int main(void)
{
	char dir[] = "/tmp/sesame-unit-config.XXXXXX", pol[PATH_MAX], extra[PATH_MAX], cfgdir[PATH_MAX / 2],
		cfg[PATH_MAX];
	struct paths p;
	struct config *c;

	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	snprintf(pol, sizeof(pol), "%s/policy.toml", dir);
	snprintf(extra, sizeof(extra), "%s/extra.toml", dir);
	snprintf(cfgdir, sizeof(cfgdir), "%s/cfg", dir);
	snprintf(cfg, sizeof(cfg), "%s/config.toml", cfgdir);
	mkdir(cfgdir, 0700);
	memset(&p, 0, sizeof(p));
	p.config = cfgdir;
	p.policy = pol;
	p.extra_policy = extra;

	put(pol, "[global.logging]\nlevel = \"warn\"\n", 0644);
	put(extra, "[global.logging]\nlevel = \"debug\"\njson = true\n", 0644);
	put(cfg, "[global.logging]\nlevel = \"error\"\njson = false\n", 0600);
	if (geteuid() != 0) {
		skip("the policy file must be root's: these need root");
		skip("the policy file must be root's: these need root");
		skip("the policy file must be root's: these need root");
		skip("the policy file must be root's: these need root");
		return done_testing();
	}
	c = load(&p);
	ok(c && !strcmp(config_str(c, "global.logging.level", ""), "warn"),
		"the administrator's policy holds against the extra policy layer and the user's file (level %s)",
		c ? config_str(c, "global.logging.level", "") : "?");
	ok(c && config_bool(c, "global.logging.json", 0),
		"what the system policy leaves, the extra layer may lock (json stays true over the user's false)");
	config_free(c);

	put(pol, "[global.logging]\nlevel = \"warn\"\n", 0666);
	c = load(&p);
	ok(!c && strstr(errors, "a policy file must belong to root and be writable by root alone"),
		"a policy file others may write is refused, not read: %s", errors);
	config_free(c);
	chmod(pol, 0644);
	if (chown(pol, 65534, 65534) < 0)
		return perror("chown"), 1;
	c = load(&p);
	ok(!c && strstr(errors, "uid 65534's"), "a policy file root does not own is refused too");
	config_free(c);

	unlink(pol);
	unlink(extra);
	unlink(cfg);
	rmdir(cfgdir);
	rmdir(dir);
	return done_testing();
}
