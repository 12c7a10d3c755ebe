/* secrets.h - daemon-secrets' insides, shared by its files:
 *   daemon_secrets.c  main: set-up, the loop, idle locking; the vaults open
 *   serve.c           the request switch, and the requests without a key
 *   jobs.c            init, unlock, passwd, enroll, revoke: Argon2id on
 *                     the worker thread, finished on the loop
 *   access.c          who may read which secret, and how often
 *   auditlog.c        the audit lines and their syncing thread
 * Its state is one struct, TT (toybox's name), defined in
 * daemon_secrets.c.  The worker and the syncer threads touch only the
 * job queue and the sync hand-over, under their locks. */
#ifndef SESAME_SECRETS_H
#define SESAME_SECRETS_H

#include "lib/bus/role.h"
#include "lib/core/names.h"
#include "lib/store/audit.h"
#include "lib/store/vault.h"

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

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
	uint8_t *sig;		/* secure memory: the new SSH key's signature (init, enroll) */
	size_t siglen;
	uint8_t *proof[VAULT_MAX_SSH_KEYS];	/* secure memory: enrolled keys' signatures, by slot */
	size_t prooflen[VAULT_MAX_SSH_KEYS];
	int slot;		/* ssh enroll: the new key's slot; ssh revoke: the one to go */
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

/* Reads per caller (a CLI connection, or a role): a token bucket, so one
 * client that floods cannot starve the others.  Generous enough for
 * `sesame env` over a thousand secrets. */
#define READ_RATE 500		/* per second */
#define READ_BURST 1000
#define BUCKETS 256
/* Audit lines are written before the reply (a crash of the process loses
 * none) and reach the disk within this, in one fdatasync for a burst: a
 * sync per request would put the disk on every client's path.  The sync
 * runs in its own thread (TT.sync): on an SD card it can take longer than
 * the requests it would hold up in the loop. */
#define AUDIT_SYNC_MS 50

struct secrets_state {
	struct role r;		/* paths, config, bus connection */
	long long idle_ms;	/* 0: no idle lock */
	char vaults[PATH_MAX];
	struct prof *profiles;
	struct audit *audit;
	/* Replies carry values and keys: built in secure memory (allocated
	 * at start, wiped after each send). */
	struct wire_out *out;
	int pipe[2];		/* worker -> loop: finished jobs */
	pthread_mutex_t lock;	/* the job queue's */
	pthread_cond_t cond;
	struct job *queue;
	int queued;
	long long sync_due;	/* audit lines to sync by then; 0: none */
	struct {		/* the audit syncer: fdatasync of the fd handed over, until stop */
		pthread_mutex_t lock;
		pthread_cond_t cond;
		int fd;		/* to sync; -1: nothing */
		int stop;
	} sync;
	struct bucket {
		uint64_t caller;
		double tokens;
		long long last;
	} buckets[BUCKETS];
};
extern struct secrets_state secrets_tt;
#define TT secrets_tt

#define reply_error(...) role_reply_error(&TT.r, __VA_ARGS__)

/* daemon_secrets.c */
/* Send TT.out, then wipe it (replies may hold a value). */
void secrets_send_out(void);
void secrets_reply_ok(uint8_t type, uint32_t id, const char *text);
int secrets_vault_file(const char *profile, char path[PATH_MAX]);
void secrets_new_kdf(const char *profile, struct vault_kdf *kdf);
struct prof *secrets_profile(const char *name, uint32_t *code);

/* serve.c */
void secrets_handle(const struct wire_msg *m);

/* jobs.c */
void secrets_auth_job(const struct wire_msg *m, enum job_kind kind, const char *name);
void *secrets_worker(void *arg);
void secrets_finish(struct job *j);

/* access.c */
int secrets_rate_ok(uint64_t caller);
int secrets_acl_allows(const char *role, const char *profile, const char *key);

/* auditlog.c */
int secrets_audit(const char *event, struct vault *v, const char *profile, const char *key, const char *outcome);
int secrets_audit_durable(void);
void *secrets_syncer(void *arg);
void secrets_sync_audit(int stop);

#endif
