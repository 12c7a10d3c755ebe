/* template.h - templates: text with variables, one syntax for the
 * snippets (daemon-snippets) and for files (sesame inject).
 *
 *   ${date}  ${date:FORMAT}   the local date and time, strftime FORMAT
 *                             (default %Y-%m-%d)
 *   ${env:NAME}               an environment variable (daemon-snippets',
 *                             or inject's caller's)
 *   ${secret:NAME}            a secret of the profile (the snippet's, or
 *                             inject's -p), read at expansion time (the
 *                             vault must be unlocked)
 *   ${secret:PROFILE/NAME}    a secret of another profile (inject only: a
 *                             snippet reads its own profile's).  A name
 *                             whose text before its first '/' is no
 *                             profile name is a name with a '/' in it;
 *                             one whose text is, is written with its
 *                             profile in front (${secret:default/a/b}).
 *   ${clipboard}              the current clipboard text (daemon-clipboard;
 *                             snippets only)
 *   $$                        a literal '$'; a '$' before anything but '{'
 *                             or '$' is literal too
 *
 * The parser is total and copies nothing: parts point into the text.
 */
#ifndef SESAME_TEMPLATE_H
#define SESAME_TEMPLATE_H

#include <stddef.h>

#define TEMPLATE_MAX (1 << 20)	/* bytes of template (a snippet: 16 KiB) */
#define TEMPLATE_MAX_PARTS 512

enum template_kind { TPL_TEXT, TPL_DATE, TPL_ENV, TPL_SECRET, TPL_CLIPBOARD };

struct template_part {
	enum template_kind kind;
	const char *s;		/* TPL_TEXT: the text; otherwise the argument (may be empty) */
	size_t len;
	const char *profile;	/* TPL_SECRET: PROFILE of PROFILE/NAME (s, len: NAME), or NULL */
	size_t plen;
};

/* Split text (len bytes) into parts; -1 with "LINE:COL: reason" on an
 * error (unknown variable, unclosed ${, bad name, NUL or bad UTF-8). */
int template_parse(const char *text, size_t len, struct template_part *parts, int max, int *nparts);
/* 1 if the parsed template needs the vault (has a ${secret:...}). */
int template_needs_secrets(const struct template_part *parts, int n);

#endif
