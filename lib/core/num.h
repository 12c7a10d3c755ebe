/* num.h - the two elementary functions sesame needs, so that the binary
 * does not link libm: a dynamic exec pays ~10% more for each shared
 * library it loads, and libm is one more for two functions.  Both are
 * within a few ulps of libm's over the ranges sesame uses them on
 * (tests/unit/num.c compares them). */
#ifndef SESAME_NUM_H
#define SESAME_NUM_H

/* log2(x) for finite x > 0 (entropy of clipboard text); NaN otherwise. */
double num_log2(double x);
/* 2^x (frecency decay); 0 below the smallest subnormal, +inf above
 * DBL_MAX, NaN for NaN. */
double num_exp2(double x);

#endif
