/* libFuzzer target for the bus's frame and message decoder: the input is
 * a byte stream as a client would send it, fed in chunks of varying size
 * through the hub's frame reader (wire_reader_*); every complete frame is
 * decoded as a message and its fields are walked and read as every type,
 * and the messages a batch holds (WF_MSG) are decoded as the hub does;
 * each is also read as the CLI reads the hub's and daemon-secrets' status
 * replies (cli_hub_roles, cli_vault_states_parse).
 * Bad input must be refused, never crash or read out of bounds. */
#include "lib/bus/wire.h"
#include "lib/cli/cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void vault_state(const char *profile, const char *state, void *ctx)
{
	if (strlen(profile) > 64 || strlen(state) > 64)
		abort();
	++*(size_t *)ctx;
}

/* As `sesame status` reads a reply: every name and sandbox it keeps is a
 * string within its field. */
static void status_reply(const struct wire_msg *m)
{
	struct cli_role r[CLI_MAX_ROLES];
	size_t n, ngone, states = 0;

	n = cli_hub_roles(m, m, r, &ngone);
	if (n + ngone > CLI_MAX_ROLES)
		abort();
	for (size_t i = 0; i < n + ngone; i++)
		if (!memchr(r[i].name, 0, sizeof(r[i].name)) || !memchr(r[i].sandbox, 0, sizeof(r[i].sandbox)) ||
		    r[i].gone != (i >= n) || (r[i].gone && r[i].pid))
			abort();
	cli_vault_states_parse(m, vault_state, &states);
}

static void use_message(const uint8_t *buf, size_t len, int in_batch)
{
	struct wire_msg m;
	size_t pos = 0;
	uint16_t tag, l;
	const uint8_t *v;
	char s[64];
	uint32_t u32;
	uint64_t u64;

	if (wire_decode(buf, len, &m) < 0)
		return;
	while (wire_next(&m, &pos, &tag, &v, &l))
		if (v < buf || v + l > buf + len)
			abort();
	(void)wire_get_u32(&m, WF_CODE, &u32);
	(void)wire_get_u64(&m, WF_UPTIME_MS, &u64);
	(void)wire_get_str(&m, WF_KEY, s, sizeof(s));
	(void)wire_type_role(m.type);
	status_reply(&m);
	pos = 0;
	while (!in_batch && wire_next_tag(&m, &pos, WF_MSG, &v, &l))
		use_message(v, l, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t body[WIRE_MAX_FRAME];
	struct wire_reader r = { .body = body };
	size_t off = 0;

	/* The first byte sets the chunk size, as recv() would split. */
	size_t chunk = size ? (size_t)data[0] + 1 : 1;

	if (size)
		off = 1;
	/* Also decode the raw input as one message. */
	use_message(data + off, size - off, 0);
	while (off < size) {
		size_t room, n;
		uint8_t *at = wire_reader_space(&r, &room);
		int res;

		n = size - off < chunk ? size - off : chunk;
		if (n > room)
			n = room;
		memcpy(at, data + off, n);
		off += n;
		res = wire_reader_commit(&r, n);
		if (res < 0)
			break;
		if (res == 1) {
			if (r.len == 0 || r.len > WIRE_MAX_FRAME)
				abort();
			use_message(r.body, r.len, 0);
		}
	}
	return 0;
}
