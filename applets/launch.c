/* launch.c - `sesame launch search|run`: find and start applications
 * through daemon-launcher. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*APPLET launch launch_main "search for applications and start them"
usage: sesame launch search QUERY [-n N] [-p PROFILE] [--json]
       sesame launch run ENTRY_ID [-p PROFILE] [--tag TAG]... [-- ARG...]

  search QUERY   the best matches for QUERY among the desktop entries
                 (names, generic names, keywords, ids; letters may be left
                 out, one typo is forgiven: pyhton, or vmi for vim), and
                 their actions ("Firefox: New Private Window", id
                 org.mozilla.firefox.desktop:new-private-window), ranked
                 with how often and how recently PROFILE launched them.
                 One line per match: ID, NAME, GENERIC NAME and SCORE,
                 tab-separated (aligned with a header on a terminal)
  run ENTRY_ID   start an application: its desktop file id, with or
                 without .desktop, or the last part of it (firefox for
                 org.mozilla.firefox.desktop), or ID:ACTION for one of its
                 actions; prints its pid

  -n, --max N          at most N results (default: the profile's
                       launcher.max_results, 20)
  -p, --profile NAME   whose frecency and launch profiles (default: the
                       default profile)
  -t, --tag TAG        apply launch profile TAG (NAME of PROFILE, or
                       OTHER:NAME): its env, cwd and secrets; repeatable,
                       later tags win
  --json               search results or the started pid as JSON
  -- ARG...            extra arguments for the application

Exit 69 if daemon-launcher is not running, 77 if a secret it needs is
locked or not granted to daemon-launcher, 1 if there is no such entry or
nothing matches the search (with --json, after printing []).
*/

/* The results, as asked; how many. */
static size_t print_search(const struct wire_msg *m, int json)
{
	char id[512], name[512], generic[512];
	size_t pos = 0, n = 0;
	uint16_t tag, len;
	const uint8_t *v;
	uint32_t score = 0;
	int tty = !json && isatty(1);

	id[0] = name[0] = generic[0] = 0;
	if (json)
		printf("[");
	else if (tty)
		printf("%-40s %-28s %-24s %s\n", "ID", "NAME", "GENERIC NAME", "SCORE");
	while (wire_next(m, &pos, &tag, &v, &len)) {
		char *dst = tag == WF_ENTRY ? id : tag == WF_NAME ? name : tag == WF_GENERIC ? generic : NULL;

		if (dst) {
			snprintf(dst, 512, "%.*s", (int)len, (const char *)v);
			continue;
		}
		if (tag != WF_SCORE || len != 4)
			continue;
		score = (uint32_t)wire_uint(v, len);
		/* WF_SCORE closes a result. */
		if (json) {
			printf("%s{\"id\":", n ? "," : "");
			cli_json_str(stdout, id, strlen(id));
			printf(",\"name\":");
			cli_json_str(stdout, name, strlen(name));
			printf(",\"generic\":");
			cli_json_str(stdout, generic, strlen(generic));
			printf(",\"score\":%.3f}", score / 1000.0);
		} else if (tty) {
			printf("%-40s %-28s %-24s %.3f\n", id, name, generic, score / 1000.0);
		} else {
			printf("%s\t%s\t%s\t%.3f\n", id, name, generic, score / 1000.0);
		}
		n++;
	}
	if (json)
		printf("]\n");
	return n;
}

int launch_main(int argc, char **argv)
{
	struct cli_io *io = xcli_io();
	struct wire_out *req = &io->req;
	const char *cmd, *profile = NULL, *tags[32];
	int o, json = 0, ntags = 0;
	long max = 0;
	struct bus_client *c;
	struct wire_msg m;

	if (argc < 2)
		usage_error("launch", "which one: search or run?");
	cmd = argv[1];
	argv++, argc--;
	while ((o = getopt_long(argc, argv, OPTSTR_launch, longopts_launch, NULL)) != -1) {
		long long num;

		switch (o) {
		case 'n':
			if (parse_range(optarg, 1, 200, &num) < 0)
				usage_error("launch", "-n: %s", last_error());
			max = (long)num;
			break;
		case 'p':
			profile = cli_profile_arg("launch", optarg);
			break;
		case 't':
			if (ntags == (int)ARRAY_LEN(tags))
				usage_error("launch", "at most %d tags", (int)ARRAY_LEN(tags));
			tags[ntags++] = optarg;
			break;
		case OPT_JSON: json = 1; break;
		default: usage_option("launch", argv, o, longopts_launch);
		}
	}
	if (!strcmp(cmd, "search")) {
		if (optind + 1 != argc)
			usage_error("launch", "search takes one QUERY (quote it if it has spaces)");
		if (ntags)
			usage_error("launch", "--tag is for run");
		wire_begin(req, WIRE_LAUNCH_SEARCH, 0, 0);
		wire_put_str(req, WF_QUERY, argv[optind]);
		if (max)
			wire_put_u32(req, WF_LIMIT, (uint32_t)max);
	} else if (!strcmp(cmd, "run")) {
		if (optind >= argc)
			usage_error("launch", "run needs an ENTRY_ID");
		if (max)
			usage_error("launch", "-n is for search");
		wire_begin(req, WIRE_LAUNCH_RUN, 0, 0);
		wire_put_str(req, WF_ENTRY, argv[optind]);
		for (int i = 0; i < ntags; i++)
			wire_put_str(req, WF_TAG, tags[i]);
		for (int i = optind + 1; i < argc; i++)
			wire_put_str(req, WF_ARG, argv[i]);
	} else {
		usage_error("launch", "unknown subcommand '%s' (search or run)", cmd);
	}
	if (profile)
		wire_put_str(req, WF_PROFILE, profile);
	if (wire_end(req) < 0)
		die("launch: %s", last_error());
	c = xcli_ask(io, &m);
	if (!strcmp(cmd, "search")) {
		if (!print_search(&m, json)) {
			cli_done(c, io, &m);
			fflush(stdout);
			die("launch: no application matches '%s'", argv[optind]);
		}
	} else {
		char entry[512] = "?";
		uint32_t pid = 0;

		wire_get_str(&m, WF_ENTRY, entry, sizeof(entry));
		wire_get_u32(&m, WF_PID, &pid);
		if (json) {
			printf("{\"id\":");
			cli_json_str(stdout, entry, strlen(entry));
			printf(",\"pid\":%u}\n", pid);
		} else {
			printf("started %s (pid %u)\n", entry, pid);
		}
	}
	cli_done(c, io, &m);
	return fflush(stdout) == 0 ? 0 : 1;
}
