/* fuzzy.h - fuzzy matching of a typed query against short texts (names,
 * keywords), scored in the spirit of fzf and nucleo: every query
 * character must appear in order; matches at word starts, after
 * delimiters and at camelCase humps earn bonuses, runs of consecutive
 * characters earn more, gaps cost (3 to open, 1 per extra character).
 *
 * A query is split at white space into atoms that must all match.  An
 * atom with an upper-case letter matches case-sensitively (smart case);
 * otherwise ASCII case is ignored.  fuzzy_typo() is the fallback for
 * atoms that do not match in order: one edit (two for long atoms) against
 * the start of a word, transpositions included.
 */
#ifndef SESAME_FUZZY_H
#define SESAME_FUZZY_H

#include <stddef.h>
#include <stdint.h>

#define FUZZY_MAX_ATOMS 8
#define FUZZY_MAX_ATOM 64	/* bytes */
#define FUZZY_MAX_TEXT 256	/* bytes scored; the rest of a text is ignored */

struct fuzzy_atom {
	char s[FUZZY_MAX_ATOM];
	int len;
	int cased;		/* has an upper-case letter: match case */
	uint64_t mask;		/* fuzzy_mask of s */
};

struct fuzzy_query {
	struct fuzzy_atom atom[FUZZY_MAX_ATOMS];
	int natoms;		/* 0: the empty query, which matches everything */
};

/* Split query into atoms; -1 with a reason if there are too many or one
 * is too long. */
int fuzzy_compile(struct fuzzy_query *q, const char *query);
/* Which characters s holds, case folded, as bits: an atom can only match
 * in order a text whose mask has all of the atom's bits. */
uint64_t fuzzy_mask(const char *s, size_t n);
/* The atom's best score in text (n bytes), or 0 if it does not match. */
int fuzzy_score(const struct fuzzy_atom *a, const char *text, size_t n);
/* The typo fallback: a score below any in-order match's of the same
 * atom, or 0. */
int fuzzy_typo(const struct fuzzy_atom *a, const char *text, size_t n);

#endif
