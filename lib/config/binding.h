/* binding.h - key bindings as written in the configuration:
 * "ctrl+alt+t" = "profile activate work".
 *
 * A combination is modifiers and one key, joined by '+': shift, ctrl
 * (control), alt (mod1), super (logo, win, mod4), each at most once, in
 * any order, case-insensitive; the key last, an xkbcommon keysym name
 * ("t", "space", "Return", "F5", "XF86AudioMute"), resolved by the user.
 * A command is the sesame command line it runs, split into words here
 * (never by a shell): blanks separate words, '...' quotes literally,
 * "..." quotes with \" and \\ as escapes.  "layer NAME" switches the
 * active layer instead of running anything.
 */
#ifndef SESAME_BINDING_H
#define SESAME_BINDING_H

#include <stddef.h>

enum { BIND_SHIFT = 1, BIND_CTRL = 2, BIND_ALT = 4, BIND_SUPER = 8 };

#define BIND_MAX_KEY 64
#define BIND_MAX_ARGS 32

/* Parse s: the modifier bits and the key's name (NUL-terminated, at most
 * BIND_MAX_KEY - 1 bytes).  -1 with a reason. */
int binding_parse(const char *s, unsigned *mods, char key[BIND_MAX_KEY]);
/* Split cmd into at most max - 1 words (argv[n] = NULL), copied into buf
 * (bufsz bytes); the word count, or -1 with a reason (empty, unbalanced
 * quote, too many words, too long). */
int binding_split(const char *cmd, char **argv, int max, char *buf, size_t bufsz);
/* The combination written canonically ("ctrl+alt+t") into out. */
void binding_format(unsigned mods, const char *key, char *out, size_t outsz);

#endif
