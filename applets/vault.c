/* vault.c - `sesame init`, `unlock` and `lock`: a profile's vault as a
 * whole.  The work happens in daemon-secrets; these read the password
 * and carry it over the bus. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/prompt.h"
#include "lib/config/config.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/*APPLET init init_main "create a profile's vault, protected by a password, an SSH key, a TPM or a key file"
usage: sesame init [-p PROFILE] [--password] [--ssh-key[=FP|PATH]] [--tpm2 [--pcrs LIST]
                   [--pcr-values PCR=HEX,...] [--tpm2-pin]] [--keyfile FILE] [--auth-policy any|all]
       sesame init --wipe-reset-destroy-all-data

Creates the vault of PROFILE (default: default) in daemon-secrets with a
new random vault key, wrapped by each factor.  An existing vault is never
replaced.  The new vault is left unlocked.

A password is asked twice on a terminal, without echo; otherwise it is the
first line of standard input.  An SSH key is one the SSH agent holds
($SSH_AUTH_SOCK; Ed25519 or RSA): the agent signs a challenge and the
key-encryption key is derived from the signature, so unlocking needs the
agent, never the private key file.

  -p, --profile NAME   the profile (letters, digits, '-' and '_')
  --password           protect with a password (the default when no
                       --ssh-key is given)
  --ssh-key[=KEY]      protect with an SSH agent key: a SHA256:
                       fingerprint, a .pub file, or nothing for the
                       agent's only Ed25519/RSA key
  --tpm2               protect with a key sealed in the TPM (sesame tpm2)
  --pcrs LIST          the PCRs it is sealed to: 7,11 ... or none
                       (default 7: the Secure Boot policy)
  --pcr-values V       seal to these values (7=HEX,11=HEX) instead of
                       the PCRs' values now
  --tpm2-pin           and to a PIN, asked twice (not for unattended
                       unlock: the PIN is typed)
  --keyfile FILE       protect with a 32-byte key file (sesame keyfile)
  --auth-policy P      any: one factor unlocks (default, or
                       profiles.NAME.auth.mode); all: every factor is
                       needed (with one factor besides it, the password
                       is added)

Without --ssh-key, --tpm2 or --keyfile, the vault has a password.  A
device that must come up unlocked unattended wants --tpm2 or --keyfile
with a password as well (policy any): the password is the way back in
when the TPM's PCRs change (README: Headless devices).
  --wipe-reset-destroy-all-data
                       destroy every vault, the audit log and the
                       configuration after typing "destroy all data";
                       stop the daemons first
*/

/*APPLET unlock unlock_main "unlock profiles' vaults (TPM, key file, SSH agent, then password)"
usage: sesame unlock [-p PROFILES | --all] [--no-prompt] [--wait SECONDS]

Unlocks each profile in PROFILES, a comma-separated list (default:
$SESAME_PROFILES, else default; "org:name" means the profile name).  A
profile that is already unlocked is skipped without asking.  What opens
with no one typing comes first: a key sealed in the TPM (sesame tpm2; a
PIN is asked if it has one), a key file (sesame keyfile), the SSH agent's
key; then (or under policy all, as well) the password is read as for
init, without confirmation.  Exits 77 on a wrong password.
After 3 wrong passwords in a row, each further one doubles the wait
before the next attempt is heard, from 1 s up to 1 h; the count is kept
in the vault, so a restart of daemon-secrets does not reset it, and the
right password does.  Like init and passwd, it waits up to 2 minutes for
daemon-secrets (a high Argon2id cost takes seconds on a small machine);
other requests get 5 s.

  -p, --profile PROFILES  the profiles (as above)
  --all          every locked vault daemon-secrets has
  --no-prompt    never ask or read anything: only what opens without a
                 person (the TPM, a key file, an SSH agent key) is used,
                 and a TPM factor with a PIN is not; the vaults that stay
                 locked are listed, each with what it needs, and the exit
                 status is then 77 (for boot scripts: init/README)
  --wait S       wait up to S seconds for daemon-profile and
                 daemon-secrets to answer (a boot script starts with them)
*/

/*APPLET passwd passwd_main "change a vault's password"
usage: sesame passwd [-p PROFILE]

Changes the password of PROFILE's vault (default: default): the current
password must open it, then the vault key is wrapped again under the new
one (with a fresh salt); values are not re-encrypted.  On a terminal the
current password is asked once and the new one twice, without echo;
otherwise standard input gives the current password on its first line and
the new one on its second.  Under policy all the SSH agent must hold the
enrolled key too.  Wrong passwords count toward the unlock backoff.  A
locked vault stays locked.

  -p, --profile NAME   the profile (default: default)
*/

/*APPLET lock lock_main "lock vaults and wipe their keys from memory"
usage: sesame lock [-p PROFILE | --all]

Locks PROFILE's vault, or every unlocked vault (the default, or --all):
daemon-secrets wipes the keys.  Prints each profile it locked.

  -p, --profile PROFILE  that profile's vault only
  --all                  every unlocked vault (the default)
*/

/* The agent's signatures for a vault's SSH keys (every one under policy
 * all, else the first it holds): 1 if there are any, 0 with a reason. */
static int agent_sig(const char *profile, const struct cli_auth *a, struct cli_factors *f)
{
	return a->ssh && cli_ssh_proofs(profile, a, a->all, f) > 0;
}

/* "the SSH key FP", or "one of its 3 SSH keys", for messages. */
static const char *ssh_keys_said(const struct cli_auth *a, char *buf, size_t n)
{
	if (a->ssh > 1)
		snprintf(buf, n, "%s of its %d SSH keys", a->all ? "each" : "one", a->ssh);
	else
		snprintf(buf, n, "its SSH key %s", a->key.fp);
	return buf;
}

int init_main(int argc, char **argv)
{
	const char *profile = "default", *policy = NULL, *ssh_spec = NULL, *pcrs = NULL, *values = NULL;
	const char *keyfile = NULL;
	static uint8_t tpm2_data[VAULT_MAX_FACTOR_DATA];
	static char kpath[PATH_MAX];
	struct cli_factors f = { 0 };
	struct ssh_identity key;
	struct bus_client *c;
	struct paths p;
	int o, want_pw = 0, want_ssh = 0, want_tpm2 = 0, pin = 0, wipe = 0, others;
	char desc[256] = "";

	while ((o = getopt_long(argc, argv, OPTSTR_init, longopts_init, NULL)) != -1) {
		switch (o) {
		case 'p': profile = cli_profile_arg("init", optarg); break;
		case OPT_PASSWORD: want_pw = 1; break;
		case OPT_SSH_KEY: want_ssh = 1; ssh_spec = optarg; break;
		case OPT_AUTH_POLICY:
			if (strcmp(optarg, "any") && strcmp(optarg, "all"))
				usage_error("init", "--auth-policy is any or all, not '%s'", optarg);
			policy = optarg;
			break;
		case OPT_WIPE_RESET_DESTROY_ALL_DATA: wipe = 1; break;
		case OPT_TPM2: want_tpm2 = 1; break;
		case OPT_PCRS: pcrs = optarg; break;
		case OPT_PCR_VALUES: values = optarg; break;
		case OPT_TPM2_PIN: pin = 1; break;
		case OPT_KEYFILE: keyfile = optarg; break;
		default: usage_option("init", argv, o, longopts_init);
		}
	}
	if ((pcrs || values || pin) && !want_tpm2)
		usage_error("init", "--pcrs, --pcr-values and --tpm2-pin go with --tpm2");
	if (optind < argc)
		usage_error("init", "unexpected argument '%s'", argv[optind]);
	if (paths_resolve(&p) < 0)
		die("%s", last_error());
	if (wipe) {
		if (argc != 2)
			usage_error("init", "--wipe-reset-destroy-all-data takes no other option");
		if (cli_wipe_all(&p) < 0)
			die("init: %s", last_error());
		return 0;
	}
	if (!policy) {
		/* The profile's configured auth.mode, else any. */
		struct config *cf = config_load(&p, NULL, NULL);
		char path[128];

		if (!cf)
			die("init: the configuration has errors (sesame config check): %s", last_error());
		snprintf(path, sizeof(path), "profiles.%s.auth.mode", profile);
		policy = !strcmp(config_str(cf, path, "any"), "all") ? "all" : "any";
		config_free(cf);
	}
	others = want_ssh + want_tpm2 + (keyfile != NULL);
	if (!others || (!strcmp(policy, "all") && others < 2))
		want_pw = 1;
	if (!strcmp(policy, "all") && !others)
		usage_error("init", "policy all needs two factors: give --ssh-key, --tpm2 or --keyfile as well");
	f.policy = policy;
	if (keyfile && cli_keyfile_new(keyfile, &f, kpath) < 0)
		die("init: %s", last_error());
	c = xcli_connect();
	if (want_ssh) {
		if (cli_ssh_pick(ssh_spec, &key) < 0)
			die("init: %s", last_error());
		randombytes_buf(f.nonce, sizeof(f.nonce));
		if (!(f.sig = cli_ssh_sign(profile, &key, f.nonce, &f.siglen)))
			die("init: %s", last_error());
		f.key = &key;
		f.comment = key.comment;
	}
	if (want_tpm2 && cli_tpm2_new(pcrs, values, pin, &f, tpm2_data) < 0) {
		cli_factors_free(&f);
		die("init: TPM2: %s", last_error());
	}
	if (want_pw) {
		char prompt[128];

		snprintf(prompt, sizeof(prompt), "New password for profile '%s': ", profile);
		if (!(f.pw = prompt_secret(prompt, 1, CLI_MAX_PASSWORD, &f.pwlen))) {
			cli_factors_free(&f);
			die("init: %s", last_error());
		}
	}
	xcli_factor_request(c, WIRE_VAULT_INIT, profile, &f);
	{
		const char *names[] = { want_pw ? "password" : NULL, want_ssh ? key.fp : NULL,
			want_tpm2 ? "TPM2" : NULL, keyfile ? "key file" : NULL };

		for (int i = 0; i < 4; i++)
			if (names[i])
				snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), "%s%s", *desc ?
					(!strcmp(policy, "all") ? " and " : " or ") : "", names[i]);
	}
	printf("Vault '%s' created and unlocked (%s).\n", profile, desc);
	bus_close(c);
	return 0;
}

/* Append "; what: why" to a note of what did not work. */
static void note(char *tried, size_t n, const char *what)
{
	size_t l = strlen(tried);

	snprintf(tried + l, n - l, "%s%s: %s", l ? "; " : "", what, last_error());
}

/* One profile: 0 unlocked (or already), 1 left locked (no_prompt only:
 * what it needs into why), or dies as an interactive unlock does.  What
 * opens with no one typing comes first: the TPM, the key file, the SSH
 * agent; under policy any, each alone, then the password. */
static int unlock_one(struct bus_client *c, const char *name, int no_prompt, char *why, size_t whysz)
{
	struct cli_factors f = { 0 };
	struct cli_auth *a = xmalloc(sizeof(*a));
	char tried[512] = "", used[64] = "", said[160] = "";
	int r = 0, signed_ = 0;

	*why = 0;
	if (cli_vault_auth(c, name, a) < 0) {
		free(a);
		if (!no_prompt)
			die_code(last_exit(), "unlock: %s", last_error());
		snprintf(why, whysz, "%s", last_error());
		return 1;
	}
	if (a->unlocked) {
		printf("Vault '%s' is already unlocked.\n", name);
		free(a);
		return 0;
	}
	if (a->tpm2 && !(f.tpm2 = cli_tpm2_secret(name, a, !no_prompt)))
		note(tried, sizeof(tried), "TPM2");
	if (!a->all && f.tpm2) {
		if (cli_factor_request(c, WIRE_UNLOCK, name, &f) == 0) {
			printf("Vault '%s' unlocked (TPM2).\n", name);
			goto out;
		}
		note(tried, sizeof(tried), "TPM2");
	}
	if (a->keyfile && !(f.keyfile = cli_keyfile_secret(a)))
		note(tried, sizeof(tried), "key file");
	if (!a->all && f.keyfile) {
		if (cli_factor_request(c, WIRE_UNLOCK, name, &f) == 0) {
			printf("Vault '%s' unlocked (key file %s).\n", name, a->keyfile_path);
			goto out;
		}
		note(tried, sizeof(tried), "key file");
	}
	if (a->all && ((a->tpm2 && !f.tpm2) || (a->keyfile && !f.keyfile))) {
		cli_factors_free(&f);
		if (no_prompt) {
			snprintf(why, whysz, "every factor (policy all): %s", tried);
			r = 1;
			goto out;
		}
		die_code(EXIT_DENIED, "unlock: profile %s needs every factor (policy all): %s", name, tried);
	}
	if ((signed_ = agent_sig(name, a, &f)) == 0 && a->ssh)
		snprintf(why, whysz, "%s", last_error());
	if (a->all && a->ssh && !signed_) {
		cli_factors_free(&f);
		if (no_prompt) {
			snprintf(why, whysz, a->password ? "%s and its password (policy all)" : "%s (policy all)",
				ssh_keys_said(a, said, sizeof(said)));
			r = 1;
			goto out;
		}
		die_code(EXIT_DENIED, "unlock: profile %s needs %s as well as its %s (policy all): %s",
			name, ssh_keys_said(a, said, sizeof(said)), a->password ? "password" : "other factors", why);
	}
	if (signed_ && !a->all) {
		/* The agent alone; on refusal, fall back to the password. */
		for (int i = 0; i < a->ssh; i++)
			if (f.proof[a->sshk[i].slot])
				snprintf(said, sizeof(said), "%s", a->sshk[i].key.fp);
		if (cli_factor_request(c, WIRE_UNLOCK, name, &f) == 0) {
			printf("Vault '%s' unlocked (SSH key %s).\n", name, said);
			goto out;
		}
		if (no_prompt) {	/* (the request took the proofs) */
			snprintf(why, whysz, "its password (the SSH key %s did not unlock it: %s)", said,
				last_error());
			r = 1;
			goto out;
		}
		if (!a->password)
			die_code(last_exit(), "unlock: %s", last_error());
		complain("unlock: the SSH key did not unlock %s (%s); asking for the password", name,
			last_error());
	} else if (!a->password && !a->all) {
		char agent[256], msg[1200];

		snprintf(agent, sizeof(agent), "%s", a->ssh ? why : "");
		if (a->ssh)
			snprintf(msg, sizeof(msg), "%s in the agent (%s)%s%s", ssh_keys_said(a, said, sizeof(said)),
				agent, *tried ? "; " : "", tried);
		else
			snprintf(msg, sizeof(msg), "its %s%s%s (%s)", a->tpm2 ? "TPM" : "", a->tpm2 && a->keyfile ? " or " : "",
				a->keyfile ? "key file" : "", tried);
		snprintf(why, whysz, "%.500s", msg);
		if (no_prompt) {
			r = 1;
			goto out;
		}
		die_code(EXIT_DENIED, a->ssh ? "unlock: profile %s opens only with its SSH key %s: %s" :
			"unlock: profile %s opens only with %s", name, a->ssh ? a->key.fp : why, why);
	} else if (no_prompt) {
		cli_factors_free(&f);
		snprintf(why, whysz, a->all ? "its password as well as its %s (policy all)" : "its password%s%s%s",
			a->all ? (a->ssh ? "SSH key" : "other factors") : *tried ? " (" : "", a->all ? "" : tried,
			!a->all && *tried ? ")" : "");
		r = 1;
		goto out;
	} else if (a->ssh && !f.sig && a->password && !a->all) {
		complain("unlock: %s; asking for the password", why);
	}
	if (!a->all && *tried && a->password)
		complain("unlock: %s; asking for the password", tried);
	if (a->password) {
		char prompt[128];

		snprintf(prompt, sizeof(prompt), "Password for profile '%.64s': ", name);
		if (!(f.pw = prompt_secret(prompt, 0, CLI_MAX_PASSWORD, &f.pwlen))) {
			cli_factors_free(&f);
			die("unlock: %s", last_error());
		}
	}
	snprintf(used, sizeof(used), "%s", !a->all ? "password" : "");
	if (a->all) {
		const char *names[] = { a->password ? "password" : NULL,
			signed_ ? a->ssh > 1 ? "SSH keys" : "SSH key" : NULL,
			f.tpm2 ? "TPM2" : NULL, f.keyfile ? "key file" : NULL };

		for (int i = 0; i < 4; i++)
			if (names[i])
				snprintf(used + strlen(used), sizeof(used) - strlen(used), "%s%s", *used ? " and " : "",
					names[i]);
	}
	xcli_factor_request(c, WIRE_UNLOCK, name, &f);
	printf("Vault '%s' unlocked (%s).\n", name, used);
out:
	cli_factors_free(&f);
	free(a);
	return r;
}

struct locked {
	char (*names)[PROFILE_BUF];
	int n;
};

static void add_locked(const char *profile, const char *state, void *ctx)
{
	struct locked *l = ctx;

	if (strcmp(state, "unlocked") && l->n < CLI_MAX_PROFILES && strlen(profile) < PROFILE_BUF)
		strcpy(l->names[l->n++], profile);
}

/* Connected, with daemon-secrets answering: within wait_ms, retrying
 * while either is not there yet; the vaults' states into l if l. */
static struct bus_client *connect_secrets(long wait_ms, struct locked *l)
{
	struct cli_io *io = xcli_io();
	struct timespec t0, t;
	struct wire_msg m;
	struct paths p;

	if (paths_resolve(&p) < 0)
		die("%s", last_error());
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct bus_client *c = bus_connect(&p, NULL, BUS_CLI_TIMEOUT_MS);

		if (c) {
			wire_begin(&io->req, WIRE_VAULT_STATUS, 0, 0);
			if (wire_end(&io->req) < 0)
				die("unlock: %s", last_error());
			if (bus_request(c, &io->req, io->buf, &m, BUS_CLI_TIMEOUT_MS) == 0) {
				if (l)
					cli_vault_states_parse(&m, add_locked, l);
				return c;
			}
			bus_close(c);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (last_code() != ERR_UNREACHABLE ||
		    (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= wait_ms)
			die_code(last_exit(), "unlock: %s", last_error());
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
}

int unlock_main(int argc, char **argv)
{
	char names[CLI_MAX_PROFILES][PROFILE_BUF], why[512];
	long long num;
	struct locked l = { names, 0 };
	const char *spec = NULL;
	struct bus_client *c;
	int o, n, all = 0, no_prompt = 0, left = 0;
	long wait_s = 0;

	while ((o = getopt_long(argc, argv, OPTSTR_unlock, longopts_unlock, NULL)) != -1) {
		switch (o) {
		case 'p': spec = optarg; break;
		case OPT_ALL: all = 1; break;
		case OPT_NO_PROMPT: no_prompt = 1; break;
		case OPT_WAIT:
			if (parse_range(optarg, 0, 3600, &num) < 0)
				usage_error("unlock", "--wait (seconds): %s", last_error());
			wait_s = (long)num;
			break;
		default: usage_option("unlock", argv, o, longopts_unlock);
		}
	}
	if (optind < argc)
		usage_error("unlock", "unexpected argument '%s'", argv[optind]);
	if (all && spec)
		usage_error("unlock", "-p and --all exclude each other");
	n = all ? 0 : cli_profiles("unlock", spec, names, CLI_MAX_PROFILES);
	c = connect_secrets(wait_s * 1000, all ? &l : NULL);
	if (all)
		n = l.n;
	if (all && !n)
		printf("No vault is locked.\n");
	for (int i = 0; i < n; i++) {
		if (unlock_one(c, names[i], no_prompt, why, sizeof(why)) == 0)
			continue;
		fprintf(stderr, "sesame: unlock: %s stays locked: it needs %s\n", names[i], why);
		left++;
	}
	bus_close(c);
	if (left) {
		fprintf(stderr, "sesame: unlock: %d vault%s left locked\n", left, left == 1 ? "" : "s");
		return EXIT_DENIED;
	}
	return 0;
}

int passwd_main(int argc, char **argv)
{
	const char *profile = "default";
	struct cli_factors f = { 0 };
	struct bus_client *c;
	struct cli_auth a;
	char prompt[128], said[160];
	int o;

	while ((o = getopt_long(argc, argv, OPTSTR_passwd, longopts_passwd, NULL)) != -1) {
		if (o == 'p')
			profile = cli_profile_arg("passwd", optarg);
		else
			usage_option("passwd", argv, o, longopts_passwd);
	}
	if (optind < argc)
		usage_error("passwd", "unexpected argument '%s'", argv[optind]);
	c = xcli_connect();
	if (cli_vault_auth(c, profile, &a) < 0)
		die_code(last_exit(), "passwd: %s", last_error());
	if (!a.password)
		die("passwd: profile %s has no password (its only factor is the SSH key %s)", profile, a.key.fp);
	if (a.all && a.ssh && cli_ssh_proofs(profile, &a, 1, &f) < 0)
		die_code(EXIT_DENIED, "passwd: profile %s needs %s too (policy all): %s", profile,
			ssh_keys_said(&a, said, sizeof(said)), last_error());
	snprintf(prompt, sizeof(prompt), "Current password for profile '%s': ", profile);
	if (!(f.pw = prompt_secret(prompt, 0, CLI_MAX_PASSWORD, &f.pwlen)))
		die("passwd: %s", last_error());
	snprintf(prompt, sizeof(prompt), "New password for profile '%s': ", profile);
	if (!(f.pw2 = prompt_secret(prompt, 1, CLI_MAX_PASSWORD, &f.pw2len))) {
		cli_factors_free(&f);
		die("passwd: new password: %s", last_error());
	}
	xcli_factor_request(c, WIRE_PASSWD, profile, &f);
	printf("Password of vault '%s' changed.\n", profile);
	bus_close(c);
	return 0;
}

int lock_main(int argc, char **argv)
{
	struct cli_io *io = xcli_io();
	const char *profile = NULL;
	struct bus_client *c;
	struct wire_msg m;
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	int o, n = 0, all = 0;

	while ((o = getopt_long(argc, argv, OPTSTR_lock, longopts_lock, NULL)) != -1) {
		switch (o) {
		case 'p': profile = cli_profile_arg("lock", optarg); break;
		case OPT_ALL: all = 1; break;
		default: usage_option("lock", argv, o, longopts_lock);
		}
	}
	if (optind < argc || (all && profile))
		usage_error("lock", "give -p PROFILE or --all, not both");
	wire_begin(&io->req, WIRE_LOCK, 0, 0);
	if (profile)
		wire_put_str(&io->req, WF_PROFILE, profile);
	c = xcli_ask(io, &m);
	while (wire_next(&m, &pos, &tag, &v, &len)) {
		if (tag == WF_PROFILE) {
			printf("Vault '%.*s' locked; its keys are wiped.\n", (int)len, (const char *)v);
			n++;
		}
	}
	if (!n)
		printf("%s\n", profile ? "That vault was already locked." : "No vault was unlocked.");
	cli_done(c, io, &m);
	return 0;
}
