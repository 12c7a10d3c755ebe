/* template.h - snippet templates: text with variables.
 *
 *   ${date}  ${date:FORMAT}   the local date and time, strftime FORMAT
 *                             (default %Y-%m-%d)
 *   ${env:NAME}               an environment variable of daemon-snippets
 *   ${secret:NAME}            a secret of the snippet's profile, read at
 *                             expansion time (the vault must be unlocked)
 *   ${clipboard}              the current clipboard text (daemon-clipboard)
 *   $$                        a literal '$'; a '$' before anything but '{'
 *                             or '$' is literal too
 *
 * The parser is total and copies nothing: parts point into the text.
 */
#ifndef SESAME_TEMPLATE_H
#define SESAME_TEMPLATE_H

#include <stddef.h>

#define TEMPLATE_MAX 16384	/* bytes of template */
#define TEMPLATE_MAX_PARTS 512

enum template_kind { TPL_TEXT, TPL_DATE, TPL_ENV, TPL_SECRET, TPL_CLIPBOARD };

struct template_part {
	enum template_kind kind;
	const char *s;		/* TPL_TEXT: the text; otherwise the argument (may be empty) */
	size_t len;
};

/* Split text (len bytes) into parts; -1 with "LINE:COL: reason" on an
 * error (unknown variable, unclosed ${, bad name, NUL or bad UTF-8). */
int template_parse(const char *text, size_t len, struct template_part *parts, int max, int *nparts);
/* 1 if the parsed template needs the vault (has a ${secret:...}). */
int template_needs_secrets(const struct template_part *parts, int n);

#endif
