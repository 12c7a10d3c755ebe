/* ssh.c - `sesame ssh enroll|list|revoke`: the SSH agent factor of a
 * vault.  The agent signs; daemon-secrets derives the key and wraps. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/prompt.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*APPLET ssh ssh_main "enroll, list or revoke the SSH agent keys that unlock a vault"
usage: sesame ssh enroll [-p PROFILES] [-k KEY]
       sesame ssh list [-p PROFILES]
       sesame ssh revoke [-p PROFILES] [-k KEY]

An SSH key held by the agent ($SSH_AUTH_SOCK; Ed25519 or RSA, signing
with rsa-sha2-512) can unlock a vault: the agent signs a challenge unique
to the vault and the key-encryption key is derived from the signature.
PROFILES is a comma-separated list as for unlock ($SESAME_PROFILES,
else default).

A vault can have up to 8 SSH keys (a laptop's, a hardware token's, a
colleague's).  Under policy any, each one unlocks it alone; under policy
all, each one counts as a factor: the agent must hold every one of them
(with the other factors) to unlock it, and to enroll or revoke one.

  enroll   add an SSH key to the vault; the vault's password is asked to
           prove it is yours (under policy all, the keys enrolled are
           needed too)
  list     each profile's keys: type, fingerprint, whether the agent holds
           it now, and its comment when enrolled
  revoke   remove one SSH key (-k names it when there are several); asks
           for the password (and, under policy all, needs the agent).  A
           vault whose only factor is its SSH key keeps it.

  -p, --profile PROFILES  the profiles, as for unlock
  -k, --key KEY           enroll: the key, by SHA256: fingerprint or .pub
                          file (default: the agent's only usable key);
                          revoke: the enrolled key to remove
*/

static void ask_password(const char *profile, struct cli_factors *f)
{
	char prompt[128];

	snprintf(prompt, sizeof(prompt), "Password for profile '%.64s': ", profile);
	if (!(f->pw = prompt_secret(prompt, 0, CLI_MAX_PASSWORD, &f->pwlen))) {
		cli_factors_free(f);
		die("ssh: %s", last_error());
	}
}

static void enroll_key(struct bus_client *c, const char *profile, const char *spec)
{
	struct cli_factors f = { 0 };
	struct ssh_identity key;
	struct cli_auth *a = xmalloc(sizeof(*a));

	if (cli_vault_auth(c, profile, a) < 0)
		die_code(last_exit(), "ssh enroll: %s", last_error());
	if (!a->password)
		die("ssh enroll: profile %s has no password to prove the enrollment; its only factors are its "
			"SSH key%s", profile, a->ssh > 1 ? "s" : "");
	if (cli_ssh_pick(spec, &key) < 0)
		die("ssh enroll: %s", last_error());
	for (int i = 0; i < a->ssh; i++)
		if (!strcmp(a->sshk[i].key.fp, key.fp))
			die("ssh enroll: %s is enrolled for profile %s already", key.fp, profile);
	if (a->ssh >= VAULT_MAX_SSH_KEYS)
		die("ssh enroll: profile %s has %d SSH keys, as many as a vault takes: revoke one first", profile,
			a->ssh);
	/* Under policy all every key is bound in: the ones there prove it too. */
	if (a->all && a->ssh && cli_ssh_proofs(profile, a, 1, &f) < 0)
		die_code(EXIT_DENIED, "ssh enroll: policy all needs every SSH key enrolled in the agent: %s",
			last_error());
	randombytes_buf(f.nonce, sizeof(f.nonce));
	if (!(f.sig = cli_ssh_sign(profile, &key, f.nonce, &f.siglen))) {
		cli_factors_free(&f);
		die("ssh enroll: %s", last_error());
	}
	f.key = &key;
	f.comment = key.comment;
	ask_password(profile, &f);
	xcli_factor_request(c, WIRE_SSH_ENROLL, profile, &f);
	printf("SSH key %s (%s) enrolled for profile '%s'%s.\n", key.fp, key.type, profile,
		a->ssh ? a->all ? "; under policy all, each of its SSH keys is needed to unlock it" :
		"; any of its SSH keys unlocks it" : "");
	free(a);
}

/* The enrolled key spec names (a fingerprint or a .pub file), or the
 * only one. */
static const struct cli_ssh_key *pick_enrolled(const char *profile, const struct cli_auth *a, const char *spec)
{
	struct ssh_identity want;

	if (!spec || !*spec) {
		if (a->ssh == 1)
			return &a->sshk[0];
		complain("ssh revoke: profile %s has %d SSH keys; name one with -k FINGERPRINT (sesame ssh list):",
			profile, a->ssh);
		for (int i = 0; i < a->ssh; i++)
			complain("  %s (%s) %s", a->sshk[i].key.fp, a->sshk[i].key.type, a->sshk[i].comment);
		die("ssh revoke: which key?");
	}
	if (strncmp(spec, "SHA256:", 7)) {
		char line[8192];
		FILE *fp = fopen(spec, "re");

		if (!fp || !fgets(line, sizeof(line), fp) || ssh_pubkey_parse(line, &want) < 0)
			die("ssh revoke: %s: not a public key file (%s)", spec, fp ? last_error() : strerror(errno));
		fclose(fp);
		spec = want.fp;
	}
	for (int i = 0; i < a->ssh; i++)
		if (!strcmp(a->sshk[i].key.fp, spec))
			return &a->sshk[i];
	die("ssh revoke: profile %s has no SSH key %s", profile, spec);
}

static void revoke_key(struct bus_client *c, const char *profile, const char *spec)
{
	struct cli_factors f = { 0 };
	struct cli_auth *a = xmalloc(sizeof(*a));
	const struct cli_ssh_key *k;
	char fp[128];

	if (cli_vault_auth(c, profile, a) < 0)
		die_code(last_exit(), "ssh revoke: %s", last_error());
	if (!a->ssh) {
		printf("Profile '%s' has no SSH key enrolled.\n", profile);
		free(a);
		return;
	}
	k = pick_enrolled(profile, a, spec);
	snprintf(fp, sizeof(fp), "%s", k->key.fp);
	if (!a->password && a->ssh == 1 && !a->tpm2 && !a->keyfile)
		die("ssh revoke: the SSH key %s is the only factor of profile %s; revoking it would lose "
			"the vault", fp, profile);
	if (!a->password)
		die("ssh revoke: profile %s has no password to prove the change", profile);
	if (a->all && cli_ssh_proofs(profile, a, 1, &f) < 0)
		die_code(EXIT_DENIED, "ssh revoke: policy all needs every SSH key enrolled in the agent: %s",
			last_error());
	f.revoke_slot = k->slot;
	ask_password(profile, &f);
	xcli_factor_request(c, WIRE_SSH_REVOKE, profile, &f);
	printf("SSH key %s revoked for profile '%s'.\n", fp, profile);
	free(a);
}

static void list(struct bus_client *c, char names[][PROFILE_BUF], int n)
{
	static struct ssh_identity ids[SSH_MAX_IDS];
	int fd = ssh_agent_connect(), nids = fd >= 0 ? ssh_agent_identities(fd, ids, SSH_MAX_IDS) : -1;
	struct cli_auth *a = xmalloc(sizeof(*a));

	if (fd >= 0)
		close(fd);
	printf("%-16s  %-6s  %-11s  %-50s  %-10s  %s\n", "PROFILE", "POLICY", "TYPE", "FINGERPRINT", "IN AGENT",
		"COMMENT");
	for (int i = 0; i < n; i++) {
		if (cli_vault_auth(c, names[i], a) < 0) {
			complain("ssh list: %s: %s", names[i], last_error());
			continue;
		}
		if (!a->ssh)
			printf("%-16s  %-6s  %-11s  %-50s  %-10s  %s\n", names[i], a->all ? "all" : "any", "-",
				"(no SSH key enrolled)", "-", "");
		for (int k = 0; k < a->ssh; k++) {
			const struct cli_ssh_key *e = &a->sshk[k];
			int held = 0;

			for (int j = 0; j < nids; j++)
				held |= ids[j].len == e->key.len && !memcmp(ids[j].blob, e->key.blob, e->key.len);
			printf("%-16s  %-6s  %-11s  %-50s  %-10s  ", names[i], a->all ? "all" : "any", e->key.type,
				e->key.fp, nids < 0 ? "no agent" : held ? "yes" : "no");
			cli_put_safe(stdout, (const uint8_t *)e->comment, strlen(e->comment));
			putchar('\n');
		}
	}
	free(a);
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
		else if (o == 'k' && strcmp(sub, "list"))
			keyspec = optarg;
		else if (o == 'k')
			usage_error("ssh", "-k, --key is for ssh enroll and revoke, not ssh list");
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
			revoke_key(c, names[i], keyspec);
	}
	bus_close(c);
	return fflush(stdout) ? 1 : 0;
}
