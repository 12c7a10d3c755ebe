/* ssh.c - `sesame ssh enroll|list|revoke`: the SSH agent factor of a
 * vault.  The agent signs; daemon-secrets derives the key and wraps. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/prompt.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*APPLET ssh ssh_main "enroll, list or revoke the SSH agent key that unlocks a vault"
usage: sesame ssh enroll [-p PROFILES] [-k KEY]
       sesame ssh list [-p PROFILES]
       sesame ssh revoke [-p PROFILES]

An SSH key held by the agent ($SSH_AUTH_SOCK; Ed25519 or RSA, signing
with rsa-sha2-512) can unlock a vault: the agent signs a challenge unique
to the vault and the key-encryption key is derived from the signature.
PROFILES is a comma-separated list as for unlock ($SESAME_PROFILES,
else default).

  enroll   add (or replace) the vault's SSH key; the vault's password is
           asked to prove it is yours
  list     each profile's enrolled key, its type, and whether the agent
           holds it now
  revoke   remove the vault's SSH key; asks for the password (and, under
           policy all, needs the agent).  A vault whose only factor is its
           SSH key keeps it.

  -p, --profile PROFILES  the profiles, as for unlock
  -k, --key KEY           enroll: the key, by SHA256: fingerprint or .pub
                          file (default: the agent's only usable key)
*/

static void ask_password(const char *profile, struct cli_factors *f)
{
	char prompt[128];

	snprintf(prompt, sizeof(prompt), "Password for profile '%.64s': ", profile);
	if (!(f->pw = prompt_secret(prompt, 0, CLI_MAX_PASSWORD, &f->pwlen))) {
		secmem_free(f->sig);
		die("ssh: %s", last_error());
	}
}

static void enroll_key(struct bus_client *c, const char *profile, const char *spec)
{
	struct cli_factors f = { 0 };
	struct ssh_identity key;
	struct cli_auth a;

	if (cli_vault_auth(c, profile, &a) < 0)
		die_code(last_exit(), "ssh enroll: %s", last_error());
	if (!a.password)
		die("ssh enroll: profile %s has no password to prove the enrollment; its only factor is "
			"the SSH key %s", profile, a.key.fp);
	if (cli_ssh_pick(spec, &key) < 0)
		die("ssh enroll: %s", last_error());
	randombytes_buf(f.nonce, sizeof(f.nonce));
	if (!(f.sig = cli_ssh_sign(profile, &key, f.nonce, &f.siglen)))
		die("ssh enroll: %s", last_error());
	f.key = &key;
	ask_password(profile, &f);
	xcli_factor_request(c, WIRE_SSH_ENROLL, profile, &f);
	printf("SSH key %s (%s) enrolled for profile '%s'%s.\n", key.fp, key.type, profile,
		a.ssh ? ", replacing the previous one" : "");
}

static void revoke_key(struct bus_client *c, const char *profile)
{
	struct cli_factors f = { 0 };
	struct cli_auth a;

	if (cli_vault_auth(c, profile, &a) < 0)
		die_code(last_exit(), "ssh revoke: %s", last_error());
	if (!a.ssh) {
		printf("Profile '%s' has no SSH key enrolled.\n", profile);
		return;
	}
	if (!a.password)
		die("ssh revoke: the SSH key %s is the only factor of profile %s; revoking it would lose "
			"the vault", a.key.fp, profile);
	if (a.all && !(f.sig = cli_ssh_sign(profile, &a.key, a.nonce, &f.siglen)))
		die_code(EXIT_DENIED, "ssh revoke: policy all needs the SSH key %s in the agent: %s",
			a.key.fp, last_error());
	ask_password(profile, &f);
	xcli_factor_request(c, WIRE_SSH_REVOKE, profile, &f);
	printf("SSH key %s revoked for profile '%s'.\n", a.key.fp, profile);
}

static void list(struct bus_client *c, char names[][PROFILE_BUF], int n)
{
	static struct ssh_identity ids[SSH_MAX_IDS];
	int fd = ssh_agent_connect(), nids = fd >= 0 ? ssh_agent_identities(fd, ids, SSH_MAX_IDS) : -1;

	if (fd >= 0)
		close(fd);
	printf("%-16s  %-8s  %-6s  %-11s  %s\n", "PROFILE", "ENROLLED", "POLICY", "TYPE", "FINGERPRINT (IN AGENT)");
	for (int i = 0; i < n; i++) {
		struct cli_auth a;
		int held = 0;

		if (cli_vault_auth(c, names[i], &a) < 0) {
			complain("ssh list: %s: %s", names[i], last_error());
			continue;
		}
		for (int j = 0; a.ssh && j < nids; j++)
			held |= ids[j].len == a.key.len && !memcmp(ids[j].blob, a.key.blob, a.key.len);
		printf("%-16s  %-8s  %-6s  %-11s  %s%s\n", names[i], a.ssh ? "yes" : "no", a.all ? "all" : "any",
			a.ssh ? a.key.type : "-", a.ssh ? a.key.fp : "-",
			!a.ssh ? "" : nids < 0 ? " (no agent)" : held ? " (yes)" : " (no)");
	}
}

int ssh_main(int argc, char **argv)
{
	char names[CLI_MAX_PROFILES][PROFILE_BUF];
	const char *sub = argc > 1 ? argv[1] : NULL, *spec = NULL, *keyspec = NULL;
	struct bus_client *c;
	int o, n;

	if (!sub || (strcmp(sub, "enroll") && strcmp(sub, "list") && strcmp(sub, "revoke")))
		usage_error("ssh", sub ? "unknown subcommand '%s'" : "which one: enroll, list or revoke?%s",
			sub ? sub : "");
	optind = 2;
	while ((o = getopt_long(argc, argv, OPTSTR_ssh, longopts_ssh, NULL)) != -1) {
		if (o == 'p')
			spec = optarg;
		else if (o == 'k' && !strcmp(sub, "enroll"))
			keyspec = optarg;
		else if (o == 'k')
			usage_error("ssh", "-k, --key is for ssh enroll, not ssh %s", sub);
		else
			usage_option("ssh", argv, o, longopts_ssh);
	}
	if (optind < argc)
		usage_error("ssh", "unexpected argument '%s'", argv[optind]);
	n = cli_profiles("ssh", spec, names, CLI_MAX_PROFILES);
	c = xcli_connect();
	if (!strcmp(sub, "list"))
		list(c, names, n);
	for (int i = 0; i < n && strcmp(sub, "list"); i++) {
		if (!strcmp(sub, "enroll"))
			enroll_key(c, names[i], keyspec);
		else
			revoke_key(c, names[i]);
	}
	bus_close(c);
	return fflush(stdout) ? 1 : 0;
}
