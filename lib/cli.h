/* cli.h - small helpers shared by CLI commands. */
#ifndef SESAME_CLI_H
#define SESAME_CLI_H

#define CLI_MAX_PROFILES 32

/* Profiles from a comma-separated spec (arg, else $SESAME_PROFILES, else
 * "default"): entries trimmed, empty ones dropped, "org:name" meaning
 * name, duplicates dropped; every name validated (usage error for cmd if
 * not).  Returns how many were written to names. */
int cli_profiles(const char *cmd, const char *arg, char names[][65], int max);

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* s (n bytes) as a JSON string, quotes included.  Control characters are
 * escaped; other bytes pass through (callers check UTF-8 when it matters). */
void cli_json_str(FILE *f, const void *s, size_t n);

struct bus_client;
/* Ask daemon-secrets for every vault and its state ("locked" or
 * "unlocked"); fn is called for each.  -1 with a reason if the request
 * fails (the bus exit code is behind bus_error_exit()). */
int cli_vault_states(struct bus_client *c, void (*fn)(const char *profile, const char *state, void *ctx),
	void *ctx);

#endif
