/* Unit tests for lib/wire: round trips, bounds, and the frame reader. */
#include "lib/bus/wire.h"
#include "lib/core/util.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file at path (from the source tree: make check runs the unit tests
 * there) holds text; 0 if it does not exist. */
static int file_holds(const char *path, const char *text)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return !text || strstr(buf, text) != NULL;
}

/* The role table (wire.c) and the daemons agree: each role but the hub
 * has its applets/NAME/daemon_NAME.c with its APPLET block, each desktop role
 * is named in nodesktop.c too (DESKTOP=0 builds), and no other file
 * holds a daemon-* applet. */
static void roles_match_applets(void)
{
	char path[128], applet[64], cmd[256];
	int bad = 0, n = 0;
	FILE *ls;

	if (!file_holds("applets/nodesktop.c", NULL)) {
		skip("not run from the source tree: no applets/ to compare with");
		skip("likewise");
		return;
	}
	for (int r = 0; r < WR_COUNT; r++) {
		const char *name = wire_role_name(r);

		snprintf(path, sizeof(path), "applets/%s/daemon_%s.c", name, name);
		snprintf(applet, sizeof(applet), "/*APPLET daemon-%s ", name);
		if (!file_holds(path, applet) ||
		    (wire_role_desktop(r) != file_holds("applets/nodesktop.c", applet)))
			bad++, diag("role %s: %s or applets/nodesktop.c disagrees with wire.c", name, path);
	}
	ok(!bad && wire_role_index("secrets") == WR_SECRETS && wire_role_index("cli") == -1,
		"every role in wire.c's table has its daemon applet, desktop ones in nodesktop.c too");
	snprintf(cmd, sizeof(cmd), "grep -l '^/\\*APPLET daemon-' applets/*.c applets/*/*.c");
	if ((ls = popen(cmd, "r"))) {
		while (fgets(path, sizeof(path), ls)) {
			char name[64], want[160] = "";

			path[strcspn(path, "\n")] = 0;
			if (!strcmp(path, "applets/nodesktop.c"))
				continue;
			n++;
			if (sscanf(path, "applets/%63[a-z]/", name) == 1)
				snprintf(want, sizeof(want), "applets/%s/daemon_%s.c", name, name);
			if (strcmp(path, want) || wire_role_index(name) < 0)
				bad++, diag("%s: a daemon that is no role in wire.c", path);
		}
		pclose(ls);
	}
	ok(!bad && n == WR_COUNT, "and no daemon applet is missing from it (%d of %d)", n, WR_COUNT);
}

int main(void)
{
	static struct wire_out o;
	static uint8_t body[WIRE_MAX_FRAME], big[70000];
	struct wire_msg m;
	struct wire_reader r = { .body = body };
	char s[32];
	uint32_t u;
	uint64_t q;
	const uint8_t *v;
	uint16_t l;
	size_t room;
	uint8_t *at;

	wire_begin(&o, WIRE_STATUS, WIRE_F_REPLY, 0xdeadbeef);
	wire_put_str(&o, WF_ROLE, "secrets");
	wire_put_u32(&o, WF_CLIENTS, 7);
	wire_put_u64(&o, WF_UPTIME_MS, 0x0102030405060708ull);
	wire_put_str(&o, WF_ROLE, "launcher");
	ok(wire_end(&o) == 0 && wire_decode(o.buf, o.len, &m) == 0, "an encoded message decodes");
	ok(m.version == WIRE_VERSION && m.type == WIRE_STATUS && m.flags == WIRE_F_REPLY && m.id == 0xdeadbeef,
		"the header round-trips (version, type, flags, id)");
	ok(wire_get_u32(&m, WF_CLIENTS, &u) == 0 && u == 7 && wire_get_u64(&m, WF_UPTIME_MS, &q) == 0 &&
		q == 0x0102030405060708ull, "integer fields round-trip big-endian");
	ok(wire_get_str(&m, WF_ROLE, s, sizeof(s)) == 0 && !strcmp(s, "secrets"), "wire_find returns the first of repeated fields");
	ok(wire_get_str(&m, WF_ROLE, s, 4) < 0, "a string longer than the caller's buffer is refused");
	ok(wire_get_u32(&m, WF_UPTIME_MS, &u) < 0, "a field of the wrong size is refused as u32");
	ok(wire_get_u32(&m, WF_KEY, &u) < 0, "an absent field is reported");

	o.buf[0] = 2;
	ok(wire_decode(o.buf, o.len, &m) < 0 && strstr(last_error(), "version"), "another protocol version is refused");
	o.buf[0] = WIRE_VERSION;
	ok(wire_decode(o.buf, o.len - 1, &m) < 0 && strstr(last_error(), "past the end"),
		"a field running past the end invalidates the message");
	ok(wire_decode(o.buf, 7, &m) < 0, "a message shorter than its header is refused");
	ok(wire_decode(o.buf, WIRE_HEADER + 3, &m) < 0, "a truncated field header is refused");

	wire_begin(&o, WIRE_PING, 0, 1);
	wire_put(&o, 999, "xyz", 3);
	wire_put(&o, WF_DATA, "d", 1);
	ok(wire_decode(o.buf, o.len, &m) == 0 && wire_find(&m, WF_DATA, &v, &l) && l == 1,
		"unknown field tags are skipped");
	wire_put_str(&o, WF_KEY, "a\0b");	/* strlen stops at the NUL */
	wire_put(&o, WF_TEXT, "a\0b", 3);
	wire_decode(o.buf, o.len, &m);
	ok(wire_get_str(&m, WF_TEXT, s, sizeof(s)) < 0, "a string holding a NUL is refused");

	wire_begin(&o, WIRE_PING, 0, 1);
	wire_put(&o, WF_DATA, big, 65000);
	wire_put(&o, WF_DATA, big, 1000);
	ok(wire_end(&o) < 0, "a message over the maximum is refused when it is finished");
	ok(wire_type_role(WIRE_SECRET_GET) && !strcmp(wire_type_role(WIRE_SECRET_GET), "secrets") &&
		!wire_type_role(0x77), "request types map to the role that serves them");
	ok(wire_type_role_index(WIRE_STATUS) == WR_PROFILE && wire_type_role_index(WIRE_CLIPBOARD_GET) == WR_CLIPBOARD &&
		wire_type_role_index(0x77) == -1, "and to its index in the roles");
	roles_match_applets();
	{
		int bad = 0, secret = 0;

		for (int t = 0; t < 256; t++) {
			bad += wire_type_early((uint8_t)t) && wire_type_secret((uint8_t)t, 0);
			secret += wire_type_secret((uint8_t)t, 0) + wire_type_secret((uint8_t)t, 1);
		}
		ok(!bad && secret >= 10 && wire_type_secret(WIRE_UNLOCK, 0) && wire_type_secret(WIRE_SECRET_GET, 1) &&
			!wire_type_secret(WIRE_SECRET_GET, 0) && !wire_type_secret(WIRE_PING, 1),
			"the table marks what carries secrets, and no 0-RTT request does (%d marked)", secret);
	}
	fail_code(wire_error_code(WIRE_E_UNAVAILABLE), "x");
	ok(last_exit() == EXIT_UNREACHABLE, "an unavailable role: exit 69 (DESIGN.md)");
	fail_code(wire_error_code(WIRE_E_TIMEOUT), "x");
	ok(last_exit() == EXIT_TIMEOUT, "a timeout: exit 75");
	fail_code(wire_error_code(WIRE_E_DENIED), "x");
	ok(last_exit() == EXIT_DENIED, "denied: exit 77");
	fail_code(wire_error_code(WIRE_E_NOT_FOUND), "x");
	ok(last_code() == ERR_NOT_FOUND && last_exit() == 1, "not found: its own kind, exit 1");
	fail("a plain failure");
	ok(last_code() == ERR_FAILED && last_exit() == 1, "fail() is ERR_FAILED, exit 1");

	/* The reader, fed one byte at a time. */
	{
		uint8_t stream[4 + 5 + 4];
		int got = 0, res = 0;

		wire_frame_header(stream, 5);
		memcpy(stream + 4, "hello", 5);
		wire_frame_header(stream + 9, 0);
		for (size_t i = 0; i < sizeof(stream); i++) {
			at = wire_reader_space(&r, &room);
			*at = stream[i];
			res = wire_reader_commit(&r, 1);
			if (res == 1)
				got = r.len == 5 && !memcmp(r.body, "hello", 5);
			if (res < 0)
				break;
		}
		ok(got, "the reader reassembles a frame fed one byte at a time");
		ok(res < 0 && strstr(last_error(), "bad frame length 0"), "a zero-length frame is refused");
	}
	memset(&r, 0, sizeof(r));
	r.body = body;
	at = wire_reader_space(&r, &room);
	wire_frame_header(at, 65536);
	ok(wire_reader_commit(&r, 4) < 0, "a frame over 65535 bytes is refused before any body is read");
	{
		static const uint8_t b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

		ok(wire_uint(b, 4) == 0x01020304u, "wire_uint reads a u32 big-endian");
		ok(wire_uint(b, 8) == 0x0102030405060708ull, "and a u64");
		ok(wire_uint(b, 3) == 0 && wire_uint(b, 0) == 0, "any other length is 0");
	}
	return done_testing();
}
