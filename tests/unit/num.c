/* Unit tests for lib/num: num_log2 and num_exp2 against libm's log2 and
 * exp2 (the test links libm; sesame does not), over the arguments sesame
 * gives them and far beyond, and at the edges. */
#include "lib/core/num.h"
#include "tap.h"

#include <float.h>
#include <math.h>
#include <stdint.h>

/* Error in units of the reference's last place (absolute near zero). */
static double ulps(double got, double want)
{
	double unit = want == 0 ? DBL_MIN : nextafter(fabs(want), INFINITY) - fabs(want);

	return fabs(got - want) / unit;
}

static uint64_t state = 0x9e3779b97f4a7c15ull;

static double uniform(void)	/* [0, 1), xorshift: reproducible */
{
	state ^= state << 13, state ^= state >> 7, state ^= state << 17;
	return (double)(state >> 11) / 9007199254740992.0;
}

int main(void)
{
	double worst = 0, x;
	int n;

	/* Entropy: p = c / n with 1 <= c <= n <= 512. */
	for (n = 1; n <= 512; n++)
		for (int c = 1; c <= n; c++) {
			double p = (double)c / n, want = log2(p);
			double e = fabs(num_log2(p) - want) / (DBL_EPSILON * (fabs(want) > 1 ? fabs(want) : 1));

			if (e > worst)
				worst = e;
		}
	ok(worst <= 4, "log2(c/n), all 1 <= c <= n <= 512: worst error %.2f epsilon (relative, absolute below 1)", worst);
	worst = 0;
	for (int i = 0; i < 200000; i++) {
		x = ldexp(0.5 + uniform(), (int)(uniform() * 2000) - 1000);
		if (ulps(num_log2(x), log2(x)) > worst)
			worst = ulps(num_log2(x), log2(x));
	}
	ok(worst <= 4, "log2 over 2^-1000..2^1000, 200000 draws: worst %.2f ulp", worst);
	ok(num_log2(1) == 0 && num_log2(0.5) == -1 && num_log2(1024) == 10 && num_log2(0x1p-1074) == -1074,
		"log2 of powers of two is exact (subnormals included)");
	ok(isnan(num_log2(0)) && isnan(num_log2(-1)) && isnan(num_log2(NAN)) && num_log2(INFINITY) == INFINITY,
		"log2 of zero, negatives and NaN is NaN; of +inf, +inf");

	/* Frecency: 2^(-age / 30 days) for ages up to centuries. */
	worst = 0;
	for (int i = 0; i < 200000; i++) {
		x = -uniform() * 4000;
		if (ulps(num_exp2(x), exp2(x)) > worst)
			worst = ulps(num_exp2(x), exp2(x));
	}
	ok(worst <= 4, "exp2 over [-4000, 0], 200000 draws: worst %.2f ulp", worst);
	worst = 0;
	for (int i = 0; i < 200000; i++) {
		x = (uniform() - 0.5) * 2040;
		if (ulps(num_exp2(x), exp2(x)) > worst)
			worst = ulps(num_exp2(x), exp2(x));
	}
	ok(worst <= 4, "exp2 over [-1020, 1020], 200000 draws: worst %.2f ulp", worst);
	ok(num_exp2(0) == 1 && num_exp2(-1) == 0.5 && num_exp2(10) == 1024 && num_exp2(-1074) == 0x1p-1074,
		"exp2 of integers is exact (subnormals included)");
	ok(num_exp2(-1e6) == 0 && num_exp2(1e6) == INFINITY && isnan(num_exp2(NAN)) &&
		num_exp2(-INFINITY) == 0 && num_exp2(INFINITY) == INFINITY,
		"exp2 underflows to 0, overflows to +inf, keeps NaN");
	return done_testing();
}
