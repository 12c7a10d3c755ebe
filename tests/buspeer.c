/* buspeer - a bus peer for tests and benchmarks, well-behaved or hostile.
 *
 *   buspeer ping N [BYTES]      N pings on one connection; prints
 *                               "pings=N min_us= p50_us= p99_us= max_us="
 *   buspeer ping-for MS         pings for MS milliseconds; prints
 *                               "pings=N fails=F max_us=M"
 *   buspeer stall               connect, never handshake
 *   buspeer garbage             send a frame of junk as the handshake
 *   buspeer huge                announce a 16 MiB frame
 *   buspeer noread              handshake, flood requests, never read
 *   (the four hostile modes print "closed_after_ms=N" once cut off)
 *   (as a role, with keys/NAME.key, it first sends WIRE_ROLE_INFO
 *   "buspeer", as a role must: wire.h)
 *   buspeer role NAME [DELAY_MS|silent|noread|split]
 *                               serve WIRE_SECRET_GET as role NAME with
 *                               keys/NAME.key: value "value-of-KEY"
 *                               ("flag-passed-on" if the request still
 *                               has WIRE_F_LAST, which is the hub's)
 *                               (silent: read and never answer; noread:
 *                               never read; split: the handshake is
 *                               done, then a child of its own writes a
 *                               frame on the connection, as one left
 *                               behind by a process that exec'ed sesame
 *                               would, and it prints "split
 *                               child=PID"); answers vault-auth with
 *                               "password" and prints "password=PW" for
 *                               any password it is sent
 *   buspeer without landlock|memfd_secret CMD [ARGS...]
 *                               run CMD as on a kernel without that
 *                               feature: its syscalls fail with ENOSYS
 *                               (x86_64 and aarch64 numbers)
 *   buspeer traced CMD [ARGS...]
 *                               run CMD traced by this process (as
 *                               strace would); prints "tracer=PID
 *                               traced=PID"; exits with CMD's status
 *   buspeer fill-role PROFILE N up to N secret-gets with a 3000-byte key,
 *                               each on a new connection in message 1
 *                               (0-RTT), each given up after 50 ms, until
 *                               one fails otherwise; prints "requests=I
 *                               exit=E error=TEXT" (with a role that
 *                               never reads, its queue fills and the hub
 *                               drops it while forwarding request I)
 *   buspeer get PROFILE KEY [ROLE]
 *                               a secret-get, as the CLI or as ROLE (with
 *                               keys/ROLE.key); prints the value
 *   buspeer set PROFILE KEY VALUE
 *                               a secret-set as the CLI, whatever the
 *                               CLI itself would refuse; exits 1 with
 *                               the hub's error
 *   buspeer list PROFILE [ROLE] a secret-list; prints the names
 *   buspeer last [PROFILE KEY]  a ping (or a secret-get) with WIRE_F_LAST,
 *                               then one without, each on a connection of
 *                               its own; prints for each "last|plain
 *                               reply=VALUE closed=1|0" (closed: the hub
 *                               hung up within 2 s of the reply)
 *   buspeer batch PROFILE KEY   message 1 holds a WIRE_BATCH: ping "one", a
 *                               secret-get, a batch inside the batch, two
 *                               bytes that are no message, ping "two"; then
 *                               a batch as an ordinary message.  Prints each
 *                               reply as it comes, "id=N ping DATA", "id=N
 *                               value VALUE" or "id=N error TEXT"
 *   buspeer batch-pings N       message 1 holds a batch of N pings; prints
 *                               "replies=R in_order=1|0"
 *   buspeer batch-noread N      message 1 holds a batch of N profile lists;
 *                               nothing more is read for a second, then
 *                               replies until the connection ends or 5 s
 *                               pass; prints "replies=R exit=E" (E: 0 if
 *                               all came, else last_exit())
 *   buspeer event               publish an event as the CLI (refused: 77)
 *   buspeer role-info TEXT [ROLE]
 *                               tell the hub TEXT as what confines ROLE
 *                               (WIRE_ROLE_INFO; as the CLI: refused, 77),
 *                               then ask for the status; prints
 *                               "ROLE sandbox=WHAT" for each role in it
 *   buspeer watch ROLE N        subscribe to ROLE's events, read N; prints
 *                               "events=N"
 *   buspeer watch-noread ROLE   subscribe, never read; prints
 *                               "closed_after_ms=N" once cut off
 *   buspeer publish ROLE N BYTES
 *                               N events of BYTES as ROLE (keys/ROLE.key);
 *                               prints "published=N in_ms=T"
 *   buspeer clipkey PROFILE [ROLE]
 *                               ask for the clipboard history key (as the
 *                               CLI, or ROLE, with a forged caller stamp);
 *                               prints "key of N bytes"
 *   buspeer flood-get PROFILE KEY MS
 *                               gets on one connection for MS milliseconds;
 *                               prints "ok=N limited=M failed=F"
 *   buspeer unlock-time PROFILE PASSWORD N
 *                               N pairs of a raw libsodium Argon2id with
 *                               the vault's default parameters (the
 *                               baseline) and a lock then a timed unlock,
 *                               on one connection, the order alternating
 *                               from pair to pair (so both see the same
 *                               moment of a noisy machine, and neither is
 *                               always second); prints "unlocks=N p50_us=
 *                               argon2_p50_us= ratio_p25= ratio_p50=
 *                               ratio_p75= argon2_first_p50=
 *                               unlock_first_p50=" (ratios: each pair's
 *                               unlock over its Argon2id)
 *   buspeer search N QUERY...    N launcher searches cycling through the
 *                               queries, each after a ping on the same
 *                               connection (the baseline); prints
 *                               "searches=N p50_us= p99_us= ping_p50_us=
 *                               ping_p99_us= hits=H" (H: results of the last)
 *   buspeer notify-listen PATH MS
 *                               bind a datagram socket at PATH (as systemd's
 *                               NOTIFY_SOCKET) and print what arrives in MS,
 *                               or until STOPPING=1
 *
 *   buspeer capture TYPE PROFILE FILE
 *                               write to FILE the handshake frame a client
 *                               would send with request TYPE (a name from
 *                               wire.c: "lock", "secret.get"...) of PROFILE
 *                               in message 1, as anyone watching could
 *                               capture it; sends nothing
 *   buspeer replay FILE         send FILE's frame on a new connection as a
 *                               replayer would: it reads message 2 and
 *                               cannot go on (it has no ephemeral key);
 *                               holds the connection 500 ms, prints
 *                               "answered=1" if message 2 came
 *   buspeer hold IDLE STALL PROCS MS
 *                               PROCS processes each hold IDLE/PROCS
 *                               connections that handshook (a ping) and
 *                               then sit idle, and STALL/PROCS that never
 *                               handshake; each one the hub closes is made
 *                               again within 20 ms, for MS milliseconds; prints
 *                               "held=N remade=M" per process at the end
 *
 * Paths come from the environment as for sesame (SESAME_RUNTIME_DIR...).
 */
#include "lib/bus/bus.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct paths P;
static uint8_t buf[WIRE_MAX_MESSAGE];
static struct wire_out out;

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static struct bus_client *connect_or_die(const char *key)
{
	struct bus_client *c = bus_connect(&P, key, BUS_CLI_TIMEOUT_MS);

	if (!c)
		die_code(last_exit(), "%s", last_error());
	return c;
}

static int ping(struct bus_client *c, size_t bytes)
{
	static uint8_t data[WIRE_MAX_MESSAGE];
	struct wire_msg m;
	const uint8_t *v;
	uint16_t l;

	wire_begin(&out, WIRE_PING, 0, 0);
	if (bytes)
		wire_put(&out, WF_DATA, data, bytes);
	if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		return -1;
	if (bytes && (!wire_find(&m, WF_DATA, &v, &l) || l != bytes))
		return fail("ping reply does not echo the data");
	return 0;
}

static int cmd_ping(long n, size_t bytes)
{
	struct bus_client *c = connect_or_die(NULL);
	long long *lat = xcalloc(n, sizeof(*lat));

	for (long i = 0; i < n; i++) {
		long long t = now_us();

		if (ping(c, bytes) < 0)
			die_code(last_exit(), "ping %ld: %s", i, last_error());
		lat[i] = now_us() - t;
	}
	qsort(lat, n, sizeof(*lat), cmp_ll);
	printf("pings=%ld min_us=%lld p50_us=%lld p99_us=%lld max_us=%lld\n", n, lat[0], lat[n / 2],
		lat[n * 99 / 100], lat[n - 1]);
	bus_close(c);
	return 0;
}

static int cmd_ping_for(long ms)
{
	struct bus_client *c = connect_or_die(NULL);
	long long end = now_us() + ms * 1000, worst = 0;
	long count = 0, fails = 0;

	while (now_us() < end) {
		long long t = now_us();

		if (ping(c, 0) < 0) {
			fails++;
			bus_close(c);
			c = bus_connect(&P, NULL, BUS_CLI_TIMEOUT_MS);
			if (!c)
				die("reconnect: %s", last_error());
			continue;
		}
		t = now_us() - t;
		if (t > worst)
			worst = t;
		count++;
	}
	printf("pings=%ld fails=%ld max_us=%lld\n", count, fails, worst);
	bus_close(c);
	return fails ? 1 : 0;
}

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/bus.sock", P.runtime) >= (int)sizeof(sa.sun_path))
		die("runtime path too long");
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die_code(EXIT_UNREACHABLE, "connect %s: %s", sa.sun_path, strerror(errno));
	return fd;
}

/* Wait until the hub closes fd (read returns 0 or an error); print how
 * long that took.  Gives up after 60 s. */
static int wait_closed(int fd, long long since)
{
	char junk[4096];

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 60000) <= 0)
			die("not disconnected within 60 s");
		n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
	}
	printf("closed_after_ms=%lld\n", (now_us() - since) / 1000);
	return 0;
}

static int cmd_hostile(const char *mode)
{
	int fd = raw_connect();
	long long t0 = now_us();

	if (!strcmp(mode, "garbage")) {
		uint8_t f[4 + 96];

		wire_frame_header(f, 96);
		randombytes_buf(f + 4, 96);
		(void)!write(fd, f, sizeof(f));
	} else if (!strcmp(mode, "huge")) {
		uint8_t f[4 + 64];

		wire_frame_header(f, 16u << 20);
		memset(f + 4, 'x', 64);
		(void)!write(fd, f, sizeof(f));
	}
	return wait_closed(fd, t0);
}

/* Handshake properly, then send requests with large replies and never
 * read: the hub must cut us off once its queue for us is full or stuck. */
static int cmd_noread(void)
{
	static uint8_t data[60000], frame[4 + WIRE_MAX_FRAME];
	struct bus_client *c = connect_or_die(NULL);
	int fd = bus_fd(c);
	long long t0 = now_us();

	(void)frame;
	for (uint32_t id = 1; ; id++) {
		struct pollfd p = { fd, POLLOUT | POLLRDHUP, 0 };

		wire_begin(&out, WIRE_PING, 0, id);
		wire_put(&out, WF_DATA, data, sizeof(data));
		/* Send only when the socket takes it, so we never block. */
		if (poll(&p, 1, 60000) <= 0)
			die("noread: stuck for 60 s without being disconnected");
		if (p.revents & (POLLRDHUP | POLLHUP | POLLERR))
			break;
		if (bus_send(c, &out) < 0)
			break;
	}
	printf("closed_after_ms=%lld\n", (now_us() - t0) / 1000);
	bus_close(c);
	return 0;
}

/* A role's first message (wire.h): what confines it. */
static void announce(struct bus_client *c)
{
	wire_begin(&out, WIRE_ROLE_INFO, 0, 0);
	wire_put_str(&out, WF_SANDBOX, "buspeer");
	if (wire_end(&out) < 0 || bus_send(c, &out) < 0)
		die("%s", last_error());
}

static int cmd_role(const char *role, const char *mode)
{
	char key[PATH_MAX];
	struct bus_client *c;
	int silent = mode && !strcmp(mode, "silent"), noread = mode && !strcmp(mode, "noread");
	int delay = mode && !silent && !noread ? atoi(mode) : 0;

	if (snprintf(key, sizeof(key), "%s/keys/%s.key", P.runtime, role) >= (int)sizeof(key))
		die("key path too long");
	c = bus_connect_retry(&P, key, 10000);
	if (!c)
		die_code(last_exit(), "%s", last_error());
	if (mode && !strcmp(mode, "split")) {
		pid_t child = fork();

		if (child < 0)
			die("fork: %s", strerror(errno));
		if (child > 0) {
			printf("split child=%d\n", (int)child);
			fflush(stdout);
			for (;;)
				pause();	/* alive, holding the connection, silent */
		}
		/* The child has the descriptor but not the keys (secure memory
		 * is not inherited); an attacker's would have them.  The hub
		 * must refuse its bytes before it decrypts anything. */
		if (write(bus_fd(c), "\0\0\0\x20 the child speaks for the role", 35) < 0)
			die("split: %s", strerror(errno));
		pause();
	}
	announce(c);
	printf("connected\n");
	fflush(stdout);
	while (noread)
		pause();
	for (;;) {
		struct wire_msg m;
		char k[256], value[300];

		if (bus_recv(c, buf, &m, 3600 * 1000) < 0)
			die("%s", last_error());
		if (wire_get_str(&m, WF_PASSWORD, value, sizeof(value)) == 0) {
			printf("password=%s\n", value);	/* what an impostor would steal */
			fflush(stdout);
		}
		if (m.type == WIRE_VAULT_AUTH && !silent) {	/* so that unlock sends its password */
			wire_begin(&out, m.type, WIRE_F_REPLY, m.id);
			wire_put_str(&out, WF_POLICY, "any");
			wire_put_str(&out, WF_FACTOR, "password");
			if (bus_send(c, &out) < 0)
				die("%s", last_error());
			continue;
		}
		if (m.type != WIRE_SECRET_GET || silent)
			continue;
		if (delay)
			usleep(delay * 1000);
		if (wire_get_str(&m, WF_KEY, k, sizeof(k)) < 0)
			strcpy(k, "?");
		snprintf(value, sizeof(value), "value-of-%s", k);
		if (m.flags & WIRE_F_LAST)
			snprintf(value, sizeof(value), "flag-passed-on");
		wire_begin(&out, m.type, WIRE_F_REPLY, m.id);
		wire_put_str(&out, WF_VALUE, value);
		if (bus_send(c, &out) < 0)
			die("%s", last_error());
	}
}

static int cmd_fill_role(const char *profile, long n)
{
	static char key[3000];
	long i;

	memset(key, 'k', sizeof(key) - 1);
	for (i = 1; i <= n; i++) {
		struct bus_client *c = connect_or_die(NULL);
		struct wire_msg m;
		int r;

		wire_begin(&out, WIRE_SECRET_GET, 0, 0);
		wire_put_str(&out, WF_PROFILE, profile);
		wire_put_str(&out, WF_KEY, key);
		r = bus_request(c, &out, buf, &m, 50);
		if (r == 0)
			die("request %ld was answered", i);
		if (last_code() != ERR_TIMEOUT) {
			printf("requests=%ld exit=%d error=%s\n", i, last_exit(), last_error());
			bus_close(c);
			return 0;
		}
		bus_close(c);
	}
	printf("requests=%ld exit=0 error=none\n", n);
	return 1;
}

static struct bus_client *connect_as(const char *role)
{
	char key[PATH_MAX];

	if (!role)
		return connect_or_die(NULL);
	struct bus_client *c;

	if (snprintf(key, sizeof(key), "%s/keys/%s.key", P.runtime, role) >= (int)sizeof(key))
		die("key path too long");
	c = connect_or_die(key);
	announce(c);
	return c;
}

static int cmd_get(const char *profile, const char *key, const char *role)
{
	struct bus_client *c = connect_as(role);
	struct wire_msg m;
	const uint8_t *v;
	uint16_t l;

	wire_begin(&out, WIRE_SECRET_GET, 0, 0);
	wire_put_str(&out, WF_PROFILE, profile);
	wire_put_str(&out, WF_KEY, key);
	/* A forged caller must be ignored: the hub stamps its own. */
	wire_put_str(&out, WF_CALLER_ROLE, "cli");
	if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(last_exit(), "%s", last_error());
	if (!wire_find(&m, WF_VALUE, &v, &l))
		die("reply without a value");
	fwrite(v, 1, l, stdout);
	putchar('\n');
	bus_close(c);
	return 0;
}

static int cmd_set(const char *profile, const char *key, const char *value)
{
	struct bus_client *c = connect_or_die(NULL);
	struct wire_msg m;

	wire_begin(&out, WIRE_SECRET_SET, 0, 0);
	wire_put_str(&out, WF_PROFILE, profile);
	wire_put_str(&out, WF_KEY, key);
	wire_put_str(&out, WF_VALUE, value);
	if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
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

static int cmd_last(const char *profile, const char *key)
{
	for (int last = 1; last >= 0; last--) {
		struct bus_client *c = connect_or_die(NULL);
		struct wire_msg m;
		const uint8_t *v;
		uint16_t l;

		wire_begin(&out, profile ? WIRE_SECRET_GET : WIRE_PING, last ? WIRE_F_LAST : 0, 0);
		if (profile) {
			wire_put_str(&out, WF_PROFILE, profile);
			wire_put_str(&out, WF_KEY, key);
		} else {
			wire_put_str(&out, WF_DATA, "pong");
		}
		if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
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
static int cmd_clipkey(const char *profile, const char *role)
{
	struct bus_client *c = connect_as(role);
	struct wire_msg m;
	const uint8_t *v;
	uint16_t l;

	wire_begin(&out, WIRE_CLIPBOARD_KEY, 0, 0);
	wire_put_str(&out, WF_PROFILE, profile);
	wire_put_str(&out, WF_CALLER_ROLE, "clipboard");
	if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(last_exit(), "%s", last_error());
	if (!wire_find(&m, WF_VALUE, &v, &l))
		die("reply without a value");
	printf("key of %u bytes\n", (unsigned)l);
	sodium_memzero(buf, sizeof(buf));
	bus_close(c);
	return 0;
}

/* Subscribe to ROLE's events; then read n of them (printing "events=N"),
 * or with n < 0 never read, with a small receive buffer, until cut off
 * (printing "closed_after_ms=N"). */
static int cmd_watch(const char *role, long n)
{
	struct bus_client *c = connect_or_die(NULL);
	struct wire_msg m;
	long got = 0;

	wire_begin(&out, WIRE_SUBSCRIBE, 0, 0);
	wire_put_str(&out, WF_ROLE, role);
	if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
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
		if (bus_recv(c, buf, &m, 10000) < 0)
			die("after %ld events: %s", got, last_error());
		if (m.flags & WIRE_F_EVENT && m.type == WIRE_EVENT)
			got++;
	}
	printf("events=%ld\n", got);
	bus_close(c);
	return 0;
}

/* n events of bytes each, as ROLE, as fast as the socket takes them. */
static int cmd_publish(const char *role, long n, long bytes)
{
	static uint8_t data[60000];
	struct bus_client *c = connect_as(role);
	long long t0 = now_us();

	if (bytes < 0 || bytes > (long)sizeof(data))
		die("publish: 0 to %zu bytes", sizeof(data));
	for (long i = 0; i < n; i++) {
		wire_begin(&out, WIRE_EVENT, 0, 0);
		wire_put(&out, WF_DATA, data, (size_t)bytes);
		if (bus_send(c, &out) < 0)
			die("publish: event %ld: %s", i, last_error());
	}
	printf("published=%ld in_ms=%lld\n", n, (now_us() - t0) / 1000);
	bus_close(c);
	return 0;
}

/* A forged event, as the CLI: the hub must refuse it. */
static int cmd_event(void)
{
	struct bus_client *c = connect_as(NULL);
	struct wire_msg m;

	wire_begin(&out, WIRE_EVENT, 0, 0);
	wire_put_str(&out, WF_FIRED, "ctrl+alt+t");
	wire_put_str(&out, WF_STATE, "forged");
	if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(last_exit(), "%s", last_error());
	printf("the hub accepted it\n");
	bus_close(c);
	return 0;
}

static int cmd_role_info(const char *text, const char *role)
{
	struct bus_client *c = connect_as(role);
	struct wire_msg m;
	const uint8_t *v;
	uint16_t l, tag;
	size_t pos = 0;
	char name[32] = "";

	wire_begin(&out, WIRE_ROLE_INFO, 0, 0);
	wire_put_str(&out, WF_SANDBOX, text);
	if (!role) {	/* as the CLI it is answered, with an error */
		if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
			die_code(last_exit(), "%s", last_error());
		printf("the hub accepted it\n");
		return 0;
	}
	if (wire_end(&out) < 0 || bus_send(c, &out) < 0)
		die("%s", last_error());
	wire_begin(&out, WIRE_STATUS, 0, 0);
	if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
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

static int cmd_list(const char *profile, const char *role)
{
	struct bus_client *c = connect_as(role);
	struct wire_msg m;
	const uint8_t *v;
	uint16_t l, tag;
	size_t pos = 0;

	wire_begin(&out, WIRE_SECRET_LIST, 0, 0);
	wire_put_str(&out, WF_PROFILE, profile);
	if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(last_exit(), "%s", last_error());
	while (wire_next(&m, &pos, &tag, &v, &l))
		if (tag == WF_KEY)
			printf("%.*s\n", (int)l, (const char *)v);
	bus_close(c);
	return 0;
}

static int cmd_flood_get(const char *profile, const char *key, long ms)
{
	struct bus_client *c = connect_or_die(NULL);
	long long end = now_us() + ms * 1000;
	long ok = 0, limited = 0, failed = 0;
	struct wire_msg m;

	while (now_us() < end) {
		wire_begin(&out, WIRE_SECRET_GET, 0, 0);
		wire_put_str(&out, WF_PROFILE, profile);
		wire_put_str(&out, WF_KEY, key);
		if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) == 0)
			ok++;
		else if (strstr(last_error(), "too many reads"))
			limited++;
		else
			failed++;
	}
	printf("ok=%ld limited=%ld failed=%ld\n", ok, limited, failed);
	bus_close(c);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmd_unlock_time(const char *profile, const char *pw, long n)
{
	struct bus_client *c = connect_or_die(NULL);
	long long *t = xcalloc(n, sizeof(*t)), *a = xcalloc(n, sizeof(*a));
	double *r = xcalloc(n, sizeof(*r)), *ro = xcalloc(n, sizeof(*ro)), order50[2];
	struct vault_kdf kdf;
	struct wire_msg m;
	uint8_t key[32];

	vault_kdf_defaults(&kdf);
	for (long i = 0; i < n; i++) {
		long long s;

		/* The pair's order alternates (ABBA...): whatever being first
		 * or second costs (the memory the other just gave back, a CPU
		 * just woken) falls on both sides alike. */
		for (int k = 0; k < 2; k++) {
			if ((k == 0) == (i % 2 == 0)) {
				s = now_us();
				if (crypto_pwhash(key, sizeof(key), pw, strlen(pw), kdf.salt, kdf.opslimit,
				    (size_t)kdf.memlimit_kib * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0)
					die("argon2id failed (out of memory?)");
				a[i] = now_us() - s;
				continue;
			}
			wire_begin(&out, WIRE_LOCK, 0, 0);
			wire_put_str(&out, WF_PROFILE, profile);
			if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
				die("lock: %s", last_error());
			wire_begin(&out, WIRE_UNLOCK, 0, 0);
			wire_put_str(&out, WF_PROFILE, profile);
			wire_put(&out, WF_PASSWORD, pw, strlen(pw));
			s = now_us();
			if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
				die("unlock: %s", last_error());
			t[i] = now_us() - s;
		}
		r[i] = (double)t[i] / (double)a[i];
	}
	sodium_memzero(key, sizeof(key));
	/* The pairs' ratios with the Argon2id first, then with the unlock
	 * first: their difference is what order alone does. */
	for (int odd = 0; odd < 2; odd++) {
		long h = 0;

		for (long i = odd; i < n; i += 2)
			ro[h++] = r[i];
		qsort(ro, h, sizeof(*ro), cmp_double);
		order50[odd] = h ? ro[h / 2] : 0;
	}
	qsort(t, n, sizeof(*t), cmp_ll);
	qsort(a, n, sizeof(*a), cmp_ll);
	qsort(r, n, sizeof(*r), cmp_double);
	printf("unlocks=%ld p50_us=%lld argon2_p50_us=%lld ratio_p25=%.4f ratio_p50=%.4f ratio_p75=%.4f "
		"argon2_first_p50=%.4f unlock_first_p50=%.4f\n",
		n, t[n / 2], a[n / 2], r[n / 4], r[n / 2], r[n * 3 / 4], order50[0], order50[1]);
	free(ro);
	free(t), free(a), free(r);
	bus_close(c);
	return 0;
}

static int cmd_notify_listen(const char *path, long ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	long long end = now_us() + ms * 1000;

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path) >= (int)sizeof(sa.sun_path))
		die("path too long");
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind %s: %s", path, strerror(errno));
	printf("listening\n");
	fflush(stdout);
	while (now_us() < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		char msg[512];
		ssize_t n;

		if (poll(&p, 1, (int)((end - now_us()) / 1000) + 1) <= 0)
			continue;
		n = recv(fd, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			continue;
		msg[n] = 0;
		for (char *t = msg; *t; t++)
			if (*t == '\n')
				*t = ' ';
		printf("%s\n", msg);
		fflush(stdout);
		if (strstr(msg, "STOPPING=1"))
			break;	/* a service's last word */
	}
	unlink(path);
	return 0;
}

static int cmd_search(long n, char **queries, int nq)
{
	struct bus_client *c = connect_or_die(NULL);
	long long *lat = xcalloc(n, sizeof(*lat)), *base = xcalloc(n, sizeof(*base));
	int hits = 0;

	for (long i = 0; i < n; i++) {
		struct wire_msg m;
		size_t pos = 0;
		uint16_t tag, len;
		const uint8_t *v;
		long long t = now_us();

		if (ping(c, 0) < 0)
			die_code(last_exit(), "ping: %s", last_error());
		base[i] = now_us() - t;
		wire_begin(&out, WIRE_LAUNCH_SEARCH, 0, 0);
		wire_put_str(&out, WF_QUERY, queries[i % nq]);
		wire_put_u32(&out, WF_LIMIT, 20);
		t = now_us();
		if (bus_request(c, &out, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
			die_code(last_exit(), "search: %s", last_error());
		lat[i] = now_us() - t;
		for (hits = 0; wire_next(&m, &pos, &tag, &v, &len); )
			hits += tag == WF_ENTRY;
	}
	qsort(lat, n, sizeof(*lat), cmp_ll);
	qsort(base, n, sizeof(*base), cmp_ll);
	printf("searches=%ld p50_us=%lld p99_us=%lld ping_p50_us=%lld ping_p99_us=%lld hits=%d\n", n, lat[n / 2],
		lat[n * 99 / 100], base[n / 2], base[n * 99 / 100], hits);
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

static int cmd_batch(const char *profile, const char *key)
{
	static struct wire_out req;
	struct bus_client *c = connect_or_die(NULL);
	struct wire_msg m;

	wire_begin(&out, WIRE_BATCH, 0, 100);
	wire_begin(&req, WIRE_PING, 0, 1);
	wire_put_str(&req, WF_DATA, "one");
	wire_put(&out, WF_MSG, req.buf, req.len);
	wire_begin(&req, WIRE_SECRET_GET, 0, 2);
	wire_put_str(&req, WF_PROFILE, profile);
	wire_put_str(&req, WF_KEY, key);
	wire_put(&out, WF_MSG, req.buf, req.len);
	wire_begin(&req, WIRE_BATCH, 0, 3);
	wire_put(&out, WF_MSG, req.buf, req.len);
	wire_put(&out, WF_MSG, "xx", 2);
	wire_begin(&req, WIRE_PING, 0, 4);
	wire_put_str(&req, WF_DATA, "two");
	wire_put(&out, WF_MSG, req.buf, req.len);
	if (bus_send(c, &out) < 0)
		die_code(last_exit(), "%s", last_error());
	for (int i = 0; i < 5; i++) {
		if (bus_recv(c, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
			die_code(last_exit(), "reply %d: %s", i + 1, last_error());
		print_reply(&m);
	}
	wire_begin(&out, WIRE_BATCH, 0, 5);
	wire_put(&out, WF_MSG, req.buf, req.len);
	if (bus_send(c, &out) < 0 || bus_recv(c, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(last_exit(), "late batch: %s", last_error());
	print_reply(&m);
	bus_close(c);
	return 0;
}

/* A new connection whose message 1 holds a batch of n requests of one
 * type, ids 1 to n; sending it reads message 2. */
static struct bus_client *send_batch(uint8_t type, long n)
{
	static struct wire_out req;
	struct bus_client *c = connect_or_die(NULL);

	wire_begin(&out, WIRE_BATCH, 0, 0);
	for (long i = 1; i <= n; i++) {
		wire_begin(&req, type, 0, (uint32_t)i);
		wire_put(&out, WF_MSG, req.buf, req.len);
	}
	if (bus_send(c, &out) < 0)
		die_code(last_exit(), "%s", last_error());
	return c;
}

static int cmd_batch_pings(long n)
{
	struct bus_client *c = send_batch(WIRE_PING, n);
	struct wire_msg m;
	long got = 0;
	int in_order = 1;

	while (got < n && bus_recv(c, buf, &m, BUS_CLI_TIMEOUT_MS) == 0) {
		if (m.type != WIRE_PING || m.id != (uint32_t)got + 1)
			in_order = 0;
		got++;
	}
	printf("replies=%ld in_order=%d\n", got, in_order);
	bus_close(c);
	return got == n ? 0 : 1;
}

static int cmd_batch_noread(long n)
{
	struct bus_client *c = send_batch(WIRE_PROFILE_LIST, n);
	struct wire_msg m;
	long got = 0;
	int r = 0;

	sleep(1);	/* reading nothing after message 2 */
	while (got < n && (r = bus_recv(c, buf, &m, BUS_CLI_TIMEOUT_MS)) == 0)
		got++;
	printf("replies=%ld exit=%d\n", got, r < 0 ? last_exit() : 0);
	bus_close(c);
	return 0;
}

static int type_by_name(const char *name)
{
	for (int t = 1; t < 256; t++)
		if (!strcmp(wire_type_name((uint8_t)t), name))
			return t;
	die("no request type named %s", name);
}

static int cmd_capture(const char *type, const char *profile, const char *file)
{
	struct noise_protocol proto;
	struct noise_handshake *hs;
	uint8_t psk[32], frame[4 + 1 + 1024];
	char path[PATH_MAX];
	size_t n;
	FILE *f;

	paths_join(path, P.runtime, "cli.psk");
	if (bus_read_key(path, psk) < 0)
		die("%s", last_error());
	wire_begin(&out, (uint8_t)type_by_name(type), 0, 1);
	wire_put_str(&out, WF_PROFILE, profile);
	wire_put_str(&out, WF_KEY, "k");
	if (wire_end(&out) < 0 || noise_protocol_parse(WIRE_NOISE_CLI, &proto) < 0 ||
	    !(hs = noise_handshake_new(&proto, 1, (const uint8_t *)WIRE_PROLOGUE, strlen(WIRE_PROLOGUE))) ||
	    noise_add_psk(hs, psk) < 0 ||
	    noise_write_message(hs, out.buf, out.len, frame + 5, sizeof(frame) - 5, &n) < 0)
		die("%s", last_error());
	frame[4] = WIRE_HS_CLI;
	wire_frame_header(frame, (uint32_t)(n + 1));
	if (!(f = fopen(file, "w")) || fwrite(frame, 1, n + 5, f) != n + 5 || fclose(f) != 0)
		die("%s: %s", file, strerror(errno));
	noise_handshake_free(hs);
	return 0;
}

static int cmd_replay(const char *file)
{
	uint8_t frame[2048], hdr[4];
	struct pollfd pfd;
	size_t n;
	int fd, answered = 0;
	FILE *f = fopen(file, "r");

	if (!f || (n = fread(frame, 1, sizeof(frame), f)) < 5)
		die("%s: cannot read", file);
	fclose(f);
	fd = raw_connect();
	if (write(fd, frame, n) != (ssize_t)n)
		die("write: %s", strerror(errno));
	pfd = (struct pollfd){ fd, POLLIN, 0 };
	if (poll(&pfd, 1, 2000) == 1 && read(fd, hdr, 4) == 4)
		answered = 1;
	usleep(500 * 1000);
	printf("answered=%d\n", answered);
	close(fd);
	return 0;
}

/* raw_connect, but -1 when the hub is full rather than dying. */
static int try_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	paths_join(sa.sun_path, P.runtime, "bus.sock");
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0 &&
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* An idle connection: handshake and one ping, then nothing. */
static struct bus_client *idle_connect(void)
{
	struct bus_client *c = bus_connect(&P, NULL, 1000);
	struct wire_msg m;

	if (c) {
		wire_begin(&out, WIRE_PING, 0, 0);
		if (bus_request(c, &out, buf, &m, 1000) < 0) {
			bus_close(c);
			c = NULL;
		}
	}
	return c;
}

static void hold_one(int idle, int stall, long ms)
{
	int n = idle + stall;
	struct bus_client **cl = calloc((size_t)n, sizeof(*cl));
	int *fd = calloc((size_t)n, sizeof(*fd));
	struct pollfd *pfd = calloc((size_t)n, sizeof(*pfd));
	long long end = now_us() + ms * 1000;
	long remade = 0;
	int held = 0;

	for (int i = 0; i < n; i++) {
		cl[i] = i < idle ? idle_connect() : NULL;
		fd[i] = i < idle ? (cl[i] ? bus_fd(cl[i]) : -1) : try_connect();
	}
	while (now_us() < end) {
		for (int i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ fd[i], POLLIN, 0 };
		poll(pfd, (nfds_t)n, 100);
		for (int i = 0; i < n && now_us() < end; i++) {
			if (fd[i] >= 0 && !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			/* Closed by the hub (or never opened): make it again. */
			if (i < idle) {
				bus_close(cl[i]);
				cl[i] = idle_connect();
				fd[i] = cl[i] ? bus_fd(cl[i]) : -1;
			} else {
				if (fd[i] >= 0)
					close(fd[i]);
				fd[i] = try_connect();
			}
			remade++;
		}
		/* Remade within 20 ms, not in a spin: what is measured is the
		 * hub's slots, not the scheduler's share for 40 busy loops. */
		usleep(20 * 1000);
	}
	for (int i = 0; i < n; i++)
		held += fd[i] >= 0;
	printf("held=%d remade=%ld\n", held, remade);
	fflush(stdout);
}

/* Run argv where the kernel seems to lack a feature: a seccomp filter
 * (inherited, and kept across exec) makes its syscalls fail with ENOSYS,
 * as on a kernel built without it.  landlock: landlock_create_ruleset,
 * _add_rule, restrict_self; memfd_secret.  (These numbers are the same
 * on x86_64 and aarch64.) */
static int cmd_without(const char *what, char **argv)
{
	int nrs[4], n = 0;
	struct sock_filter f[16];
	struct sock_fprog prog;
	unsigned k = 0;

	if (!strcmp(what, "landlock"))
		nrs[n++] = 444, nrs[n++] = 445, nrs[n++] = 446;
	else if (!strcmp(what, "memfd_secret"))
		nrs[n++] = 447;
	else
		die("without: landlock or memfd_secret");
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (int i = 0; i < n; i++)
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nrs[i], (unsigned)(n - i), 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	prog = (struct sock_fprog){ (unsigned short)k, f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		die("without %s: %s", what, strerror(errno));
	execvp(argv[0], argv);
	die("%s: %s", argv[0], strerror(errno));
}

/* Run argv under this process as its tracer (as a debugger or strace
 * would), passing its signals on, until it ends; its exit status. */
static int cmd_traced(char **argv)
{
	pid_t child = fork();
	int st;

	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			die("PTRACE_TRACEME: %s", strerror(errno));
		execvp(argv[0], argv);
		die("%s: %s", argv[0], strerror(errno));
	}
	printf("tracer=%d traced=%d\n", (int)getpid(), (int)child);
	fflush(stdout);
	while (waitpid(child, &st, 0) == child) {
		if (WIFEXITED(st))
			return WEXITSTATUS(st);
		if (WIFSIGNALED(st))
			return 128 + WTERMSIG(st);
		if (WIFSTOPPED(st))
			ptrace(PTRACE_CONT, child, NULL,
				(void *)(long)(WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st)));
	}
	return 1;
}

static int cmd_hold(long idle, long stall, long procs, long ms)
{
	if (procs < 1 || idle < 0 || stall < 0)
		die("hold: bad numbers");
	for (long p = 0; p < procs; p++) {
		pid_t pid = fork();

		if (pid == 0) {
			hold_one((int)(idle / procs), (int)(stall / procs), ms);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	return 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0 || paths_resolve(&P) < 0)
		die("setup: %s", last_error());
	if (argc >= 3 && !strcmp(argv[1], "ping"))
		return cmd_ping(atol(argv[2]) > 0 ? atol(argv[2]) : 1, argc > 3 ? (size_t)atol(argv[3]) : 0);
	if (argc == 3 && !strcmp(argv[1], "ping-for"))
		return cmd_ping_for(atol(argv[2]));
	if (argc == 2 && (!strcmp(argv[1], "stall") || !strcmp(argv[1], "garbage") || !strcmp(argv[1], "huge")))
		return cmd_hostile(argv[1]);
	if (argc == 2 && !strcmp(argv[1], "noread"))
		return cmd_noread();
	if (argc >= 3 && !strcmp(argv[1], "role"))
		return cmd_role(argv[2], argc > 3 ? argv[3] : NULL);
	if (argc >= 3 && !strcmp(argv[1], "traced"))
		return cmd_traced(argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "without"))
		return cmd_without(argv[2], argv + 3);
	if (argc == 5 && !strcmp(argv[1], "unlock-time"))
		return cmd_unlock_time(argv[2], argv[3], atol(argv[4]) > 0 ? atol(argv[4]) : 1);
	if (argc >= 4 && !strcmp(argv[1], "search"))
		return cmd_search(atol(argv[2]) > 0 ? atol(argv[2]) : 1, argv + 3, argc - 3);
	if (argc == 4 && !strcmp(argv[1], "notify-listen"))
		return cmd_notify_listen(argv[2], atol(argv[3]));
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "get"))
		return cmd_get(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	if (argc == 5 && !strcmp(argv[1], "set"))
		return cmd_set(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "watch"))
		return cmd_watch(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "watch-noread"))
		return cmd_watch(argv[2], -1);
	if (argc == 5 && !strcmp(argv[1], "publish"))
		return cmd_publish(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc == 2 && !strcmp(argv[1], "event"))
		return cmd_event();
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "role-info"))
		return cmd_role_info(argv[2], argc == 4 ? argv[3] : NULL);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "clipkey"))
		return cmd_clipkey(argv[2], argc == 4 ? argv[3] : NULL);
	if ((argc == 2 || argc == 4) && !strcmp(argv[1], "last"))
		return cmd_last(argc == 4 ? argv[2] : NULL, argc == 4 ? argv[3] : NULL);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "list"))
		return cmd_list(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc == 4 && !strcmp(argv[1], "fill-role"))
		return cmd_fill_role(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "batch-noread"))
		return cmd_batch_noread(atol(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "batch-pings"))
		return cmd_batch_pings(atol(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "batch"))
		return cmd_batch(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "flood-get"))
		return cmd_flood_get(argv[2], argv[3], atol(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "hold"))
		return cmd_hold(atol(argv[2]), atol(argv[3]), atol(argv[4]), atol(argv[5]));
	if (argc == 5 && !strcmp(argv[1], "capture"))
		return cmd_capture(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "replay"))
		return cmd_replay(argv[2]);
	fprintf(stderr, "usage: see the comment at the top of tests/buspeer.c\n");
	return 2;
}
