/* import.h - reading the stores people leave for sesame import: each
 * reader takes a file's text (hostile input: every parser here has a
 * fuzz target, tests/fuzz/import.c) and adds its secrets to a list
 * (lib/store/backup.h's, values in secure memory).  How names are made:
 *
 *   env         NAME=value lines (sesame env --env-file's syntax; a
 *               sesame:// reference is refused): NAME
 *   csv         a header row; the columns "name" and "value" (any case,
 *               or the ones given): one secret per row
 *   keepassxc   KeePassXC's CSV or XML export: GROUP/TITLE (the groups
 *               below the root, joined by '/') = the password;
 *               GROUP/TITLE.username = the user name, when there is one
 *   bitwarden   Bitwarden's unencrypted JSON export: FOLDER/NAME (or
 *               NAME) = a login's password, or a secure note's text;
 *               .username, .totp, and .FIELD for each custom field
 *   pass        (the command reads the store itself, with gpg) the path
 *               under the store without .gpg = the first line;
 *               PATH.extra = the lines after it, when there are any
 *
 * A name that is no valid secret name, one given twice, or a value too
 * large for a vault is an error naming it; an entry with nothing to
 * store (an empty password) is skipped and counted. */
#ifndef SESAME_IMPORT_H
#define SESAME_IMPORT_H

#include "lib/store/backup.h"

#include <stddef.h>

struct import {
	struct backup list;	/* what is to be stored */
	int skipped;		/* entries with nothing to store */
};

int import_env(struct import *im, const char *text, size_t len, const char *file);
int import_csv(struct import *im, const char *text, size_t len, const char *file, const char *name_col,
	const char *value_col);
int import_keepassxc(struct import *im, const char *text, size_t len, const char *file);
int import_bitwarden(struct import *im, const char *text, size_t len, const char *file);
/* One pass entry: path (under the store, without .gpg) and its
 * decrypted text. */
int import_pass_entry(struct import *im, const char *path, const char *text, size_t len);
/* A name and value added, checked (for the command's own use). */
int import_add(struct import *im, const char *name, const void *v, size_t len);
void import_free(struct import *im);

#endif
