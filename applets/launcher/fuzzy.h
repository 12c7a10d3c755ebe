/* fuzzy.h - fuzzy matching of a typed query against short texts (names,
 * keywords), scored in the spirit of fzf and nucleo: every query
 * character must appear in order; matches at word starts, after
 * delimiters and at camelCase humps earn bonuses, runs of consecutive
 * characters earn more, gaps cost (3 to open, 1 per extra character).
 *
 * A query is split at white space into atoms that must all match.  An
 * atom with an upper-case letter matches case-sensitively (smart case);
 * otherwise ASCII case is ignored.  fuzzy_typo() is the fallback for
 * atoms that do not match in order: one edit (two for atoms of 8 bytes
 * or more) against the start of a word, transpositions included; for
 * three-letter atoms only a transposition (vmi: vim).
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
/* The typo fallback, or 0: what the atom scores on a word just like it
 * (the atom typed right), less 8 per edit.  So a word typed with a typo
 * outranks the atom's letters scattered in order over other words (vmi:
 * Vim before VLC media player), and a word typed right outranks it. */
int fuzzy_typo(const struct fuzzy_atom *a, const char *text, size_t n);
/* The most fuzzy_typo can give the atom: a search whose best in-order
 * score is under it must try the typos too. */
int fuzzy_typo_ceiling(const struct fuzzy_atom *a);

#endif
