/* input.c - `sesame input status|layers|watch`: daemon-input's keyboards,
 * bindings, layers and the bindings it fired lately. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/*APPLET input input_main "key bindings and layers of keyboards (through daemon-input)"
usage: sesame input status [--json]
       sesame input layers [--json]
       sesame input watch [--json]

  status   the keyboards daemon-input reads, the profile whose bindings
           apply, whether keys are remapped, each binding and its command,
           and the bindings fired lately (newest first) with how their
           commands ended
  layers   whether keys are remapped (and if not, why), the keyboards
           grabbed, the focused application, and each layer: whether it
           is active (main, held, toggled, app) and how many keys it remaps
  watch    follow daemon-input's events as they happen, one line each:
           time, keys, command, state ("running", then "exit N"); until
           interrupted (exit 69 when the bus goes away)

  --json   status as {"profile","devices":[...],"note","remapping",
           "bindings":[{"keys","command"}],"fired":[{"keys","time_ms",
           "command","state"}]}; layers as {"remapping","grabbed":[...],
           "app","layers":[{"name","active","state","remaps"}]}; watch as
           one such "fired" object per line

Bindings are set in [profiles.<default>.input.bindings], layers in
[profiles.<default>.input.layers] (see sesame help daemon input).  Exit
69 if daemon-input is not running.
*/

static void str(int json, const uint8_t *v, uint16_t len)
{
	if (json)
		cli_json_str(stdout, v, len);
	else
		cli_put_safe(stdout, v, len);
}

static void print_status(const struct wire_msg *m, int json)
{
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	int ndev = 0, nbind = 0, nfired = 0, in_fired = 0;

	/* Order: profile, devices, note, bindings, then fired records. */
	if (json)
		printf("{");
	while (wire_next(m, &pos, &tag, &v, &len)) {
		switch (tag) {
		case WF_PROFILE:
			printf(json ? "\"profile\":" : "Bindings of profile ");
			str(json, v, len);
			printf(json ? ",\"devices\":[" : "\nKeyboards:");
			break;
		case WF_DEVICE:
			printf(json ? "%s" : "\n  ", ndev++ && json ? "," : "");
			str(json, v, len);
			break;
		case WF_TEXT:
			if (json) {
				printf("],\"note\":");
				cli_json_str(stdout, v, len);
			} else {
				if (!ndev)
					printf(" none");
				if (len) {
					printf("\n  (");
					cli_put_safe(stdout, v, len);
					printf(")");
				}
			}
			break;
		case WF_REMAP:
			printf(json ? ",\"remapping\":" : "\nRemapping: ");
			str(json, v, len);
			printf(json ? ",\"bindings\":[" : "\nBindings:");
			break;
		case WF_BINDING:
			printf(json ? "%s{\"keys\":" : "\n  ", nbind++ && json ? "," : "");
			str(json, v, len);
			break;
		case WF_COMMAND:
			printf(json ? ",\"command\":" : "\t");
			str(json, v, len);
			if (json && !in_fired)
				printf("}");
			break;
		case WF_FIRED:
			if (!in_fired++)
				printf(json ? "],\"fired\":[" : "%s\nFired:", nbind ? "" : " none");
			printf(json ? "%s{\"keys\":" : "\n  ", nfired++ && json ? "," : "");
			str(json, v, len);
			break;
		case WF_TIME:
			if (json) {
				printf(",\"time_ms\":%llu", (unsigned long long)wire_uint(v, len));
			} else {
				time_t t = (time_t)(wire_uint(v, len) / 1000);
				struct tm tm;
				char when[16];

				localtime_r(&t, &tm);
				strftime(when, sizeof(when), "%H:%M:%S", &tm);
				printf("\t%s", when);
			}
			break;
		case WF_STATE:
			printf(json ? ",\"state\":" : "\t");
			str(json, v, len);
			if (json)
				printf("}");
			break;
		}
	}
	if (json)
		printf(in_fired ? "]}\n" : "],\"fired\":[]}\n");
	else
		printf("%s%s\n", in_fired || nbind ? "" : " none", in_fired ? "" : "\nFired: none");
}

static void print_layers(const struct wire_msg *m, int json)
{
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	int ngrab = 0, nlayer = 0;
	unsigned remaps = 0;

	if (json)
		printf("{");
	while (wire_next(m, &pos, &tag, &v, &len)) {
		switch (tag) {
		case WF_REMAP:
			printf(json ? "\"remapping\":" : "Remapping: ");
			str(json, v, len);
			printf(json ? ",\"grabbed\":[" : "\nGrabbed:");
			break;
		case WF_DEVICE:
			printf(json ? "%s" : "\n  ", ngrab++ && json ? "," : "");
			str(json, v, len);
			break;
		case WF_APP_ID:
			printf(json ? "],\"app\":" : "%s\nFocused application: ", ngrab ? "" : " none");
			if (json || len)
				str(json, v, len);
			else
				printf("none known (daemon-wm tells)");
			printf(json ? ",\"layers\":[" : "\n%-32s %-8s %s", "Layer", "Active", "Remaps");
			break;
		case WF_LAYER:
			if (json) {
				printf("%s{\"name\":", nlayer ? "," : "");
				cli_json_str(stdout, v, len);
			} else {
				printf("\n%-32.*s", (int)len, (const char *)v);
			}
			nlayer++;
			break;
		case WF_REMAPS:
			if (json)
				printf(",\"remaps\":%u", (unsigned)wire_uint(v, len));
			else
				remaps = (unsigned)wire_uint(v, len);
			break;
		case WF_STATE:
			if (json) {
				printf(",\"active\":%s,\"state\":", len ? "true" : "false");
				cli_json_str(stdout, v, len);
				printf("}");
			} else {
				printf(" %-8.*s %u", len ? (int)len : 2, len ? (const char *)v : "no", remaps);
			}
			break;
		}
	}
	printf(json ? "]}\n" : "%s\n", nlayer || json ? "" : "\n(no layers)");
}

/* One event: its fields in order, as a line. */
static const struct cli_field event_fields[] = {
	{ WF_FIRED, "keys", 's' }, { WF_TIME, "time_ms", 't' }, { WF_COMMAND, "command", 's' },
	{ WF_STATE, "state", 's' },
};

int input_main(int argc, char **argv)
{
	struct cli_io *io = xcli_io();
	struct wire_out *req = &io->req;
	struct bus_client *c;
	struct wire_msg m;
	int o, json = 0, do_watch, do_layers;

	if (argc < 2 || (strcmp(argv[1], "status") && strcmp(argv[1], "watch") && strcmp(argv[1], "layers")))
		usage_error("input", argc < 2 ? "which one: status, layers or watch?" :
			"unknown subcommand '%s' (status, layers, watch)", argv[1]);
	do_watch = !strcmp(argv[1], "watch");
	do_layers = !strcmp(argv[1], "layers");
	argv++, argc--;
	while ((o = getopt_long(argc, argv, OPTSTR_input, longopts_input, NULL)) != -1) {
		if (o == OPT_JSON)
			json = 1;
		else
			usage_option("input", argv, o, longopts_input);
	}
	if (optind < argc)
		usage_error("input", "unexpected argument '%s'", argv[optind]);
	if (do_watch)
		xcli_watch("input", event_fields, ARRAY_LEN(event_fields), json);
	wire_begin(req, do_layers ? WIRE_INPUT_LAYERS : WIRE_INPUT_STATUS, 0, 0);
	if (wire_end(req) < 0)
		die("input: %s", last_error());
	c = xcli_ask(io, &m);
	if (do_layers)
		print_layers(&m, json);
	else
		print_status(&m, json);
	cli_done(c, io, &m);
	return fflush(stdout) == 0 ? 0 : 1;
}
