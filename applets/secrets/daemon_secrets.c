/* daemon_secrets.c - daemon-secrets: holds the vaults and serves them over
 * the bus as the "secrets" role.
 *
 * One event loop on the bus connection; Argon2id (tens of milliseconds and
 * 19 MiB) runs on one worker thread so that other requests keep being
 * served meanwhile.  Keys and values live in secure memory and are wiped
 * after use; nothing secret is logged.
 */
#include "applets/applet.h"
#include "applets/secrets/sshagent.h"
#include "lib/bus/bus.h"
#include "lib/bus/role.h"
#include "lib/config/config.h"
#include "lib/core/log.h"
#include "lib/core/paths.h"
#include "lib/core/sdnotify.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"
#include "lib/store/audit.h"
#include "lib/store/vault.h"

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

Who may do what: the CLI runs as the vault's owner (the bus checks the
uid), so any unlocked profile is open to it.  A daemon role (launcher,
snippets...) may only read, and only the secrets that
[profiles.NAME.secrets.access] lists for it; with no list, nothing.
daemon-clipboard alone gets, per unlocked profile, the key its history
is sealed with (derived from the vault key, never the vault key).
Reads are rate-limited per client (500 per second, bursts of 1000), so
one client cannot starve the others.  The configuration is reloaded when
it changes; a broken one is logged and the previous one kept.

A password becomes a key through Argon2id, on a thread of its own so the
other clients are served meanwhile.  Its cost is the profile's
[profiles.NAME.secrets] argon2_memory_kib (default 19456, 19 MiB) and
argon2_iterations (default 2), read when the vault is made (init) and
when the password changes (passwd); each vault stores its own, so a
change applies to the next init or passwd of the profile.

  --idle-lock SECONDS   lock a vault that has not been used for this long
                        (default 0: never, the embedded default)
*/

enum job_kind { JOB_INIT, JOB_UNLOCK, JOB_PASSWD, JOB_ENROLL, JOB_REVOKE };
/* Indexes in vault_factor_names. */
enum { F_PASSWORD, F_SSH, F_TPM2, F_KEYFILE };

/* A request that needs its factors' keys: Argon2id for a password runs
 * on the worker; the SSH key is a hash, done on the loop. */
struct job {
	enum job_kind kind;
	uint32_t id;
	uint8_t type;
	char profile[PROFILE_BUF];
	struct vault_kdf kdf;
	uint8_t *pw;		/* secure memory; NULL if no password was given */
	size_t pwlen;
	uint8_t *kek;		/* secure memory, the worker's result */
	struct vault_kdf new_kdf;	/* passwd: the new password's */
	uint8_t *pw2, *kek2;	/* passwd: new password and its kek */
	size_t pw2len;
	uint8_t *sig;		/* secure memory: the agent's signature, if given */
	size_t siglen;
	uint8_t *msecret[2];	/* secure memory: the TPM2 and key-file secrets (32 bytes), if given */
	struct vault_factors *newf;	/* init, enroll: the factors being added */
	int factor;		/* enroll, revoke: which (F_SSH, F_TPM2, F_KEYFILE) */
	int all;		/* init: policy all */
	int failed;
	char err[256];
	long long deadline;	/* WF_DEADLINE: past it, the result is not applied */
	struct job *next;
};

struct prof {
	char name[PROFILE_BUF];
	struct vault *v;
	long long used;		/* monotonic ms of the last unlock or secret request */
	struct prof *next;
};

static struct {
	struct role r;		/* paths, config, bus connection */
	long long idle_ms;	/* 0: no idle lock */
	char vaults[PATH_MAX];
	struct prof *profiles;
	struct audit *audit;
	int pipe[2];		/* worker -> loop: finished jobs */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *queue;
	int queued;
	long long sync_due;	/* audit lines to sync by then; 0: none */
} S = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

/* Reads per caller (a CLI connection, or a role): a token bucket, so one
 * client that floods cannot starve the others.  Generous enough for
 * `sesame env` over a thousand secrets. */
#define READ_RATE 500		/* per second */
/* Audit lines are written before the reply (a crash of the process loses
 * none) and reach the disk within this, in one fdatasync for a burst: a
 * sync per request would put the disk on every client's path.  The sync
 * runs in its own thread (Y): on an SD card it can take longer than the
 * requests it would hold up in the loop. */
#define AUDIT_SYNC_MS 50
#define READ_BURST 1000
#define BUCKETS 256

static struct bucket {
	uint64_t caller;
	double tokens;
	long long last;
} buckets[BUCKETS];

/* Replies carry values and keys: built in secure memory (allocated at
 * start, wiped after each send). */
static struct wire_out *out;

/* One audit line; the key is recorded only as the vault's keyed tag. */
/* Append an event.  -1 if its line could not be written and the log is
 * required (global.audit.required): the caller refuses the operation (or,
 * for a lock, says it went unaudited), the reason set.  Otherwise 0; a
 * line that could not be written is logged, and the next one written
 * says how many were lost. */
static int audit(const char *event, struct vault *v, const char *profile, const char *key,
	const char *outcome)
{
	char tag[17], why[512];
	int has_tag;

	/* A failed operation is audited before its reply is sent: keep its
	 * reason, the one the client must see, if the append fails too. */
	snprintf(why, sizeof(why), "%s", last_error());
	has_tag = key && v && vault_name_tag(v, key, tag) == 0;
	if (!S.sync_due)
		S.sync_due = role_now_ms() + AUDIT_SYNC_MS;
	if (audit_append(S.audit, event, profile, has_tag ? tag : NULL, outcome) == 0)
		return 0;
	log_error("%s", last_error());
	/* Only what would be done is refused; a failure stays a failure,
	 * with its own reason. */
	if (audit_required(S.audit) && !strcmp(outcome, "ok"))
		return fail("%s; global.audit.required refuses what cannot be audited", last_error());
	fail("%s", why);
	return 0;
}

/* A change's audit line on disk before the change is: a power cut may
 * lose the lines of the last reads (synced within AUDIT_SYNC_MS), never
 * that of a change the client was told is done.  -1 (the reason set) if
 * the log is required and the line cannot be synced. */
static int audit_durable(void)
{
	if (audit_sync(S.audit) == 0)
		return 0;
	log_error("%s", last_error());
	if (audit_required(S.audit))
		return fail("%s; global.audit.required refuses what cannot be audited", last_error());
	return 0;
}

/* The audit syncer: fdatasync of the descriptor handed over, until stop. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fd;			/* to sync; -1: nothing */
	int stop;
} Y = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, -1, 0 };

static void *syncer(void *arg)
{
	(void)arg;
	for (;;) {
		int fd;

		pthread_mutex_lock(&Y.lock);
		while (Y.fd < 0 && !Y.stop)
			pthread_cond_wait(&Y.cond, &Y.lock);
		fd = Y.fd;
		Y.fd = -1;
		pthread_mutex_unlock(&Y.lock);
		if (fd < 0)
			return NULL;
		if (fdatasync(fd) < 0)
			log_error("audit: cannot sync: %s", strerror(errno));
	}
}

static void sync_audit(int stop)
{
	int fd = audit_sync_fd(S.audit);

	pthread_mutex_lock(&Y.lock);
	if (fd >= 0)
		Y.fd = fd;
	Y.stop = stop;
	pthread_cond_signal(&Y.cond);
	pthread_mutex_unlock(&Y.lock);
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
		if ((j->pw && (!(j->kek = secmem_alloc(VAULT_KEYLEN)) ||
		     vault_derive_kek(&j->kdf, j->pw, j->pwlen, j->kek) < 0)) ||
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

/* Replies may hold a value: wiped once sent. */
static void send_out(void)
{
	role_send(&S.r, out);
	sodium_memzero(out->buf, out->len);
}

#define reply_error(...) role_reply_error(&S.r, __VA_ARGS__)

static void reply_ok(uint8_t type, uint32_t id, const char *text)
{
	wire_begin(out, type, WIRE_F_REPLY, id);
	if (text)
		wire_put_str(out, WF_TEXT, text);
	send_out();
}

static int vault_file(const char *profile, char path[PATH_MAX])
{
	char name[80];

	snprintf(name, sizeof(name), "%s.db", profile);
	return paths_join(path, S.vaults, name);
}

/* Argon2id's cost for a new password key of profile (init, passwd), with
 * a fresh salt: the profile's configuration, checked in range on load. */
static void new_kdf(const char *profile, struct vault_kdf *kdf)
{
	char path[160];

	vault_kdf_defaults(kdf);
	snprintf(path, sizeof(path), "profiles.%s.secrets.argon2_memory_kib", profile);
	kdf->memlimit_kib = (uint32_t)config_int(S.r.conf, path, kdf->memlimit_kib);
	snprintf(path, sizeof(path), "profiles.%s.secrets.argon2_iterations", profile);
	kdf->opslimit = (uint32_t)config_int(S.r.conf, path, kdf->opslimit);
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
		*code = last_code() == ERR_NOT_FOUND ? WIRE_E_NOT_FOUND : WIRE_E_FAILED;
		if (*code == WIRE_E_NOT_FOUND)
			fail_code(ERR_NOT_FOUND, "no vault for profile %s (sesame init -p %s)", name, name);
		return NULL;
	}
	pr = xcalloc(1, sizeof(*pr));
	strcpy(pr->name, name);
	pr->v = v;
	pr->next = S.profiles;
	S.profiles = pr;
	return pr;
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
	secmem_free(j->sig);
	secmem_free(j->msecret[0]);
	secmem_free(j->msecret[1]);
	free(j->newf);
	free(j);
}

static void record_failure(struct prof *pr, const char *what)
{
	uint64_t wait;

	if (vault_unlock_failed(pr->v, role_wall_ms()) < 0)
		log_error("cannot record a failed %s of %s: %s", what, pr->name, last_error());
	wait = vault_unlock_wait(pr->v, role_wall_ms());
	log_warn("failed %s of profile %s (%u in a row; next attempt in %llu ms)", what, pr->name,
		vault_unlock_failures(pr->v), (unsigned long long)wait);
}

static const char *wrong_outcome(const struct vault_keys *k)
{
	int n = !!k->password + !!k->ssh + !!k->tpm2 + !!k->keyfile;

	return n > 1 ? (k->password ? "wrong-password-or-key" : "wrong-key") : k->password ? "wrong-password" :
		k->ssh ? "wrong-key" : k->tpm2 ? "wrong-tpm2-key" : "wrong-keyfile";
}

/* The keys a job's factors give (secure memory in *mem, secmem_free it):
 * for init, and the factor an enroll adds, the new ones; stored: the
 * vault's factors (NULL for init).  -1 with a reason. */
static int job_keys(const struct job *j, const struct vault_factors *stored, struct vault_keys *k, uint8_t **mem)
{
	const uint8_t *nonce = NULL;

	memset(k, 0, sizeof(*k));
	if (!(*mem = secmem_alloc(3 * VAULT_KEYLEN)))
		return -1;
	k->password = j->pw ? j->kek : NULL;
	if (j->sig) {
		if (j->kind == JOB_INIT || (j->kind == JOB_ENROLL && j->factor == F_SSH))
			nonce = j->newf->ssh_nonce;
		else if (stored && stored->ssh)
			nonce = stored->ssh_nonce;
		else
			return fail("profile %s has no SSH key enrolled", j->profile);
		vault_ssh_kek(nonce, j->sig, j->siglen, *mem);
		k->ssh = *mem;
	}
	for (int i = 0; i < 2; i++) {
		if (!j->msecret[i])
			continue;
		vault_secret_kek(vault_factor_names[F_TPM2 + i], j->profile, j->msecret[i], *mem + (1 + i) * VAULT_KEYLEN);
		*(i ? &k->keyfile : &k->tpm2) = *mem + (1 + i) * VAULT_KEYLEN;
	}
	return 0;
}

static const uint8_t **key_of(struct vault_keys *k, int factor)
{
	return factor == F_PASSWORD ? &k->password : factor == F_SSH ? &k->ssh : factor == F_TPM2 ? &k->tpm2 :
		&k->keyfile;
}

static int *has_of(struct vault_factors *f, int factor)
{
	return factor == F_PASSWORD ? &f->password : factor == F_SSH ? &f->ssh : factor == F_TPM2 ? &f->tpm2 :
		&f->keyfile;
}

static const char *const job_event[] = {
	[JOB_INIT] = "vault.init", [JOB_UNLOCK] = "vault.unlock", [JOB_PASSWD] = "vault.passwd",
	[JOB_ENROLL] = "factor.enroll", [JOB_REVOKE] = "factor.revoke",
};

/* passwd, enroll, revoke: the keys given must open the vault (they count
 * toward the backoff); then its factors are written anew.  keys: all the
 * job gave; an enroll's new factor's key is taken out of the proof. */
static void finish_factors(struct job *j, struct prof *pr, struct vault_factors *f, const struct vault_keys *keys)
{
	static const char *const label[] = { "password", "SSH key", "TPM2 key", "key file" };
	int was_locked = !vault_unlocked(pr->v), n;
	struct vault_keys proof = *keys, nk = *keys;
	const char *done = "changed";

	if (j->kind == JOB_ENROLL)
		*key_of(&proof, j->factor) = NULL;
	if ((was_locked ? vault_unlock_keys(pr->v, &proof) : vault_verify_keys(pr->v, &proof)) < 0) {
		char why[300];

		snprintf(why, sizeof(why), "%s", last_error());
		record_failure(pr, job_event[j->kind]);
		audit(job_event[j->kind], pr->v, pr->name, NULL, wrong_outcome(&proof));
		reply_error(j->id, WIRE_E_DENIED, "%s", why);
		return;
	}
	vault_unlock_succeeded(pr->v);
	if (j->kind == JOB_PASSWD) {
		nk.password = j->kek2;
	} else if (j->kind == JOB_ENROLL) {
		*has_of(f, j->factor) = 1;
		if (j->factor == F_SSH) {
			memcpy(f->ssh_key, j->newf->ssh_key, j->newf->ssh_key_len);
			f->ssh_key_len = j->newf->ssh_key_len;
			memcpy(f->ssh_nonce, j->newf->ssh_nonce, 32);
		} else if (j->factor == F_TPM2) {
			memcpy(f->tpm2_data, j->newf->tpm2_data, f->tpm2_len = j->newf->tpm2_len);
		} else {
			memcpy(f->keyfile_data, j->newf->keyfile_data, f->keyfile_len = j->newf->keyfile_len);
		}
		done = "enrolled";
	} else {
		n = f->password + f->ssh + f->tpm2 + f->keyfile;
		if (!*has_of(f, j->factor) || n == 1) {
			reply_error(j->id, WIRE_E_FAILED, !*has_of(f, j->factor) ? "profile %s has no %s enrolled" :
				"the %s is the only factor of profile %s; revoking it would lose the vault",
				!*has_of(f, j->factor) ? pr->name : label[j->factor],
				!*has_of(f, j->factor) ? label[j->factor] : pr->name);
			goto relock;
		}
		*has_of(f, j->factor) = 0;
		*key_of(&nk, j->factor) = NULL;
		done = "revoked";
	}
	if (vault_set_factors(pr->v, j->kind == JOB_PASSWD ? &j->new_kdf : NULL, f, &nk) < 0) {
		audit(job_event[j->kind], pr->v, pr->name, NULL, "failed");
		reply_error(j->id, WIRE_E_FAILED, "%s", last_error());
	} else {
		audit(job_event[j->kind], pr->v, pr->name, NULL, "ok");
		log_info("%s of vault %s: %s %s", job_event[j->kind], pr->name, label[j->kind == JOB_PASSWD ? 0 : j->factor], done);
		reply_ok(j->type, j->id, done);
	}
relock:
	if (was_locked)
		vault_lock(pr->v);
}

static void finish_init(struct job *j)
{
	struct vault_factors *f = j->newf;
	struct vault_keys keys;
	uint8_t *mem = NULL;
	char path[PATH_MAX];
	struct vault *v;
	struct prof *pr;

	f->password = j->pw != NULL;
	f->all = j->all;
	if (job_keys(j, NULL, &keys, &mem) < 0) {
		reply_error(j->id, WIRE_E_FAILED, "%s", last_error());
	} else if (vault_file(j->profile, path) < 0 ||
	    !(v = vault_create_factors(path, j->profile, &j->kdf, f, &keys))) {
		audit("vault.init", NULL, j->profile, NULL, "failed");
		reply_error(j->id, strstr(last_error(), "already exists") ? WIRE_E_EXISTS : WIRE_E_FAILED,
			"%s", last_error());
	} else if (audit("vault.init", v, j->profile, NULL, "ok") < 0 || audit_durable() < 0) {
		char file[PATH_MAX + 8];

		reply_error(j->id, WIRE_E_FAILED, "%s", last_error());
		vault_close(v);	/* and gone again: nothing unaudited stays */
		unlink(path);
		snprintf(file, sizeof(file), "%s-wal", path);
		unlink(file);
		snprintf(file, sizeof(file), "%s-shm", path);
		unlink(file);
	} else {
		pr = xcalloc(1, sizeof(*pr));
		strcpy(pr->name, j->profile);
		pr->v = v;
		pr->used = role_now_ms();
		pr->next = S.profiles;
		S.profiles = pr;
		log_info("vault %s created (factors:%s%s%s%s, policy %s) and unlocked", j->profile,
			f->password ? " password" : "", f->ssh ? " ssh" : "", f->tpm2 ? " tpm2" : "",
			f->keyfile ? " keyfile" : "", f->all ? "all" : "any");
		reply_ok(j->type, j->id, "created");
	}
	secmem_free(mem);
}

static void finish(struct job *j)
{
	struct vault_factors *f = NULL;
	struct vault_keys keys;
	uint8_t *mem = NULL;
	struct prof *pr;
	uint32_t code;

	if (j->failed) {
		reply_error(j->id, WIRE_E_FAILED, "%s", j->err);
	} else if (j->deadline && role_now_ms() >= j->deadline) {
		/* The requester gave up (wire.h, WF_DEADLINE): no unlock,
		 * init or new password behind its back. */
		log_info("not applying %s for profile %s: its deadline passed while it was computed",
			wire_type_name(j->type), j->profile);
		reply_error(j->id, WIRE_E_TIMEOUT, "the deadline passed while the key was derived; nothing changed");
	} else if (j->kind == JOB_INIT) {
		finish_init(j);
	} else if (!(pr = profile(j->profile, &code))) {
		reply_error(j->id, code, "%s", last_error());
	} else if (vault_get_factors(pr->v, f = xmalloc(sizeof(*f))) < 0) {
		reply_error(j->id, WIRE_E_FAILED, "%s", last_error());
	} else if (job_keys(j, f, &keys, &mem) < 0) {
		reply_error(j->id, WIRE_E_DENIED, "%s", last_error());
	} else if (j->kind != JOB_UNLOCK) {
		finish_factors(j, pr, f, &keys);
	} else if (vault_unlocked(pr->v)) {
		reply_ok(j->type, j->id, "already unlocked");
	} else if (vault_unlock_keys(pr->v, &keys) < 0) {
		char why[300];

		snprintf(why, sizeof(why), "%s", last_error());
		record_failure(pr, "unlock");
		audit("vault.unlock", pr->v, pr->name, NULL, wrong_outcome(&keys));
		reply_error(j->id, WIRE_E_DENIED, "%s", why);
	} else if (audit("vault.unlock", pr->v, pr->name, NULL, "ok") < 0) {
		vault_lock(pr->v);	/* what cannot be audited is not done */
		reply_error(j->id, WIRE_E_FAILED, "%s", last_error());
	} else {
		if (vault_unlock_succeeded(pr->v) < 0)
			log_error("cannot reset the unlock backoff of %s: %s", j->profile, last_error());
		pr->used = role_now_ms();
		log_info("vault %s unlocked (by:%s%s%s%s)", j->profile, keys.password ? " password" : "",
			keys.ssh ? " ssh" : "", keys.tpm2 ? " tpm2" : "", keys.keyfile ? " keyfile" : "");
		reply_ok(j->type, j->id, "unlocked");
	}
	secmem_free(mem);
	free(f);
	job_free(j);
}

/* The new factors of an init or enroll request: an SSH key, whose
 * signature of the vault's challenge is checked where it can be
 * (Ed25519); a TPM2 or key-file factor's data (its secret was taken). */
static int take_new_factors(const struct wire_msg *m, struct job *j)
{
	const uint8_t *key, *nonce, *d;
	uint16_t kl, nl, dl;
	uint8_t challenge[160];
	size_t cl;

	j->newf = xcalloc(1, sizeof(*j->newf));
	for (int i = 0; i < 2; i++) {
		if (!wire_find(m, i ? WF_KEYFILE_DATA : WF_TPM2_DATA, &d, &dl))
			continue;
		if (!dl || dl > VAULT_MAX_FACTOR_DATA || !j->msecret[i])
			return fail("a %s factor needs its data (1 to %d bytes) and its secret", i ? "key-file" : "TPM2",
				VAULT_MAX_FACTOR_DATA);
		memcpy(i ? j->newf->keyfile_data : j->newf->tpm2_data, d, dl);
		*(i ? &j->newf->keyfile_len : &j->newf->tpm2_len) = dl;
		*(i ? &j->newf->keyfile : &j->newf->tpm2) = 1;
	}
	if (!wire_find(m, WF_SSH_KEY, &key, &kl))
		return 0;
	if (kl == 0 || kl > VAULT_MAX_SSH_KEY || !wire_find(m, WF_SSH_NONCE, &nonce, &nl) || nl != 32 || !j->sig)
		return fail("an SSH key needs its nonce (32 bytes) and the agent's signature");
	memcpy(j->newf->ssh_key, key, kl);
	j->newf->ssh_key_len = kl;
	memcpy(j->newf->ssh_nonce, nonce, 32);
	j->newf->ssh = 1;
	cl = vault_ssh_challenge(j->profile, nonce, challenge, sizeof(challenge));
	if (ssh_signature_check(key, kl, j->sig, j->siglen, challenge, cl) < 0)
		return fail("the signature does not match the SSH key");
	return 0;
}

/* Requests that need factors: checks, then the worker. */
static void auth_job(const struct wire_msg *m, enum job_kind kind, const char *name)
{
	const uint8_t *pw, *sig, *ms[2];
	uint16_t pwlen = 0, siglen = 0, msl[2] = { 0, 0 };
	char policy[8] = "any", factor[16] = "ssh";
	struct job *j;
	struct prof *pr;
	uint32_t code;
	int has_pw = wire_find(m, WF_PASSWORD, &pw, &pwlen) && pwlen > 0;
	int has_sig = wire_find(m, WF_SSH_SIG, &sig, &siglen) && siglen > 0;
	int has_ms[2] = { wire_find(m, WF_TPM2_SECRET, &ms[0], &msl[0]), wire_find(m, WF_KEYFILE_SECRET, &ms[1], &msl[1]) };
	int queued, nf;
	uint64_t dl;

	pthread_mutex_lock(&S.lock);	/* the worker takes jobs off meanwhile */
	queued = S.queued;
	pthread_mutex_unlock(&S.lock);
	if (queued >= 16) {
		reply_error(m->id, WIRE_E_BUSY, "too many unlocks in progress");
		return;
	}
	if ((has_ms[0] && msl[0] != 32) || (has_ms[1] && msl[1] != 32)) {
		reply_error(m->id, WIRE_E_BAD_MESSAGE, "a TPM2 or key-file secret is 32 bytes");
		return;
	}
	nf = has_pw + has_sig + has_ms[0] + has_ms[1];
	if (kind == JOB_PASSWD ? !has_pw : !nf) {
		reply_error(m->id, WIRE_E_BAD_MESSAGE, kind == JOB_PASSWD ? "the password is required" :
			"a password, an SSH signature, a TPM2 or a key-file secret is required");
		return;
	}
	j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	j->id = m->id;
	if (wire_get_u64(m, WF_DEADLINE, &dl) == 0)
		j->deadline = (long long)(dl & INT64_MAX);
	j->type = m->type;
	strcpy(j->profile, name);
	if ((has_pw && !(j->pw = secmem_dup(pw, pwlen))) || (has_sig && !(j->sig = secmem_dup(sig, siglen))) ||
	    (has_ms[0] && !(j->msecret[0] = secmem_dup(ms[0], 32))) ||
	    (has_ms[1] && !(j->msecret[1] = secmem_dup(ms[1], 32)))) {
		job_free(j);
		reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	j->pwlen = pwlen;
	j->siglen = siglen;
	if (kind == JOB_ENROLL || kind == JOB_REVOKE) {
		const uint8_t *fv;
		uint16_t fl;

		if (wire_find(m, WF_FACTOR, &fv, &fl) && wire_get_str(m, WF_FACTOR, factor, sizeof(factor)) < 0)
			factor[0] = 0;
		j->factor = !strcmp(factor, "ssh") ? F_SSH : !strcmp(factor, "tpm2") ? F_TPM2 :
			!strcmp(factor, "keyfile") ? F_KEYFILE : -1;
		if (j->factor < 0) {
			job_free(j);
			reply_error(m->id, WIRE_E_BAD_MESSAGE, "the factor to %s is ssh, tpm2 or keyfile",
				kind == JOB_ENROLL ? "enroll" : "revoke");
			return;
		}
	}
	if ((kind == JOB_INIT || kind == JOB_ENROLL) && take_new_factors(m, j) < 0) {
		job_free(j);
		reply_error(m->id, WIRE_E_BAD_MESSAGE, "%s", last_error());
		return;
	}
	if (kind == JOB_ENROLL && (!*has_of(j->newf, j->factor) || nf < 2)) {
		job_free(j);
		reply_error(m->id, WIRE_E_BAD_MESSAGE, !*has_of(j->newf, j->factor) ? "the %s factor to enroll is missing" :
			"enrolling the %s factor needs another factor to prove the request", vault_factor_names[j->factor]);
		return;
	}
	if (kind == JOB_INIT) {
		char path[PATH_MAX];
		int n = !!j->pw + j->newf->ssh + j->newf->tpm2 + j->newf->keyfile;

		wire_get_str(m, WF_POLICY, policy, sizeof(policy));
		j->all = !strcmp(policy, "all");
		if ((strcmp(policy, "any") && !j->all) || (j->all && n < 2) || !n || n != nf) {
			job_free(j);
			reply_error(m->id, WIRE_E_BAD_MESSAGE, n != nf ? "each factor given needs its data" :
				"policy must be \"any\" or \"all\"; \"all\" needs two factors or more");
			return;
		}
		if (vault_file(name, path) < 0 || access(path, F_OK) == 0) {
			job_free(j);
			reply_error(m->id, WIRE_E_EXISTS, "vault %s already exists; refusing to overwrite it", name);
			return;
		}
		new_kdf(name, &j->kdf);
	} else {
		uint64_t wait;

		if (!(pr = profile(name, &code))) {
			job_free(j);
			reply_error(m->id, code, "%s", last_error());
			return;
		}
		if (kind == JOB_UNLOCK && vault_unlocked(pr->v)) {
			job_free(j);
			reply_ok(m->type, m->id, "already unlocked");
			return;
		}
		if ((wait = vault_unlock_wait(pr->v, role_wall_ms()))) {
			job_free(j);
			audit(job_event[kind], pr->v, name, NULL, "backoff");
			reply_error(m->id, WIRE_E_DENIED, "too many wrong passwords for profile %s; "
				"try again in %llu s", name, (unsigned long long)(wait + 999) / 1000);
			return;
		}
		if (j->pw && vault_kdf_params(pr->v, &j->kdf) < 0) {
			job_free(j);
			reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
			return;
		}
	}
	if (kind == JOB_PASSWD) {
		const uint8_t *np;
		uint16_t nplen;

		if (!wire_find(m, WF_NEW_PASSWORD, &np, &nplen) || nplen == 0) {
			job_free(j);
			reply_error(m->id, WIRE_E_BAD_MESSAGE, "a new password is required");
			return;
		}
		new_kdf(name, &j->new_kdf);	/* a fresh salt */
		if (!(j->pw2 = secmem_dup(np, nplen))) {
			job_free(j);
			reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
			return;
		}
		j->pw2len = nplen;
	}
	queue_job(j);
}

/* Which factors a vault has, so the CLI knows what to ask for. */
static void vault_auth(const struct wire_msg *m, const char *name)
{
	struct vault_factors *f = xmalloc(sizeof(*f));
	struct prof *pr;
	uint32_t code;

	if (!(pr = profile(name, &code))) {
		reply_error(m->id, code, "%s", last_error());
	} else if (vault_get_factors(pr->v, f) < 0) {
		reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
	} else {
		wire_begin(out, m->type, WIRE_F_REPLY, m->id);
		wire_put_str(out, WF_POLICY, f->all ? "all" : "any");
		wire_put_str(out, WF_STATE, vault_unlocked(pr->v) ? "unlocked" : "locked");
		if (f->password)
			wire_put_str(out, WF_FACTOR, "password");
		if (f->ssh) {
			wire_put_str(out, WF_FACTOR, "ssh");
			wire_put(out, WF_SSH_KEY, f->ssh_key, f->ssh_key_len);
			wire_put(out, WF_SSH_NONCE, f->ssh_nonce, 32);
		}
		if (f->tpm2) {
			wire_put_str(out, WF_FACTOR, "tpm2");
			wire_put(out, WF_TPM2_DATA, f->tpm2_data, f->tpm2_len);
		}
		if (f->keyfile) {
			wire_put_str(out, WF_FACTOR, "keyfile");
			wire_put(out, WF_KEYFILE_DATA, f->keyfile_data, f->keyfile_len);
		}
		send_out();
	}
	free(f);
}

/* Lock vaults idle for longer than --idle-lock; returns the ms until the
 * next one would be due (for poll), or -1 if none is unlocked. */
static int idle_lock(void)
{
	long long now = role_now_ms(), next = -1;

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

/* Locks whatever the audit log says: locking is the safe way.  -1 if a
 * lock could not be audited and the log is required: the caller says so. */
static int lock_profiles(const char *only)
{
	int r = 0;

	for (struct prof *pr = S.profiles; pr; pr = pr->next) {
		if (only && strcmp(only, pr->name))
			continue;
		if (vault_unlocked(pr->v)) {
			vault_lock(pr->v);
			if (audit("vault.lock", pr->v, pr->name, NULL, "ok") < 0)
				r = -1;
			log_info("vault %s locked", pr->name);
			wire_put_str(out, WF_PROFILE, pr->name);
		}
	}
	return r;
}

static void vault_status(const struct wire_msg *m)
{
	DIR *d = opendir(S.vaults);
	struct dirent *e;
	uint32_t code;

	wire_begin(out, m->type, WIRE_F_REPLY, m->id);
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char name[80];
		struct prof *pr;

		if (n < 4 || n - 3 >= sizeof(name) || strcmp(e->d_name + n - 3, ".db"))
			continue;
		memcpy(name, e->d_name, n - 3);
		name[n - 3] = 0;
		if (!profile_name_valid(name))
			continue;
		/* A vault that cannot be opened (damaged, not a vault) is
		 * shown as such, not left out as if there were none. */
		if (!(pr = profile(name, &code)) && code == WIRE_E_NOT_FOUND)
			continue;
		wire_put_str(out, WF_PROFILE, name);
		wire_put_str(out, WF_STATE, !pr ? "unreadable" : vault_unlocked(pr->v) ? "unlocked" : "locked");
	}
	if (d)
		closedir(d);
	wire_put_str(out, WF_SANDBOX, sandbox_describe());
	wire_put_u32(out, WF_PID, (uint32_t)getpid());
	send_out();
}

/* 1 if this caller may read now. */
static int rate_ok(uint64_t caller)
{
	long long now = role_now_ms();
	struct bucket *b = NULL, *oldest = &buckets[0];

	for (size_t i = 0; i < BUCKETS; i++) {
		if (buckets[i].caller == caller) {
			b = &buckets[i];
			break;
		}
		if (buckets[i].last < oldest->last)
			oldest = &buckets[i];
	}
	if (!b) {
		/* A caller not seen lately starts full; the stalest slot goes. */
		b = oldest;
		*b = (struct bucket){ caller, READ_BURST, now };
	}
	b->tokens += (double)(now - b->last) * READ_RATE / 1000.0;
	if (b->tokens > READ_BURST)
		b->tokens = READ_BURST;
	b->last = now;
	if (b->tokens < 1)
		return 0;
	b->tokens -= 1;
	return 1;
}

/* The rule: the CLI runs as the vault's owner (the bus checked the uid),
 * so an unlocked profile is open to it.  A role may only read, and only
 * the names that [profiles.<p>.secrets.access] lists for it; with no
 * such list it may read nothing. */
static int acl_allows(const char *role, const char *profile, const char *key)
{
	char path[160];
	const char *s;

	if (!strcmp(role, "cli"))
		return 1;
	snprintf(path, sizeof(path), "profiles.%s.secrets.access.%s", profile, role);
	for (size_t i = 0; (s = config_strv(S.r.conf, path, i)); i++)
		if (!key || !strcmp(s, key))
			return 1;
	return 0;
}

/* A list is sent a page at a time: the names after l->after (sorted, as
 * vault_list gives them) that fit in one reply, with WF_MORE if some are
 * left; the client asks again from the last name it got. */
struct list_ctx {
	const char *role, *profile;	/* role: NULL for the CLI, which may see all */
	char after[VAULT_MAX_NAME + 1];
	int more;
};

static int add_listed(const char *name, void *vctx)
{
	struct list_ctx *l = vctx;
	size_t room = sizeof(out->buf) - out->len;

	if (strcmp(name, l->after) <= 0 || (l->role && !acl_allows(l->role, l->profile, name)))
		return 0;
	if (4 + strlen(name) + 4 + 4 > room) {	/* keep room for WF_MORE */
		l->more = 1;
		return 1;
	}
	wire_put_str(out, WF_KEY, name);
	return 0;
}

static void list_secrets(const struct wire_msg *m, struct prof *pr, const char *name, const char *role)
{
	struct list_ctx l = { strcmp(role, "cli") ? role : NULL, name, "", 0 };
	const uint8_t *v;
	uint16_t len;

	if (wire_find(m, WF_AFTER, &v, &len) && wire_get_str(m, WF_AFTER, l.after, sizeof(l.after)) < 0) {
		reply_error(m->id, WIRE_E_BAD_MESSAGE, "a list continues after a name of at most %d bytes",
			VAULT_MAX_NAME);
		return;
	}
	wire_begin(out, m->type, WIRE_F_REPLY, m->id);
	if (vault_list(pr->v, add_listed, &l) < 0) {
		audit("secret.list", pr->v, name, NULL, "failed");
		reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	if (l.more)
		wire_put_u32(out, WF_MORE, 1);
	if (audit("secret.list", pr->v, name, NULL, "ok") < 0) {
		reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	send_out();
}

/* The history key, for daemon-clipboard alone (the hub stamps who asks). */
static void clipboard_key(const struct wire_msg *m, const char *name)
{
	char role[32] = "";
	uint8_t key[VAULT_KEYLEN];
	struct prof *pr;
	uint32_t code;

	wire_get_str(m, WF_CALLER_ROLE, role, sizeof(role));
	if (strcmp(role, "clipboard")) {
		reply_error(m->id, WIRE_E_DENIED, "only daemon-clipboard may have the clipboard key");
		return;
	}
	if (!(pr = profile(name, &code))) {
		reply_error(m->id, code, "%s", last_error());
		return;
	}
	if (vault_clipboard_key(pr->v, key) < 0) {
		reply_error(m->id, WIRE_E_LOCKED, "profile %s is locked (sesame unlock -p %s)", name, name);
		return;
	}
	/* Not a use for --idle-lock: copying text is not using secrets. */
	wire_begin(out, m->type, WIRE_F_REPLY, m->id);
	wire_put(out, WF_VALUE, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	send_out();
}

/* A set (val) or delete (val NULL), committed only once its audit line is
 * written and synced: where the log is required, a change that cannot be
 * audited is undone and refused.  1 if answered; 0 to answer with the
 * failure. */
static int audited_change(uint32_t id, struct prof *pr, const char *name, const char *key, const char *event,
	const uint8_t *val, size_t vlen)
{
	if (vault_bulk_begin(pr->v) < 0)
		return 0;
	if ((val ? vault_set(pr->v, key, val, vlen) : vault_delete(pr->v, key)) < 0) {
		vault_bulk_abort(pr->v);
		return 0;
	}
	if (audit(event, pr->v, name, key, "ok") < 0 || audit_durable() < 0) {
		vault_bulk_abort(pr->v);
		reply_error(id, WIRE_E_FAILED, "%s", last_error());
		return 1;
	}
	if (vault_bulk_end(pr->v) < 0)
		return 0;
	send_out();
	return 1;
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
		wire_begin(out, m->type, WIRE_F_REPLY, m->id);
		if (lock_profiles(NULL) < 0) {
			reply_error(m->id, WIRE_E_FAILED, "locked, but not audited: %s", last_error());
			return;
		}
		send_out();
		return;
	}
	if (!has_profile || !profile_name_valid(name)) {
		reply_error(m->id, WIRE_E_BAD_MESSAGE, "a valid profile name is required");
		return;
	}
	switch (m->type) {
	case WIRE_VAULT_INIT:
		auth_job(m, JOB_INIT, name);
		return;
	case WIRE_UNLOCK:
		auth_job(m, JOB_UNLOCK, name);
		return;
	case WIRE_PASSWD:
		auth_job(m, JOB_PASSWD, name);
		return;
	case WIRE_SSH_ENROLL:
		auth_job(m, JOB_ENROLL, name);
		return;
	case WIRE_SSH_REVOKE:
		auth_job(m, JOB_REVOKE, name);
		return;
	case WIRE_VAULT_AUTH:
		vault_auth(m, name);
		return;
	case WIRE_LOCK:
		if (!profile(name, &code)) {
			reply_error(m->id, code, "%s", last_error());
			return;
		}
		wire_begin(out, m->type, WIRE_F_REPLY, m->id);
		if (lock_profiles(name) < 0) {
			reply_error(m->id, WIRE_E_FAILED, "locked, but not audited: %s", last_error());
			return;
		}
		send_out();
		return;
	case WIRE_CLIPBOARD_KEY:
		clipboard_key(m, name);
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
	pr->used = role_now_ms();
	if (m->type != WIRE_SECRET_LIST && wire_get_str(m, WF_KEY, key, sizeof(key)) < 0) {
		reply_error(m->id, WIRE_E_BAD_MESSAGE, "a secret name of 1 to %d bytes is required", VAULT_MAX_NAME);
		return;
	}
	{
		char role[32] = "cli";
		uint64_t caller = 0;

		/* The hub stamps every request; without a stamp, treat it as the CLI. */
		wire_get_str(m, WF_CALLER_ROLE, role, sizeof(role));
		wire_get_u64(m, WF_CALLER, &caller);
		if (strcmp(role, "cli") && ((m->type != WIRE_SECRET_GET && m->type != WIRE_SECRET_LIST) ||
		    !acl_allows(role, name, m->type == WIRE_SECRET_GET ? key : NULL))) {
			audit(wire_type_name(m->type), pr->v, name, m->type == WIRE_SECRET_LIST ? NULL : key, "denied");
			reply_error(m->id, WIRE_E_DENIED, m->type == WIRE_SECRET_GET || m->type == WIRE_SECRET_LIST ?
				"daemon-%s may not read this from profile %s (see [profiles.%s.secrets.access])" :
				"daemon-%s may only read secrets of profile %s (writes are for the CLI)%.0s",
				role, name, name);
			return;
		}
		if ((m->type == WIRE_SECRET_GET || m->type == WIRE_SECRET_LIST) && !rate_ok(caller)) {
			audit(wire_type_name(m->type), pr->v, name, NULL, "rate-limited");
			reply_error(m->id, WIRE_E_BUSY, "too many reads from this client (%d per second); "
				"try again shortly", READ_RATE);
			return;
		}
		if (m->type == WIRE_SECRET_LIST) {
			list_secrets(m, pr, name, role);
			return;
		}
	}
	wire_begin(out, m->type, WIRE_F_REPLY, m->id);
	switch (m->type) {
	case WIRE_SECRET_GET:
		if (!(secret = vault_get(pr->v, key, &slen)))
			break;
		wire_put(out, WF_VALUE, secret, slen);
		secmem_free(secret);
		if (audit("secret.get", pr->v, name, key, "ok") < 0) {
			sodium_memzero(out->buf, out->len);
			reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
			return;
		}
		send_out();
		return;
	case WIRE_SECRET_SET:
		if (!wire_find(m, WF_VALUE, &val, &vlen)) {
			fail("a value is required");
			break;
		}
		if (audited_change(m->id, pr, name, key, "secret.set", val, vlen))
			return;
		break;
	case WIRE_SECRET_DELETE:
		if (audited_change(m->id, pr, name, key, "secret.delete", NULL, 0))
			return;
		break;
	}
	{
		/* The failure's kind and reason, before audit() may record its own. */
		int not_found = last_code() == ERR_NOT_FOUND;
		char why[512];

		snprintf(why, sizeof(why), "%s", last_error());
		audit(wire_type_name(m->type), pr->v, name, key, not_found ? "not-found" : "failed");
		reply_error(m->id, not_found ? WIRE_E_NOT_FOUND : WIRE_E_FAILED, "%s", why);
	}
}

/* Vaults and the audit log (data), the config (read), the runtime
 * directory (read: keys; the bus socket needs no right to connect). */
static void enter_sandbox(void)
{
	const struct sandbox_path paths[] = {
		{ S.r.p.data, SB_READ | SB_WRITE }, { "/etc/localtime", SB_READ }, { "/usr/share/zoneinfo", SB_READ },
	};

	xrole_load_sqlite(&S.r);
	xrole_sandbox(&S.r, paths, ARRAY_LEN(paths));
}

/* A poll timeout (-1: none) shortened to reach due (monotonic ms; 0: none). */
static int sooner(int timeout, long long due)
{
	long long wait = due - role_now_ms();

	if (!due)
		return timeout;
	if (wait < 0)
		wait = 0;
	return timeout < 0 || wait < timeout ? (int)wait : timeout;
}

int daemon_secrets_main(int argc, char **argv)
{
	pthread_t th, sync_th;
	int stop = 0, e;

	for (int i = 1; i < argc; i++) {
		long long v;

		if (strcmp(argv[i], "--idle-lock") || i + 1 == argc)
			usage_error("daemon-secrets", "unexpected argument '%s'", argv[i]);
		if (parse_range(argv[++i], 0, 86400 * 30, &v) < 0)
			usage_error("daemon-secrets", "--idle-lock (seconds): %s", last_error());
		S.idle_ms = v * 1000LL;
	}
	if (sandbox_limits() < 0)
		die("daemon-secrets: %s", last_error());
	/* Blocks SIGTERM before the worker exists, so that it inherits the
	 * mask and SIGTERM always reaches the loop (a clean, wiping stop). */
	xrole_setup(&S.r, "secrets");
	S.r.status = "serving vaults";
	if (secmem_probe() == SECMEM_NONE)
		die("%s", last_error());
	out = xsecmem_alloc(sizeof(*out));
	/* Its own directories, whoever made them (daemon-profile may have):
	 * a data directory others can write lets them rename vaults/ and
	 * the audit log away under it. */
	if (paths_mkdir_private(S.r.p.data) < 0 || paths_join(S.vaults, S.r.p.data, "vaults") < 0 ||
	    paths_mkdir_private(S.vaults) < 0)
		die("daemon-secrets: %s", last_error());
	{
		char ap[PATH_MAX];

		if (paths_join(ap, S.r.p.data, "audit.jsonl") < 0 || !(S.audit = audit_open(ap)))
			die("daemon-secrets: %s", last_error());
		audit_configure(S.audit, S.r.conf, S.r.p.system);
		audit("daemon.start", NULL, NULL, NULL, "ok");
	}
	/* Landlock grants only what exists: if daemon-profile has not made
	 * the runtime directory yet, make it now (0700, as it would). */
	if (paths_mkdir_private(S.r.p.runtime) < 0)
		die("daemon-secrets: %s", last_error());
	enter_sandbox();
	/* After the sandbox: Landlock binds the thread that asks, so the
	 * worker and the syncer are created inside it. */
	if (pipe2(S.pipe, O_CLOEXEC) < 0)
		die("daemon-secrets: cannot make the worker's pipe: %s", strerror(errno));
	if ((e = pthread_create(&th, NULL, worker, NULL)) ||
	    (e = pthread_create(&sync_th, NULL, syncer, NULL)))
		die("daemon-secrets: cannot start its threads: %s", strerror(e));	/* not in errno */
	log_info("serving vaults in %s", S.vaults);
	while (!stop) {
		struct pollfd pf[1] = { { S.pipe[0], POLLIN, 0 } };
		int ev, timeout = sooner(idle_lock(), S.sync_due);

		ev = xrole_poll(&S.r, pf, 1, timeout);
		if (ev & ROLE_STOP)
			stop = 1;
		if (ev & ROLE_RELOADED)
			audit_configure(S.audit, S.r.conf, S.r.p.system);
		if (pf[0].revents & POLLIN) {
			struct job *j;

			if (read(S.pipe[0], &j, sizeof(j)) == sizeof(j))
				finish(j);
		}
		if (ev & ROLE_BUS && role_dispatch(&S.r, handle) < 0)
			continue;
		if (S.sync_due && role_now_ms() >= S.sync_due) {
			sync_audit(0);
			S.sync_due = 0;
		}
	}
	log_info("stopping: locking every vault");
	sync_audit(1);
	pthread_join(sync_th, NULL);	/* audit_close syncs the rest */
	audit("daemon.stop", NULL, NULL, NULL, "ok");
	for (struct prof *pr = S.profiles; pr; pr = pr->next)
		vault_close(pr->v);	/* wipes the keys */
	audit_close(S.audit);
	return role_close(&S.r);
}
