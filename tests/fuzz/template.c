/* libFuzzer target for templates (snippets typed by users, stored, read
 * back; files for sesame inject): every part lies inside the input, text
 * parts are non-empty, variables carry only what their kind allows, and a
 * PROFILE/NAME secret's profile sits just before its name. */
#include "lib/core/template.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct template_part parts[TEMPLATE_MAX_PARTS];
	const char *text = (const char *)data;
	int n;

	if (template_parse(text, size, parts, TEMPLATE_MAX_PARTS, &n) < 0)
		return 0;
	if (n < 0 || n > TEMPLATE_MAX_PARTS)
		abort();
	for (int i = 0; i < n; i++) {
		const struct template_part *p = &parts[i];

		if (p->len > size || (p->len && (p->s < text || p->s + p->len > text + size)))
			abort();
		if (p->kind == TPL_TEXT && !p->len)
			abort();
		if ((p->kind == TPL_ENV || p->kind == TPL_SECRET) && !p->len)
			abort();
		if (p->kind == TPL_CLIPBOARD && p->len)
			abort();
		if (p->kind != TPL_TEXT && p->len && memchr(p->s, '}', p->len))
			abort();
		if (p->profile && (p->kind != TPL_SECRET || !p->plen || p->profile + p->plen + 1 != p->s ||
		    p->profile < text || p->profile[p->plen] != '/'))
			abort();
	}
	return 0;
}
