/* pwgen.h - random secrets for `sesame secret generate`: characters
 * drawn from an alphabet, or words from a list, each draw uniform
 * (libsodium's randombytes_uniform: no modulo bias), so the strength is
 * exactly length x log2(alphabet size).  The alphabet is a --charset
 * spec: classes separated by commas, lower, upper, digits, symbols (the
 * 32 ASCII punctuation marks), hex (0-9a-f), alnum (lower,upper,digits),
 * print (alnum,symbols), and last, chars:LITERAL (any printable ASCII
 * in LITERAL, the rest of the spec). */
#ifndef SESAME_PWGEN_H
#define SESAME_PWGEN_H

#include <stddef.h>
#include <stdint.h>

/* The alphabet of spec into set (each byte once, in byte order); its
 * size in *n (2 at least).  -1 with a reason. */
int pw_charset(const char *spec, char set[128], size_t *n);
/* len characters of set (n of them) into out. */
void pw_chars(char *out, size_t len, const char *set, size_t n);
/* The whole bits of strength of count draws among n choices:
 * floor(count x log2 n). */
unsigned pw_bits(size_t count, size_t n);

#endif
