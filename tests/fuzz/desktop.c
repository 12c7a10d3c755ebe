/* libFuzzer target for desktop entry files (they come from any package
 * or user): the parser, localized keys, the Exec line's quoting and field
 * codes, list matching.  Invariants: never a crash; an accepted Exec
 * gives 1..DESKTOP_MAX_ARGS-1 terminated arguments; the fuzzy scorer is
 * total on the names it produces. */
#include "applets/launcher/desktop.h"
#include "applets/launcher/fuzzy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char loc[4][64], **argv;
	int nloc = desktop_locales("de_DE.UTF-8@euro", loc), argc;
	struct desktop_entry e;
	struct fuzzy_query q;

	if (desktop_parse((const char *)data, size, loc, nloc, &e) < 0)
		return 0;
	if (desktop_exec_argv(&e, "/x.desktop", &argv, &argc) == 0) {
		if (argc < 1 || argc >= DESKTOP_MAX_ARGS || argv[argc])
			abort();
		for (int i = 0; i < argc; i++)
			if (!argv[i])
				abort();
		desktop_argv_free(argv);
	}
	desktop_shows_in(&e, "sway:GNOME:");
	desktop_list_has(e.keywords, "web");
	if (e.name && e.generic && fuzzy_compile(&q, e.generic) == 0)
		for (int i = 0; i < q.natoms; i++)
			if (fuzzy_score(&q.atom[i], e.name, strlen(e.name)) < 0 ||
			    fuzzy_typo(&q.atom[i], e.name, strlen(e.name)) < 0)
				abort();
	desktop_free(&e);
	return 0;
}
