/* libFuzzer target for what context activation parses from outside: a
 * WiFi probe's answer (the SSID comes from the air), USB ids and time
 * rules (from the config).  Never a crash, an SSID always terminated and
 * at most 32 bytes, rules within their ranges. */
#include "applets/profile/activation.h"
#include "lib/config/config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ssid[33], s[128];
	struct time_rule r;
	uint32_t id;
	size_t n;

	if (size < 1)
		return 0;
	memset(ssid, 'x', sizeof(ssid));
	wifi_parse(1 + data[0] % 3, (const char *)data + 1, size - 1, ssid);
	if (!memchr(ssid, 0, sizeof(ssid)))
		abort();
	n = size - 1 < sizeof(s) - 1 ? size - 1 : sizeof(s) - 1;
	memcpy(s, data + 1, n);
	s[n] = 0;
	if (config_time_rule(s, &r) == 0 && (r.from < 0 || r.from >= 24 * 60 || r.to < 0 || r.to > 24 * 60 ||
	    r.from == r.to || (r.days & 0x80)))
		abort();
	if (config_usb_id(s, &id) == 0 && strlen(s) != 9)
		abort();
	return 0;
}
