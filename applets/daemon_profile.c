/* daemon_profile.c - daemon-profile: the bus hub (lib/hub.c).  Profiles
 * and their activation join it as the config work lands. */
#include "../lib/applet.h"
#include "../lib/hub.h"
#include "../lib/log.h"
#include "../lib/paths.h"
#include "../lib/secmem.h"
#include "../lib/util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/*APPLET daemon-profile daemon_profile_main role "bus hub: hosts the encrypted bus and routes requests to roles"
usage: daemon-profile [OPTIONS]

Hosts the Noise IK encrypted bus: bus.sock and bus.pub in the runtime
directory, a fresh key for each role in keys/ (0600) at every start.  It
routes each request to the role that serves it and the reply back to the
requester only.  Runs in the foreground; stop it with SIGTERM or SIGINT.
Under systemd (NOTIFY_SOCKET set) it reports READY=1 and pets the
watchdog at half of WATCHDOG_USEC.

Every client is bounded; one that breaks a bound is disconnected:
  --max-clients N            connections at once (default 256)
  --handshake-timeout-ms N   time to finish the handshake (default 5000)
  --slow-timeout-ms N        time queued output may make no progress
                             before the reader is cut off (default 5000;
                             global.ipc.slow_subscriber_timeout_ms)
  --request-timeout-ms N     time a role has to answer (default 10000)
  --queue-frames N           queued output frames per client (default
                             1024; global.ipc.channel_capacity)
*/

static int number(const char *opt, const char *v, long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || end == v || n < min || n > max)
		usage_error("daemon-profile", "%s: '%s' is not a number from %ld to %ld", opt, v, min, max);
	return (int)n;
}

int daemon_profile_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "max-clients", required_argument, NULL, 'c' },
		{ "handshake-timeout-ms", required_argument, NULL, 'h' },
		{ "slow-timeout-ms", required_argument, NULL, 's' },
		{ "request-timeout-ms", required_argument, NULL, 'r' },
		{ "queue-frames", required_argument, NULL, 'q' },
		{ 0 }
	};
	struct hub_config cfg;
	struct paths p;
	int o;

	hub_config_defaults(&cfg);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cfg.max_clients = number("--max-clients", optarg, 1, 65536); break;
		case 'h': cfg.handshake_timeout_ms = number("--handshake-timeout-ms", optarg, 10, 600000); break;
		case 's': cfg.slow_timeout_ms = number("--slow-timeout-ms", optarg, 10, 600000); break;
		case 'r': cfg.request_timeout_ms = number("--request-timeout-ms", optarg, 10, 600000); break;
		case 'q': cfg.queue_frames = number("--queue-frames", optarg, 1, 1 << 20); break;
		default: usage_error("daemon-profile", "bad option");
		}
	}
	if (optind < argc)
		usage_error("daemon-profile", "unexpected argument '%s'", argv[optind]);
	if (paths_resolve(&p) < 0)
		die("%s", last_error());
	secmem_probe();
	if (hub_run(&p, &cfg) < 0)
		die("daemon-profile: %s", last_error());
	return 0;
}
