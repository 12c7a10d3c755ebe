/* jobs.c - daemon-secrets' requests that need a factor's key: init,
 * unlock, passwd, enroll and revoke.  Checked on the loop, queued to the
 * worker thread (Argon2id, tens of milliseconds and 19 MiB, one job at a
 * time), finished on the loop when the worker hands them back. */
#include "applets/secrets/secrets.h"
#include "applets/secrets/sshagent.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void queue_job(struct job *j)
{
	pthread_mutex_lock(&TT.lock);
	j->next = NULL;
	if (!TT.queue) {
		TT.queue = j;
	} else {
		struct job *t = TT.queue;

		while (t->next)
			t = t->next;
		t->next = j;
	}
	TT.queued++;
	pthread_cond_signal(&TT.cond);
	pthread_mutex_unlock(&TT.lock);
}

static void job_free(struct job *j)
{
	secmem_free(j->pw);
	secmem_free(j->kek);
	secmem_free(j->pw2);
	secmem_free(j->kek2);
	secmem_free(j->sig);
	for (int i = 0; i < VAULT_MAX_SSH_KEYS; i++)
		secmem_free(j->proof[i]);
	secmem_free(j->msecret[0]);
	secmem_free(j->msecret[1]);
	free(j->newf);
	free(j);
}

/* The worker: Argon2id, one job at a time, in arrival order. */
void *secrets_worker(void *arg)
{
	(void)arg;
	for (;;) {
		struct job *j;

		pthread_mutex_lock(&TT.lock);
		while (!TT.queue)
			pthread_cond_wait(&TT.cond, &TT.lock);
		j = TT.queue;
		TT.queue = j->next;
		TT.queued--;
		pthread_mutex_unlock(&TT.lock);
		if ((j->pw && (!(j->kek = secmem_alloc(VAULT_KEYLEN)) ||
		     vault_derive_kek(&j->kdf, j->pw, j->pwlen, j->kek) < 0)) ||
		    (j->pw2 && (!(j->kek2 = secmem_alloc(VAULT_KEYLEN)) ||
		     vault_derive_kek(&j->new_kdf, j->pw2, j->pw2len, j->kek2) < 0))) {
			j->failed = 1;
			snprintf(j->err, sizeof(j->err), "%s", last_error());
		}
		if (write(TT.pipe[1], &j, sizeof(j)) != sizeof(j))
			abort();	/* the loop can no longer hear us */
	}
	return NULL;
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

static int any_ssh(const struct vault_keys *k)
{
	for (int i = 0; i < VAULT_MAX_SSH_KEYS; i++)
		if (k->ssh[i])
			return 1;
	return 0;
}

static const char *wrong_outcome(const struct vault_keys *k)
{
	int n = !!k->password + any_ssh(k) + !!k->tpm2 + !!k->keyfile;

	return n > 1 ? (k->password ? "wrong-password-or-key" : "wrong-key") : k->password ? "wrong-password" :
		any_ssh(k) ? "wrong-key" : k->tpm2 ? "wrong-tpm2-key" : "wrong-keyfile";
}

/* The keys a job's factors give (secure memory in *mem, secmem_free it):
 * for init, and the SSH key an enroll adds (in slot j->slot), the new
 * ones; stored: the vault's factors (NULL for init), whose enrolled keys
 * the proofs are checked against.  -1 with a reason. */
static int job_keys(const struct job *j, const struct vault_factors *stored, struct vault_keys *k, uint8_t **mem)
{
	memset(k, 0, sizeof(*k));
	if (!(*mem = secmem_alloc((3 + VAULT_MAX_SSH_KEYS) * VAULT_KEYLEN)))
		return -1;
	k->password = j->pw ? j->kek : NULL;
	if (j->sig) {	/* the new key's */
		uint8_t *kek = *mem + (3 + j->slot) * VAULT_KEYLEN;

		vault_ssh_kek(j->newf->ssh_keys[j->slot].nonce, j->sig, j->siglen, kek);
		k->ssh[j->slot] = kek;
	}
	for (int s = 0; s < VAULT_MAX_SSH_KEYS; s++) {
		uint8_t *kek = *mem + (3 + s) * VAULT_KEYLEN;

		if (!j->proof[s])
			continue;
		if (!stored || !stored->ssh_keys[s].present)
			return fail("profile %s has no SSH key in slot %d", j->profile, s);
		vault_ssh_kek(stored->ssh_keys[s].nonce, j->proof[s], j->prooflen[s], kek);
		k->ssh[s] = kek;
	}
	for (int i = 0; i < 2; i++) {
		if (!j->msecret[i])
			continue;
		vault_secret_kek(vault_factor_names[F_TPM2 + i], j->profile, j->msecret[i], *mem + (1 + i) * VAULT_KEYLEN);
		*(i ? &k->keyfile : &k->tpm2) = *mem + (1 + i) * VAULT_KEYLEN;
	}
	return 0;
}

static int has_of(const struct vault_factors *f, int factor)
{
	return factor == F_PASSWORD ? f->password : factor == F_SSH ? f->ssh > 0 : factor == F_TPM2 ? f->tpm2 :
		f->keyfile;
}

static void set_has(struct vault_factors *f, int factor, int on)
{
	if (factor == F_PASSWORD)
		f->password = on;
	else if (factor == F_TPM2)
		f->tpm2 = on;
	else if (factor == F_KEYFILE)
		f->keyfile = on;
}

static void drop_key(struct vault_keys *k, int factor, int slot)
{
	if (factor == F_SSH)
		k->ssh[slot] = NULL;
	else if (factor == F_TPM2)
		k->tpm2 = NULL;
	else if (factor == F_KEYFILE)
		k->keyfile = NULL;
	else
		k->password = NULL;
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
		drop_key(&proof, j->factor, j->slot);
	if ((was_locked ? vault_unlock_keys(pr->v, &proof) : vault_verify_keys(pr->v, &proof)) < 0) {
		char why[300];

		snprintf(why, sizeof(why), "%s", last_error());
		record_failure(pr, job_event[j->kind]);
		secrets_audit(job_event[j->kind], pr->v, pr->name, NULL, wrong_outcome(&proof));
		reply_error(j->id, WIRE_E_DENIED, "%s", why);
		return;
	}
	vault_unlock_succeeded(pr->v);
	if (j->kind == JOB_PASSWD) {
		nk.password = j->kek2;
	} else if (j->kind == JOB_ENROLL) {
		set_has(f, j->factor, 1);
		if (j->factor == F_SSH) {
			f->ssh_keys[j->slot] = j->newf->ssh_keys[j->slot];
			f->ssh++;
		} else if (j->factor == F_TPM2) {
			memcpy(f->tpm2_data, j->newf->tpm2_data, f->tpm2_len = j->newf->tpm2_len);
		} else {
			memcpy(f->keyfile_data, j->newf->keyfile_data, f->keyfile_len = j->newf->keyfile_len);
		}
		done = "enrolled";
	} else {
		int has = j->factor == F_SSH ? f->ssh_keys[j->slot].present : has_of(f, j->factor);

		n = f->password + f->ssh + f->tpm2 + f->keyfile;
		if (!has || n == 1) {
			reply_error(j->id, WIRE_E_FAILED, !has ? "profile %s has no %s enrolled%s" :
				"the %s is the only factor of profile %s; revoking it would lose the vault%s",
				!has ? pr->name : label[j->factor], !has ? label[j->factor] : pr->name,
				!has && j->factor == F_SSH ? " in that slot" : "");
			goto relock;
		}
		if (j->factor == F_SSH) {
			f->ssh_keys[j->slot].present = 0;
			f->ssh--;
		}
		set_has(f, j->factor, 0);
		drop_key(&nk, j->factor, j->slot);
		done = "revoked";
	}
	if (vault_set_factors(pr->v, j->kind == JOB_PASSWD ? &j->new_kdf : NULL, f, &nk) < 0) {
		secrets_audit(job_event[j->kind], pr->v, pr->name, NULL, "failed");
		reply_error(j->id, WIRE_E_FAILED, "%s", last_error());
	} else {
		secrets_audit(job_event[j->kind], pr->v, pr->name, NULL, "ok");
		log_info("%s of vault %s: %s %s", job_event[j->kind], pr->name, label[j->kind == JOB_PASSWD ? 0 : j->factor], done);
		secrets_reply_ok(j->type, j->id, done);
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
	} else if (secrets_vault_file(j->profile, path) < 0 ||
	    !(v = vault_create_factors(path, j->profile, &j->kdf, f, &keys))) {
		secrets_audit("vault.init", NULL, j->profile, NULL, "failed");
		reply_error(j->id, strstr(last_error(), "already exists") ? WIRE_E_EXISTS : WIRE_E_FAILED,
			"%s", last_error());
	} else if (secrets_audit("vault.init", v, j->profile, NULL, "ok") < 0 || secrets_audit_durable() < 0) {
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
		pr->next = TT.profiles;
		TT.profiles = pr;
		log_info("vault %s created (factors:%s%s%s%s, policy %s) and unlocked", j->profile,
			f->password ? " password" : "", f->ssh ? " ssh" : "", f->tpm2 ? " tpm2" : "",
			f->keyfile ? " keyfile" : "", f->all ? "all" : "any");
		secrets_reply_ok(j->type, j->id, "created");
	}
	secmem_free(mem);
}

/* An SSH enroll's key: into the vault's first free slot (it came in slot
 * 0 of j->newf), unless the vault has it already or has no slot left. */
static int ssh_slot(struct job *j, const struct vault_factors *f)
{
	const struct vault_ssh_key *k = &j->newf->ssh_keys[0];
	int free_slot = -1;

	for (int i = VAULT_MAX_SSH_KEYS - 1; i >= 0; i--) {
		if (!f->ssh_keys[i].present)
			free_slot = i;
		else if (f->ssh_keys[i].len == k->len && !memcmp(f->ssh_keys[i].key, k->key, k->len))
			return fail("that SSH key is enrolled for profile %s already", j->profile);
	}
	if (free_slot < 0)
		return fail("profile %s has %d SSH keys, as many as a vault takes (sesame ssh revoke one first)",
			j->profile, VAULT_MAX_SSH_KEYS);
	if (free_slot) {
		j->newf->ssh_keys[free_slot] = *k;
		j->newf->ssh_keys[0].present = 0;
	}
	j->slot = free_slot;
	return 0;
}

void secrets_finish(struct job *j)
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
	} else if (!(pr = secrets_profile(j->profile, &code))) {
		reply_error(j->id, code, "%s", last_error());
	} else if (vault_get_factors(pr->v, f = xmalloc(sizeof(*f))) < 0) {
		reply_error(j->id, WIRE_E_FAILED, "%s", last_error());
	} else if (j->kind == JOB_ENROLL && j->factor == F_SSH && ssh_slot(j, f) < 0) {
		reply_error(j->id, WIRE_E_FAILED, "%s", last_error());
	} else if (job_keys(j, f, &keys, &mem) < 0) {
		reply_error(j->id, WIRE_E_DENIED, "%s", last_error());
	} else if (j->kind != JOB_UNLOCK) {
		finish_factors(j, pr, f, &keys);
	} else if (vault_unlocked(pr->v)) {
		secrets_reply_ok(j->type, j->id, "already unlocked");
	} else if (vault_unlock_keys(pr->v, &keys) < 0) {
		char why[300];

		snprintf(why, sizeof(why), "%s", last_error());
		record_failure(pr, "unlock");
		secrets_audit("vault.unlock", pr->v, pr->name, NULL, wrong_outcome(&keys));
		reply_error(j->id, WIRE_E_DENIED, "%s", why);
	} else if (secrets_audit("vault.unlock", pr->v, pr->name, NULL, "ok") < 0) {
		vault_lock(pr->v);	/* what cannot be audited is not done */
		reply_error(j->id, WIRE_E_FAILED, "%s", last_error());
	} else {
		if (vault_unlock_succeeded(pr->v) < 0)
			log_error("cannot reset the unlock backoff of %s: %s", j->profile, last_error());
		pr->used = role_now_ms();
		log_info("vault %s unlocked (by:%s%s%s%s)", j->profile, keys.password ? " password" : "",
			any_ssh(&keys) ? " ssh" : "", keys.tpm2 ? " tpm2" : "", keys.keyfile ? " keyfile" : "");
		secrets_reply_ok(j->type, j->id, "unlocked");
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
	memcpy(j->newf->ssh_keys[0].key, key, kl);
	j->newf->ssh_keys[0].len = kl;
	memcpy(j->newf->ssh_keys[0].nonce, nonce, 32);
	wire_get_str(m, WF_SSH_COMMENT, j->newf->ssh_keys[0].comment, sizeof(j->newf->ssh_keys[0].comment));
	for (char *c = j->newf->ssh_keys[0].comment; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	j->newf->ssh_keys[0].present = 1;
	j->newf->ssh = 1;
	cl = vault_ssh_challenge(j->profile, nonce, challenge, sizeof(challenge));
	if (ssh_signature_check(key, kl, j->sig, j->siglen, challenge, cl) < 0)
		return fail("the signature does not match the SSH key");
	return 0;
}

/* The enrolled SSH keys' signatures (WF_SSH_PROOF: a slot byte, then
 * the signature), and the slot an ssh revoke names (WF_SSH_SLOT, else
 * 0).  Outside init and enroll, a WF_SSH_SIG is slot 0's proof. */
static int take_proofs(const struct wire_msg *m, struct job *j)
{
	const uint8_t *v;
	uint16_t tag, len;
	size_t pos = 0;
	uint32_t slot = 0;

	while (wire_next(m, &pos, &tag, &v, &len)) {
		if (tag != WF_SSH_PROOF)
			continue;
		if (len < 2 || v[0] >= VAULT_MAX_SSH_KEYS || j->proof[v[0]])
			return fail("an SSH proof is a slot (0 to %d, once each) and a signature", VAULT_MAX_SSH_KEYS - 1);
		if (!(j->proof[v[0]] = secmem_dup(v + 1, len - 1u)))
			return -1;
		j->prooflen[v[0]] = len - 1u;
	}
	if (j->sig && j->kind != JOB_INIT && j->kind != JOB_ENROLL) {
		if (j->proof[0])
			return fail("slot 0's SSH proof is given twice");
		j->proof[0] = j->sig, j->prooflen[0] = j->siglen;
		j->sig = NULL;
	}
	if (j->kind == JOB_REVOKE && wire_get_u32(m, WF_SSH_SLOT, &slot) == 0 && slot >= VAULT_MAX_SSH_KEYS)
		return fail("an SSH slot is 0 to %d", VAULT_MAX_SSH_KEYS - 1);
	j->slot = (int)slot;
	return 0;
}

/* Requests that need factors: checks, then the worker. */
void secrets_auth_job(const struct wire_msg *m, enum job_kind kind, const char *name)
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

	pthread_mutex_lock(&TT.lock);	/* the worker takes jobs off meanwhile */
	queued = TT.queued;
	pthread_mutex_unlock(&TT.lock);
	if (queued >= 16) {
		reply_error(m->id, WIRE_E_BUSY, "too many unlocks in progress");
		return;
	}
	if ((has_ms[0] && msl[0] != 32) || (has_ms[1] && msl[1] != 32)) {
		reply_error(m->id, WIRE_E_BAD_MESSAGE, "a TPM2 or key-file secret is 32 bytes");
		return;
	}
	nf = has_pw + has_sig + has_ms[0] + has_ms[1];
	{
		const uint8_t *v;
		uint16_t tag, len;
		size_t pos = 0;

		while (wire_next(m, &pos, &tag, &v, &len))
			nf += tag == WF_SSH_PROOF;
	}
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
	if (take_proofs(m, j) < 0) {
		job_free(j);
		reply_error(m->id, WIRE_E_BAD_MESSAGE, "%s", last_error());
		return;
	}
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
	if (kind == JOB_ENROLL && (!has_of(j->newf, j->factor) || nf < 2)) {
		job_free(j);
		reply_error(m->id, WIRE_E_BAD_MESSAGE, !has_of(j->newf, j->factor) ? "the %s factor to enroll is missing" :
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
		if (secrets_vault_file(name, path) < 0 || access(path, F_OK) == 0) {
			job_free(j);
			reply_error(m->id, WIRE_E_EXISTS, "vault %s already exists; refusing to overwrite it", name);
			return;
		}
		secrets_new_kdf(name, &j->kdf);
	} else {
		uint64_t wait;

		if (!(pr = secrets_profile(name, &code))) {
			job_free(j);
			reply_error(m->id, code, "%s", last_error());
			return;
		}
		if (kind == JOB_UNLOCK && vault_unlocked(pr->v)) {
			job_free(j);
			secrets_reply_ok(m->type, m->id, "already unlocked");
			return;
		}
		if ((wait = vault_unlock_wait(pr->v, role_wall_ms()))) {
			job_free(j);
			secrets_audit(job_event[kind], pr->v, name, NULL, "backoff");
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
		secrets_new_kdf(name, &j->new_kdf);	/* a fresh salt */
		if (!(j->pw2 = secmem_dup(np, nplen))) {
			job_free(j);
			reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
			return;
		}
		j->pw2len = nplen;
	}
	queue_job(j);
}
