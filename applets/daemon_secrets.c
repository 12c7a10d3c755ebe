/* daemon_secrets.c - daemon-secrets: holds the vaults and serves them over
 * the bus as the "secrets" role.
 *
 * One event loop on the bus connection; Argon2id (tens of milliseconds and
 * 19 MiB) runs on one worker thread so that other requests keep being
 * served meanwhile.  Keys and values live in secure memory and are wiped
 * after use; nothing secret is logged.
 */
#include "../lib/applet.h"
#include "../lib/audit.h"
#include "../lib/bus.h"
#include "../lib/log.h"
#include "../lib/paths.h"
#include "../lib/sdnotify.h"
#include "../lib/secmem.h"
#include "../lib/util.h"
#include "../lib/vault.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

/*APPLET daemon-secrets daemon_secrets_main role "vault daemon: unlocks vaults and serves secrets"
usage: daemon-secrets [--idle-lock SECONDS]

Holds each profile's vault (vaults/<profile>.db in the data directory) and
answers the vault and secret requests that daemon-profile routes to it:
init, unlock, lock, and secret get, set, list and delete.  Connects to the
bus with keys/secrets.key and reconnects when daemon-profile restarts.
Vault keys stay in secure memory while a profile is unlocked; lock wipes
them, as does stopping (SIGTERM or SIGINT).

  --idle-lock SECONDS   lock a vault that has not been used for this long
                        (default 0: never, the embedded default)
*/

enum job_kind { JOB_INIT, JOB_UNLOCK, JOB_PASSWD };

struct job {
	enum job_kind kind;
	uint32_t id;
	uint8_t type;
	char profile[65];
	struct vault_kdf kdf;
	uint8_t *pw;		/* secure memory */
	size_t pwlen;
	uint8_t *kek;		/* secure memory, the worker's result */
	struct vault_kdf new_kdf;	/* passwd: the new password's */
	uint8_t *pw2, *kek2;	/* passwd: new password and its kek */
	size_t pw2len;
	int failed;
	char err[256];
	struct job *next;
};

struct prof {
	char name[65];
	struct vault *v;
	long long used;		/* monotonic ms of the last unlock or secret request */
	struct prof *next;
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static struct {
	struct paths p;
	long long idle_ms;	/* 0: no idle lock */
	char vaults[PATH_MAX];
	struct bus_client *c;
	struct prof *profiles;
	struct audit *audit;
	int pipe[2];		/* worker -> loop: finished jobs */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *queue;
	int queued;
} S = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static uint8_t in[WIRE_MAX_MESSAGE];
static struct wire_out out;

/* One audit line; the key is recorded only as the vault's keyed tag. */
static void audit(const char *event, struct vault *v, const char *profile, const char *key,
	const char *outcome)
{
	char tag[17];
	int has_tag = key && v && vault_name_tag(v, key, tag) == 0;

	if (audit_append(S.audit, event, profile, has_tag ? tag : NULL, outcome) < 0)
		log_error("%s", last_error());
}

/* The worker: Argon2id, one job at a time, in arrival order. */
static void *worker(void *arg)
{
	(void)arg;
	for (;;) {
		struct job *j;

		pthread_mutex_lock(&S.lock);
		while (!S.queue)
			pthread_cond_wait(&S.cond, &S.lock);
		j = S.queue;
		S.queue = j->next;
		S.queued--;
		pthread_mutex_unlock(&S.lock);
		j->kek = secmem_alloc(VAULT_KEYLEN);
		if (!j->kek || vault_derive_kek(&j->kdf, j->pw, j->pwlen, j->kek) < 0 ||
		    (j->pw2 && (!(j->kek2 = secmem_alloc(VAULT_KEYLEN)) ||
		     vault_derive_kek(&j->new_kdf, j->pw2, j->pw2len, j->kek2) < 0))) {
			j->failed = 1;
			snprintf(j->err, sizeof(j->err), "%s", last_error());
		}
		if (write(S.pipe[1], &j, sizeof(j)) != sizeof(j))
			abort();	/* the loop can no longer hear us */
	}
	return NULL;
}

static void send_out(void)
{
	if (bus_send(S.c, &out) < 0)
		log_warn("cannot send a reply: %s", last_error());
	sodium_memzero(out.buf, out.len);
}

static void reply_error(uint32_t id, uint32_t code, const char *fmt, ...) PRINTF(3, 4);
static void reply_error(uint32_t id, uint32_t code, const char *fmt, ...)
{
	struct wire_msg req = { .id = id };
	char text[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	wire_error(&out, &req, code, text);
	send_out();
}

static void reply_ok(uint8_t type, uint32_t id, const char *text)
{
	wire_begin(&out, type, WIRE_F_REPLY, id);
	if (text)
		wire_put_str(&out, WF_TEXT, text);
	send_out();
}

static int vault_file(const char *profile, char path[PATH_MAX])
{
	char name[80];

	snprintf(name, sizeof(name), "%s.db", profile);
	return paths_join(path, S.vaults, name);
}

/* The profile's open vault; opened on first use.  NULL: *code says why. */
static struct prof *profile(const char *name, uint32_t *code)
{
	struct prof *pr;
	char path[PATH_MAX];
	struct vault *v;

	for (pr = S.profiles; pr; pr = pr->next)
		if (!strcmp(pr->name, name))
			return pr;
	if (vault_file(name, path) < 0 || !(v = vault_open(path, name))) {
		*code = vault_not_found() ? WIRE_E_NOT_FOUND : WIRE_E_FAILED;
		if (vault_not_found())
			fail("no vault for profile %s (sesame init -p %s)", name, name);
		return NULL;
	}
	pr = xcalloc(1, sizeof(*pr));
	strcpy(pr->name, name);
	pr->v = v;
	pr->next = S.profiles;
	S.profiles = pr;
	return pr;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void queue_job(struct job *j)
{
	pthread_mutex_lock(&S.lock);
	j->next = NULL;
	if (!S.queue) {
		S.queue = j;
	} else {
		struct job *t = S.queue;

		while (t->next)
			t = t->next;
		t->next = j;
	}
	S.queued++;
	pthread_cond_signal(&S.cond);
	pthread_mutex_unlock(&S.lock);
}

static void job_free(struct job *j)
{
	secmem_free(j->pw);
	secmem_free(j->kek);
	secmem_free(j->pw2);
	secmem_free(j->kek2);
	free(j);
}

static void record_failure(struct prof *pr, const char *what)
{
	uint64_t wait;

	if (vault_unlock_failed(pr->v, wall_ms()) < 0)
		log_error("cannot record a failed %s of %s: %s", what, pr->name, last_error());
	wait = vault_unlock_wait(pr->v, wall_ms());
	log_warn("failed %s of profile %s (%u in a row; next attempt in %llu ms)", what, pr->name,
		vault_unlock_failures(pr->v), (unsigned long long)wait);
}

/* passwd: the current password must open the vault; then rewrap. */
static void finish_passwd(struct job *j, struct prof *pr)
{
	int was_locked = !vault_unlocked(pr->v);

	if ((was_locked ? vault_unlock(pr->v, j->kek) : vault_verify(pr->v, j->kek)) < 0) {
		char why[300];

		snprintf(why, sizeof(why), "%s", last_error());
		record_failure(pr, "password change");
		audit("vault.passwd", pr->v, pr->name, NULL, "wrong-password");
		reply_error(j->id, WIRE_E_DENIED, "%s", why);
		return;
	}
	vault_unlock_succeeded(pr->v);
	if (vault_rewrap(pr->v, &j->new_kdf, j->kek2) < 0) {
		audit("vault.passwd", pr->v, pr->name, NULL, "failed");
		reply_error(j->id, WIRE_E_FAILED, "%s", last_error());
	} else {
		audit("vault.passwd", pr->v, pr->name, NULL, "ok");
		log_info("password of vault %s changed", pr->name);
		reply_ok(j->type, j->id, "changed");
	}
	if (was_locked)
		vault_lock(pr->v);
}

static void finish(struct job *j)
{
	char path[PATH_MAX];
	struct prof *pr;
	uint32_t code;

	if (j->failed) {
		reply_error(j->id, WIRE_E_FAILED, "%s", j->err);
	} else if (j->kind == JOB_INIT) {
		struct vault *v;

		if (vault_file(j->profile, path) < 0 || !(v = vault_create(path, j->profile, &j->kdf, j->kek))) {
			audit("vault.init", NULL, j->profile, NULL, "failed");
			reply_error(j->id, strstr(last_error(), "already exists") ? WIRE_E_EXISTS : WIRE_E_FAILED,
				"%s", last_error());
		} else {
			audit("vault.init", v, j->profile, NULL, "ok");
			pr = xcalloc(1, sizeof(*pr));
			strcpy(pr->name, j->profile);
			pr->v = v;
			pr->used = mono_ms();
			pr->next = S.profiles;
			S.profiles = pr;
			log_info("vault %s created and unlocked", j->profile);
			reply_ok(j->type, j->id, "created");
		}
	} else if (!(pr = profile(j->profile, &code))) {
		reply_error(j->id, code, "%s", last_error());
	} else if (j->kind == JOB_PASSWD) {
		finish_passwd(j, pr);
	} else if (vault_unlocked(pr->v)) {
		reply_ok(j->type, j->id, "already unlocked");
	} else if (vault_unlock(pr->v, j->kek) < 0) {
		char why[300];

		snprintf(why, sizeof(why), "%s", last_error());
		record_failure(pr, "unlock");
		audit("vault.unlock", pr->v, pr->name, NULL, "wrong-password");
		reply_error(j->id, WIRE_E_DENIED, "%s", why);
	} else {
		if (vault_unlock_succeeded(pr->v) < 0)
			log_error("cannot reset the unlock backoff of %s: %s", j->profile, last_error());
		audit("vault.unlock", pr->v, pr->name, NULL, "ok");
		pr->used = mono_ms();
		log_info("vault %s unlocked", j->profile);
		reply_ok(j->type, j->id, "unlocked");
	}
	job_free(j);
}

static void password_job(const struct wire_msg *m, enum job_kind kind, const char *name)
{
	const uint8_t *pw;
	uint16_t pwlen;
	struct job *j;
	struct prof *pr;
	uint32_t code;

	if (!wire_find(m, WF_PASSWORD, &pw, &pwlen) || pwlen == 0) {
		reply_error(m->id, WIRE_E_BAD_MESSAGE, "a password is required");
		return;
	}
	if (S.queued >= 16) {
		reply_error(m->id, WIRE_E_BUSY, "too many unlocks in progress");
		return;
	}
	j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	j->id = m->id;
	j->type = m->type;
	strcpy(j->profile, name);
	if (kind == JOB_INIT) {
		char path[PATH_MAX];

		if (vault_file(name, path) < 0 || access(path, F_OK) == 0) {
			free(j);
			reply_error(m->id, WIRE_E_EXISTS, "vault %s already exists; refusing to overwrite it", name);
			return;
		}
		vault_kdf_defaults(&j->kdf);
	} else {
		if (!(pr = profile(name, &code))) {
			free(j);
			reply_error(m->id, code, "%s", last_error());
			return;
		}
		if (kind == JOB_UNLOCK && vault_unlocked(pr->v)) {
			free(j);
			reply_ok(m->type, m->id, "already unlocked");
			return;
		}
		{
			uint64_t wait = vault_unlock_wait(pr->v, wall_ms());

			if (wait) {
				free(j);
				audit(kind == JOB_PASSWD ? "vault.passwd" : "vault.unlock", pr->v, name, NULL, "backoff");
				reply_error(m->id, WIRE_E_DENIED, "too many wrong passwords for profile %s; "
					"try again in %llu s", name, (unsigned long long)(wait + 999) / 1000);
				return;
			}
		}
		if (vault_kdf_params(pr->v, &j->kdf) < 0) {
			free(j);
			reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
			return;
		}
	}
	if (kind == JOB_PASSWD) {
		const uint8_t *np;
		uint16_t nplen;

		if (!wire_find(m, WF_NEW_PASSWORD, &np, &nplen) || nplen == 0) {
			free(j);
			reply_error(m->id, WIRE_E_BAD_MESSAGE, "a new password is required");
			return;
		}
		vault_kdf_defaults(&j->new_kdf);	/* a fresh salt */
		if (!(j->pw2 = secmem_dup(np, nplen))) {
			free(j);
			reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
			return;
		}
		j->pw2len = nplen;
	}
	if (!(j->pw = secmem_dup(pw, pwlen))) {
		job_free(j);
		reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	j->pwlen = pwlen;
	queue_job(j);
}

static int add_name(const char *name, void *ctx)
{
	(void)ctx;
	wire_put_str(&out, WF_KEY, name);
	return out.overflow;
}

/* Lock vaults idle for longer than --idle-lock; returns the ms until the
 * next one would be due (for poll), or -1 if none is unlocked. */
static int idle_lock(void)
{
	long long now = mono_ms(), next = -1;

	if (!S.idle_ms)
		return -1;
	for (struct prof *pr = S.profiles; pr; pr = pr->next) {
		long long due;

		if (!vault_unlocked(pr->v))
			continue;
		due = pr->used + S.idle_ms;
		if (due <= now) {
			vault_lock(pr->v);
			audit("vault.lock", pr->v, pr->name, NULL, "idle");
			log_info("vault %s locked after %lld s idle", pr->name, S.idle_ms / 1000);
		} else if (next < 0 || due - now < next) {
			next = due - now;
		}
	}
	return next < 0 ? -1 : (int)(next > 60000 ? 60000 : next);
}

static void lock_profiles(const char *only)
{
	for (struct prof *pr = S.profiles; pr; pr = pr->next) {
		if (only && strcmp(only, pr->name))
			continue;
		if (vault_unlocked(pr->v)) {
			vault_lock(pr->v);
			audit("vault.lock", pr->v, pr->name, NULL, "ok");
			log_info("vault %s locked", pr->name);
			wire_put_str(&out, WF_PROFILE, pr->name);
		}
	}
}

static void vault_status(const struct wire_msg *m)
{
	DIR *d = opendir(S.vaults);
	struct dirent *e;
	uint32_t code;

	wire_begin(&out, m->type, WIRE_F_REPLY, m->id);
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char name[80];
		struct prof *pr;

		if (n < 4 || n - 3 >= sizeof(name) || strcmp(e->d_name + n - 3, ".db"))
			continue;
		memcpy(name, e->d_name, n - 3);
		name[n - 3] = 0;
		if (!vault_profile_valid(name) || !(pr = profile(name, &code)))
			continue;
		wire_put_str(&out, WF_PROFILE, name);
		wire_put_str(&out, WF_STATE, vault_unlocked(pr->v) ? "unlocked" : "locked");
	}
	if (d)
		closedir(d);
	send_out();
}

static void handle(const struct wire_msg *m)
{
	char name[80], key[VAULT_MAX_NAME + 1];
	const uint8_t *val;
	uint16_t vlen;
	struct prof *pr;
	uint32_t code;
	uint8_t *secret;
	size_t slen;
	int has_profile = wire_get_str(m, WF_PROFILE, name, sizeof(name)) == 0;

	if (m->flags & WIRE_F_REPLY)
		return;
	if (m->type == WIRE_VAULT_STATUS) {
		vault_status(m);
		return;
	}
	if (m->type == WIRE_LOCK && !has_profile) {
		wire_begin(&out, m->type, WIRE_F_REPLY, m->id);
		lock_profiles(NULL);
		send_out();
		return;
	}
	if (!has_profile || !vault_profile_valid(name)) {
		reply_error(m->id, WIRE_E_BAD_MESSAGE, "a valid profile name is required");
		return;
	}
	switch (m->type) {
	case WIRE_VAULT_INIT:
		password_job(m, JOB_INIT, name);
		return;
	case WIRE_UNLOCK:
		password_job(m, JOB_UNLOCK, name);
		return;
	case WIRE_PASSWD:
		password_job(m, JOB_PASSWD, name);
		return;
	case WIRE_LOCK:
		if (!profile(name, &code)) {
			reply_error(m->id, code, "%s", last_error());
			return;
		}
		wire_begin(&out, m->type, WIRE_F_REPLY, m->id);
		lock_profiles(name);
		send_out();
		return;
	case WIRE_SECRET_GET: case WIRE_SECRET_SET: case WIRE_SECRET_DELETE: case WIRE_SECRET_LIST:
		break;
	default:
		reply_error(m->id, WIRE_E_UNKNOWN_TYPE, "daemon-secrets does not serve %s", wire_type_name(m->type));
		return;
	}
	if (!(pr = profile(name, &code))) {
		reply_error(m->id, code, "%s", last_error());
		return;
	}
	if (!vault_unlocked(pr->v)) {
		audit(wire_type_name(m->type), NULL, name, NULL, "locked");
		reply_error(m->id, WIRE_E_LOCKED, "profile %s is locked (sesame unlock -p %s)", name, name);
		return;
	}
	pr->used = mono_ms();
	if (m->type != WIRE_SECRET_LIST && wire_get_str(m, WF_KEY, key, sizeof(key)) < 0) {
		reply_error(m->id, WIRE_E_BAD_MESSAGE, "a secret name of 1 to %d bytes is required", VAULT_MAX_NAME);
		return;
	}
	wire_begin(&out, m->type, WIRE_F_REPLY, m->id);
	switch (m->type) {
	case WIRE_SECRET_GET:
		if (!(secret = vault_get(pr->v, key, &slen)))
			break;
		wire_put(&out, WF_VALUE, secret, slen);
		secmem_free(secret);
		audit("secret.get", pr->v, name, key, "ok");
		send_out();
		return;
	case WIRE_SECRET_SET:
		if (!wire_find(m, WF_VALUE, &val, &vlen)) {
			fail("a value is required");
			break;
		}
		if (vault_set(pr->v, key, val, vlen) < 0)
			break;
		audit("secret.set", pr->v, name, key, "ok");
		send_out();
		return;
	case WIRE_SECRET_DELETE:
		if (vault_delete(pr->v, key) < 0)
			break;
		audit("secret.delete", pr->v, name, key, "ok");
		send_out();
		return;
	case WIRE_SECRET_LIST:
		if (vault_list(pr->v, add_name, NULL) < 0)
			break;
		if (out.overflow) {
			fail("too many names for one reply");
			break;
		}
		audit("secret.list", pr->v, name, NULL, "ok");
		send_out();
		return;
	}
	audit(wire_type_name(m->type), pr->v, name, m->type == WIRE_SECRET_LIST ? NULL : key,
		vault_not_found() ? "not-found" : "failed");
	reply_error(m->id, vault_not_found() ? WIRE_E_NOT_FOUND : WIRE_E_FAILED, "%s", last_error());
}

int daemon_secrets_main(int argc, char **argv)
{
	char key[PATH_MAX];
	pthread_t th;
	sigset_t set;
	int sfd, stop = 0, ready = 0;
	const char *wd = getenv("WATCHDOG_USEC"), *wpid = getenv("WATCHDOG_PID");
	long long watchdog_ms = wd && (!wpid || atoi(wpid) == getpid()) ? atoll(wd) / 2000 : 0;

	for (int i = 1; i < argc; i++) {
		char *end;
		long v;

		if (strcmp(argv[i], "--idle-lock") || i + 1 == argc)
			usage_error("daemon-secrets", "unexpected argument '%s'", argv[i]);
		v = strtol(argv[++i], &end, 10);
		if (*end || end == argv[i] || v < 0 || v > 86400 * 30)
			usage_error("daemon-secrets", "--idle-lock: seconds from 0 to 2592000");
		S.idle_ms = v * 1000LL;
	}
	if (paths_resolve(&S.p) < 0)
		die("%s", last_error());
	secmem_probe();
	if (paths_join(S.vaults, S.p.data, "vaults") < 0 || paths_mkdir_private(S.vaults) < 0)
		die("daemon-secrets: %s", last_error());
	if (paths_join(key, S.p.runtime, "keys/secrets.key") < 0)
		die("%s", last_error());
	/* Block the signals before the worker exists, so that it inherits the
	 * mask and SIGTERM always reaches the loop (a clean, wiping stop). */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pipe2(S.pipe, O_CLOEXEC) < 0 || pthread_create(&th, NULL, worker, NULL) != 0)
		die("daemon-secrets: cannot start the worker: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		die("signalfd: %s", strerror(errno));
	{
		char ap[PATH_MAX];

		if (paths_join(ap, S.p.data, "audit.jsonl") < 0 || !(S.audit = audit_open(ap)))
			die("daemon-secrets: %s", last_error());
		audit("daemon.start", NULL, NULL, NULL, "ok");
	}
	log_info("serving vaults in %s", S.vaults);
	while (!stop) {
		struct pollfd pf[3] = { { sfd, POLLIN, 0 }, { S.pipe[0], POLLIN, 0 }, { -1, POLLIN, 0 } };

		if (!S.c) {
			/* daemon-profile writes a fresh key at each start: retry. */
			S.c = bus_connect_retry(&S.p, key, 2000);
			if (S.c) {
				log_info("connected to the bus");
				if (!ready++)
					sdnotify("READY=1\nSTATUS=serving vaults");
			}
		}
		pf[2].fd = S.c ? bus_fd(S.c) : -1;
		if (watchdog_ms)
			sdnotify("WATCHDOG=1");
		{
			int idle = idle_lock(), timeout = S.c ? (watchdog_ms ? (int)watchdog_ms : -1) : 200;

			if (idle >= 0 && (timeout < 0 || idle < timeout))
				timeout = idle;
			if (poll(pf, 3, timeout) < 0 && errno != EINTR)
				die("poll: %s", strerror(errno));
		}
		if (pf[0].revents & POLLIN)
			stop = 1;
		if (pf[1].revents & POLLIN) {
			struct job *j;

			if (read(S.pipe[0], &j, sizeof(j)) == sizeof(j))
				finish(j);
		}
		if (S.c && pf[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			struct wire_msg m;

			if (bus_recv(S.c, in, &m, BUS_CLI_TIMEOUT_MS) < 0) {
				log_warn("%s; reconnecting", last_error());
				bus_close(S.c);
				S.c = NULL;
				continue;
			}
			handle(&m);
			sodium_memzero(in, WIRE_HEADER + m.fields_len);
		}
	}
	sdnotify("STOPPING=1");
	log_info("stopping: locking every vault");
	audit("daemon.stop", NULL, NULL, NULL, "ok");
	for (struct prof *pr = S.profiles; pr; pr = pr->next)
		vault_close(pr->v);	/* wipes the keys */
	bus_close(S.c);
	audit_close(S.audit);
	return 0;
}
