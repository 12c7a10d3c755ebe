/* auditlog.c - daemon-secrets' audit lines: appended before each reply,
 * synced within AUDIT_SYNC_MS by a thread of their own (a change's line
 * is synced before the change is answered). */
#include "applets/secrets/secrets.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* One audit line; the key is recorded only as the vault's keyed tag. */
/* Append an event.  -1 if its line could not be written and the log is
 * required (global.audit.required): the caller refuses the operation (or,
 * for a lock, says it went unaudited), the reason set.  Otherwise 0; a
 * line that could not be written is logged, and the next one written
 * says how many were lost. */
int secrets_audit(const char *event, struct vault *v, const char *profile, const char *key,
	const char *outcome)
{
	char tag[17], why[512];
	int has_tag;

	/* A failed operation is audited before its reply is sent: keep its
	 * reason, the one the client must see, if the append fails too. */
	snprintf(why, sizeof(why), "%s", last_error());
	has_tag = key && v && vault_name_tag(v, key, tag) == 0;
	if (!TT.sync_due)
		TT.sync_due = role_now_ms() + AUDIT_SYNC_MS;
	if (audit_append(TT.audit, event, profile, has_tag ? tag : NULL, outcome) == 0)
		return 0;
	log_error("%s", last_error());
	/* Only what would be done is refused; a failure stays a failure,
	 * with its own reason. */
	if (audit_required(TT.audit) && !strcmp(outcome, "ok"))
		return fail("%s; global.audit.required refuses what cannot be audited", last_error());
	fail("%s", why);
	return 0;
}

/* A change's audit line on disk before the change is: a power cut may
 * lose the lines of the last reads (synced within AUDIT_SYNC_MS), never
 * that of a change the client was told is done.  -1 (the reason set) if
 * the log is required and the line cannot be synced. */
int secrets_audit_durable(void)
{
	if (audit_sync(TT.audit) == 0)
		return 0;
	log_error("%s", last_error());
	if (audit_required(TT.audit))
		return fail("%s; global.audit.required refuses what cannot be audited", last_error());
	return 0;
}

void *secrets_syncer(void *arg)
{
	(void)arg;
	for (;;) {
		int fd;

		pthread_mutex_lock(&TT.sync.lock);
		while (TT.sync.fd < 0 && !TT.sync.stop)
			pthread_cond_wait(&TT.sync.cond, &TT.sync.lock);
		fd = TT.sync.fd;
		TT.sync.fd = -1;
		pthread_mutex_unlock(&TT.sync.lock);
		if (fd < 0)
			return NULL;
		if (fdatasync(fd) < 0)
			log_error("audit: cannot sync: %s", strerror(errno));
	}
}

void secrets_sync_audit(int stop)
{
	int fd = audit_sync_fd(TT.audit);

	pthread_mutex_lock(&TT.sync.lock);
	if (fd >= 0)
		TT.sync.fd = fd;
	TT.sync.stop = stop;
	pthread_cond_signal(&TT.sync.cond);
	pthread_mutex_unlock(&TT.sync.lock);
}
