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

#endif
