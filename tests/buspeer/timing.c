/* timing.c - buspeer's measurements: ping, ping-for, unlock-time, search,
 * flood-get, notify-listen (main.c lists the modes). */
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

static int ping(struct bus_client *c, size_t bytes)
{
	static uint8_t data[WIRE_MAX_MESSAGE];
	struct wire_msg m;
	const uint8_t *v;
	uint16_t l;

	wire_begin(&TT.out, WIRE_PING, 0, 0);
	if (bytes)
		wire_put(&TT.out, WF_DATA, data, bytes);
	if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		return -1;
	if (bytes && (!wire_find(&m, WF_DATA, &v, &l) || l != bytes))
		return fail("ping reply does not echo the data");
	return 0;
}

int cmd_ping(long n, size_t bytes)
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

int cmd_ping_for(long ms)
{
	struct bus_client *c = connect_or_die(NULL);
	long long end = now_us() + ms * 1000, worst = 0;
	long count = 0, fails = 0;

	while (now_us() < end) {
		long long t = now_us();

		if (ping(c, 0) < 0) {
			fails++;
			bus_close(c);
			c = bus_connect(&TT.p, NULL, BUS_CLI_TIMEOUT_MS);
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

int cmd_flood_get(const char *profile, const char *key, long ms)
{
	struct bus_client *c = connect_or_die(NULL);
	long long end = now_us() + ms * 1000;
	long ok = 0, limited = 0, failed = 0;
	struct wire_msg m;

	while (now_us() < end) {
		wire_begin(&TT.out, WIRE_SECRET_GET, 0, 0);
		wire_put_str(&TT.out, WF_PROFILE, profile);
		wire_put_str(&TT.out, WF_KEY, key);
		if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) == 0)
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

int cmd_unlock_time(const char *profile, const char *pw, long n)
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
			wire_begin(&TT.out, WIRE_LOCK, 0, 0);
			wire_put_str(&TT.out, WF_PROFILE, profile);
			if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
				die("lock: %s", last_error());
			wire_begin(&TT.out, WIRE_UNLOCK, 0, 0);
			wire_put_str(&TT.out, WF_PROFILE, profile);
			wire_put(&TT.out, WF_PASSWORD, pw, strlen(pw));
			s = now_us();
			if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
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

int cmd_notify_listen(const char *path, long ms)
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

int cmd_search(long n, char **queries, int nq)
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
		wire_begin(&TT.out, WIRE_LAUNCH_SEARCH, 0, 0);
		wire_put_str(&TT.out, WF_QUERY, queries[i % nq]);
		wire_put_u32(&TT.out, WF_LIMIT, 20);
		t = now_us();
		if (bus_request(c, &TT.out, TT.buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
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
