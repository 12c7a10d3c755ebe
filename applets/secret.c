/* secret.c - `sesame secret set|get|list|delete`: one profile's secrets,
 * through daemon-secrets. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/prompt.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*APPLET secret secret_main "store, read, list and delete secrets in a profile's vault"
usage: sesame secret set|get|list|delete [-p PROFILE] [--json] [--yes] [KEY]
       sesame secret get --clip [--ttl SECONDS] [-p PROFILE] KEY

  set KEY      store a value: asked without echo on a terminal, else all of
               standard input with one trailing newline removed
  get KEY      write the value to standard output, exactly (a newline is
               added only when standard output is a terminal)
  list         the names in the vault, one per line; never values
  delete KEY   remove a secret; asks on a terminal, else needs --yes

  -p, --profile NAME   the profile (default: default)
  --json               list as a JSON array
  -y, --yes            delete without asking
  -c, --clip           get: put the value on the clipboard instead (through
                       daemon-clipboard, on Wayland), marked a password
                       manager's (x-kde-passwordManagerHint), never kept in
                       the clipboard history, cleared after --ttl
  --ttl SECONDS        --clip: clear it after this long (default 45; 0:
                       leave it)

KEY is 1 to 256 bytes of UTF-8 without control characters.

The vault must be unlocked (sesame unlock); exit 77 if it is locked, 69
if daemon-profile or daemon-secrets is not running, 1 if there is no such
secret.
*/

static int confirm(const char *question)
{
	char line[16];

	fprintf(stderr, "%s [y/N] ", question);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return !strcmp(line, "y\n") || !strcmp(line, "yes\n") || !strcmp(line, "Y\n");
}

/* --json: "[" before the first name, "," between them. */
static void print_name(const char *name, void *ctx)
{
	int *json = ctx;

	if (!*json) {
		printf("%s\n", name);
		return;
	}
	putchar(*json == 1 ? '[' : ',');
	cli_json_str(stdout, (const uint8_t *)name, strlen(name));
	*json = 2;
}

int secret_main(int argc, char **argv)
{
	struct cli_io *io = xcli_io();	/* secure memory: values pass here */
	struct wire_out *req = &io->req;
	const char *profile = "default", *cmd, *key = NULL;
	int o, json = 0, yes = 0, clip = 0, type;
	long long ttl = 45;
	struct bus_client *c;
	struct wire_msg m;

	if (argc < 2)
		usage_error("secret", "which one: set, get, list or delete?");
	cmd = argv[1];
	argv++, argc--;
	while ((o = getopt_long(argc, argv, OPTSTR_secret, longopts_secret, NULL)) != -1) {
		switch (o) {
		case 'p':
			profile = cli_profile_arg("secret", optarg);
			break;
		case OPT_JSON: json = 1; break;
		case 'y': yes = 1; break;
		case 'c': clip = 1; break;
		case OPT_TTL:
			if (parse_range(optarg, 0, 86400, &ttl) < 0)
				usage_error("secret", "--ttl: %s", last_error());
			break;
		default: usage_option("secret", argv, o, longopts_secret);
		}
	}
	if (!strcmp(cmd, "list"))
		type = WIRE_SECRET_LIST;
	else if (!strcmp(cmd, "get"))
		type = WIRE_SECRET_GET;
	else if (!strcmp(cmd, "set"))
		type = WIRE_SECRET_SET;
	else if (!strcmp(cmd, "delete"))
		type = WIRE_SECRET_DELETE;
	else
		usage_error("secret", "unknown subcommand '%s' (set, get, list, delete)", cmd);
	if (type != WIRE_SECRET_LIST) {
		if (optind != argc - 1)
			usage_error("secret", "%s needs exactly one KEY", cmd);
		key = argv[optind];
		if (!secret_name_valid(key))
			usage_error("secret", "'%s' is not a valid secret name (1-%d bytes, no control characters)",
				key, VAULT_MAX_NAME);
		if (type == WIRE_SECRET_SET && !secret_name_new_valid(key))
			usage_error("secret", "a secret name must be UTF-8 (this one is not, or holds a control "
				"character: U+0080 to U+009F, or a bidirectional one, U+202A-202E, U+2066-2069, "
				"U+200E, U+200F, U+061C)");
	} else if (optind != argc) {
		usage_error("secret", "list takes no KEY");
	}
	if (clip && type != WIRE_SECRET_GET)
		usage_error("secret", "--clip goes with get");
	if (type == WIRE_SECRET_DELETE && !yes) {
		char q[400];

		if (!isatty(STDIN_FILENO))
			usage_error("secret", "delete: not on a terminal; pass --yes to delete without asking");
		snprintf(q, sizeof(q), "Delete secret '%s' from profile '%s'?", key, profile);
		if (!confirm(q)) {
			printf("Cancelled.\n");
			return 0;
		}
	}
	c = xcli_connect();
	if (type == WIRE_SECRET_LIST) {
		xcli_list(c, io, profile, print_name, &json);
		bus_close(c);
		if (json)
			printf("%s]\n", json == 1 ? "[" : "");
		return fflush(stdout) ? 1 : 0;
	}
	wire_begin(req, (uint8_t)type, clip ? 0 : WIRE_F_LAST, 0);	/* the one request, but for --clip */
	wire_put_str(req, WF_PROFILE, profile);
	if (key)
		wire_put_str(req, WF_KEY, key);
	if (type == WIRE_SECRET_SET) {
		char prompt[VAULT_MAX_NAME + 32];
		uint8_t *val;
		size_t vlen;

		snprintf(prompt, sizeof(prompt), "Value for '%s': ", key);
		if (!(val = prompt_value(prompt, VAULT_MAX_VALUE, &vlen)))
			die("secret set: %s", last_error());
		wire_put(req, WF_VALUE, val, vlen);
		secmem_free(val);
	}
	xcli_request(c, io, &m);
	if (clip) {
		const uint8_t *v;
		uint16_t vlen;
		char text[64] = "on the clipboard";

		if (!wire_find(&m, WF_VALUE, &v, &vlen) || !vlen)
			die("secret get --clip: '%s' is empty: nothing to put on the clipboard", key);
		wire_begin(req, WIRE_CLIPBOARD_SET, WIRE_F_LAST, 0);
		wire_put(req, WF_VALUE, v, vlen);
		wire_put_u32(req, WF_TTL_S, (uint32_t)ttl);
		if (wire_end(req) < 0)
			die("secret get --clip: %s", last_error());
		xcli_request(c, io, &m);
		wire_get_str(&m, WF_TEXT, text, sizeof(text));
		fprintf(stderr, "Secret '%s' of profile '%s' is %s.\n", key, profile, text);
	} else if (type == WIRE_SECRET_GET) {
		xcli_write_value("secret get", &m);
	} else if (type == WIRE_SECRET_SET) {
		printf("Secret '%s' stored in profile '%s'.\n", key, profile);
	} else {
		printf("Secret '%s' deleted from profile '%s'.\n", key, profile);
	}
	cli_done(c, io, &m);	/* wipes what was used: no new pages */
	return fflush(stdout) ? 1 : 0;
}
