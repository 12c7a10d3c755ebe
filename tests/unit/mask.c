/* Unit tests for env --mask's stream masker (lib/cli/mask.c): values
 * concealed wherever they fall, however the output is cut into reads;
 * the longer of two overlapping values wins; short values pass. */
#include "lib/cli/mask.h"
#include "lib/core/secmem.h"
#include "tap.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static char got[65536];
static size_t ngot;

static void emit(void *ctx, const uint8_t *s, size_t n)
{
	(void)ctx;
	if (ngot + n < sizeof(got)) {
		memcpy(got + ngot, s, n);
		ngot += n;
	}
	got[ngot] = 0;
}

/* text fed in pieces of at most cut bytes (0: all at once). */
static const char *run(const struct mask_set *m, const char *text, size_t cut)
{
	struct masker k;
	size_t n = strlen(text);

	ngot = 0;
	got[0] = 0;
	masker_init(&k, m);
	for (size_t o = 0; o < n;) {
		size_t l = cut ? 1 + randombytes_uniform((uint32_t)cut) : n;

		l = l > n - o ? n - o : l;
		masker_feed(&k, (const uint8_t *)text + o, l, 0, emit, NULL);
		o += l;
	}
	masker_feed(&k, NULL, 0, 1, emit, NULL);
	masker_free(&k);
	return got;
}

int main(void)
{
	const uint8_t *v[] = { (const uint8_t *)"hunter2", (const uint8_t *)"hunter2-long", (const uint8_t *)"abc",
		(const uint8_t *)"zzzz" };
	size_t len[] = { 7, 12, 3, 4 };
	struct mask_set m = { v, len, 4 };
	const char *text = "pw=hunter2; long=hunter2-long; short=abc; hunte; zzzzz; hunter2hunter2\n";
	const char *want = "pw=<concealed by sesame>; long=<concealed by sesame>; short=abc; hunte; "
		"<concealed by sesame>z; <concealed by sesame><concealed by sesame>\n";
	int same = 1;

	if (sodium_init() < 0 || secmem_use(SECMEM_MLOCK) < 0)
		return 1;
	ok(!strcmp(run(&m, text, 0), want), "all at once: each value concealed, the longer of two first, "
		"a 3-byte one not");
	for (int i = 0; i < 2000 && same; i++)
		same = !strcmp(run(&m, text, 1 + (size_t)(i % 9)), want);
	ok(same, "cut into 2000 random sets of reads of 1 to 9 bytes: always the same output");
	{
		struct masker k;

		ngot = 0;
		masker_init(&k, &m);
		masker_feed(&k, (const uint8_t *)"ok hunt", 7, 0, emit, NULL);
		ok(ngot == 3 && !memcmp(got, "ok ", 3), "what may begin a value is held back, the rest passes at once");
		masker_feed(&k, NULL, 0, 1, emit, NULL);
		ok(!strcmp(got, "ok hunt"), "and let go when the wait is over");
		masker_free(&k);
	}
	return done_testing();
}
