/* libFuzzer target for the switcher's hints (applets/wm/hints.h): app ids
 * are whatever programs call themselves.  The input is up to 64 app ids,
 * one per line; each name stays within its buffer and is lower case
 * letters and digits, and the hints are distinct, none the start of
 * another, at most two letters, the same when assigned again; a card's
 * label fits its buffer and is cut at a character boundary. */
#include "applets/wm/hints.h"
#include "lib/core/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hint_slot s[64];
	char *copy = malloc(size + 1), *line, *next;
	int n = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	memset(s, 0, sizeof(s));
	for (line = copy; line && n < 64; line = next, n++) {
		if ((next = strchr(line, '\n')))
			*next++ = 0;
		hints_app_name(line, s[n].name, sizeof(s[n].name));
		for (const char *p = s[n].name; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
				abort();
		{
			char label[16];

			hints_app_label(line, label, sizeof(label));
			if (strlen(label) >= sizeof(label) || (utf8_valid(line, strlen(line)) &&
			    !utf8_valid(label, strlen(label))))
				abort();
		}
	}
	hints_assign(s, n, "asdfghjkl");
	for (int i = 0; i < n; i++) {
		size_t l = strlen(s[i].hint);

		if (l < 1 || l > 2)
			abort();
		for (int j = 0; j < n; j++)
			if (i != j && !strncmp(s[j].hint, s[i].hint, l))
				abort();
	}
	{
		char before[64][3];

		for (int i = 0; i < n; i++)
			memcpy(before[i], s[i].hint, 3);
		hints_assign(s, n, "asdfghjkl");
		for (int i = 0; i < n; i++)
			if (memcmp(before[i], s[i].hint, 3))
				abort();
	}
	free(copy);
	return 0;
}
