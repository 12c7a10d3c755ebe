/* hints.c - the switcher's hints (hints.h). */
#include "applets/wm/hints.h"
#include "lib/core/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The app id's last dot-separated part that is not a generic word, as
 * [*start, *end). */
static void meaningful(const char *a, const char **startp, const char **endp)
{
	static const char *const generic[] = { "desktop", "app", "application", "client", "bin", "gui", "qt", "gtk" };
	const char *end = a + strlen(a), *start;

	for (;;) {
		int skip = 0;

		for (start = end; start > a && start[-1] != '.'; start--)
			;
		for (size_t i = 0; i < ARRAY_LEN(generic); i++)
			skip |= (size_t)(end - start) == strlen(generic[i]) && !strncasecmp(start, generic[i], end - start);
		if (!skip || start == a)
			break;
		end = start - 1;
	}
	*startp = start, *endp = end;
}

void hints_app_name(const char *a, char *out, size_t n)
{
	const char *start, *end;
	size_t k;

	meaningful(a, &start, &end);
	for (k = 0; start < end && k + 1 < n; start++)
		if ((*start >= 'a' && *start <= 'z') || (*start >= '0' && *start <= '9'))
			out[k++] = *start;
		else if (*start >= 'A' && *start <= 'Z')
			out[k++] = (char)(*start - 'A' + 'a');
	out[k] = 0;
}

void hints_app_label(const char *a, char *out, size_t n)
{
	const char *start, *end;
	size_t k;

	meaningful(a, &start, &end);
	k = (size_t)(end - start) < n - 1 ? (size_t)(end - start) : n - 1;
	while (k && !utf8_valid(start, k))	/* not cut inside a character */
		k--;
	memcpy(out, start, k);
	out[k] = 0;
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

void hints_assign(struct hint_slot *s, int n, const char *keys)
{
	char cand[128];
	int single[26] = { 0 }, prefix[26] = { 0 }, npair[26] = { 0 }, nsingle = 0, room;
	unsigned char pair[26][26];

	memset(pair, 0, sizeof(pair));
	/* Beyond 26 windows, p letters start two-letter hints: 26 - p + 26 p >= n. */
	room = 26 - (n > 26 ? (n - 26 + 24) / 25 : 0);
	for (int i = 0; i < n; i++) {
		struct hint_slot *w = &s[i];
		int a = w->hint[0] - 'a', b = w->hint[1] ? w->hint[1] - 'a' : -1;

		if (!w->hint[0] || strcmp(w->made_for, w->name) || a < 0 || a > 25 || single[a] ||
		    (b < 0 ? prefix[a] || nsingle >= room : b > 25 || pair[a][b] || n <= 26)) {
			w->hint[0] = 0;
			continue;
		}
		if (b < 0)
			single[a] = 1, nsingle++;
		else
			prefix[a] = 1, pair[a][b] = 1, npair[a]++;
	}
	for (int i = 0; i < n; i++) {
		struct hint_slot *w = &s[i];
		int first = -1;

		if (w->hint[0])
			continue;
		snprintf(w->made_for, sizeof(w->made_for), "%s", w->name);
		snprintf(cand, sizeof(cand), "%s%sabcdefghijklmnopqrstuvwxyz", w->name, keys);
		for (const char *c = cand; *c && nsingle < room; c++) {
			int k = *c - 'a';

			if (k >= 0 && k < 26 && !single[k] && !prefix[k]) {
				single[k] = 1, nsingle++;
				w->hint[0] = *c, w->hint[1] = 0;
				break;
			}
		}
		if (w->hint[0])
			continue;
		/* Two letters: the first a letter of its name that begins
		 * others already and has room, else one that is no one-letter
		 * hint. */
		for (const char *c = cand; *c && first < 0; c++)
			if (*c >= 'a' && *c <= 'z' && prefix[*c - 'a'] && npair[*c - 'a'] < 26)
				first = *c - 'a';
		for (const char *c = cand; *c && first < 0; c++)
			if (*c >= 'a' && *c <= 'z' && !single[*c - 'a'] && !prefix[*c - 'a'])
				first = *c - 'a';
		for (const char *c = cand; first >= 0 && *c; c++) {
			int k = *c - 'a';

			if (k >= 0 && k < 26 && !pair[first][k]) {
				prefix[first] = 1, pair[first][k] = 1, npair[first]++;
				w->hint[0] = (char)('a' + first), w->hint[1] = *c, w->hint[2] = 0;
				break;
			}
		}
	}
}
