/* vault.c - `sesame init`, `unlock` and `lock`: a profile's vault as a
 * whole.  The work happens in daemon-secrets; these read the password
 * and carry it over the bus. */
#include "../lib/applet.h"
#include "../lib/bus.h"
#include "../lib/cli.h"
#include "../lib/paths.h"
#include "../lib/prompt.h"
#include "../lib/secmem.h"
#include "../lib/util.h"
#include "../lib/vault.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PASSWORD 1024

/*APPLET init init_main "create a profile's vault, protected by a password"
usage: sesame init [-p PROFILE] [--password]

Creates the vault of PROFILE (default: default) in daemon-secrets, with a
new random vault key wrapped by the password (Argon2id, m=19456 KiB, t=2).
The password is asked twice on a terminal, without echo; otherwise it is
the first line of standard input.  An existing vault is never replaced.
The new vault is left unlocked.

  -p, --profile NAME   the profile (letters, digits, '-' and '_')
  --password           use a password (the only factor so far)
  --ssh-key, --auth-policy, --wipe-reset-destroy-all-data
                       not implemented yet: say so and exit 1
*/

/*APPLET unlock unlock_main "unlock profiles' vaults with their passwords"
usage: sesame unlock [-p PROFILES]

Unlocks each profile in PROFILES, a comma-separated list (default:
$SESAME_PROFILES, else default; "org:name" means the profile name).  A
profile that is already unlocked is skipped without asking.  Passwords
are read as for init, without confirmation.  Exits 77 on a wrong password.
*/

/*APPLET passwd passwd_main "change a vault's password"
usage: sesame passwd [-p PROFILE]

Changes the password of PROFILE's vault (default: default): the current
password must open it, then the vault key is wrapped again under the new
one (with a fresh salt); values are not re-encrypted.  On a terminal the
current password is asked once and the new one twice, without echo;
otherwise standard input gives the current password on its first line and
the new one on its second.  Wrong passwords count toward the unlock
backoff.  A locked vault stays locked.
*/

/*APPLET lock lock_main "lock vaults and wipe their keys from memory"
usage: sesame lock [-p PROFILE | --all]

Locks PROFILE's vault, or every unlocked vault (the default, or --all):
daemon-secrets wipes the keys.  Prints each profile it locked.
*/

/* Send a request carrying one or two passwords, which are wiped and freed
 * here whatever happens; dies on an error reply. */
static void password_request(struct bus_client *c, uint8_t type, const char *profile,
	uint8_t *pw, size_t pwlen, uint8_t *pw2, size_t pw2len)
{
	static uint8_t buf[WIRE_MAX_MESSAGE];
	static struct wire_out req;
	struct wire_msg m;

	wire_begin(&req, type, 0, 0);
	wire_put_str(&req, WF_PROFILE, profile);
	wire_put(&req, WF_PASSWORD, pw, pwlen);
	if (pw2)
		wire_put(&req, WF_NEW_PASSWORD, pw2, pw2len);
	secmem_free(pw);
	secmem_free(pw2);
	xbus_request(c, &req, buf, &m);	/* wipes req itself if it dies */
	sodium_memzero(req.buf, req.len);
}

static const char *profile_arg(const char *v)
{
	if (!vault_profile_valid(v))
		usage_error(NULL, "'%s' is not a valid profile name (letters, digits, '-', '_'; at most 64)", v);
	return v;
}

int init_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "password", no_argument, NULL, 'w' },
		{ "ssh-key", optional_argument, NULL, 's' },
		{ "auth-policy", required_argument, NULL, 'a' },
		{ "wipe-reset-destroy-all-data", no_argument, NULL, 'x' },
		{ 0 }
	};
	const char *profile = "default";
	struct bus_client *c;
	struct paths p;
	uint8_t *pw;
	size_t pwlen;
	char prompt[128];
	int o;

	while ((o = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
		switch (o) {
		case 'p': profile = profile_arg(optarg); break;
		case 'w': break;
		case 's': case 'a': case 'x':
			die("init: %s is not implemented yet", argv[optind - 1]);
		default: usage_error("init", "bad option");
		}
	}
	if (optind < argc)
		usage_error("init", "unexpected argument '%s'", argv[optind]);
	if (paths_resolve(&p) < 0)
		die("%s", last_error());
	c = xbus_connect(&p);
	snprintf(prompt, sizeof(prompt), "New password for profile '%s': ", profile);
	if (!(pw = prompt_secret(prompt, 1, MAX_PASSWORD, &pwlen)))
		die("init: %s", last_error());
	password_request(c, WIRE_VAULT_INIT, profile, pw, pwlen, NULL, 0);
	printf("Vault '%s' created and unlocked.\n", profile);
	bus_close(c);
	return 0;
}

/* Collects the names of unlocked vaults. */
struct unlocked {
	int n;
	char names[CLI_MAX_PROFILES][65];
};

static void note_unlocked(const char *profile, const char *state, void *ctx)
{
	struct unlocked *u = ctx;

	if (!strcmp(state, "unlocked") && u->n < CLI_MAX_PROFILES)
		strcpy(u->names[u->n++], profile);
}

static int is_unlocked(const struct unlocked *u, const char *profile)
{
	for (int i = 0; i < u->n; i++)
		if (!strcmp(u->names[i], profile))
			return 1;
	return 0;
}

int unlock_main(int argc, char **argv)
{
	static struct unlocked unlocked;
	char names[CLI_MAX_PROFILES][65];
	const char *spec = NULL;
	struct bus_client *c;
	struct paths p;
	int o, n;

	while ((o = getopt(argc, argv, "p:")) != -1) {
		if (o == 'p')
			spec = optarg;
		else
			usage_error("unlock", "bad option");
	}
	if (optind < argc)
		usage_error("unlock", "unexpected argument '%s'", argv[optind]);
	n = cli_profiles("unlock", spec, names, CLI_MAX_PROFILES);
	if (paths_resolve(&p) < 0)
		die("%s", last_error());
	c = xbus_connect(&p);
	if (cli_vault_states(c, note_unlocked, &unlocked) < 0)
		die_code(bus_error_exit(), "unlock: %s", last_error());
	for (int i = 0; i < n; i++) {
		const char *name = names[i];
		char prompt[128];
		uint8_t *pw;
		size_t pwlen;

		if (is_unlocked(&unlocked, name)) {
			printf("Vault '%s' is already unlocked.\n", name);
			continue;
		}
		snprintf(prompt, sizeof(prompt), "Password for profile '%.64s': ", name);
		if (!(pw = prompt_secret(prompt, 0, MAX_PASSWORD, &pwlen)))
			die("unlock: %s", last_error());
		password_request(c, WIRE_UNLOCK, name, pw, pwlen, NULL, 0);
		printf("Vault '%s' unlocked.\n", name);
	}
	bus_close(c);
	return 0;
}

int passwd_main(int argc, char **argv)
{
	const char *profile = "default";
	struct bus_client *c;
	struct paths p;
	uint8_t *old, *new;
	size_t oldlen, newlen;
	char prompt[128];
	int o;

	while ((o = getopt(argc, argv, "p:")) != -1) {
		if (o == 'p')
			profile = profile_arg(optarg);
		else
			usage_error("passwd", "bad option");
	}
	if (optind < argc)
		usage_error("passwd", "unexpected argument '%s'", argv[optind]);
	if (paths_resolve(&p) < 0)
		die("%s", last_error());
	c = xbus_connect(&p);
	snprintf(prompt, sizeof(prompt), "Current password for profile '%s': ", profile);
	if (!(old = prompt_secret(prompt, 0, MAX_PASSWORD, &oldlen)))
		die("passwd: %s", last_error());
	snprintf(prompt, sizeof(prompt), "New password for profile '%s': ", profile);
	if (!(new = prompt_secret(prompt, 1, MAX_PASSWORD, &newlen))) {
		secmem_free(old);
		die("passwd: new password: %s", last_error());
	}
	password_request(c, WIRE_PASSWD, profile, old, oldlen, new, newlen);
	printf("Password of vault '%s' changed.\n", profile);
	bus_close(c);
	return 0;
}

int lock_main(int argc, char **argv)
{
	static uint8_t buf[WIRE_MAX_MESSAGE];
	static struct wire_out req;
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ 0 }
	};
	const char *profile = NULL;
	struct bus_client *c;
	struct wire_msg m;
	struct paths p;
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	int o, n = 0, all = 0;

	while ((o = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
		switch (o) {
		case 'p': profile = profile_arg(optarg); break;
		case 'a': all = 1; break;
		default: usage_error("lock", "bad option");
		}
	}
	if (optind < argc || (all && profile))
		usage_error("lock", "give -p PROFILE or --all, not both");
	if (paths_resolve(&p) < 0)
		die("%s", last_error());
	c = xbus_connect(&p);
	wire_begin(&req, WIRE_LOCK, 0, 0);
	if (profile)
		wire_put_str(&req, WF_PROFILE, profile);
	xbus_request(c, &req, buf, &m);
	while (wire_next(&m, &pos, &tag, &v, &len)) {
		if (tag == WF_PROFILE) {
			printf("Vault '%.*s' locked; its keys are wiped.\n", (int)len, (const char *)v);
			n++;
		}
	}
	if (!n)
		printf("%s\n", profile ? "That vault was already locked." : "No vault was unlocked.");
	bus_close(c);
	return 0;
}
