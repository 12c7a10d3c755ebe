/* libFuzzer target for the switcher's binding lines in a compositor's
 * config file (lib/config/keybind.c): any file content, for each compositor.
 * Taking sesame's lines out never leaves one behind; and a file that had
 * none gets them added and taken out again to exactly what it was,
 * wherever setup-keybinding promises that (a file ending in a newline;
 * for labwc, one whose first <keyboard> ends its line and which binds
 * a key already).  Lines an older sesame wrote are replaced, none left. */
#include "lib/config/keybind.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void none_left(int wm, const char *text)
{
	char exe[4096];

	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);

		if (keybind_ours(wm, l, n, exe, sizeof(exe), NULL) >= 0)
			abort();
		l += nl ? n + 1 : n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *old, *neu, *back, add[4096];
	int wm;

	if (size < 1 || size > 8192)
		return 0;
	wm = data[0] % KB_NWM;
	old = malloc(size);
	memcpy(old, data + 1, size - 1);
	old[size - 1] = 0;
	if (keybind_outdated(wm, old)) {	/* an older sesame's lines are replaced */
		keybind_lines(wm, "/usr/bin/sesame", add, sizeof(add));
		if ((neu = keybind_merged(wm, old, add)) && keybind_outdated(wm, neu))
			abort();
		free(neu);
	}
	if ((back = keybind_without(wm, old))) {
		none_left(wm, back);
		free(back);
	} else if (!strstr(old, KEYBIND_MARK)) {
		keybind_lines(wm, "/usr/bin/sesame", add, sizeof(add));
		if ((neu = keybind_merged(wm, old, add))) {
			if (!(back = keybind_without(wm, neu)))
				abort();
			none_left(wm, back);
			const char *kb = strstr(old, "<keyboard>");

			if ((!*old || old[strlen(old) - 1] == '\n') && strlen(old) == size - 1 &&
			    (wm != KB_LABWC || (kb && kb[10] == '\n' && kb[11] != '\n' &&
			     (strstr(old, "<keybind") || strstr(old, "<default")))) && strcmp(back, old))
				abort();
			free(back);
			free(neu);
		}
	}
	free(old);
	return 0;
}
