/* hints.h - the switcher's hints, apart from Wayland so that they can be
 * tested alone (tests/unit/hints.c).
 *
 * A hint is one letter while 26 go round, two letters for the rest, whose
 * first letters are never a one-letter hint: no hint is the start of
 * another, so a typed hint is never ambiguous.  A window keeps its hint
 * while it lives and its name stays the same; a new one takes, in
 * most-recently-focused order, the first free letter of its name, then
 * of hint_keys, then of the alphabet.  mail, mail, org.gnome.Music get
 * m, a, u; four foot windows and firefox f, o, t, a hint_keys letter,
 * and i (not f, ff, fff, ffff, fffff).
 */
#ifndef SESAME_HINTS_H
#define SESAME_HINTS_H

#include <stddef.h>

struct hint_slot {
	char name[33];		/* in: the name it is known by (lower case) */
	char hint[3];		/* in: the hint it has ("" if none); out: its hint */
	char made_for[33];	/* in: the name its hint was made for; out: updated */
};

/* Hints for n windows, most recently focused first; keys is hint_keys. */
void hints_assign(struct hint_slot *s, int n, const char *keys);

/* The part of an app id a person calls it by: its last dot-separated
 * part that is not a generic word (org.telegram.desktop: telegram),
 * letters and digits only, lower case, into out (n bytes). */
void hints_app_name(const char *app_id, char *out, size_t n);
/* The same part as the cards show it: as it is, its first letter upper
 * case (org.gnome.Music: Music; foot: Foot; firefox-esr: Firefox-esr),
 * cut to n - 1 bytes at a character boundary. */
void hints_app_label(const char *app_id, char *out, size_t n);

#endif
