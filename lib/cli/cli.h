/* cli.h - small helpers shared by CLI commands. */
#ifndef SESAME_CLI_H
#define SESAME_CLI_H

#include "lib/core/names.h"

#define CLI_MAX_PROFILES 32

/* Profiles from a comma-separated spec (arg, else $SESAME_PROFILES, else
 * "default"): entries trimmed, empty ones dropped, "org:name" meaning
 * name, duplicates dropped; every name validated (usage error for cmd if
 * not).  Returns how many were written to names. */
int cli_profiles(const char *cmd, const char *arg, char names[][PROFILE_BUF], int max);
/* name if it is a valid profile name; else a usage error for cmd that
 * says what a name may be. */
const char *cli_profile_arg(const char *cmd, const char *name);

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/bus/wire.h"

/* s (n bytes) as a JSON string, quotes included.  Control characters are
 * escaped, and a byte that is not part of valid UTF-8 becomes U+FFFD, so
 * the output is always valid JSON; a caller that needs the exact bytes
 * checks utf8_valid() first (export does). */
void cli_json_str(FILE *f, const void *s, size_t n);
/* Text from other programs (window titles, clipboard previews) made safe
 * for a terminal: control characters and broken UTF-8 as '?'. */
void cli_put_safe(FILE *f, const uint8_t *s, size_t n);
struct wire_msg;
/* How an event's field is shown: its tag, its JSON name, its kind ('s'
 * text, 'u' an integer, 't' a time: HH:MM:SS, or ms in JSON). */
struct cli_field {
	uint16_t tag;
	const char *json;
	char kind;
};
/* The named fields of m in the order they come, the others skipped: a
 * tab-separated line (text made safe for a terminal), or with json one
 * object on a line. */
void cli_print_fields(const struct wire_msg *m, const struct cli_field *f, size_t n, int json);
/* `sesame ROLE watch`: subscribe to daemon-ROLE's events and print each
 * (cli_print_fields) until interrupted; dies with 69 if the bus goes
 * away.  Never returns. */
void xcli_watch(const char *role, const struct cli_field *f, size_t n, int json) __attribute__((noreturn));
/* A reply's WF_VALUE to standard output exactly (a newline added only on
 * a terminal); dies naming cmd if there is none or it cannot be written. */
void xcli_write_value(const char *cmd, const struct wire_msg *m);

/* A command's request and reply buffer, in secure memory: requests carry
 * passwords and values (set), replies values (get, expand, env).  Made
 * on the first call, wiped when the process exits, die() included. */
struct cli_io {
	struct wire_out req;
	uint8_t buf[WIRE_MAX_MESSAGE];
};
struct cli_io *xcli_io(void);
/* A command's one question: connect to the bus (paths from the
 * environment), send io->req, read the reply into io->buf (m points into
 * it); dies with the exit code the failure maps to.  cli_done closes the
 * connection and wipes what the reply held.  Every command asks through
 * these, so what it sends and reads stays in secure memory.  For several
 * questions on one connection: xcli_connect, then xcli_request for each
 * (io->req is wiped once sent; the caller wipes io->buf when done). */
struct bus_client *xcli_ask(struct cli_io *io, struct wire_msg *m);
void cli_done(struct bus_client *c, struct cli_io *io, const struct wire_msg *m);
struct bus_client *xcli_connect(void);
void xcli_request(struct bus_client *c, struct cli_io *io, struct wire_msg *m);
/* Every secret name of a profile, in order, a reply at a time (wire.h:
 * WF_AFTER, WF_MORE): fn(name, ctx) for each, a NUL-terminated name of
 * at most VAULT_MAX_NAME bytes.  Uses io; dies as xcli_request does. */
void xcli_list(struct bus_client *c, struct cli_io *io, const char *profile,
	void (*fn)(const char *name, void *ctx), void *ctx);

struct bus_client;
struct wire_msg;
/* Every vault and its state ("locked", "unlocked", or "unreadable": the
 * file is there but does not open) from daemon-secrets' WIRE_VAULT_STATUS
 * reply; fn is called for each. */
void cli_vault_states_parse(const struct wire_msg *m, void (*fn)(const char *profile, const char *state,
	void *ctx), void *ctx);

/* The roles in the hub's WIRE_STATUS reply: the connected ones in
 * r[0..n) (n is returned), each with what confines it, then in
 * r[n..n + *ngone) those that were connected and went.  A daemon-secrets
 * older than WIRE_ROLE_INFO says what confines it in its vault status
 * (vaults; give a WIRE_ERROR message if there is none) instead. */
#define CLI_MAX_ROLES 16
struct cli_role {
	char name[32];
	uint32_t pid;		/* 0 if gone */
	uint32_t connects;	/* times connected since the hub started; 0: not said */
	uint64_t since_ms;	/* since it connected, or went */
	int gone;
	char sandbox[48];	/* what it told the hub; "" if nothing */
};
size_t cli_hub_roles(const struct wire_msg *status, const struct wire_msg *vaults,
	struct cli_role r[CLI_MAX_ROLES], size_t *ngone);

#include "applets/secrets/sshagent.h"
#include "lib/store/vault.h"

/* What protects a vault (WIRE_VAULT_AUTH). */
struct cli_ssh_key {
	int slot;			/* the vault's (0 to VAULT_MAX_SSH_KEYS - 1) */
	struct ssh_identity key;
	uint8_t nonce[32];
	char comment[128];		/* what the agent called it at enroll */
};
struct cli_auth {
	int all, password, ssh, tpm2, keyfile, unlocked;	/* ssh: how many keys */
	struct cli_ssh_key sshk[VAULT_MAX_SSH_KEYS];	/* the enrolled SSH keys */
	struct ssh_identity key;	/* the first of them (for messages) */
	uint8_t tpm2_data[VAULT_MAX_FACTOR_DATA];	/* lib/tpm2/tpm2.h */
	size_t tpm2_len;
	char keyfile_path[VAULT_MAX_FACTOR_DATA + 1];	/* the key file's path */
};
int cli_vault_auth(struct bus_client *c, const char *profile, struct cli_auth *a);
/* The agent's signature of the vault's challenge with key (secure memory),
 * or NULL with a reason (no agent, key not loaded, refused). */
uint8_t *cli_ssh_sign(const char *profile, const struct ssh_identity *key, const uint8_t nonce[32],
	size_t *len);
struct cli_factors;
/* Proofs for a request to a vault with SSH keys: the agent's signature by
 * each enrolled key it holds (every one if need_all, else the first it
 * holds), into f->proof.  How many, or -1 with a reason (no agent; with
 * need_all, a key it lacks, named). */
int cli_ssh_proofs(const char *profile, const struct cli_auth *a, int need_all, struct cli_factors *f);
/* The agent key that spec names: "SHA256:..." or a .pub file; empty or
 * NULL: the agent's only Ed25519/RSA key (else the choices are listed). */
int cli_ssh_pick(const char *spec, struct ssh_identity *out);

#define CLI_MAX_PASSWORD 1024

/* The factors a request carries; pw, pw2, sig and the 32-byte tpm2 and
 * keyfile secrets are secure memory, wiped and freed by
 * cli_factor_request whatever happens. */
struct cli_factors {
	uint8_t *pw, *pw2, *sig, *tpm2, *keyfile;
	size_t pwlen, pw2len, siglen;
	uint8_t *proof[VAULT_MAX_SSH_KEYS];	/* enrolled keys' signatures, by slot */
	size_t prooflen[VAULT_MAX_SSH_KEYS];
	int revoke_slot;		/* ssh revoke: the key's slot */
	const char *comment;		/* a new SSH key's comment (init, enroll) */
	const struct ssh_identity *key;	/* a new key (init, enroll), with nonce */
	uint8_t nonce[32];
	const uint8_t *tpm2_data;	/* a new TPM2 factor (init, enroll) */
	size_t tpm2_len;
	const char *keyfile_path;	/* a new key file (init, enroll) */
	const char *policy;		/* init */
	const char *factor;		/* enroll, revoke: "ssh" (NULL), "tpm2" or "keyfile" */
};
/* Wipe and free what f holds. */
void cli_factors_free(struct cli_factors *f);
/* The machine factors' secrets (secure memory, 32 bytes), or NULL with
 * a reason: the TPM unseals (asking the PIN when the factor has one and
 * may_prompt), the key file is read. */
uint8_t *cli_tpm2_secret(const char *profile, const struct cli_auth *a, int may_prompt);
uint8_t *cli_keyfile_secret(const struct cli_auth *a);
/* A new TPM2 factor into f (f->tpm2, f->tpm2_data pointing into data):
 * sealed to the PCRs listed ("7,11", "none"; NULL: 7), at the values
 * given as "7=HEX,11=HEX" in values (NULL: the TPM's now), with a PIN
 * asked twice if pin.  -1 with a reason. */
int cli_tpm2_new(const char *pcrs, const char *values, int pin, struct cli_factors *f,
	uint8_t data[VAULT_MAX_FACTOR_DATA]);
/* A new key-file factor into f, path resolved into resolved (PATH_MAX). */
int cli_keyfile_new(const char *path, struct cli_factors *f, char *resolved);
/* Send one: -1 with the reason on an error reply (last_exit() has the
 * exit status); the x form dies with it instead. */
int cli_factor_request(struct bus_client *c, uint8_t type, const char *profile, struct cli_factors *f);
void xcli_factor_request(struct bus_client *c, uint8_t type, const char *profile, struct cli_factors *f);

struct paths;
/* init --wipe-reset-destroy-all-data: after the typed confirmation, zero
 * and remove every vault, the audit log, the state, config.toml, config.d
 * and the runtime directory.  Refuses while the daemons run, and without
 * the confirmation: -1 with the reason, nothing destroyed. */
int cli_wipe_all(const struct paths *p);

#endif
