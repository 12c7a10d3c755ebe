/* clipboard.c - `sesame clipboard history|get|copy|delete|clear|watch`:
 * a profile's clipboard history, through daemon-clipboard. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*APPLET clipboard clipboard_main "clipboard history (Wayland, through daemon-clipboard)"
usage: sesame clipboard history [-p PROFILE] [-n N] [--json]
       sesame clipboard watch [--json]
       sesame clipboard get [-p PROFILE] [ID]
       sesame clipboard copy [-p PROFILE] [ID]
       sesame clipboard delete [-p PROFILE] ID
       sesame clipboard clear [-p PROFILE]

  history  the newest N entries (default 20), newest first: ID, time,
           and a one-line preview (tab-separated); a sensitive entry
           shows what it looks like and when it goes, never its text; an
           image its type and size
  get      write entry ID (default: the newest) to standard output,
           exactly (a newline is added only on a terminal; an image is
           not written to a terminal)
  copy     put entry ID (default: the newest) back on the clipboard; a
           sensitive one is marked so and cleared again after
           sensitive_ttl_s
  delete   remove entry ID
  clear    remove every entry of the profile
  watch    follow new entries as they are recorded: "recorded", ID,
           PROFILE, time, and the kind if sensitive (never the text);
           until interrupted

  -p, --profile NAME   the profile (default: the configuration's default
                       profile, the one daemon-clipboard records into)
  -n, --limit N        history: at most N entries (1-1000)
  --json               history as a JSON array of {"id","time_ms","mime",
                       "kind","expires_ms","preview"}; watch as one
                       {"event","id","profile","time_ms","kind"} per line

The history is sealed with a key from the profile's vault: history,
get and copy need the profile unlocked (exit 77 otherwise).  Exit 69 if
daemon-clipboard is not running, 1 if there is no such entry.
*/

struct entry {
	uint64_t id, time, expires;
	const uint8_t *mime, *kind, *text;
	uint16_t mime_len, kind_len, text_len;
};

static void print_entry(const struct entry *e, int json, int first)
{
	time_t t = (time_t)(e->time / 1000);
	struct tm tm;
	char when[32];

	if (json) {
		printf("%s{\"id\":%llu,\"time_ms\":%llu,\"mime\":", first ? "" : ",", (unsigned long long)e->id,
			(unsigned long long)e->time);
		cli_json_str(stdout, e->mime, e->mime_len);
		printf(",\"kind\":");
		cli_json_str(stdout, e->kind, e->kind_len);
		printf(",\"expires_ms\":%llu,\"preview\":", (unsigned long long)e->expires);
		cli_json_str(stdout, e->text, e->text_len);
		printf("}");
		return;
	}
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%llu\t%s\t", (unsigned long long)e->id, when);
	if (e->kind_len) {
		long long left = (long long)e->expires - (long long)time(NULL) * 1000;

		printf("[sensitive: ");
		cli_put_safe(stdout, e->kind, e->kind_len);
		printf(", goes in %lld s]\n", left > 0 ? (left + 999) / 1000 : 0);
	} else {
		cli_put_safe(stdout, e->text, e->text_len);
		putchar('\n');
	}
}

static void print_history(const struct wire_msg *m, int json)
{
	struct entry e = { 0 };
	size_t pos = 0, n = 0;
	uint16_t tag, len;
	const uint8_t *v;

	if (json)
		printf("[");
	/* Each entry's fields end with WF_TEXT. */
	while (wire_next(m, &pos, &tag, &v, &len)) {
		switch (tag) {
		case WF_CLIP: e.id = wire_uint(v, len); break;
		case WF_TIME: e.time = wire_uint(v, len); break;
		case WF_EXPIRES: e.expires = wire_uint(v, len); break;
		case WF_MIME: e.mime = v, e.mime_len = len; break;
		case WF_KIND: e.kind = v, e.kind_len = len; break;
		case WF_TEXT:
			e.text = v, e.text_len = len;
			print_entry(&e, json, !n++);
			memset(&e, 0, sizeof(e));
			break;
		}
	}
	if (json)
		printf("]\n");
	else if (!n && isatty(1))
		fprintf(stderr, "No clipboard history.\n");
}

static const struct cli_field event_fields[] = {
	{ WF_STATE, "event", 's' }, { WF_CLIP, "id", 'u' }, { WF_PROFILE, "profile", 's' },
	{ WF_TIME, "time_ms", 't' }, { WF_KIND, "kind", 's' },
};

int clipboard_main(int argc, char **argv)
{
	struct cli_io *io = xcli_io();	/* secure memory: values pass here */
	struct wire_out *req = &io->req;
	const char *profile = NULL, *cmd;
	int o, json = 0, type;
	unsigned long limit = 20, id = 0;
	struct bus_client *c;
	struct wire_msg m;
	long long num;

	if (argc < 2)
		usage_error("clipboard", "which one: history, get, copy, delete, clear or watch?");
	cmd = argv[1];
	argv++, argc--;
	while ((o = getopt_long(argc, argv, OPTSTR_clipboard, longopts_clipboard, NULL)) != -1) {
		switch (o) {
		case 'p':
			profile = cli_profile_arg("clipboard", optarg);
			break;
		case 'n':
			if (parse_range(optarg, 1, 1000, &num) < 0)
				usage_error("clipboard", "--limit: %s", last_error());
			limit = (unsigned long)num;
			break;
		case OPT_JSON: json = 1; break;
		default: usage_option("clipboard", argv, o, longopts_clipboard);
		}
	}
	argc -= optind, argv += optind;
	if (!strcmp(cmd, "watch")) {
		if (argc || profile)
			usage_error("clipboard", "watch takes only --json");
		xcli_watch("clipboard", event_fields, ARRAY_LEN(event_fields), json);
	}
	if (!strcmp(cmd, "history"))
		type = WIRE_CLIPBOARD_HISTORY;
	else if (!strcmp(cmd, "get"))
		type = WIRE_CLIPBOARD_GET;
	else if (!strcmp(cmd, "copy"))
		type = WIRE_CLIPBOARD_COPY;
	else if (!strcmp(cmd, "delete"))
		type = WIRE_CLIPBOARD_DELETE;
	else if (!strcmp(cmd, "clear"))
		type = WIRE_CLIPBOARD_CLEAR;
	else
		usage_error("clipboard", "unknown subcommand '%s' (history, get, copy, delete, clear, watch)", cmd);
	if (type == WIRE_CLIPBOARD_DELETE && !argc)
		usage_error("clipboard", "delete: which entry? (an id from sesame clipboard history)");
	if (argc > (type == WIRE_CLIPBOARD_GET || type == WIRE_CLIPBOARD_COPY || type == WIRE_CLIPBOARD_DELETE))
		usage_error("clipboard", "unexpected argument '%s'", argv[argc - 1]);
	if (argc) {
		if (parse_range(argv[0], 1, INT64_MAX, &num) < 0)
			usage_error("clipboard", "the entry id (see sesame clipboard history): %s", last_error());
		id = (unsigned long long)num;
	}
	wire_begin(req, (uint8_t)type, 0, 0);
	if (profile)
		wire_put_str(req, WF_PROFILE, profile);
	if (type == WIRE_CLIPBOARD_HISTORY)
		wire_put_u32(req, WF_LIMIT, (uint32_t)limit);
	if (id)
		wire_put_u64(req, WF_CLIP, id);
	if (wire_end(req) < 0)
		die("clipboard: %s", last_error());
	c = xcli_ask(io, &m);
	if (type == WIRE_CLIPBOARD_HISTORY) {
		print_history(&m, json);
	} else if (type == WIRE_CLIPBOARD_GET) {
		char mime[64] = "";

		wire_get_str(&m, WF_MIME, mime, sizeof(mime));
		if (!strncmp(mime, "image/", 6) && isatty(STDOUT_FILENO))
			die("clipboard: that entry is an image (%s): send it to a file or a program, not the terminal",
				mime);
		xcli_write_value("clipboard", &m);
	} else if (type == WIRE_CLIPBOARD_COPY) {
		uint64_t got = 0;
		char kind[64] = "";

		wire_get_u64(&m, WF_CLIP, &got);
		wire_get_str(&m, WF_KIND, kind, sizeof(kind));
		fprintf(stderr, "Entry %llu is on the clipboard%s%s%s.\n", (unsigned long long)got,
			*kind ? " (sensitive: " : "", kind, *kind ? "; cleared again in sensitive_ttl_s)" : "");
	} else if (type == WIRE_CLIPBOARD_DELETE) {
		char text[64] = "removed";

		wire_get_str(&m, WF_TEXT, text, sizeof(text));
		fprintf(stderr, "Clipboard %s.\n", text);
	} else {
		char text[64] = "done";

		wire_get_str(&m, WF_TEXT, text, sizeof(text));
		fprintf(stderr, "Clipboard history cleared (%s).\n", text);
	}
	cli_done(c, io, &m);	/* wipes what may be copied secrets */
	return fflush(stdout) == 0 ? 0 : 1;
}
