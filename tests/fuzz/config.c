/* libFuzzer target for the config schema walk (lib/config/config.c) on top of the
 * TOML parser: any bytes are a valid config or errors, each message naming
 * the file ("fuzz:"), never a crash or a leak. */
#include "lib/config/config.h"
#include "lib/core/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int errors;

static void report(enum config_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (strncmp(msg, "fuzz:", 5) && strcmp(msg, "too many errors; stopping here"))
		abort();
	errors += level == CONFIG_ERROR;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int r;

	errors = 0;
	r = config_check_text((const char *)data, size, "fuzz", report, NULL);
	if ((r < 0) != (errors > 0))
		abort();
	return 0;
}
