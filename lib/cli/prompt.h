/* prompt.h - reading passwords and secret values: from the terminal
 * without echo when there is one, else from standard input (scripts,
 * serial consoles: `printf pw | sesame unlock -p device`).  Results live in
 * secure memory. */
#ifndef SESAME_PROMPT_H
#define SESAME_PROMPT_H

#include <stddef.h>
#include <stdint.h>

/* One line: on a TTY, prompt on it with echo off (twice if confirm, and the
 * two must match); else read standard input up to a newline or EOF.  The
 * newline is not part of the result.  NULL with a reason (empty, too
 * long, mismatch, no input). */
uint8_t *prompt_secret(const char *prompt, int confirm, size_t max, size_t *len);
/* A value: a line from the TTY as above, or all of standard input with
 * one trailing newline removed (so `echo value |` works). */
uint8_t *prompt_value(const char *prompt, size_t max, size_t *len);

#endif
