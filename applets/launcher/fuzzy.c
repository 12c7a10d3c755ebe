/* fuzzy.c - the scorer described in fuzzy.h.
 *
 * The score of an atom is the best alignment found by dynamic
 * programming over (atom character, text position): M[i][j] is the best
 * score with atom[i] matched at text[j], reached either from atom[i-1]
 * at j-1 (a consecutive run, whose bonus is the best of the run so far)
 * or from atom[i-1] further left (a gap).  Two rows are kept, so the cost
 * is O(atom length x text length) time and O(text length) memory.
 */
#include "applets/launcher/fuzzy.h"
#include "lib/core/util.h"

#include <string.h>

enum {
	SCORE_MATCH = 16,
	GAP_START = 3,
	GAP_EXTEND = 1,
	BONUS_BOUNDARY = 8,
	BONUS_WHITE = 10,
	BONUS_DELIMITER = 9,
	BONUS_CAMEL = 5,
	BONUS_NON_WORD = 8,
	BONUS_CONSECUTIVE = 4,
	FIRST_MULTIPLIER = 2,
	NONE = -1000000,
};

/* C_NONWORD is 0, the table's default; word characters from C_LOWER on. */
enum cls { C_NONWORD, C_WHITE, C_DELIM, C_LOWER, C_UPPER, C_DIGIT, C_LETTER };

/* Character classes by byte (GNU range designators, which gcc and clang
 * both take); UTF-8 bytes count as letters, unlisted bytes are C_NONWORD. */
static const unsigned char classes[256] = {
	[0x80 ... 0xff] = C_LETTER,
	[' '] = C_WHITE, ['\t'] = C_WHITE, ['\n'] = C_WHITE,
	['/'] = C_DELIM, [','] = C_DELIM, [':'] = C_DELIM, [';'] = C_DELIM, ['|'] = C_DELIM,
	['a' ... 'z'] = C_LOWER, ['A' ... 'Z'] = C_UPPER, ['0' ... '9'] = C_DIGIT,
};

static enum cls classify(unsigned char c)
{
	return (enum cls)classes[c];
}

static int bonus_for(enum cls prev, enum cls cur)
{
	if (cur >= C_LOWER) {
		if (prev == C_WHITE)
			return BONUS_WHITE;
		if (prev == C_DELIM)
			return BONUS_DELIMITER;
		if (prev == C_NONWORD)
			return BONUS_BOUNDARY;
		if ((prev == C_LOWER && cur == C_UPPER) || (prev != C_DIGIT && cur == C_DIGIT))
			return BONUS_CAMEL;
		return 0;
	}
	return cur == C_WHITE ? BONUS_WHITE : BONUS_NON_WORD;
}

static unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int same(const struct fuzzy_atom *a, unsigned char pc, unsigned char tc)
{
	return a->cased ? pc == tc : pc == fold(tc);
}

uint64_t fuzzy_mask(const char *s, size_t n)
{
	uint64_t m = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = fold((unsigned char)s[i]);

		m |= 1ULL << (c >= 'a' && c <= 'z' ? c - 'a' : c >= '0' && c <= '9' ? 26 + c - '0' : 36 + c % 28);
	}
	return m;
}

int fuzzy_compile(struct fuzzy_query *q, const char *query)
{
	memset(q, 0, sizeof(*q));
	for (const char *p = query; *p; ) {
		size_t n;
		struct fuzzy_atom *a;

		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (!n)
			break;
		if (q->natoms == FUZZY_MAX_ATOMS)
			return fail("more than %d words in the query", FUZZY_MAX_ATOMS);
		if (n >= FUZZY_MAX_ATOM)
			return fail("a query word is longer than %d bytes", FUZZY_MAX_ATOM - 1);
		a = &q->atom[q->natoms++];
		for (size_t i = 0; i < n; i++)
			if (p[i] >= 'A' && p[i] <= 'Z')
				a->cased = 1;
		for (size_t i = 0; i < n; i++)
			a->s[i] = a->cased ? p[i] : (char)fold((unsigned char)p[i]);
		a->len = (int)n;
		a->mask = fuzzy_mask(a->s, n);
		p += n;
	}
	return 0;
}

static void bonuses(const unsigned char *t, size_t n, int *bonus)
{
	enum cls prev = C_WHITE;

	for (size_t j = 0; j < n; j++) {
		enum cls cur = classify(t[j]);

		bonus[j] = bonus_for(prev, cur);
		prev = cur;
	}
}

int fuzzy_score(const struct fuzzy_atom *a, const char *text, size_t n)
{
	const unsigned char *t = (const unsigned char *)text, *p = (const unsigned char *)a->s;
	int bonus[FUZZY_MAX_TEXT], rowa[FUZZY_MAX_TEXT], rowb[FUZZY_MAX_TEXT];
	int runa[FUZZY_MAX_TEXT], runb[FUZZY_MAX_TEXT];
	int *prev = rowa, *cur = rowb, *prun = runa, *crun = runb, best = NONE, m = a->len;
	size_t i = 0, first = 0, last = 0;

	if (n > FUZZY_MAX_TEXT)
		n = FUZZY_MAX_TEXT;
	if (m == 0)
		return 1;
	/* In order at all?  Also bounds the columns worth scoring: from the
	 * first character's first match to the last character's last one. */
	for (size_t j = 0; j < n && i < (size_t)m; j++)
		if (same(a, p[i], t[j]) && (i++ == 0))
			first = j;
	if (i < (size_t)m)
		return 0;
	for (size_t j = n; j-- > first; )
		if (same(a, p[m - 1], t[j])) {
			last = j;
			break;
		}
	n = last + 1;
	bonuses(t, n, bonus);
	for (size_t j = 0; j < n; j++) {
		prev[j] = j >= first && same(a, p[0], t[j]) ?
			SCORE_MATCH + FIRST_MULTIPLIER * bonus[j] : NONE;
		prun[j] = bonus[j];
	}
	for (int k = 1; k < m; k++) {
		int gap = NONE;

		for (size_t j = 0; j < n; j++) {
			int sc = NONE, run = 0;

			/* best of prev[j'] minus the gap's cost, j' <= j - 2 */
			if (j >= 2) {
				int open = prev[j - 2] - GAP_START, ext = gap - GAP_EXTEND;

				gap = open > ext ? open : ext;
			}
			cur[j] = NONE;
			if (!same(a, p[k], t[j]))
				continue;
			if (j >= 1 && prev[j - 1] > NONE / 2) {
				run = prun[j - 1] > BONUS_CONSECUTIVE ? prun[j - 1] : BONUS_CONSECUTIVE;
				if (bonus[j] > run)
					run = bonus[j];
				sc = prev[j - 1] + SCORE_MATCH + run;
			}
			if (gap > NONE / 2 && gap + SCORE_MATCH + bonus[j] > sc) {
				sc = gap + SCORE_MATCH + bonus[j];
				run = bonus[j];
			}
			cur[j] = sc;
			crun[j] = run;
		}
		{
			int *x = prev; prev = cur; cur = x;
			x = prun; prun = crun; crun = x;
		}
	}
	for (size_t j = 0; j < n; j++)
		if (prev[j] > best)
			best = prev[j];
	return best > 0 ? best : 1;
}

/* Optimal string alignment distance between a (m) and the best prefix of
 * t (up to m + 2 bytes) of length m - 1 .. m + 1; anything over limit
 * may be reported as limit + 1 (a row whose best is over it ends the
 * work). */
static int osa_prefix(const struct fuzzy_atom *a, const unsigned char *t, size_t tn, int limit)
{
	int d[FUZZY_MAX_ATOM + 1][FUZZY_MAX_ATOM + 3], m = a->len, best = 1000;
	int w = (int)(tn < (size_t)m + 1 ? tn : (size_t)m + 1);

	for (int i = 0; i <= m; i++)
		d[i][0] = i;
	for (int j = 0; j <= w; j++)
		d[0][j] = j;
	for (int i = 1; i <= m; i++) {
		int row = 1000;

		for (int j = 1; j <= w; j++) {
			int cost = same(a, (unsigned char)a->s[i - 1], t[j - 1]) ? 0 : 1, v;

			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && same(a, (unsigned char)a->s[i - 1], t[j - 2]) &&
			    same(a, (unsigned char)a->s[i - 2], t[j - 1]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < row)
				row = v;
		}
		if (row > limit && d[i][0] > limit)
			return limit + 1;
	}
	for (int j = m - 1; j <= w; j++)
		if (j >= 0 && d[m][j] < best)
			best = d[m][j];
	return best;
}

/* Three letters of a word start (t, tn bytes left) that are the atom's
 * three with two neighbours swapped: vmi for vim, ivm for vim. */
static int swapped3(const struct fuzzy_atom *a, const unsigned char *t, size_t tn)
{
	const unsigned char *s = (const unsigned char *)a->s;

	return tn >= 3 && ((same(a, s[0], t[1]) && same(a, s[1], t[0]) && same(a, s[2], t[2]) && s[0] != s[1]) ||
		(same(a, s[0], t[0]) && same(a, s[1], t[2]) && same(a, s[2], t[1]) && s[1] != s[2]));
}

int fuzzy_typo(const struct fuzzy_atom *a, const char *text, size_t n)
{
	const unsigned char *t = (const unsigned char *)text;
	/* Three letters allow only two neighbours swapped: any other edit
	 * would make most three-letter words match. */
	int allowed = a->len >= 8 ? 2 : a->len >= 3 ? 1 : 0, best = 0;
	enum cls prev = C_WHITE;

	if (!allowed)
		return 0;
	if (n > FUZZY_MAX_TEXT)
		n = FUZZY_MAX_TEXT;
	for (size_t j = 0; j < n; j++) {
		enum cls cur = classify(t[j]);
		int dist, sc;

		/* A word start; its first letter must be right (or swapped
		 * with the second), which keeps this cheap and sane. */
		if (bonus_for(prev, cur) >= BONUS_CAMEL && cur >= C_LOWER &&
		    (same(a, (unsigned char)a->s[0], t[j]) ||
		     (j + 1 < n && same(a, (unsigned char)a->s[1], t[j]) && same(a, (unsigned char)a->s[0], t[j + 1])))) {
			dist = a->len == 3 ? (swapped3(a, t + j, n - j) ? 1 : 2) : osa_prefix(a, t + j, n - j, allowed);
			/* The word typed right, less 8 per edit (at least one:
			 * none is an in-order match, scored as such). */
			sc = fuzzy_score(a, a->s, (size_t)a->len) - (dist ? dist : 1) * 8;
			if (dist <= allowed && sc > best)
				best = sc;
		}
		prev = cur;
	}
	return best;
}

int fuzzy_typo_ceiling(const struct fuzzy_atom *a)
{
	return a->len >= 3 ? fuzzy_score(a, a->s, (size_t)a->len) - 8 : 0;
}
