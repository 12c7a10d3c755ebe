/* envfile.h - .env files for `sesame env --env-file`: ordinary
 * variables and references to secrets, read as hostile input.
 *
 *   # a comment                  blank lines and comments are skipped
 *   export APP_ENV=staging       "export " is allowed before a name
 *   GREETING="hello\nworld"      double quotes: \n \r \t \" \\ \$ escapes
 *   LITERAL='no $escapes\n'      single quotes: as written
 *   PLAIN=value  # comment       unquoted: to the end of the line, or to
 *                                " #"; spaces around it trimmed
 *   DB_PASSWORD=sesame://work/db-password
 *
 * A value that is all of sesame://PROFILE/NAME (quoted or not) names a
 * secret: PROFILE a profile name, NAME the rest, percent-decoded (%2F is
 * '/', %25 a '%', %20 a space; a '/' may also stand as itself).  A name is
 * [A-Za-z_][A-Za-z0-9_]*; one given twice is an error, as are a line
 * without '=', an unclosed quote, a NUL, text after a closing quote, and
 * a bad reference.  Errors are "FILE:LINE: reason". */
#ifndef SESAME_ENVFILE_H
#define SESAME_ENVFILE_H

#include "lib/core/names.h"

#include <stddef.h>

#define ENVFILE_MAX (1 << 20)	/* bytes of one file */
#define ENVFILE_MAX_VARS 4096

struct envfile_var {
	char name[256];
	char *value;			/* malloc'ed, NUL-terminated: the value, or NULL for a reference */
	size_t len;
	char profile[PROFILE_BUF];	/* a reference's */
	char secret[SECRET_NAME_MAX + 1];
	const char *file;		/* as given to envfile_parse */
	int line;
};

struct envfile {
	struct envfile_var *v;
	int n, cap;
};

/* Add the variables of text (len bytes, from file) to e.  -1 with the
 * reason; e keeps what it had. */
int envfile_parse(struct envfile *e, const char *text, size_t len, const char *file);
void envfile_free(struct envfile *e);
/* A sesame://PROFILE/NAME reference (n bytes) into profile and name: 1,
 * 0 if s is no reference (another value), -1 with a reason if it is one
 * but malformed. */
int secret_ref_parse(const char *s, size_t n, char profile[PROFILE_BUF], char name[SECRET_NAME_MAX + 1]);

#endif
