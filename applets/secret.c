/* secret.c - `sesame secret set|get|list|delete|generate`: one profile's
 * secrets, through daemon-secrets. */
#include "applets/applet.h"
#include "applets/secret/pwgen.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/envsecrets.h"
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

#include "wordlist.h"	/* generated from data/eff_large_wordlist.txt */

/*APPLET secret secret_main "store, read, list and delete secrets in a profile's vault"
usage: sesame secret set|get|list|delete [-p PROFILE] [--json] [--yes] [KEY]
       sesame secret get --clip [--ttl SECONDS] [-p PROFILE] KEY
       sesame secret generate [-p PROFILE] [--length N] [--charset SET] [--print] [--force] KEY
       sesame secret generate [-p PROFILE] --words N [--separator S] [--print] [--force] KEY

  set KEY      store a value: asked without echo on a terminal, else all of
               standard input with one trailing newline removed
  get KEY      write the value to standard output, exactly (a newline is
               added only when standard output is a terminal)
  list         the names in the vault, one per line; never values
  delete KEY   remove a secret; asks on a terminal, else needs --yes
  generate KEY store a new random value, never shown unless --print:
               --length characters (default 24) of --charset (default
               alnum: 142 bits), each drawn uniformly by libsodium; or
               --words words of the EFF's large wordlist (7,776 words,
               12.9 bits each) joined by --separator.  Says how strong it
               is.  An existing KEY is kept unless --force.

  -p, --profile NAME   the profile (default: default)
  --json               list as a JSON array
  -y, --yes            delete without asking
  -c, --clip           get: put the value on the clipboard instead (through
                       daemon-clipboard, on Wayland), marked a password
                       manager's (x-kde-passwordManagerHint), never kept in
                       the clipboard history, cleared after --ttl
  --ttl SECONDS        --clip: clear it after this long (default 45; 0:
                       leave it)
  --length N           generate: N characters, 4 to 4096 (default 24)
  --charset SET        generate: classes joined by commas, lower, upper,
                       digits, symbols, hex, alnum (the default), print
                       (alnum and symbols); last, chars:LITERAL adds the
                       characters of LITERAL (printable ASCII)
  --words N            generate: a passphrase of N words, 3 to 64
  --separator S        generate --words: between the words (default "-";
                       printable ASCII, at most 8 bytes)
  --print              generate: also write the value to standard output,
                       as get would (the message goes to stderr)
  --force              generate: replace an existing KEY

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

/* generate: the new value, in secure memory; its strength in *bits. */
static char *new_value(long long length, const char *charset, long long words, const char *sep, size_t *len,
	unsigned *bits)
{
	char set[128], *v;
	size_t n;

	if (!words) {
		if (pw_charset(charset ? charset : "alnum", set, &n) < 0)
			usage_error("secret", "generate: %s", last_error());
		*len = length ? (size_t)length : 24;
		v = xsecmem_alloc(*len + 1);
		pw_chars(v, *len, set, n);
		*bits = pw_bits(*len, n);
		return v;
	}
	if (!sep)
		sep = "-";
	for (const char *c = sep; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			usage_error("secret", "generate: --separator: printable ASCII only");
	if (strlen(sep) > 8)
		usage_error("secret", "generate: --separator: 8 bytes at most");
	v = xsecmem_alloc((size_t)words * (16 + strlen(sep)) + 1);
	*len = 0;
	for (long long i = 0; i < words; i++) {
		const char *w = wordlist;

		for (uint32_t k = randombytes_uniform(WORDLIST_N); k; k--)
			w += strlen(w) + 1;
		*len += (size_t)sprintf(v + *len, "%s%s", i ? sep : "", w);
	}
	*bits = pw_bits((size_t)words, WORDLIST_N);
	return v;
}

struct exists {
	const char *key;
	int found;
};

static void find_name(const char *name, void *ctx)
{
	struct exists *e = ctx;

	e->found |= !strcmp(name, e->key);
}

static int generate(const char *profile, const char *key, long long length, const char *charset, long long words,
	const char *sep, int print, int force)
{
	struct cli_io *io = xcli_io();
	struct exists e = { key, 0 };
	struct bus_client *c;
	unsigned bits;
	size_t len;
	char *v = new_value(length, charset, words, sep, &len, &bits);

	c = xcli_connect();
	if (!force) {
		xcli_list(c, io, profile, find_name, &e);
		if (e.found) {
			secmem_free(v);
			die("secret generate: profile '%s' has a secret '%s' already; kept (--force replaces it)",
				profile, key);
		}
	}
	xcli_secret_set(c, io, profile, key, v, len);
	fprintf(print ? stderr : stdout, "Secret '%s' generated in profile '%s': %zu %s, %u bits.\n", key, profile,
		words ? (size_t)words : len, words ? "words" : "characters", bits);
	/* Straight to the descriptor: stdio would leave a copy in its buffer. */
	if (print && (write_all(STDOUT_FILENO, v, len) < 0 || (isatty(STDOUT_FILENO) &&
		write_all(STDOUT_FILENO, "\n", 1) < 0))) {
		secmem_free(v);
		die("secret generate: cannot write the value: %s", last_error());
	}
	secmem_free(v);
	bus_close(c);
	return fflush(stdout) ? 1 : 0;
}

int secret_main(int argc, char **argv)
{
	struct cli_io *io = xcli_io();	/* secure memory: values pass here */
	struct wire_out *req = &io->req;
	const char *profile = "default", *cmd, *key = NULL;
	int o, json = 0, yes = 0, clip = 0, type, print = 0, force = 0, gen = 0;
	long long ttl = 45, length = 0, words = 0;
	const char *charset = NULL, *sep = NULL;
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
		case OPT_LENGTH:
			if (parse_range(optarg, 4, 4096, &length) < 0)
				usage_error("secret", "--length: %s", last_error());
			break;
		case OPT_WORDS:
			if (parse_range(optarg, 3, 64, &words) < 0)
				usage_error("secret", "--words: %s", last_error());
			break;
		case OPT_CHARSET: charset = optarg; break;
		case OPT_SEPARATOR: sep = optarg; break;
		case OPT_PRINT: print = 1; break;
		case OPT_FORCE: force = 1; break;
		default: usage_option("secret", argv, o, longopts_secret);
		}
	}
	gen = !strcmp(cmd, "generate");
	if (!gen && (length || words || charset || sep || print || force))
		usage_error("secret", "--length, --charset, --words, --separator, --print and --force are for generate");
	if (words && (length || charset))
		usage_error("secret", "generate: --words, or --length and --charset, not both");
	if (sep && !words)
		usage_error("secret", "generate: --separator goes with --words");
	if (!strcmp(cmd, "list"))
		type = WIRE_SECRET_LIST;
	else if (!strcmp(cmd, "get"))
		type = WIRE_SECRET_GET;
	else if (!strcmp(cmd, "set") || gen)
		type = WIRE_SECRET_SET;
	else if (!strcmp(cmd, "delete"))
		type = WIRE_SECRET_DELETE;
	else
		usage_error("secret", "unknown subcommand '%s' (set, get, list, delete, generate)", cmd);
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
	if (gen)
		return generate(profile, key, length, charset, words, sep, print, force);
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
