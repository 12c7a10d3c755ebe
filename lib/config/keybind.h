/* keybind.h - the switcher's bindings (Alt+Tab, Alt+Shift+Tab,
 * Alt+Space to `sesame wm overlay`) as lines of sway, Hyprland, river and
 * labwc configuration: the lines themselves, a config file with them
 * added, and one with them taken out again. */
#ifndef SESAME_KEYBIND_H
#define SESAME_KEYBIND_H

#include <stddef.h>

/* Every line setup-keybinding writes runs this; a file that has it has
 * the bindings. */
#define KEYBIND_MARK "sesame wm overlay"

enum { KB_SWAY, KB_HYPRLAND, KB_RIVER, KB_LABWC, KB_NWM };
extern const char *const keybind_names[KB_NWM];
/* How each of the three lines begins, for another binding of the same
 * keys (compared without case), and the keys' names. */
extern const char *const keybind_keys[KB_NWM][3];
extern const char *const keybind_key_names[3];

/* The comment and the three lines for wm, running exe, into out (n
 * bytes).  The Tab lines pass --alt: the key is held when they run. */
void keybind_lines(int wm, const char *exe, char *out, size_t n);
/* old with the lines add added where wm reads them (malloc'ed), lines
 * an older sesame wrote taken out first; NULL if they are there already
 * or, for labwc, old is not a file it knows how to extend. */
char *keybind_merged(int wm, const char *old, const char *add);
/* Which of keybind_lines' lines line (len bytes, leading blanks skipped)
 * is, whatever sesame path it names: 0 the comment, 1 to 3 a binding
 * (the path into exe, exesz bytes), -1 none.  A line an older sesame
 * wrote (its Tab lines had no --alt) counts too, with *outdated set to 1
 * if outdated is not NULL. */
int keybind_ours(int wm, const char *line, size_t len, char *exe, size_t exesz, int *outdated);
/* 1 if text has a line an older sesame wrote (keybind_ours). */
int keybind_outdated(int wm, const char *text);
/* old without those lines and the blank line keybind_merged put beside
 * them (malloc'ed); NULL if none of them is there. */
char *keybind_without(int wm, const char *old);

#endif
