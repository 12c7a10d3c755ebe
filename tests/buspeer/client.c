/* client.c - buspeer as a client: get, set, last, clipkey, watch, publish,
 * event, role-info, list, batch, batch-pings (main.c lists the modes). */
#include "buspeer.h"
#include "lib/bus/bus.h"
#include "lib/bus/noise.h"
#include "lib/bus/wire.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct bus_client *connect_as(const char *role)
{
	char key[PATH_MAX];

	if (!role)
		return connect_or_die(NULL);
	struct bus_client *c;

	if (snprintf(key, sizeof(key), "%s/keys/%s.key", TT.p.runtime, role) >= (int)sizeof(key))
		die("key path too long");
	c = connect_or_die(key);
	announce(c);
	return c;
}

int cmd_get(const char *profile, const char *key, const char *role)
{
	struct bus_client *c = connect_as(role);
	struct wire_msg m;
	const uint8_t *v;
	uint16_t l;

	wire_begin(&TT.out, WIRE_SECRET_GET, 0, 0);
	wire_put_str(&TT.out, WF_PROFILE, profile);
	wire_put_str(&TT.out, WF_KEY, key);
	/* A forged caller must be ignored: the hub stamps its own. */
	wire_put_str(&TT.out, WF_CALLER_ROLE, "cli");
	if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(last_exit(), "%s", last_error());
	if (!wire_find(&m, WF_VALUE, &v, &l))
		die("reply without a value");
	fwrite(v, 1, l, stdout);
	putchar('\n');
	bus_close(c);
	return 0;
}

int cmd_set(const char *profile, const char *key, const char *value)
{
	struct bus_client *c = connect_or_die(NULL);
	struct wire_msg m;

	wire_begin(&TT.out, WIRE_SECRET_SET, 0, 0);
	wire_put_str(&TT.out, WF_PROFILE, profile);
	wire_put_str(&TT.out, WF_KEY, key);
	wire_put_str(&TT.out, WF_VALUE, value);
	if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die("%s", last_error());
	bus_close(c);
	return 0;
}

/* After a reply: 1 if the hub hangs up within ms. */
static int hung_up(struct bus_client *c, int ms)
{
	struct pollfd pf = { bus_fd(c), POLLIN, 0 };
	char b;

	return poll(&pf, 1, ms) == 1 && recv(bus_fd(c), &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

int cmd_last(const char *profile, const char *key)
{
	for (int last = 1; last >= 0; last--) {
		struct bus_client *c = connect_or_die(NULL);
		struct wire_msg m;
		const uint8_t *v;
		uint16_t l;

		wire_begin(&TT.out, profile ? WIRE_SECRET_GET : WIRE_PING, last ? WIRE_F_LAST : 0, 0);
		if (profile) {
			wire_put_str(&TT.out, WF_PROFILE, profile);
			wire_put_str(&TT.out, WF_KEY, key);
		} else {
			wire_put_str(&TT.out, WF_DATA, "pong");
		}
		if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
			die_code(last_exit(), "%s", last_error());
		if (!wire_find(&m, profile ? WF_VALUE : WF_DATA, &v, &l))
			die("reply without a value");
		printf("%s reply=%.*s closed=%d\n", last ? "last" : "plain", (int)l, (const char *)v,
			hung_up(c, last ? 2000 : 300));
		fflush(stdout);
		bus_close(c);
	}
	return 0;
}

/* The clipboard history key, as the CLI or as ROLE (with a forged
 * caller role, which the hub must replace): prints its length. */
int cmd_clipkey(const char *profile, const char *role)
{
	struct bus_client *c = connect_as(role);
	struct wire_msg m;
	const uint8_t *v;
	uint16_t l;

	wire_begin(&TT.out, WIRE_CLIPBOARD_KEY, 0, 0);
	wire_put_str(&TT.out, WF_PROFILE, profile);
	wire_put_str(&TT.out, WF_CALLER_ROLE, "clipboard");
	if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(last_exit(), "%s", last_error());
	if (!wire_find(&m, WF_VALUE, &v, &l))
		die("reply without a value");
	printf("key of %u bytes\n", (unsigned)l);
	sodium_memzero(TT.buf, sizeof(TT.buf));
	bus_close(c);
	return 0;
}

/* Subscribe to ROLE's events; then read n of them (printing "events=N"),
 * or with n < 0 never read, with a small receive buffer, until cut off
 * (printing "closed_after_ms=N"). */
int cmd_watch(const char *role, long n)
{
	struct bus_client *c = connect_or_die(NULL);
	struct wire_msg m;
	long got = 0;

	wire_begin(&TT.out, WIRE_SUBSCRIBE, 0, 0);
	wire_put_str(&TT.out, WF_ROLE, role);
	if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(last_exit(), "%s", last_error());
	printf("subscribed\n");
	fflush(stdout);
	if (n < 0) {
		int small = 4096, fd = bus_fd(c);
		long long t0 = now_us();
		struct pollfd p = { fd, POLLRDHUP, 0 };

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
		if (poll(&p, 1, 60000) <= 0)
			die("watch-noread: not cut off in 60 s");
		printf("closed_after_ms=%lld\n", (now_us() - t0) / 1000);
		bus_close(c);
		return 0;
	}
	while (got < n) {
		if (bus_recv(c, TT.buf, &m, 10000) < 0)
			die("after %ld events: %s", got, last_error());
		if (m.flags & WIRE_F_EVENT && m.type == WIRE_EVENT)
			got++;
	}
	printf("events=%ld\n", got);
	bus_close(c);
	return 0;
}

/* n events of bytes each, as ROLE, as fast as the socket takes them. */
int cmd_publish(const char *role, long n, long bytes)
{
	static uint8_t data[60000];
	struct bus_client *c = connect_as(role);
	long long t0 = now_us();

	if (bytes < 0 || bytes > (long)sizeof(data))
		die("publish: 0 to %zu bytes", sizeof(data));
	for (long i = 0; i < n; i++) {
		wire_begin(&TT.out, WIRE_EVENT, 0, 0);
		wire_put(&TT.out, WF_DATA, data, (size_t)bytes);
		if (bus_send(c, &TT.out) < 0)
			die("publish: event %ld: %s", i, last_error());
	}
	printf("published=%ld in_ms=%lld\n", n, (now_us() - t0) / 1000);
	bus_close(c);
	return 0;
}

/* A forged event, as the CLI: the hub must refuse it. */
int cmd_event(void)
{
	struct bus_client *c = connect_as(NULL);
	struct wire_msg m;

	wire_begin(&TT.out, WIRE_EVENT, 0, 0);
	wire_put_str(&TT.out, WF_FIRED, "ctrl+alt+t");
	wire_put_str(&TT.out, WF_STATE, "forged");
	if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(last_exit(), "%s", last_error());
	printf("the hub accepted it\n");
	bus_close(c);
	return 0;
}

int cmd_role_info(const char *text, const char *role)
{
	struct bus_client *c = connect_as(role);
	struct wire_msg m;
	const uint8_t *v;
	uint16_t l, tag;
	size_t pos = 0;
	char name[32] = "";

	wire_begin(&TT.out, WIRE_ROLE_INFO, 0, 0);
	wire_put_str(&TT.out, WF_SANDBOX, text);
	if (!role) {	/* as the CLI it is answered, with an error */
		if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
			die_code(last_exit(), "%s", last_error());
		printf("the hub accepted it\n");
		return 0;
	}
	if (wire_end(&TT.out) < 0 || bus_send(c, &TT.out) < 0)
		die("%s", last_error());
	wire_begin(&TT.out, WIRE_STATUS, 0, 0);
	if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(last_exit(), "%s", last_error());
	while (wire_next(&m, &pos, &tag, &v, &l)) {
		if (tag == WF_ROLE)
			snprintf(name, sizeof(name), "%.*s", l < 31 ? (int)l : 31, (const char *)v);
		else if (tag == WF_SANDBOX && name[0])
			printf("%s sandbox=%.*s\n", name, (int)l, (const char *)v);
	}
	bus_close(c);
	return 0;
}

int cmd_list(const char *profile, const char *role)
{
	struct bus_client *c = connect_as(role);
	struct wire_msg m;
	const uint8_t *v;
	uint16_t l, tag;
	size_t pos = 0;

	wire_begin(&TT.out, WIRE_SECRET_LIST, 0, 0);
	wire_put_str(&TT.out, WF_PROFILE, profile);
	if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(last_exit(), "%s", last_error());
	while (wire_next(&m, &pos, &tag, &v, &l))
		if (tag == WF_KEY)
			printf("%.*s\n", (int)l, (const char *)v);
	bus_close(c);
	return 0;
}

/* One reply, as "id=N ping DATA", "id=N value VALUE" or "id=N error TEXT". */
static void print_reply(const struct wire_msg *m)
{
	const uint8_t *v;
	uint16_t l;
	char text[256] = "?";

	if (m->type == WIRE_ERROR) {
		wire_get_str(m, WF_TEXT, text, sizeof(text));
		printf("id=%u error %s\n", m->id, text);
	} else if (wire_find(m, m->type == WIRE_PING ? WF_DATA : WF_VALUE, &v, &l)) {
		printf("id=%u %s %.*s\n", m->id, m->type == WIRE_PING ? "ping" : "value", (int)l, (const char *)v);
	} else {
		printf("id=%u %s\n", m->id, wire_type_name(m->type));
	}
}

int cmd_batch(const char *profile, const char *key)
{
	static struct wire_out req;
	struct bus_client *c = connect_or_die(NULL);
	struct wire_msg m;

	wire_begin(&TT.out, WIRE_BATCH, 0, 100);
	wire_begin(&req, WIRE_PING, 0, 1);
	wire_put_str(&req, WF_DATA, "one");
	wire_put(&TT.out, WF_MSG, req.buf, req.len);
	wire_begin(&req, WIRE_SECRET_GET, 0, 2);
	wire_put_str(&req, WF_PROFILE, profile);
	wire_put_str(&req, WF_KEY, key);
	wire_put(&TT.out, WF_MSG, req.buf, req.len);
	wire_begin(&req, WIRE_BATCH, 0, 3);
	wire_put(&TT.out, WF_MSG, req.buf, req.len);
	wire_put(&TT.out, WF_MSG, "xx", 2);
	wire_begin(&req, WIRE_PING, 0, 4);
	wire_put_str(&req, WF_DATA, "two");
	wire_put(&TT.out, WF_MSG, req.buf, req.len);
	if (bus_send(c, &TT.out) < 0)
		die_code(last_exit(), "%s", last_error());
	for (int i = 0; i < 5; i++) {
		if (bus_recv(c, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
			die_code(last_exit(), "reply %d: %s", i + 1, last_error());
		print_reply(&m);
	}
	wire_begin(&TT.out, WIRE_BATCH, 0, 5);
	wire_put(&TT.out, WF_MSG, req.buf, req.len);
	if (bus_send(c, &TT.out) < 0 || bus_recv(c, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(last_exit(), "late batch: %s", last_error());
	print_reply(&m);
	bus_close(c);
	return 0;
}

/* A new connection whose message 1 holds a batch of n requests of one
 * type, ids 1 to n; sending it reads message 2. */
struct bus_client *send_batch(uint8_t type, long n)
{
	static struct wire_out req;
	struct bus_client *c = connect_or_die(NULL);

	wire_begin(&TT.out, WIRE_BATCH, 0, 0);
	for (long i = 1; i <= n; i++) {
		wire_begin(&req, type, 0, (uint32_t)i);
		wire_put(&TT.out, WF_MSG, req.buf, req.len);
	}
	if (bus_send(c, &TT.out) < 0)
		die_code(last_exit(), "%s", last_error());
	return c;
}

int cmd_batch_pings(long n)
{
	struct bus_client *c = send_batch(WIRE_PING, n);
	struct wire_msg m;
	long got = 0;
	int in_order = 1;

	while (got < n && bus_recv(c, TT.buf, &m, BUS_CLI_TIMEOUT_MS) == 0) {
		if (m.type != WIRE_PING || m.id != (uint32_t)got + 1)
			in_order = 0;
		got++;
	}
	printf("replies=%ld in_order=%d\n", got, in_order);
	bus_close(c);
	return got == n ? 0 : 1;
}
