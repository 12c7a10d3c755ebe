/* Unit tests for secret generate's alphabets and draws
 * (applets/secret/pwgen.c): each spec's alphabet exactly, bad specs
 * refused, the strength figure, and draws that are uniform. */
#include "applets/secret/pwgen.h"
#include "lib/core/util.h"
#include "tap.h"

#include <sodium.h>
#include <string.h>

static int alphabet(const char *spec, const char *want)
{
	char set[129];
	size_t n;

	if (pw_charset(spec, set, &n) < 0)
		return 0;
	set[n] = 0;
	return !strcmp(set, want);
}

int main(void)
{
	char set[128], out[160000];
	size_t n, count[128] = { 0 }, lo = (size_t)-1, hi = 0;

	if (sodium_init() < 0)
		return 1;
	ok(alphabet("digits", "0123456789"), "digits");
	ok(alphabet("hex", "0123456789abcdef"), "hex");
	ok(alphabet("alnum", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"), "alnum");
	ok(alphabet("lower,digits", "0123456789abcdefghijklmnopqrstuvwxyz"), "classes add up");
	ok(pw_charset("print", set, &n) == 0 && n == 94, "print: the 94 printable ASCII characters but space");
	ok(alphabet("digits,chars:ab,c", ",0123456789abc"), "chars: takes the rest, commas included");
	ok(alphabet("chars:aab", "ab"), "each character once");
	ok(pw_charset("chars:a", set, &n) < 0 && strstr(last_error(), "two"), "one character: refused");
	ok(pw_charset("chars:a b", set, &n) < 0, "a space: refused");
	ok(pw_charset("letters", set, &n) < 0 && strstr(last_error(), "'letters'"), "an unknown class: refused, named");
	ok(pw_charset("", set, &n) < 0 && pw_charset("digits,", set, &n) == 0, "empty: refused; a trailing comma: fine");
	ok(pw_bits(24, 62) == 142 && pw_bits(6, 7776) == 77 && pw_bits(40, 16) == 160 && pw_bits(0, 62) == 0,
		"strength: 24 of 62 is 142 bits, 6 words of 7776 are 77, 40 hex are 160");
	pw_charset("hex", set, &n);
	pw_chars(out, sizeof(out), set, n);
	for (size_t i = 0; i < sizeof(out); i++)
		count[(unsigned char)out[i]]++;
	for (size_t i = 0; i < n; i++) {
		lo = count[(unsigned char)set[i]] < lo ? count[(unsigned char)set[i]] : lo;
		hi = count[(unsigned char)set[i]] > hi ? count[(unsigned char)set[i]] : hi;
	}
	ok(lo >= 9500 && hi <= 10500, "160000 hex draws: each digit 10000 +- 5%% (5 standard deviations): %zu..%zu",
		lo, hi);
	for (size_t i = 0; i < n; i++)
		count[(unsigned char)set[i]] = 0;
	for (n = 0, lo = 0; n < 128; n++)
		lo += count[n];
	ok(lo == 0, "only the alphabet's characters (%zu others)", lo);
	return done_testing();
}
