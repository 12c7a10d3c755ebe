/* Unit tests for daemon-wm's window order file (applets/wm/mru.h): what
 * it writes it reads back; windows are found again by app id and title,
 * twins in turn; a torn or foreign file loses nothing it need not. */
#include "applets/wm/mru.h"
#include "tap.h"

#include <sodium.h>
#include <string.h>

int main(void)
{
	struct mru m = { 0 }, back;
	char text[MRU_FILE_MAX + 1];
	uint8_t a[MRU_DIGEST], b[MRU_DIGEST], c[MRU_DIGEST];
	size_t len;

	if (sodium_init() < 0)
		return 1;
	mru_digest("foot", "~/src", a);
	mru_digest("foot", "~/doc", b);
	mru_digest("foo", "t~/src", c);
	ok(memcmp(a, b, MRU_DIGEST) != 0, "another title, another digest");
	ok(memcmp(a, c, MRU_DIGEST) != 0, "app id and title are not run together (foot ~/src vs foo t~/src)");
	mru_digest(NULL, NULL, c);
	mru_digest("", "", b);
	ok(!memcmp(b, c, MRU_DIGEST), "no app id and no title are empty ones");

	memcpy(m.d[0], a, MRU_DIGEST);
	memcpy(m.d[1], b, MRU_DIGEST);
	memcpy(m.d[2], a, MRU_DIGEST);
	m.n = 3;
	len = mru_format(&m, text);
	ok(len == strlen(MRU_HEADER) + 3 * 33 && strlen(text) == len, "three digests: the header and three lines");
	ok(!strstr(text, "foot") && !strstr(text, "src"), "no app id or title in the file");
	ok(mru_parse(text, len, &back) == 0 && back.n == 3 && !memcmp(back.d, m.d, sizeof(m.d[0]) * 3),
		"read back as written");
	ok(mru_rank(&back, a) == 0 && mru_rank(&back, a) == 2 && mru_rank(&back, a) == -1,
		"two windows alike take places 0 and 2 in turn, a third none");
	ok(mru_rank(&back, b) == 1, "the other one its own place");

	ok(mru_parse(text, len - 10, &back) == 0 && back.n == 2, "a write cut short keeps the whole lines before it");
	text[strlen(MRU_HEADER) + 33 + 5] = 'G';
	ok(mru_parse(text, len, &back) == 0 && back.n == 1, "a line that is no digest ends the list");
	ok(mru_parse("sesame-wm-mru 2\n", 16, &back) == -1 && back.n == 0, "another version: not read");
	ok(mru_parse("", 0, &back) == -1, "an empty file: not read");

	m.n = MRU_MAX;
	for (int i = 0; i < MRU_MAX; i++)
		mru_digest("app", (char[]){ (char)('A' + i % 26), (char)('a' + i / 26), 0 }, m.d[i]);
	len = mru_format(&m, text);
	ok(len == MRU_FILE_MAX, "%d windows fill MRU_FILE_MAX exactly", MRU_MAX);
	ok(mru_parse(text, len, &back) == 0 && back.n == MRU_MAX, "and are read back");
	return done_testing();
}
