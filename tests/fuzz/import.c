/* libFuzzer target for sesame import's readers (lib/cli/import.h) and
 * the XML reader under KeePassXC's: the first byte picks the format, the
 * rest is the file.  Nothing crashes or leaks; whatever is kept has a
 * valid, unique secret name and a non-empty value a vault can hold. */
#include "lib/cli/import.h"
#include "lib/core/xml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import im = { 0 };
	const char *t = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;
	int r;

	if (!size)
		return 0;
	switch (data[0] % 6) {
	case 0: r = import_env(&im, t, n, "f"); break;
	case 1: r = import_csv(&im, t, n, "f", NULL, NULL); break;
	case 2: r = import_keepassxc(&im, t, n, "f"); break;
	case 3: r = import_bitwarden(&im, t, n, "f"); break;
	case 4: r = memchr(t, 0, n) ? -1 : import_pass_entry(&im, "a/b", t, n); break;
	default: {
		char err[128];
		struct xml *x = xml_parse(t, n, err, sizeof(err));

		if (!x && !err[0])
			abort();
		xml_free(x);
		return 0;
	}
	}
	(void)r;
	for (size_t i = 0; i < im.list.n; i++) {
		if (!secret_name_new_valid(im.list.s[i].name) || !im.list.s[i].len || im.list.s[i].len > VAULT_MAX_VALUE)
			abort();
		for (size_t j = 0; j < i; j++)
			if (!strcmp(im.list.s[i].name, im.list.s[j].name))
				abort();
	}
	import_free(&im);
	return 0;
}
