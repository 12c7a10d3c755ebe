/* pwgen.c - random secrets (pwgen.h). */
#include "applets/secret/pwgen.h"
#include "lib/core/util.h"

#include <sodium.h>
#include <string.h>

static const char symbols[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

static void add_range(int *in, int from, int to)
{
	for (int c = from; c <= to; c++)
		in[c] = 1;
}

int pw_charset(const char *spec, char set[128], size_t *n)
{
	int in[128] = { 0 };
	const char *p = spec;

	*n = 0;
	if (!spec || !*spec)
		return fail("--charset: empty (lower, upper, digits, symbols, hex, alnum, print, chars:LITERAL)");
	while (*p) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);

		if (!strncmp(p, "chars:", 6)) {	/* the rest, commas included */
			for (p += 6; *p; p++) {
				if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
					return fail("--charset: chars: printable ASCII only, no spaces");
				in[(unsigned char)*p] = 1;
			}
			break;
		}
#define IS(word) (l == sizeof(word) - 1 && !strncmp(p, word, l))
		if (IS("lower") || IS("alnum") || IS("print"))
			add_range(in, 'a', 'z');
		if (IS("upper") || IS("alnum") || IS("print"))
			add_range(in, 'A', 'Z');
		if (IS("digits") || IS("alnum") || IS("print") || IS("hex"))
			add_range(in, '0', '9');
		if (IS("hex"))
			add_range(in, 'a', 'f');
		if (IS("symbols") || IS("print"))
			for (const char *s = symbols; *s; s++)
				in[(unsigned char)*s] = 1;
		if (!(IS("lower") || IS("upper") || IS("digits") || IS("hex") || IS("symbols") || IS("alnum") ||
			IS("print")))
			return fail("--charset: '%.*s' is not lower, upper, digits, symbols, hex, alnum, print or "
				"chars:LITERAL", (int)(l > 40 ? 40 : l), p);
#undef IS
		p += l + (end != NULL);
	}
	for (int c = 0; c < 128; c++)
		if (in[c])
			set[(*n)++] = (char)c;
	if (*n < 2)
		return fail("--charset: at least two different characters are needed");
	return 0;
}

void pw_chars(char *out, size_t len, const char *set, size_t n)
{
	for (size_t i = 0; i < len; i++)
		out[i] = set[randombytes_uniform((uint32_t)n)];
}

unsigned pw_bits(size_t count, size_t n)
{
	double x = 1;
	unsigned bits = 0;

	for (size_t i = 0; i < count; i++) {	/* n^count, its powers of two counted as they come */
		x *= (double)n;
		while (x >= 2)
			x /= 2, bits++;
	}
	return bits;
}
