/* libFuzzer target for the peer checker's /proc parsers (applets/profile/peer.h):
 * they never read past the buffer, a command-line's role is a short
 * string of one of the applet names it could be, and what stat and
 * status accept is a number that was in the buffer. */
#include "applets/profile/peer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_applet(const char *name)
{
	return !strcmp(name, "daemon-secrets") || !strcmp(name, "daemon-snippets") || !strcmp(name, "secret") ||
		!strcmp(name, "daemon");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of its exact size, so that ASan sees any read past it. */
	char *buf = malloc(size ? size : 1), role[24];
	uint64_t start;
	uint32_t uid;
	int32_t tracer;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (peer_parse_stat(buf, size, &start) == 0 && !memchr(buf, ')', size))
		abort();
	if (peer_parse_status(buf, size, &uid, &tracer) == 0 && (tracer < 0 || !memmem(buf, size, "TracerPid:", 10)))
		abort();
	memset(role, 'x', sizeof(role));
	if (peer_cmdline_role(buf, size, is_applet, role, sizeof(role)) == 0) {
		if (!memchr(role, 0, sizeof(role)))
			abort();
		if (role[0] && strcmp(role, "secrets") && strcmp(role, "snippets"))
			abort();
	}
	free(buf);
	return 0;
}
