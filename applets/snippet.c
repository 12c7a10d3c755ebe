/* snippet.c - `sesame snippet list|add|remove|expand`: a profile's text
 * snippets, through daemon-snippets. */
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
#include <unistd.h>

/*APPLET snippet snippet_main "store text snippets and expand their templates"
usage: sesame snippet list [-p PROFILE] [--json]
       sesame snippet add [-p PROFILE] TRIGGER [TEMPLATE]
       sesame snippet remove [-p PROFILE] TRIGGER
       sesame snippet expand [-p PROFILE] TRIGGER

  list     each trigger and the start of its template (tab-separated;
           newlines shown as \n)
  add      store TEMPLATE under TRIGGER, replacing any; without TEMPLATE
           it is read from standard input (all of it, so it may span
           lines)
  remove   delete a snippet
  expand   write the expanded template to standard output, exactly (a
           newline is added only on a terminal)

Templates: ${date} or ${date:FORMAT} (strftime, e.g. ${date:%H:%M}),
${env:NAME}, ${secret:NAME} (read from the profile's vault when
expanded, never stored expanded; the vault must be unlocked and
[profiles.P.secrets.access] must list NAME for snippets), ${clipboard}
(needs daemon-clipboard), and $$ for a literal '$'.  A trigger is up to
64 bytes without spaces.

  -p, --profile NAME   the profile (default: default)
  --json               list as a JSON array of {"trigger","template"}

Exit 69 if daemon-snippets is not running, 77 if a secret it needs is
locked or not granted, 1 if there is no such snippet or the template is
wrong (the error names line and column).
*/

static void print_list(const struct wire_msg *m, int json)
{
	size_t pos = 0, n = 0;
	uint16_t tag, len;
	const uint8_t *v;

	if (json)
		printf("[");
	while (wire_next(m, &pos, &tag, &v, &len)) {
		if (tag == WF_TRIGGER) {
			if (json) {
				printf("%s{\"trigger\":", n ? "," : "");
				cli_json_str(stdout, v, len);
			} else {
				printf("%.*s\t", (int)len, (const char *)v);
			}
		} else if (tag == WF_TEMPLATE) {
			if (json) {
				printf(",\"template\":");
				cli_json_str(stdout, v, len);
				printf("}");
			} else {
				for (uint16_t i = 0; i < len; i++)
					if (v[i] == '\n')
						fputs("\\n", stdout);
					else if (v[i] == '\t')
						fputs("\\t", stdout);
					else
						putchar(v[i]);
				putchar('\n');
			}
			n++;
		} else if (tag == WF_TEXT) {
			fprintf(stderr, "sesame: snippet: %.*s\n", (int)len, (const char *)v);
		}
	}
	if (json)
		printf("]\n");
	else if (!n && isatty(1))
		fprintf(stderr, "No snippets in this profile.\n");
}

int snippet_main(int argc, char **argv)
{
	struct cli_io *io = xcli_io();	/* secure memory: values pass here */
	struct wire_out *req = &io->req;
	static char tpl[WIRE_MAX_MESSAGE];
	const char *profile = "default", *cmd;
	int o, json = 0, type;
	struct bus_client *c;
	struct wire_msg m;
	size_t tlen = 0;

	if (argc < 2)
		usage_error("snippet", "which one: list, add, remove or expand?");
	cmd = argv[1];
	argv++, argc--;
	while ((o = getopt_long(argc, argv, OPTSTR_snippet, longopts_snippet, NULL)) != -1) {
		switch (o) {
		case 'p':
			profile = cli_profile_arg("snippet", optarg);
			break;
		case OPT_JSON: json = 1; break;
		default: usage_option("snippet", argv, o, longopts_snippet);
		}
	}
	argc -= optind, argv += optind;
	if (!strcmp(cmd, "list"))
		type = WIRE_SNIPPET_LIST;
	else if (!strcmp(cmd, "add"))
		type = WIRE_SNIPPET_ADD;
	else if (!strcmp(cmd, "remove"))
		type = WIRE_SNIPPET_REMOVE;
	else if (!strcmp(cmd, "expand"))
		type = WIRE_SNIPPET_EXPAND;
	else
		usage_error("snippet", "unknown subcommand '%s' (list, add, remove, expand)", cmd);
	if (type == WIRE_SNIPPET_LIST ? argc != 0 : type == WIRE_SNIPPET_ADD ? argc < 1 || argc > 2 : argc != 1)
		usage_error("snippet", "wrong number of arguments for %s", cmd);
	wire_begin(req, (uint8_t)type, 0, 0);
	wire_put_str(req, WF_PROFILE, profile);
	if (argc)
		wire_put_str(req, WF_TRIGGER, argv[0]);
	if (type == WIRE_SNIPPET_ADD) {
		if (argc == 2) {
			tlen = strlen(argv[1]);
			if (tlen >= sizeof(tpl))
				die("snippet: the template is too long");
			memcpy(tpl, argv[1], tlen);
		} else {
			size_t n;

			if (std_fd_was_closed(STDIN_FILENO))
				die("snippet: standard input is closed: give TEMPLATE, or the template on it");
			while ((n = fread(tpl + tlen, 1, sizeof(tpl) - tlen, stdin)) > 0)
				if ((tlen += n) == sizeof(tpl))
					die("snippet: the template is too long");
			if (ferror(stdin))
				die("snippet: cannot read the template from standard input");
		}
		wire_put(req, WF_TEMPLATE, tpl, tlen);
	}
	if (wire_end(req) < 0)
		die("snippet: %s", last_error());
	c = xcli_ask(io, &m);
	if (type == WIRE_SNIPPET_LIST) {
		print_list(&m, json);
	} else if (type == WIRE_SNIPPET_EXPAND) {
		xcli_write_value("snippet", &m);
	} else {
		char text[32] = "done";

		wire_get_str(&m, WF_TEXT, text, sizeof(text));
		fprintf(stderr, "Snippet '%s' %s.\n", argv[0], text);
	}
	cli_done(c, io, &m);	/* wipes what may hold secrets */
	return fflush(stdout) == 0 ? 0 : 1;
}
