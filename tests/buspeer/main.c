/* buspeer - a bus peer for tests and benchmarks, well-behaved or hostile.
 * main.c: the modes (below), what they share, and main; buspeer.h says
 * which file holds which.
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
#include "buspeer.h"
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
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct buspeer_state buspeer_tt;

long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

struct bus_client *connect_or_die(const char *key)
{
	struct bus_client *c = bus_connect(&TT.p, key, BUS_CLI_TIMEOUT_MS);

	if (!c)
		die_code(last_exit(), "%s", last_error());
	return c;
}

int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/bus.sock", TT.p.runtime) >= (int)sizeof(sa.sun_path))
		die("runtime path too long");
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die_code(EXIT_UNREACHABLE, "connect %s: %s", sa.sun_path, strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0 || paths_resolve(&TT.p) < 0)
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
	fprintf(stderr, "usage: see the comment at the top of tests/buspeer/main.c\n");
	return 2;
}
