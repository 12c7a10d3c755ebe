/* libFuzzer target for the launcher's query matching (applets/launcher/fuzzy.h): a
 * query and a text from the input, split at the first NUL.  The query
 * compiles into at most FUZZY_MAX_ATOMS atoms of 1 to FUZZY_MAX_ATOM - 1
 * bytes without white space; an atom scores above 0 exactly when its
 * characters appear in order in the text's first FUZZY_MAX_TEXT bytes
 * (checked against a plain subsequence walk), only then is its mask
 * inside the text's, and the typo score stays under its ceiling, which
 * stays under the atom's own in-order score.  The text is
 * a copy of exactly its length, so ASan sees any read past it. */
#include "applets/launcher/fuzzy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const struct fuzzy_atom *a, char p, char t)
{
	if (!a->cased && t >= 'A' && t <= 'Z')
		t = (char)(t + 32);
	return p == t;
}

static int in_order(const struct fuzzy_atom *a, const char *t, size_t n)
{
	int i = 0;

	if (n > FUZZY_MAX_TEXT)
		n = FUZZY_MAX_TEXT;
	for (size_t j = 0; j < n && i < a->len; j++)
		i += same(a, a->s[i], t[j]);
	return i == a->len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzzy_query q;
	const uint8_t *nul = memchr(data, 0, size);
	size_t qn = nul ? (size_t)(nul - data) : size, tn = nul ? size - qn - 1 : 0;
	char *query = malloc(qn + 1), *text = malloc(tn ? tn : 1);
	uint64_t tmask;

	if (!query || !text)
		abort();
	memcpy(query, data, qn);
	query[qn] = 0;
	if (tn)
		memcpy(text, nul + 1, tn);
	tmask = fuzzy_mask(text, tn);
	if (fuzzy_compile(&q, query) == 0) {
		if (q.natoms < 0 || q.natoms > FUZZY_MAX_ATOMS)
			abort();
		for (int i = 0; i < q.natoms; i++) {
			const struct fuzzy_atom *a = &q.atom[i];
			int s, t;

			if (a->len < 1 || a->len >= FUZZY_MAX_ATOM || (int)strlen(a->s) != a->len ||
			    strpbrk(a->s, " \t\n") || a->mask != fuzzy_mask(a->s, (size_t)a->len))
				abort();
			s = fuzzy_score(a, text, tn);
			if (s < 0 || (s > 0) != in_order(a, text, tn))
				abort();
			if (s > 0 && (a->mask & ~tmask))
				abort();
			t = fuzzy_typo(a, text, tn);
			if (t < 0 || t > fuzzy_typo_ceiling(a) || fuzzy_typo_ceiling(a) >= fuzzy_score(a, a->s, (size_t)a->len))
				abort();
		}
	}
	free(query);
	free(text);
	return 0;
}
