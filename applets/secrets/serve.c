/* serve.c - daemon-secrets' requests: the switch, and each request that
 * needs no factor's key (those are jobs.c's). */
#include "applets/secrets/secrets.h"
#include "lib/core/log.h"
#include "lib/core/names.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Which factors a vault has, so the CLI knows what to ask for. */
static void vault_auth(const struct wire_msg *m, const char *name)
{
	struct vault_factors *f = xmalloc(sizeof(*f));
	struct prof *pr;
	uint32_t code;

	if (!(pr = secrets_profile(name, &code))) {
		reply_error(m->id, code, "%s", last_error());
	} else if (vault_get_factors(pr->v, f) < 0) {
		reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
	} else {
		wire_begin(TT.out, m->type, WIRE_F_REPLY, m->id);
		wire_put_str(TT.out, WF_POLICY, f->all ? "all" : "any");
		wire_put_str(TT.out, WF_STATE, vault_unlocked(pr->v) ? "unlocked" : "locked");
		if (f->password)
			wire_put_str(TT.out, WF_FACTOR, "password");
		if (f->ssh)
			wire_put_str(TT.out, WF_FACTOR, "ssh");
		for (int i = 0; i < VAULT_MAX_SSH_KEYS; i++) {
			const struct vault_ssh_key *k = &f->ssh_keys[i];

			if (!k->present)
				continue;
			wire_put_u32(TT.out, WF_SSH_SLOT, (uint32_t)i);
			wire_put(TT.out, WF_SSH_KEY, k->key, k->len);
			wire_put(TT.out, WF_SSH_NONCE, k->nonce, 32);
			wire_put_str(TT.out, WF_SSH_COMMENT, k->comment);
		}
		if (f->tpm2) {
			wire_put_str(TT.out, WF_FACTOR, "tpm2");
			wire_put(TT.out, WF_TPM2_DATA, f->tpm2_data, f->tpm2_len);
		}
		if (f->keyfile) {
			wire_put_str(TT.out, WF_FACTOR, "keyfile");
			wire_put(TT.out, WF_KEYFILE_DATA, f->keyfile_data, f->keyfile_len);
		}
		secrets_send_out();
	}
	free(f);
}

/* Locks whatever the audit log says: locking is the safe way.  -1 if a
 * lock could not be audited and the log is required: the caller says so. */
static int lock_profiles(const char *only)
{
	int r = 0;

	for (struct prof *pr = TT.profiles; pr; pr = pr->next) {
		if (only && strcmp(only, pr->name))
			continue;
		if (vault_unlocked(pr->v)) {
			vault_lock(pr->v);
			if (secrets_audit("vault.lock", pr->v, pr->name, NULL, "ok") < 0)
				r = -1;
			log_info("vault %s locked", pr->name);
			wire_put_str(TT.out, WF_PROFILE, pr->name);
		}
	}
	return r;
}

static void vault_status(const struct wire_msg *m)
{
	DIR *d = opendir(TT.vaults);
	struct dirent *e;
	uint32_t code;

	wire_begin(TT.out, m->type, WIRE_F_REPLY, m->id);
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
		if (!(pr = secrets_profile(name, &code)) && code == WIRE_E_NOT_FOUND)
			continue;
		wire_put_str(TT.out, WF_PROFILE, name);
		wire_put_str(TT.out, WF_STATE, !pr ? "unreadable" : vault_unlocked(pr->v) ? "unlocked" : "locked");
	}
	if (d)
		closedir(d);
	wire_put_str(TT.out, WF_SANDBOX, sandbox_describe());
	wire_put_u32(TT.out, WF_PID, (uint32_t)getpid());
	secrets_send_out();
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
	size_t room = sizeof(TT.out->buf) - TT.out->len;

	if (strcmp(name, l->after) <= 0 || (l->role && !secrets_acl_allows(l->role, l->profile, name)))
		return 0;
	if (4 + strlen(name) + 4 + 4 > room) {	/* keep room for WF_MORE */
		l->more = 1;
		return 1;
	}
	wire_put_str(TT.out, WF_KEY, name);
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
	wire_begin(TT.out, m->type, WIRE_F_REPLY, m->id);
	if (vault_list(pr->v, add_listed, &l) < 0) {
		secrets_audit("secret.list", pr->v, name, NULL, "failed");
		reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	if (l.more)
		wire_put_u32(TT.out, WF_MORE, 1);
	if (secrets_audit("secret.list", pr->v, name, NULL, "ok") < 0) {
		reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	secrets_send_out();
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
	if (!(pr = secrets_profile(name, &code))) {
		reply_error(m->id, code, "%s", last_error());
		return;
	}
	if (vault_clipboard_key(pr->v, key) < 0) {
		reply_error(m->id, WIRE_E_LOCKED, "profile %s is locked (sesame unlock -p %s)", name, name);
		return;
	}
	/* Not a use for --idle-lock: copying text is not using secrets. */
	wire_begin(TT.out, m->type, WIRE_F_REPLY, m->id);
	wire_put(TT.out, WF_VALUE, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	secrets_send_out();
}

/* A set (val) or delete (val NULL), committed only once its audit line is
 * written and synced: where the log is required, a change that cannot be
 * audited is undone and refused.  1 if answered; 0 to answer with the
 * failure. */
/* A backup taken or a restore done by the CLI, in the audit log (the
 * values went through secret.get and secret.set, each audited too). */
static void vault_mark(const struct wire_msg *m, const char *name)
{
	char what[16] = "", role[32] = "cli", event[32];
	struct prof *pr;
	uint32_t code;

	wire_get_str(m, WF_CALLER_ROLE, role, sizeof(role));
	if (strcmp(role, "cli")) {
		reply_error(m->id, WIRE_E_DENIED, "vault.mark is the CLI's");
		return;
	}
	if (wire_get_str(m, WF_TEXT, what, sizeof(what)) < 0 || (strcmp(what, "backup") && strcmp(what, "restore"))) {
		reply_error(m->id, WIRE_E_BAD_MESSAGE, "vault.mark: backup or restore");
		return;
	}
	if (!(pr = secrets_profile(name, &code))) {
		reply_error(m->id, code, "%s", last_error());
		return;
	}
	if (!vault_unlocked(pr->v)) {
		reply_error(m->id, WIRE_E_LOCKED, "profile %s is locked (sesame unlock -p %s)", name, name);
		return;
	}
	snprintf(event, sizeof(event), "vault.%s", what);
	if (secrets_audit(event, pr->v, name, NULL, "ok") < 0 || secrets_audit_durable() < 0) {
		reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
		return;
	}
	wire_begin(TT.out, m->type, WIRE_F_REPLY, m->id);
	secrets_send_out();
}

static int audited_change(uint32_t id, struct prof *pr, const char *name, const char *key, const char *event,
	const uint8_t *val, size_t vlen)
{
	if (vault_bulk_begin(pr->v) < 0)
		return 0;
	if ((val ? vault_set(pr->v, key, val, vlen) : vault_delete(pr->v, key)) < 0) {
		vault_bulk_abort(pr->v);
		return 0;
	}
	if (secrets_audit(event, pr->v, name, key, "ok") < 0 || secrets_audit_durable() < 0) {
		vault_bulk_abort(pr->v);
		reply_error(id, WIRE_E_FAILED, "%s", last_error());
		return 1;
	}
	if (vault_bulk_end(pr->v) < 0)
		return 0;
	secrets_send_out();
	return 1;
}
void secrets_handle(const struct wire_msg *m)
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
		wire_begin(TT.out, m->type, WIRE_F_REPLY, m->id);
		if (lock_profiles(NULL) < 0) {
			reply_error(m->id, WIRE_E_FAILED, "locked, but not audited: %s", last_error());
			return;
		}
		secrets_send_out();
		return;
	}
	if (!has_profile || !profile_name_valid(name)) {
		reply_error(m->id, WIRE_E_BAD_MESSAGE, "a valid profile name is required");
		return;
	}
	switch (m->type) {
	case WIRE_VAULT_INIT:
		secrets_auth_job(m, JOB_INIT, name);
		return;
	case WIRE_UNLOCK:
		secrets_auth_job(m, JOB_UNLOCK, name);
		return;
	case WIRE_PASSWD:
		secrets_auth_job(m, JOB_PASSWD, name);
		return;
	case WIRE_SSH_ENROLL:
		secrets_auth_job(m, JOB_ENROLL, name);
		return;
	case WIRE_SSH_REVOKE:
		secrets_auth_job(m, JOB_REVOKE, name);
		return;
	case WIRE_VAULT_AUTH:
		vault_auth(m, name);
		return;
	case WIRE_LOCK:
		if (!secrets_profile(name, &code)) {
			reply_error(m->id, code, "%s", last_error());
			return;
		}
		wire_begin(TT.out, m->type, WIRE_F_REPLY, m->id);
		if (lock_profiles(name) < 0) {
			reply_error(m->id, WIRE_E_FAILED, "locked, but not audited: %s", last_error());
			return;
		}
		secrets_send_out();
		return;
	case WIRE_CLIPBOARD_KEY:
		clipboard_key(m, name);
		return;
	case WIRE_VAULT_MARK:
		vault_mark(m, name);
		return;
	case WIRE_SECRET_GET: case WIRE_SECRET_SET: case WIRE_SECRET_DELETE: case WIRE_SECRET_LIST:
		break;
	default:
		reply_error(m->id, WIRE_E_UNKNOWN_TYPE, "daemon-secrets does not serve %s", wire_type_name(m->type));
		return;
	}
	if (!(pr = secrets_profile(name, &code))) {
		reply_error(m->id, code, "%s", last_error());
		return;
	}
	if (!vault_unlocked(pr->v)) {
		secrets_audit(wire_type_name(m->type), NULL, name, NULL, "locked");
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
		    !secrets_acl_allows(role, name, m->type == WIRE_SECRET_GET ? key : NULL))) {
			secrets_audit(wire_type_name(m->type), pr->v, name, m->type == WIRE_SECRET_LIST ? NULL : key, "denied");
			reply_error(m->id, WIRE_E_DENIED, m->type == WIRE_SECRET_GET || m->type == WIRE_SECRET_LIST ?
				"daemon-%s may not read this from profile %s (see [profiles.%s.secrets.access])" :
				"daemon-%s may only read secrets of profile %s (writes are for the CLI)%.0s",
				role, name, name);
			return;
		}
		if ((m->type == WIRE_SECRET_GET || m->type == WIRE_SECRET_LIST) && !secrets_rate_ok(caller)) {
			secrets_audit(wire_type_name(m->type), pr->v, name, NULL, "rate-limited");
			reply_error(m->id, WIRE_E_BUSY, "too many reads from this client (%d per second); "
				"try again shortly", READ_RATE);
			return;
		}
		if (m->type == WIRE_SECRET_LIST) {
			list_secrets(m, pr, name, role);
			return;
		}
	}
	wire_begin(TT.out, m->type, WIRE_F_REPLY, m->id);
	switch (m->type) {
	case WIRE_SECRET_GET:
		if (!(secret = vault_get(pr->v, key, &slen)))
			break;
		wire_put(TT.out, WF_VALUE, secret, slen);
		secmem_free(secret);
		if (secrets_audit("secret.get", pr->v, name, key, "ok") < 0) {
			sodium_memzero(TT.out->buf, TT.out->len);
			reply_error(m->id, WIRE_E_FAILED, "%s", last_error());
			return;
		}
		secrets_send_out();
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
		/* The failure's kind and reason, before secrets_audit() may record its own. */
		int not_found = last_code() == ERR_NOT_FOUND;
		char why[512];

		snprintf(why, sizeof(why), "%s", last_error());
		secrets_audit(wire_type_name(m->type), pr->v, name, key, not_found ? "not-found" : "failed");
		reply_error(m->id, not_found ? WIRE_E_NOT_FOUND : WIRE_E_FAILED, "%s", why);
	}
}
