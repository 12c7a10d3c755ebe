/* names.h - what a profile or a secret may be called: checked wherever a
 * name comes in (command line, bus, configuration, state file), without
 * pulling the vault in.
 *
 * Profile names: 1-PROFILE_MAX of [A-Za-z0-9_-], starting with a letter
 * or a digit; a buffer for one is char name[PROFILE_BUF].
 * Secret names: 1-SECRET_NAME_MAX bytes, no control characters; a name
 * set from now on must also be UTF-8 without C1 or bidirectional controls
 * (new_valid), so that it lists as it was typed.  Older names that are not
 * stay readable and deletable. */
#ifndef SESAME_NAMES_H
#define SESAME_NAMES_H

#define PROFILE_MAX 64
#define PROFILE_BUF (PROFILE_MAX + 1)
#define SECRET_NAME_MAX 256

int profile_name_valid(const char *profile);
int secret_name_valid(const char *name);
int secret_name_new_valid(const char *name);

#endif
