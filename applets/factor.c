/* factor.c - `sesame tpm2` and `sesame keyfile`: the machine factors of
 * a vault, which unlock it with no one typing (lib/tpm2/tpm2.h, lib/store/keyfile.h).
 * The CLI talks to the TPM and reads the file; daemon-secrets gets the
 * 32-byte secret and wraps the vault key under it. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/prompt.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/keyfile.h"
#include "lib/tpm2/tpm2.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*APPLET tpm2 tpm2_main "enroll, list or revoke the TPM2-sealed key that unlocks a vault unattended"
usage: sesame tpm2 enroll [-p PROFILES] [--pcrs LIST] [--pcr-values V] [--pin]
       sesame tpm2 list [-p PROFILES]
       sesame tpm2 revoke [-p PROFILES]

A key sealed in the TPM unlocks the vault with no prompt (sesame unlock,
and the boot-time unlock of init/README).  It is sealed under the
TPM's storage primary key (the owner hierarchy, the TCG's SRK template),
in sessions salted and encrypted so the key does not cross the TPM bus
in clear; the vault keeps only the sealed blobs and the policy.

  enroll   add (or replace) the TPM2 factor.  The vault's password is
           asked to prove it is yours (without a password: the other
           factors, the agent or the key file, are used)
  list     each profile's TPM2 factor: PCRs, PIN, and whether the PCRs
           still have the sealed values
  revoke   remove it (asks for the password); a vault keeps its last
           factor

  -p, --profile PROFILES  the profiles, comma-separated (as for unlock)
  --pcrs LIST     enroll: seal to these PCRs of the SHA-256 bank: 7,11
                  ..., or none (default 7).  When a PCR's value changes
                  (another boot chain), the TPM will not unseal; unlock
                  by password and enroll again
  --pcr-values V  enroll: seal to these values (7=HEX,11=HEX), for a
                  boot chain not yet booted (a firmware update), instead
                  of the values now
  --pin           enroll: also require a PIN, asked twice; wrong PINs
                  count toward the TPM's dictionary-attack lockout

The TPM: SESAME_TPM2_TCTI, else global.tpm2.tcti in the configuration,
else device:/dev/tpmrm0 (tpm2-tss TCTI strings:
swtpm:host=127.0.0.1,port=2321 for a simulator).
*/

/*APPLET keyfile keyfile_main "enroll, list or revoke a key file that unlocks a vault unattended"
usage: sesame keyfile create FILE
       sesame keyfile enroll [-p PROFILES] FILE
       sesame keyfile list [-p PROFILES]
       sesame keyfile revoke [-p PROFILES]

A key file holds 32 random bytes; the vault keeps its path, and sesame
unlock reads it with no prompt.  It must be a regular file (not a
symbolic link) owned by root or by you, with no group or other
permissions, of exactly 32 bytes.  Put it where the vault is not: a
separate read-only partition, a key provisioned at manufacture.  It
protects a copy of the vault made without the file (a stolen data
partition, a backup); it does not protect against anyone who can read
the file on the running device (root, or its owner).

  create   make FILE: 32 bytes from the kernel's random source, mode 0400;
           an existing file is never replaced
  enroll   add (or replace) the vault's key file; the vault's password
           is asked to prove it is yours (without one, its other factors)
  list     each profile's key file, and whether it can be read now
  revoke   remove it (asks for the password)

  -p, --profile PROFILES  the profiles, comma-separated (as for unlock)
*/

enum { TPM2, KEYFILE };
static const char *const factor_name[] = { "tpm2", "keyfile" };
static const char *const label[] = { "TPM2 factor", "key file" };

/* What proves an enroll or revoke of factor `which`: the password when
 * the vault has one (and, under policy all, every other factor too);
 * without a password, the other machine factors and the agent. */
static void prove(const char *cmd, const char *profile, const struct cli_auth *a, int which, int enrolling,
	struct cli_factors *f)
{
	int all = a->all, n = 0;

	if (all && enrolling && (which == TPM2 ? a->tpm2 : a->keyfile))
		die("%s: profile %s already has a %s under policy all, where the old one is needed to prove the "
			"change: revoke it first (sesame %s revoke)", cmd, profile, label[which], factor_name[which]);
	if ((all || !a->password) && a->ssh && (n = cli_ssh_proofs(profile, a, all, f)) < 0 && all)
		die_code(EXIT_DENIED, "%s: profile %s needs %s (policy all): %s", cmd, profile,
			a->ssh > 1 ? "each of its SSH keys" : "its SSH key", last_error());
	if ((all || !a->password) && a->tpm2 && (which != TPM2 || !enrolling) &&
	    !(f->tpm2 = cli_tpm2_secret(profile, a, 1)) && all)
		die_code(EXIT_DENIED, "%s: profile %s needs its TPM2 factor (policy all): %s", cmd, profile,
			last_error());
	if ((all || !a->password) && a->keyfile && (which != KEYFILE || !enrolling) &&
	    !(f->keyfile = cli_keyfile_secret(a)) && all)
		die_code(EXIT_DENIED, "%s: profile %s needs its key file (policy all): %s", cmd, profile, last_error());
	if (a->password) {
		char prompt[128];

		snprintf(prompt, sizeof(prompt), "Password for profile '%.64s': ", profile);
		if (!(f->pw = prompt_secret(prompt, 0, CLI_MAX_PASSWORD, &f->pwlen))) {
			cli_factors_free(f);
			die("%s: %s", cmd, last_error());
		}
	} else if (n <= 0 && !f->tpm2 && !f->keyfile) {
		die_code(EXIT_DENIED, "%s: nothing proves the change to profile %s: it has no password, and its "
			"other factors did not open (%s)", cmd, profile, last_error());
	}
}

static void enroll_factor(struct bus_client *c, int which, const char *profile, const char *arg, const char *pcrs,
	const char *values, int pin)
{
	static uint8_t data[VAULT_MAX_FACTOR_DATA];
	static char path[PATH_MAX];
	char cmd[32];
	struct cli_factors f = { 0 };
	struct cli_auth *a = xmalloc(sizeof(*a));
	int had;

	snprintf(cmd, sizeof(cmd), "%s enroll", factor_name[which]);
	if (cli_vault_auth(c, profile, a) < 0)
		die_code(last_exit(), "%s: %s", cmd, last_error());
	had = which == TPM2 ? a->tpm2 : a->keyfile;
	if (which == KEYFILE && cli_keyfile_new(arg, &f, path) < 0)
		die("%s: %s", cmd, last_error());
	if (which == TPM2 && cli_tpm2_new(pcrs, values, pin, &f, data) < 0)
		die("%s: %s", cmd, last_error());
	prove(cmd, profile, a, which, 1, &f);
	f.factor = factor_name[which];
	xcli_factor_request(c, WIRE_SSH_ENROLL, profile, &f);
	if (which == TPM2) {
		char list[96];
		uint32_t mask = 0;

		tpm2_pcrs_parse(pcrs ? pcrs : "7", &mask);	/* (cli_tpm2_new took it) */
		tpm2_pcrs_format(mask, list, sizeof(list));
		printf("TPM2 factor enrolled for profile '%s' (PCRs %s%s)%s.\n", profile, list, pin ? ", PIN" : "",
			had ? ", replacing the previous one" : "");
	} else {
		printf("Key file %s enrolled for profile '%s'%s.\n", path, profile, had ? ", replacing the previous one" : "");
	}
	free(a);
}

static void revoke_factor(struct bus_client *c, int which, const char *profile)
{
	struct cli_factors f = { 0 };
	struct cli_auth *a = xmalloc(sizeof(*a));
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "%s revoke", factor_name[which]);
	if (cli_vault_auth(c, profile, a) < 0)
		die_code(last_exit(), "%s: %s", cmd, last_error());
	if (!(which == TPM2 ? a->tpm2 : a->keyfile)) {
		printf("Profile '%s' has no %s enrolled.\n", profile, label[which]);
		free(a);
		return;
	}
	if (a->password + a->ssh + a->tpm2 + a->keyfile == 1)
		die("%s: the %s is the only factor of profile %s; revoking it would lose the vault", cmd,
			label[which], profile);
	prove(cmd, profile, a, which, 0, &f);
	f.factor = factor_name[which];
	xcli_factor_request(c, WIRE_SSH_REVOKE, profile, &f);
	printf("%s of profile '%s' revoked.\n", which == TPM2 ? "TPM2 factor" : "Key file", profile);
	free(a);
}

static void list_factor(struct bus_client *c, int which, char names[][PROFILE_BUF], int n)
{
	struct cli_auth *a = xmalloc(sizeof(*a));

	if (which == TPM2)
		printf("%-16s  %-8s  %-6s  %-12s  %-4s  %s\n", "PROFILE", "ENROLLED", "POLICY", "PCRS", "PIN", "PCRS NOW");
	else
		printf("%-16s  %-8s  %-6s  %s\n", "PROFILE", "ENROLLED", "POLICY", "FILE (READABLE NOW)");
	for (int i = 0; i < n; i++) {
		int has;

		if (cli_vault_auth(c, names[i], a) < 0) {
			complain("%s list: %s: %s", factor_name[which], names[i], last_error());
			continue;
		}
		has = which == TPM2 ? a->tpm2 : a->keyfile;
		if (which == TPM2) {
			struct tpm2_sealed *s = xmalloc(sizeof(*s));
			char pcrs[96] = "-", now[160] = "-";
			uint32_t changed;

			if (has && tpm2_data_parse(a->tpm2_data, a->tpm2_len, s) == 0) {
				tpm2_pcrs_format(s->pcrs, pcrs, sizeof(pcrs));
				if (tpm2_pcrs_changed(s, &changed) < 0)
					snprintf(now, sizeof(now), "unknown (%.140s)", last_error());
				else if (!s->pcrs)
					snprintf(now, sizeof(now), "-");
				else if (!changed)
					snprintf(now, sizeof(now), "match");
				else {
					char l[96];

					tpm2_pcrs_format(changed, l, sizeof(l));
					snprintf(now, sizeof(now), "CHANGED: %s", l);
				}
			} else if (has) {
				snprintf(now, sizeof(now), "damaged: %.140s", last_error());
			}
			printf("%-16s  %-8s  %-6s  %-12s  %-4s  %s\n", names[i], has ? "yes" : "no", a->all ? "all" : "any",
				pcrs, has ? (s->pin ? "yes" : "no") : "-", now);
			free(s);
		} else {
			uint8_t *k = has ? keyfile_read(a->keyfile_path) : NULL;

			printf("%-16s  %-8s  %-6s  %s%s%s%s\n", names[i], has ? "yes" : "no", a->all ? "all" : "any",
				has ? a->keyfile_path : "-", !has ? "" : k ? " (yes)" : " (no: ", !has || k ? "" : last_error(),
				!has || k ? "" : ")");
			secmem_free(k);
		}
	}
	free(a);
}

static int factor_main(int which, int argc, char **argv)
{
	const struct option *opts = which == TPM2 ? longopts_tpm2 : longopts_keyfile;
	const char *cmd = factor_name[which], *sub = argc > 1 ? argv[1] : NULL, *spec = NULL;
	const char *pcrs = NULL, *values = NULL, *file = NULL;
	char names[CLI_MAX_PROFILES][PROFILE_BUF];
	struct bus_client *c;
	int o, n, pin = 0;

	if (!sub || (strcmp(sub, "enroll") && strcmp(sub, "list") && strcmp(sub, "revoke") &&
	    (which == TPM2 || strcmp(sub, "create"))))
		usage_error(cmd, sub ? "unknown subcommand '%s'" : "which one: %s%s", sub ? sub : "enroll, list or revoke",
			sub || which == TPM2 ? "" : " (or create)");
	optind = 2;
	while ((o = getopt_long(argc, argv, which == TPM2 ? OPTSTR_tpm2 : OPTSTR_keyfile, opts, NULL)) != -1) {
		if (o == 'p')
			spec = optarg;
		else if ((o == OPT_PCRS || o == OPT_PCR_VALUES || o == OPT_PIN) && strcmp(sub, "enroll"))
			usage_error(cmd, "--pcrs, --pcr-values and --pin are for tpm2 enroll");
		else if (o == OPT_PCRS)
			pcrs = optarg;
		else if (o == OPT_PCR_VALUES)
			values = optarg;
		else if (o == OPT_PIN)
			pin = 1;
		else
			usage_option(cmd, argv, o, opts);
	}
	if (which == KEYFILE && (!strcmp(sub, "enroll") || !strcmp(sub, "create"))) {
		if (optind != argc - 1)
			usage_error(cmd, "%s needs the FILE", sub);
		file = argv[optind++];
	}
	if (optind < argc)
		usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!strcmp(sub, "create")) {
		if (spec)
			usage_error(cmd, "create makes a file; it takes no -p");
		if (keyfile_create(file) < 0)
			die("keyfile create: %s", last_error());
		printf("Key file %s created (32 random bytes, mode 0400).\n", file);
		return 0;
	}
	if (which == TPM2 && strcmp(sub, "list") && !tpm2_available())
		die("tpm2 %s: %s", sub, last_error());
	n = cli_profiles(cmd, spec, names, CLI_MAX_PROFILES);
	c = xcli_connect();
	if (!strcmp(sub, "list"))
		list_factor(c, which, names, n);
	for (int i = 0; i < n && strcmp(sub, "list"); i++) {
		if (!strcmp(sub, "enroll"))
			enroll_factor(c, which, names[i], file, pcrs, values, pin);
		else
			revoke_factor(c, which, names[i]);
	}
	bus_close(c);
	return fflush(stdout) ? 1 : 0;
}

int tpm2_main(int argc, char **argv)
{
	return factor_main(TPM2, argc, argv);
}

int keyfile_main(int argc, char **argv)
{
	return factor_main(KEYFILE, argc, argv);
}
