/* daemon_secrets.c - daemon-secrets: holds the vaults and serves them over
 * the bus as the "secrets" role.
 *
 * One event loop on the bus connection; Argon2id (tens of milliseconds and
 * 19 MiB) runs on one worker thread so that other requests keep being
 * served meanwhile.  Keys and values live in secure memory and are wiped
 * after use; nothing secret is logged.  secrets.h says which file holds
 * what.
 */
#include "applets/applet.h"
#include "applets/secrets/secrets.h"
#include "lib/bus/role.h"
#include "lib/config/config.h"
#include "lib/core/log.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"
#include "lib/store/audit.h"
#include "lib/store/vault.h"

#include <fcntl.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Zero, so in .bss (35 KiB that would otherwise be in the file): its
 * locks are set up in main, before any thread. */
struct secrets_state secrets_tt;

/* Replies may hold a value: wiped once sent. */
void secrets_send_out(void)
{
	role_send(&TT.r, TT.out);
	sodium_memzero(TT.out->buf, TT.out->len);
}

void secrets_reply_ok(uint8_t type, uint32_t id, const char *text)
{
	wire_begin(TT.out, type, WIRE_F_REPLY, id);
	if (text)
		wire_put_str(TT.out, WF_TEXT, text);
	secrets_send_out();
}

int secrets_vault_file(const char *profile, char path[PATH_MAX])
{
	char name[80];

	snprintf(name, sizeof(name), "%s.db", profile);
	return paths_join(path, TT.vaults, name);
}

/* Argon2id's cost for a new password key of profile (init, passwd), with
 * a fresh salt: the profile's configuration, checked in range on load. */
void secrets_new_kdf(const char *profile, struct vault_kdf *kdf)
{
	char path[160];

	vault_kdf_defaults(kdf);
	snprintf(path, sizeof(path), "profiles.%s.secrets.argon2_memory_kib", profile);
	kdf->memlimit_kib = (uint32_t)config_int(TT.r.conf, path, kdf->memlimit_kib);
	snprintf(path, sizeof(path), "profiles.%s.secrets.argon2_iterations", profile);
	kdf->opslimit = (uint32_t)config_int(TT.r.conf, path, kdf->opslimit);
}

/* The profile's open vault; opened on first use.  NULL: *code says why. */
struct prof *secrets_profile(const char *name, uint32_t *code)
{
	struct prof *pr;
	char path[PATH_MAX];
	struct vault *v;

	for (pr = TT.profiles; pr; pr = pr->next)
		if (!strcmp(pr->name, name))
			return pr;
	if (secrets_vault_file(name, path) < 0 || !(v = vault_open(path, name))) {
		*code = last_code() == ERR_NOT_FOUND ? WIRE_E_NOT_FOUND : WIRE_E_FAILED;
		if (*code == WIRE_E_NOT_FOUND)
			fail_code(ERR_NOT_FOUND, "no vault for profile %s (sesame init -p %s)", name, name);
		return NULL;
	}
	pr = xcalloc(1, sizeof(*pr));
	strcpy(pr->name, name);
	pr->v = v;
	pr->next = TT.profiles;
	TT.profiles = pr;
	return pr;
}

/* Lock vaults idle for longer than --idle-lock; returns the ms until the
 * next one would be due (for poll), or -1 if none is unlocked. */
static int idle_lock(void)
{
	long long now = role_now_ms(), next = -1;

	if (!TT.idle_ms)
		return -1;
	for (struct prof *pr = TT.profiles; pr; pr = pr->next) {
		long long due;

		if (!vault_unlocked(pr->v))
			continue;
		due = pr->used + TT.idle_ms;
		if (due <= now) {
			vault_lock(pr->v);
			secrets_audit("vault.lock", pr->v, pr->name, NULL, "idle");
			log_info("vault %s locked after %lld s idle", pr->name, TT.idle_ms / 1000);
		} else if (next < 0 || due - now < next) {
			next = due - now;
		}
	}
	return next < 0 ? -1 : (int)(next > 60000 ? 60000 : next);
}

/* Vaults and the audit log (data), the config (read), the runtime
 * directory (read: keys; the bus socket needs no right to connect). */
static void enter_sandbox(void)
{
	const struct sandbox_path paths[] = {
		{ TT.r.p.data, SB_READ | SB_WRITE }, { "/etc/localtime", SB_READ }, { "/usr/share/zoneinfo", SB_READ },
	};

	xrole_load_sqlite(&TT.r);
	xrole_sandbox(&TT.r, paths, ARRAY_LEN(paths));
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
	int stop = 0, e, o;
	long long v;

	pthread_mutex_init(&TT.lock, NULL);
	pthread_cond_init(&TT.cond, NULL);
	pthread_mutex_init(&TT.sync.lock, NULL);
	pthread_cond_init(&TT.sync.cond, NULL);
	TT.sync.fd = -1;
	while ((o = getopt_long(argc, argv, OPTSTR_daemon_secrets, longopts_daemon_secrets, NULL)) != -1) {
		if (o != OPT_IDLE_LOCK)
			usage_option("daemon-secrets", argv, o, longopts_daemon_secrets);
		if (parse_range(optarg, 0, 86400 * 30, &v) < 0)
			usage_error("daemon-secrets", "--idle-lock (seconds): %s", last_error());
		TT.idle_ms = v * 1000LL;
	}
	if (optind < argc)
		usage_error("daemon-secrets", "unexpected argument '%s'", argv[optind]);
	if (sandbox_limits() < 0)
		die("daemon-secrets: %s", last_error());
	/* Blocks SIGTERM before the worker exists, so that it inherits the
	 * mask and SIGTERM always reaches the loop (a clean, wiping stop). */
	xrole_setup(&TT.r, "secrets");
	TT.r.status = "serving vaults";
	if (secmem_probe() == SECMEM_NONE)
		die("%s", last_error());
	TT.out = xsecmem_alloc(sizeof(*TT.out));
	/* Its own directories, whoever made them (daemon-profile may have):
	 * a data directory others can write lets them rename vaults/ and
	 * the audit log away under it. */
	if (paths_mkdir_private(TT.r.p.data) < 0 || paths_join(TT.vaults, TT.r.p.data, "vaults") < 0 ||
	    paths_mkdir_private(TT.vaults) < 0)
		die("daemon-secrets: %s", last_error());
	{
		char ap[PATH_MAX];

		if (paths_join(ap, TT.r.p.data, "audit.jsonl") < 0 || !(TT.audit = audit_open(ap)))
			die("daemon-secrets: %s", last_error());
		audit_configure(TT.audit, TT.r.conf, TT.r.p.system);
		secrets_audit("daemon.start", NULL, NULL, NULL, "ok");
	}
	/* Landlock grants only what exists: if daemon-profile has not made
	 * the runtime directory yet, make it now (0700, as it would). */
	if (paths_mkdir_private(TT.r.p.runtime) < 0)
		die("daemon-secrets: %s", last_error());
	enter_sandbox();
	/* After the sandbox: Landlock binds the thread that asks, so the
	 * worker and the syncer are created inside it. */
	if (pipe2(TT.pipe, O_CLOEXEC) < 0)
		die("daemon-secrets: cannot make the worker's pipe: %s", strerror(errno));
	if ((e = pthread_create(&th, NULL, secrets_worker, NULL)) ||
	    (e = pthread_create(&sync_th, NULL, secrets_syncer, NULL)))
		die("daemon-secrets: cannot start its threads: %s", strerror(e));	/* not in errno */
	log_info("serving vaults in %s", TT.vaults);
	while (!stop) {
		struct pollfd pf[1] = { { TT.pipe[0], POLLIN, 0 } };
		int ev, timeout = sooner(idle_lock(), TT.sync_due);

		ev = xrole_poll(&TT.r, pf, 1, timeout);
		if (ev & ROLE_STOP)
			stop = 1;
		if (ev & ROLE_RELOADED)
			audit_configure(TT.audit, TT.r.conf, TT.r.p.system);
		if (pf[0].revents & POLLIN) {
			struct job *j;

			if (read(TT.pipe[0], &j, sizeof(j)) == sizeof(j))
				secrets_finish(j);
		}
		if (ev & ROLE_BUS && role_dispatch(&TT.r, secrets_handle) < 0)
			continue;
		if (TT.sync_due && role_now_ms() >= TT.sync_due) {
			secrets_sync_audit(0);
			TT.sync_due = 0;
		}
	}
	log_info("stopping: locking every vault");
	secrets_sync_audit(1);
	pthread_join(sync_th, NULL);	/* audit_close syncs the rest */
	secrets_audit("daemon.stop", NULL, NULL, NULL, "ok");
	for (struct prof *pr = TT.profiles; pr; pr = pr->next)
		vault_close(pr->v);	/* wipes the keys */
	audit_close(TT.audit);
	return role_close(&TT.r);
}
