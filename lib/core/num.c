/* num.c - log2 and exp2 without libm (num.h).
 *
 * Both reduce the argument with frexp/ldexp (which glibc and musl keep in
 * libc) to a short interval where a series converges in a few terms, and
 * sum the series from its smallest term (Horner's rule):
 *   log2(m 2^e) = e + 2 log2(e) atanh(z), m in [1/sqrt 2, sqrt 2),
 *     z = (m-1)/(m+1), atanh(z) = z + z^3/3 + z^5/5 + ..., |z| < 0.172:
 *     13 terms leave less than 2^-66;
 *   2^x = 2^k e^y, k = x rounded, y = (x - k) ln 2, |y| <= 0.347:
 *     e^y = 1 + y + y^2/2! + ..., 17 terms leave less than 2^-66. */
#include "lib/core/num.h"

#include <math.h>	/* frexp, ldexp (libc), the NAN/INFINITY macros */

#define LN2 0.693147180559945309417232121458176568
#define LOG2E 1.442695040888963407359924681001892137
#define SQRT_HALF 0.707106781186547524400844362104849039

double num_log2(double x)
{
	double m, z, z2, s = 0;
	int e;

	if (!(x > 0) || isinf(x))
		return isinf(x) ? x : NAN;
	m = frexp(x, &e);		/* x = m 2^e, m in [0.5, 1) */
	if (m < SQRT_HALF)
		m *= 2, e--;
	z = (m - 1) / (m + 1);
	z2 = z * z;
	for (int k = 25; k >= 1; k -= 2)
		s = 1.0 / k + z2 * s;
	return e + 2 * LOG2E * (z * s);
}

double num_exp2(double x)
{
	double y, s = 1;
	long k;

	if (x != x)
		return x;
	if (x > 1024)
		return INFINITY;
	if (x < -1076)
		return 0;
	k = (long)(x < 0 ? x - 0.5 : x + 0.5);	/* to nearest */
	y = (x - (double)k) * LN2;
	for (int i = 17; i >= 1; i--)
		s = 1 + s * y / i;
	return ldexp(s, (int)k);
}
