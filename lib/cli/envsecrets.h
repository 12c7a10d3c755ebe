/* envsecrets.h - profiles' secrets as environment variables: the one path
 * sesame env, export and workspace shell share.  Every secret of every
 * profile is fetched (the first profile wins a name), named by
 * envvar_name with the prefix, and checked: a name the denylist refuses
 * (envvar_denied, unless allowed), a NUL in a value, two secrets on one
 * variable, and for a shell's names a leading digit.  Any of them, or a
 * secret that cannot be fetched, ends the command with a clear error
 * before anything runs or is printed.  Values live in secure memory. */
#ifndef SESAME_ENVSECRETS_H
#define SESAME_ENVSECRETS_H

#include "lib/core/names.h"
#include "lib/store/vault.h"

#include <stddef.h>
#include <stdint.h>

struct env_secret {
	char name[VAULT_MAX_NAME + 80];
	char secret[VAULT_MAX_NAME + 1];
	char profile[PROFILE_BUF];
	uint8_t *value;		/* secure memory */
	size_t len;
};

struct env_secrets {
	struct env_secret *v;
	int n, cap;
	const char *allowed[16];	/* --allow NAME */
	int nallowed;
};

/* Let the variable name (any case) through the denylist; -1 if full. */
int env_secrets_allow(struct env_secrets *s, const char *name);
/* 1 if the variable name is refused (the denylist, less the allowed). */
int env_secrets_denied(const struct env_secrets *s, const char *name);
struct bus_client;
struct cli_io;
/* One secret's value from the vault of profile on connection c (io's
 * buffers, wiped after): secure memory, its length in *len; NULL with a
 * reason (an error answer's: the exit code it maps to in last_exit()),
 * so that the caller can say which reference failed. */
uint8_t *xcli_secret_fetch(struct bus_client *c, struct cli_io *io, const char *profile, const char *name,
	size_t *len);
/* The secret names of a profile, in order (xcli_list's), and whether
 * one is among them; cli_names_free frees them. */
struct cli_names {
	char (*v)[VAULT_MAX_NAME + 1];
	size_t n;
};
void xcli_names(struct bus_client *c, struct cli_io *io, const char *profile, struct cli_names *out);
int cli_names_has(const struct cli_names *s, const char *name);
void cli_names_free(struct cli_names *s);
/* Store one secret (len bytes of v) in the vault of profile on c; dies
 * as xcli_request does.  The request, which held the value, is wiped. */
void xcli_secret_set(struct bus_client *c, struct cli_io *io, const char *profile, const char *name, const void *v,
	size_t len);
/* Fetch and check the secrets of the profiles in spec (cli_profiles);
 * dies as cmd with the reason ("nothing was run" or "printed"). */
void xenv_secrets_fetch(struct env_secrets *s, const char *cmd, const char *spec, const char *prefix,
	int shell_names);
/* setenv each one; dies as cmd if one cannot be set. */
void xenv_secrets_setenv(const struct env_secrets *s, const char *cmd);
/* Wipe and free the values. */
void env_secrets_free(struct env_secrets *s);

#endif
