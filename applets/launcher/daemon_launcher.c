/* daemon_launcher.c - daemon-launcher: finds applications (appindex),
 * answers fuzzy searches ranked with per-profile frecency, and starts
 * them with the environment and secrets of launch profiles.
 *
 * Sandboxed like the other roles, once it has forked its spawner (spawn.h):
 * the small unconfined process that starts what it is told to, so that
 * what the launcher starts does not inherit its sandbox.  A desktop entry
 * the confined part parses can then do nothing but ask for a program to
 * be started.  Non-dumpable, so that other processes of the user cannot
 * read the secrets passing through it.  Secrets are asked of daemon-secrets over
 * the bus without blocking the loop; searches keep being answered while a
 * launch waits for them.  Each value lives in secure memory, is copied
 * only into the child's environment, and is wiped once the child has
 * been started.
 */
#include "applets/applet.h"
#include "applets/launcher/appindex.h"
#include "applets/launcher/frecency.h"
#include "applets/launcher/spawn.h"
#include "lib/bus/fetch.h"
#include "lib/bus/role.h"
#include "lib/core/envvar.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"
#include "lib/store/store.h"
#include "lib/store/vault.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*APPLET daemon-launcher daemon_launcher_main role "application launcher with secret injection"
usage: daemon-launcher

Indexes the desktop entries of $XDG_DATA_HOME/applications and of each
$XDG_DATA_DIRS/applications (recursively, by desktop file id; rescanned
when they change), answers `sesame launch search` with fuzzy matches over
names, generic names, keywords and ids ranked together with how often
and how recently each profile launched them (frecency, in
launcher/PROFILE.db in the data directory), and starts applications for
`sesame launch run`.

Launch profiles ([profiles.P.launch_profiles.NAME], chosen with --tag
NAME or --tag P:NAME) add environment variables (later tags win), a
working directory (absolute, existing) and secrets: each is read from
daemon-secrets (which must allow it: [profiles.P.secrets.access]
launcher = [...]) and set as its upper-cased name (api-token as
API_TOKEN), refused like `sesame env` refuses LD_PRELOAD, PATH and the
rest.  A variable that secrets of two tags set comes from the later tag;
two secrets of one tag that set one variable are refused.  The child
also gets SESAME_PROFILE and SESAME_APP_ID.  It is started through
`systemd-run --user --scope` when a user systemd runs, else directly
(its own session, stdin and stdout on /dev/null, stderr inherited).

Sandboxed (Landlock: its data directory, the configuration and the
applications directories that exist at its start; seccomp: no fork, no
exec).  What it starts is started by its spawner, a small process forked
before the sandbox that only execs the argv, environment and directory it
is sent, so that applications do not inherit the sandbox.
*/

#define MAX_RESULTS 200

struct launch {
	struct fetch f;		/* first: the secrets, and the request (f.req) */
	char profile[PROFILE_BUF];
	char *entry;
	char **argv;
	char *cwd;
	char *devshell;		/* run inside `nix develop DEVSHELL -c` */
	char **env;		/* "NAME=value" from launch profiles */
	int nenv;
};

struct usage {
	char profile[PROFILE_BUF];
	struct frecency *f;
	struct usage *next;
};

static struct {
	struct role r;
	struct appindex ix;
	int ino;
	long long rescan_at;
	struct fetch *launches;	/* launches waiting for secrets */
	struct usage *usage;
	uint32_t next_id;
	int systemd;
	unsigned spawned;
	int spawner;		/* socket to the spawner (spawn.h) */
} TT;

static struct wire_out out;


/* ---- index ------------------------------------------------------------ */

static void rescan(void)
{
	long long t0 = role_now_ms();

	appindex_dirs(&TT.ix);
	appindex_scan(&TT.ix, desktop_env_locale(), getenv("XDG_CURRENT_DESKTOP"));
	if (TT.ino >= 0)
		close(TT.ino);
	if ((TT.ino = appindex_watch(&TT.ix)) < 0)
		log_error("launcher: %s; new applications will not be seen", last_error());
	log_info("launcher: %zu applications indexed (and %zu actions) in %lld ms (%zu files left out)",
		TT.ix.n - TT.ix.nactions, TT.ix.nactions,
		role_now_ms() - t0, TT.ix.skipped);
}

static void drain_inotify(void)
{
	char buf[4096];

	while (read(TT.ino, buf, sizeof(buf)) > 0)
		;
	if (!TT.rescan_at)
		TT.rescan_at = role_now_ms() + 200;	/* package managers write many files */
}

/* ---- frecency ----------------------------------------------------------- */

static int frecency_on(const char *profile)
{
	char path[160];

	snprintf(path, sizeof(path), "profiles.%s.launcher.frecency", profile);
	return config_bool(TT.r.conf, path, 1);
}

/* The profile's frecency table, opened on first use; NULL if it cannot be. */
static struct frecency *usage_of(const char *profile)
{
	struct usage *u;
	char dir[PATH_MAX], path[PATH_MAX];

	for (u = TT.usage; u; u = u->next)
		if (!strcmp(u->profile, profile))
			return u->f;
	if (paths_join(dir, TT.r.p.data, "launcher") < 0 || store_path(path, dir, profile) < 0) {
		log_error("launcher: frecency: %s", last_error());
		return NULL;
	}
	u = xcalloc(1, sizeof(*u));
	snprintf(u->profile, sizeof(u->profile), "%s", profile);
	if (!(u->f = frecency_open(path)))
		log_error("launcher: frecency: %s; ranking without it", last_error());
	u->next = TT.usage;
	TT.usage = u;
	return u->f;
}

struct usage_ctx {
	struct frecency *f;
	long long now;
};

static double usage_fn(const struct app *a, void *vctx)
{
	struct usage_ctx *u = vctx;

	return frecency_get(u->f, a->id, u->now);
}

/* ---- search ----------------------------------------------------------- */

static const char *request_profile(const struct wire_msg *m, char *buf, size_t n)
{
	if (wire_get_str(m, WF_PROFILE, buf, n) == 0)
		return profile_name_valid(buf) ? buf : NULL;
	snprintf(buf, n, "%s", config_default_profile(TT.r.conf));
	return buf;
}

static void search(const struct wire_msg *m)
{
	static struct app_hit hits[MAX_RESULTS];
	char query[512], profile[PROFILE_BUF], path[160];
	struct fuzzy_query q;
	struct usage_ctx u = { NULL, role_wall_ms() };
	uint32_t limit;
	size_t n;

	if (!request_profile(m, profile, sizeof(profile))) {
		role_reply_error(&TT.r, m->id, WIRE_E_BAD_MESSAGE, "not a valid profile name");
		return;
	}
	if (wire_get_str(m, WF_QUERY, query, sizeof(query)) < 0)
		query[0] = 0;
	if (fuzzy_compile(&q, query) < 0) {
		role_reply_error(&TT.r, m->id, WIRE_E_BAD_MESSAGE, "%s", last_error());
		return;
	}
	snprintf(path, sizeof(path), "profiles.%s.launcher.max_results", profile);
	if (wire_get_u32(m, WF_LIMIT, &limit) < 0 || !limit)
		limit = (uint32_t)config_int(TT.r.conf, path, 20);
	if (limit > MAX_RESULTS)
		limit = MAX_RESULTS;
	if (frecency_on(profile) && (u.f = usage_of(profile)) && !frecency_count(u.f))
		u.f = NULL;	/* nothing launched yet: skip the lookups */
	n = appindex_search(&TT.ix, &q, u.f ? usage_fn : NULL, &u, hits, limit);
	wire_begin(&out, m->type, WIRE_F_REPLY, m->id);
	for (size_t i = 0; i < n; i++) {
		const struct desktop_entry *e = &hits[i].app->e;
		size_t need = 4 * 4 + strlen(hits[i].app->id) + strlen(e->name) +
			(e->generic ? strlen(e->generic) : 0) + 4;

		if (out.len + need > WIRE_MAX_MESSAGE)
			break;	/* as many as fit */
		wire_put_str(&out, WF_ENTRY, hits[i].app->id);
		wire_put_str(&out, WF_NAME, e->name);
		wire_put_str(&out, WF_GENERIC, e->generic ? e->generic : "");
		wire_put_str(&out, WF_ICON, e->icon ? e->icon : "");
		wire_put_u32(&out, WF_SCORE, (uint32_t)(hits[i].rank * 1000 + 0.5));
	}
	role_send(&TT.r, &out);
}

/* ---- launch ------------------------------------------------------------ */

static void launch_free(struct launch *l)
{
	fetch_free(&l->f);	/* wipes */
	for (int i = 0; i < l->nenv; i++) {
		sodium_memzero(l->env[i], strlen(l->env[i]));
		free(l->env[i]);
	}
	free(l->env);
	free(l->entry);
	free(l->cwd);
	free(l->devshell);
	desktop_argv_free(l->argv);
	free(l);
}

static void add_env(struct launch *l, const char *name, size_t nlen, const char *value, size_t vlen)
{
	for (int i = 0; i < l->nenv; i++)
		if (!strncmp(l->env[i], name, nlen) && l->env[i][nlen] == '=') {
			sodium_memzero(l->env[i], strlen(l->env[i]));
			free(l->env[i]);
			l->env[i] = l->env[--l->nenv];	/* later tags win */
			break;
		}
	l->env = xreallocarray(l->env, (size_t)l->nenv + 1, sizeof(*l->env));
	l->env[l->nenv] = xmalloc(nlen + vlen + 2);
	memcpy(l->env[l->nenv], name, nlen);
	l->env[l->nenv][nlen] = '=';
	memcpy(l->env[l->nenv] + nlen + 1, value, vlen);
	l->env[l->nenv][nlen + 1 + vlen] = 0;
	l->nenv++;
}

static int env_name_ok(const char *s, size_t n)
{
	if (!n || memchr(s, '=', n) || memchr(s, 0, n))
		return 0;
	return 1;
}

/* The secret already to be fetched that sets var, or -1. */
static int secret_for_var(const struct fetch *f, const char *var)
{
	char v[VAULT_MAX_NAME + 80];

	for (int k = 0; k < f->n; k++) {
		if (f->v[k].type != WIRE_SECRET_GET)
			continue;
		envvar_name(v, sizeof(v), NULL, f->v[k].name);
		if (!strcmp(v, var))
			return k;
	}
	return -1;
}

/* Apply one tag ("name" or "profile:name") to l; -1 with code and reason. */
static int apply_tag(struct launch *l, const char *tag, uint32_t *code)
{
	char tp[PROFILE_BUF], name[PROFILE_BUF], base[200], path[260];
	const char *colon = strchr(tag, ':'), *s;
	const struct toml_value *env;

	*code = WIRE_E_NOT_FOUND;
	if (colon) {
		snprintf(tp, sizeof(tp), "%.*s", (int)(colon - tag < PROFILE_MAX ? colon - tag : PROFILE_MAX), tag);
		snprintf(name, sizeof(name), "%.*s", PROFILE_MAX, colon + 1);
	} else {
		snprintf(tp, sizeof(tp), "%s", l->profile);
		snprintf(name, sizeof(name), "%.*s", PROFILE_MAX, tag);
	}
	if (strlen(tag) > 2 * PROFILE_MAX + 1 || (colon && colon - tag > PROFILE_MAX) ||
	    strlen(colon ? colon + 1 : tag) > PROFILE_MAX ||
	    !profile_name_valid(tp) || !profile_name_valid(name)) {
		*code = WIRE_E_BAD_MESSAGE;
		return fail("'%s' is not a launch profile name (NAME or PROFILE:NAME)", tag);
	}
	snprintf(base, sizeof(base), "profiles.%s.launch_profiles.%s", tp, name);
	if (!config_get(TT.r.conf, base))
		return fail("no launch profile '%s' in profile %s ([%s] in the configuration)", name, tp, base);
	snprintf(path, sizeof(path), "%s.env", base);
	if ((env = config_get(TT.r.conf, path)) && env->type == TOML_TABLE)
		for (size_t i = 0; i < env->tab.n; i++) {
			const struct toml_kv *kv = &env->tab.kv[i];

			if (kv->val->type != TOML_STRING || !env_name_ok(kv->key, kv->len) ||
			    memchr(kv->val->str.s, 0, kv->val->str.len)) {
				*code = WIRE_E_FAILED;
				return fail("[%s.env]: '%.*s' is not a usable variable", base, (int)kv->len, kv->key);
			}
			add_env(l, kv->key, kv->len, kv->val->str.s, kv->val->str.len);
		}
	snprintf(path, sizeof(path), "%s.cwd", base);
	if ((s = config_str(TT.r.conf, path, NULL))) {
		free(l->cwd);
		l->cwd = xstrdup(s);
	}
	snprintf(path, sizeof(path), "%s.devshell", base);
	if ((s = config_str(TT.r.conf, path, NULL))) {
		free(l->devshell);	/* the last tag's wins */
		l->devshell = xstrdup(s);
	}
	snprintf(path, sizeof(path), "%s.secrets", base);
	for (size_t i = 0, first = (size_t)l->f.n; (s = config_strv(TT.r.conf, path, i)); i++) {
		char var[VAULT_MAX_NAME + 80];
		int k;

		*code = WIRE_E_FAILED;
		if (!secret_name_valid(s))
			return fail("[%s] secrets: '%s' is not a secret name", base, s);
		envvar_name(var, sizeof(var), NULL, s);
		if (envvar_denied(var)) {
			*code = WIRE_E_DENIED;
			return fail("secret '%s' would set %s, which no secret may set", s, var);
		}
		/* One variable, one secret: within a tag two names for it are
		 * a mistake (as sesame env says); a later tag's replaces an
		 * earlier one's, as its env does. */
		if ((k = secret_for_var(&l->f, var)) >= 0 && !(!strcmp(l->f.v[k].profile, tp) &&
		    !strcmp(l->f.v[k].name, s))) {
			if ((size_t)k >= first)
				return fail("[%s] secrets: '%s' and '%s' would both set %s", base,
					l->f.v[k].name, s, var);
			snprintf(l->f.v[k].profile, sizeof(l->f.v[k].profile), "%s", tp);
			snprintf(l->f.v[k].name, sizeof(l->f.v[k].name), "%s", s);
			continue;
		}
		if (fetch_add(&l->f, WIRE_SECRET_GET, tp, s) < 0)
			return -1;
	}
	return 0;
}

static int has_name(char *const *vec, int n, const char *entry)
{
	size_t len = strcspn(entry, "=");

	for (int i = 0; i < n; i++)
		if (vec[i] && !strncmp(vec[i], entry, len) && vec[i][len] == '=')
			return 1;
	return 0;
}

/* Start l; the pid, or -1 with a reason. */
static pid_t spawn(struct launch *l)
{
	extern char **environ;
	char **envp, *extra[2 + FETCH_MAX], profile_var[80], *app_var;
	char **argv = l->argv, *sd[8], unit[200], *map = NULL;
	size_t mapsz = 0, used = 0;
	int nextra = 0, n = 0;
	size_t ne = 0;
	pid_t pid = -1;

	/* The secrets as "VAR=value", for the spawner's request: in a
	 * mapping of their own, locked, wiped and unmapped once sent (the
	 * spawner does the same with its copy once the program has exec'd). */
	for (int i = 0; i < l->f.n; i++) {
		if (memchr(l->f.v[i].value, 0, l->f.v[i].len))
			return fail("secret '%s' of %s cannot be an environment variable (it holds a NUL byte)",
				l->f.v[i].name, l->f.v[i].profile);
		mapsz += sizeof(((struct fetch_item *)0)->name) + 80 + l->f.v[i].len + 2;
	}
	if (mapsz && (map = mmap(NULL, mapsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) ==
	    MAP_FAILED)
		return fail("mmap: %s", strerror(errno));
	if (mapsz)
		mlock(map, mapsz);	/* best effort: never swapped out */
	snprintf(profile_var, sizeof(profile_var), "SESAME_PROFILE=%s", l->profile);
	app_var = xasprintf("SESAME_APP_ID=%s", l->entry);
	extra[nextra++] = profile_var;
	extra[nextra++] = app_var;
	for (int i = 0; i < l->f.n; i++) {
		char var[VAULT_MAX_NAME + 80];
		size_t vl;

		envvar_name(var, sizeof(var), NULL, l->f.v[i].name);
		vl = strlen(var);
		extra[nextra++] = map + used;
		memcpy(map + used, var, vl);
		map[used + vl] = '=';
		memcpy(map + used + vl + 1, l->f.v[i].value, l->f.v[i].len + 1);
		used += vl + 1 + l->f.v[i].len + 1;
	}
	while (environ[ne])
		ne++;
	envp = xcalloc(ne + (size_t)l->nenv + (size_t)nextra + 1, sizeof(char *));
	for (size_t i = 0; i < ne; i++)
		if (!has_name(l->env, l->nenv, environ[i]) && !has_name(extra, nextra, environ[i]))
			envp[n++] = environ[i];
	for (int i = 0; i < l->nenv; i++)
		if (!has_name(extra, nextra, l->env[i]))
			envp[n++] = l->env[i];
	for (int i = 0; i < nextra; i++)
		envp[n++] = extra[i];
	if (TT.systemd) {
		/* A scope of its own, named after the entry: systemd-run execs
		 * the application in place, so the pid stays the app's. */
		size_t u = (size_t)snprintf(unit, sizeof(unit), "--unit=app-sesame-");

		for (const char *s = l->entry; *s && u + 40 < sizeof(unit); s++)
			unit[u++] = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ?
				*s : '_';
		snprintf(unit + u, sizeof(unit) - u, "-%d-%u.scope", (int)getpid(), ++TT.spawned);
		sd[0] = "systemd-run", sd[1] = "--user", sd[2] = "--scope", sd[3] = "--quiet";
		sd[4] = unit, sd[5] = "--", sd[6] = NULL;
		n = 0;
		while (l->argv[n])
			n++;
		argv = xcalloc((size_t)n + 7, sizeof(char *));
		memcpy(argv, sd, 6 * sizeof(char *));
		memcpy(argv + 6, l->argv, (size_t)n * sizeof(char *));
	}
	pid = spawn_request(TT.spawner, l->cwd, argv, envp);
	if (map) {
		sodium_memzero(map, mapsz);
		munmap(map, mapsz);
	}
	free(envp);
	free(app_var);
	if (argv != l->argv)
		free(argv);
	return pid;
}

static void finish(struct launch *l)
{
	pid_t pid = spawn(l);

	if (pid < 0) {
		log_warn("launcher: %s: %s", l->entry, last_error());
		role_reply_error(&TT.r, l->f.req, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	log_info("launcher: started %s (pid %d)%s", l->entry, (int)pid, TT.systemd ? " in a systemd scope" : "");
	if (frecency_on(l->profile)) {
		struct frecency *f = usage_of(l->profile);

		if (f && frecency_add(f, l->entry, role_wall_ms()) < 0)
			log_error("launcher: %s", last_error());
	}
	wire_begin(&out, WIRE_LAUNCH_RUN, WIRE_F_REPLY, l->f.req);
	wire_put_str(&out, WF_ENTRY, l->entry);
	wire_put_u32(&out, WF_PID, (uint32_t)pid);
	role_send(&TT.r, &out);
}

/* Put n words before the command (a terminal, a devshell). */
static void prefix_argv(struct launch *l, const char *const *pre, int n)
{
	char **old = l->argv;
	int argc = 0;

	while (old[argc])
		argc++;
	l->argv = xcalloc((size_t)(argc + n + 1), sizeof(char *));
	for (int i = 0; i < n; i++)
		l->argv[i] = xstrdup(pre[i]);
	memcpy(l->argv + n, old, (size_t)argc * sizeof(char *));
	free(old);
}

static void run(const struct wire_msg *m)
{
	struct launch *l = xcalloc(1, sizeof(*l));
	char entry[512], tag[200], arg[1024];
	const struct app *a;
	size_t pos = 0;
	uint16_t t, len;
	const uint8_t *v;
	uint32_t code;
	int argc;
	struct stat st;

	l->f.req = m->id;
	if (!request_profile(m, l->profile, sizeof(l->profile)) || wire_get_str(m, WF_ENTRY, entry, sizeof(entry)) < 0) {
		role_reply_error(&TT.r, m->id, WIRE_E_BAD_MESSAGE, "a launch needs a valid profile and an entry id");
		goto done;
	}
	if (!(a = appindex_find(&TT.ix, entry))) {
		role_reply_error(&TT.r, m->id, WIRE_E_NOT_FOUND, "%s", last_error());
		goto done;
	}
	l->entry = xstrdup(a->id);
	if (desktop_exec_argv(&a->e, a->file, &l->argv, &argc) < 0) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "%s: %s", a->id, last_error());
		goto done;
	}
	if (a->e.terminal) {
		const char *term = getenv("TERMINAL"), *pre[] = { term && *term ? term : "x-terminal-emulator", "-e" };

		prefix_argv(l, pre, 2);
	}
	if (a->e.path && *a->e.path)
		l->cwd = xstrdup(a->e.path);
	while (wire_next(m, &pos, &t, &v, &len)) {
		if (t == WF_TAG) {
			if (len >= sizeof(tag) || memchr(v, 0, len)) {
				role_reply_error(&TT.r, m->id, WIRE_E_BAD_MESSAGE, "a tag is too long");
				goto done;
			}
			memcpy(tag, v, len);
			tag[len] = 0;
			if (apply_tag(l, tag, &code) < 0) {
				role_reply_error(&TT.r, m->id, code, "%s", last_error());
				goto done;
			}
		} else if (t == WF_ARG) {
			int n = 0;

			while (l->argv[n])
				n++;
			if (len >= sizeof(arg) || memchr(v, 0, len) || n + 1 >= DESKTOP_MAX_ARGS) {
				role_reply_error(&TT.r, m->id, WIRE_E_BAD_MESSAGE, "a bad extra argument");
				goto done;
			}
			l->argv = xreallocarray(l->argv, (size_t)n + 2, sizeof(char *));
			memcpy(arg, v, len);
			arg[len] = 0;
			l->argv[n] = xstrdup(arg);
			l->argv[n + 1] = NULL;
		}
	}
	if (l->devshell) {
		const char *pre[] = { "nix", "develop", l->devshell, "-c" };

		prefix_argv(l, pre, 4);
	}
	if (!l->cwd) {
		const char *home = getenv("HOME");

		l->cwd = xstrdup(home && *home == '/' ? home : "/");
	}
	if (l->cwd[0] != '/' || stat(l->cwd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "the working directory %s is not an existing absolute directory",
			l->cwd);
		goto done;
	}
	if (!l->f.n) {
		finish(l);
		goto done;
	}
	/* Ask daemon-secrets for every value at once; finish when all came. */
	if (fetch_send(&l->f, TT.r.c, &TT.next_id, role_now_ms() + 10000) < 0) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "cannot ask daemon-secrets: %s", last_error());
		goto done;
	}
	fetch_list_add(&TT.launches, &l->f);
	return;
done:
	launch_free(l);
}

/* A reply to one of our requests: launch once every secret is there. */
static void secret_reply(const struct wire_msg *m)
{
	struct launch *l = (struct launch *)fetch_list_reply(&TT.launches, m, "launcher");

	if (!l)
		return;
	if (l->f.code == WIRE_E_LOCKED) {	/* which profile: the overlay asks for its password */
		static struct wire_out o;
		struct wire_msg req = { .id = l->f.req };

		wire_error(&o, &req, l->f.code, l->f.error);
		wire_put_str(&o, WF_PROFILE, l->f.profile);
		role_send(&TT.r, &o);
	} else if (l->f.code) {
		role_reply_error(&TT.r, l->f.req, l->f.code, "%s", l->f.error);
	} else {
		finish(l);
	}
	launch_free(l);
}

static void expire_launches(void)
{
	struct launch *l;

	while ((l = (struct launch *)fetch_list_expired(&TT.launches, role_now_ms()))) {
		role_reply_error(&TT.r, l->f.req, WIRE_E_TIMEOUT, "daemon-secrets did not answer");
		launch_free(l);
	}
}

static void handle(const struct wire_msg *m)
{
	if (m->flags & WIRE_F_REPLY) {
		secret_reply(m);
		return;
	}
	switch (m->type) {
	case WIRE_LAUNCH_SEARCH: search(m); break;
	case WIRE_LAUNCH_RUN: run(m); break;
	default: role_reply_error(&TT.r, m->id, WIRE_E_UNKNOWN_TYPE, "daemon-launcher does not serve this request");
	}
}

static int systemd_user(void)
{
	const char *rt = getenv("XDG_RUNTIME_DIR"), *path = getenv("PATH");
	char f[PATH_MAX];

	if (!rt || *rt != '/' || (size_t)snprintf(f, sizeof(f), "%s/systemd/private", rt) >= sizeof(f) ||
	    access(f, F_OK) < 0)
		return 0;
	for (const char *p = path ? path : "/usr/bin:/bin"; *p; ) {
		size_t n = strcspn(p, ":");

		if ((size_t)snprintf(f, sizeof(f), "%.*s/systemd-run", (int)n, p) < sizeof(f) && access(f, X_OK) == 0)
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

/* Its data directory (frecency), and read access to the applications
 * directories that exist now (one made later is not seen until a
 * restart).  xrole_sandbox adds the configuration and the runtime. */
static void enter_sandbox(void)
{
	struct sandbox_path paths[1 + APPINDEX_MAX_DIRS];
	size_t n = 0;

	paths[n++] = (struct sandbox_path){ TT.r.p.data, SB_READ | SB_WRITE };
	for (int i = 0; i < TT.ix.ndirs; i++)
		paths[n++] = (struct sandbox_path){ TT.ix.dirs[i], SB_READ };
	xrole_load_sqlite(&TT.r);
	xrole_sandbox(&TT.r, paths, n);
}

int daemon_launcher_main(int argc, char **argv)
{
	if (argc > 1)
		usage_error("daemon-launcher", "unexpected argument '%s'", argv[1]);
	/* Not sandbox_limits: they would pass to every application started.
	 * Not dumpable (other processes of the user kept out of our memory)
	 * once the hub has accepted it, as every role (role.c). */
	if (secmem_use(SECMEM_MLOCK) < 0)
		die("%s", last_error());
	/* First, while nothing else is open: the spawner keeps only its
	 * socket. */
	if ((TT.spawner = spawner_start()) < 0)
		die("daemon-launcher: %s", last_error());
	xrole_setup(&TT.r, "launcher");
	if (paths_mkdir_private(TT.r.p.data) < 0)	/* its frecency databases' */
		die("daemon-launcher: %s", last_error());
	TT.r.status = "serving application searches";
	TT.ino = -1;
	TT.systemd = systemd_user();
	rescan();
	enter_sandbox();
	log_info("launcher: starting applications %s", TT.systemd ? "in systemd user scopes" : "directly");
	for (;;) {
		struct pollfd pf[1] = { { TT.ino, POLLIN, 0 } };
		int timeout = -1, ev;

		if (TT.rescan_at)
			timeout = (int)(TT.rescan_at > role_now_ms() ? TT.rescan_at - role_now_ms() : 0);
		if (TT.launches && (timeout < 0 || timeout > 500))
			timeout = 500;
		ev = xrole_poll(&TT.r, pf, 1, timeout);
		if (ev & ROLE_STOP)
			break;
		if (pf[0].revents & POLLIN)
			drain_inotify();
		if (TT.rescan_at && role_now_ms() >= TT.rescan_at) {
			TT.rescan_at = 0;
			rescan();
		}
		if (ev & ROLE_BUS && role_dispatch(&TT.r, handle) < 0)
			continue;
		if (TT.launches)
			expire_launches();
	}
	log_info("launcher: stopping");
	while (TT.launches) {
		struct launch *l = (struct launch *)TT.launches;

		TT.launches = l->f.next;
		launch_free(l);
	}
	for (struct usage *u = TT.usage, *next; u; u = next) {
		next = u->next;
		frecency_close(u->f);
		free(u);
	}
	appindex_free(&TT.ix);
	return role_close(&TT.r);
}
