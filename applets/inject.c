/* inject.c - `sesame inject`: a template file with its secrets filled
 * in, written whole or not at all (op inject's job).  The template
 * syntax is the snippets' (lib/core/template.h), so one parser, fuzzed
 * once, reads both. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/envsecrets.h"
#include "lib/core/atomicfile.h"
#include "lib/core/secmem.h"
#include "lib/core/template.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*APPLET inject inject_main "fill a template's secret references into a file, written whole or not at all"
usage: sesame inject [-p PROFILE] [-i TEMPLATE] [-o OUTPUT] [--mode MODE]

Reads TEMPLATE (default: standard input), replaces each reference with
its value and writes the result to OUTPUT (default, and with -o -:
standard output).  References, as in snippets:

  ${secret:NAME}           a secret of PROFILE
  ${secret:PROFILE/NAME}   a secret of another profile
  ${env:NAME}              a variable of sesame inject's environment
  ${date}, ${date:FORMAT}  the local date (strftime FORMAT)
  $$                       a '$'

Every reference is checked and every secret fetched before anything is
written: an unknown variable, a missing secret or a locked vault ends it
with nothing written.  OUTPUT is written beside itself and renamed into
place, with MODE (default 0600) whatever the umask: it holds secrets,
and a reader sees the old file or the new one, never a part.  Exit 77 if
a vault is locked, 69 if the daemons are not running, 1 otherwise.

  -p, --profile NAME   the profile of ${secret:NAME} (default: default)
  -i, --in TEMPLATE    the template (- or none: standard input; at most
                       1 MiB)
  -o, --out OUTPUT     the file to write (- or none: standard output)
  --mode MODE          OUTPUT's permissions, octal (default 0600)
*/

static struct {
	const char *profile, *in, *out;
	long long mode;
} TT;

struct value {
	char profile[PROFILE_BUF];
	char name[VAULT_MAX_NAME + 1];
	uint8_t *v;		/* secure memory */
	size_t len;
};

static struct value *values;
static int nvalues;

static void values_free(void)
{
	for (int i = 0; i < nvalues; i++)
		secmem_free(values[i].v);
	free(values);
	values = NULL;
	nvalues = 0;
}

static void __attribute__((noreturn, format(printf, 1, 2))) fail_out(const char *fmt, ...)
{
	char msg[1200];
	int code = last_exit();	/* 77 for a locked vault, as an error answer set it */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	values_free();
	die_code(code > 1 ? code : 1, "inject: %s; nothing was written", msg);
}

/* The profile and name a ${secret:...} part reads. */
static void ref_of(const struct template_part *p, struct value *x)
{
	snprintf(x->profile, sizeof(x->profile), "%.*s", p->profile ? (int)p->plen : (int)strlen(TT.profile),
		p->profile ? p->profile : TT.profile);
	snprintf(x->name, sizeof(x->name), "%.*s", (int)p->len, p->s);
}

static struct value *value_of(const struct value *x)
{
	for (int k = 0; k < nvalues; k++)
		if (!strcmp(values[k].profile, x->profile) && !strcmp(values[k].name, x->name))
			return &values[k];
	return NULL;
}

/* Each distinct secret the template names, fetched on one connection. */
static void fetch_all(const struct template_part *parts, int n)
{
	struct bus_client *c = NULL;
	struct cli_io *io = NULL;

	for (int i = 0; i < n; i++) {
		struct value x;

		if (parts[i].kind != TPL_SECRET)
			continue;
		ref_of(&parts[i], &x);
		if (value_of(&x))
			continue;
		if (!c) {
			io = xcli_io();
			c = xcli_connect();
		}
		if (!(x.v = xcli_secret_fetch(c, io, x.profile, x.name, &x.len)))
			fail_out("secret '%s' of profile %s: %s", x.name, x.profile, last_error());
		values = xreallocarray(values, (size_t)nvalues + 1, sizeof(*values));
		values[nvalues++] = x;
	}
	if (c)
		bus_close(c);
}

/* The output, in secure memory (it holds the secrets): *len bytes. */
static char *render(const struct template_part *parts, int n, size_t *len)
{
	size_t cap = 4096, o = 0;
	char *out = xsecmem_alloc(cap), *bigger;
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	for (int i = 0; i < n; i++) {
		const struct template_part *p = &parts[i];
		char arg[300], date[1024];
		const char *v = NULL;
		size_t l = 0;
		struct value key, *x;

		snprintf(arg, sizeof(arg), "%.*s", (int)(p->len < sizeof(arg) - 1 ? p->len : sizeof(arg) - 1), p->s);
		switch (p->kind) {
		case TPL_TEXT: v = p->s, l = p->len; break;
		case TPL_DATE:
			l = strftime(date, sizeof(date), p->len ? arg : "%Y-%m-%d", &tm);
			if (!l && p->len)
				fail_out("${date:%s} gives nothing, or more than %zu bytes", arg, sizeof(date) - 1);
			v = date;
			break;
		case TPL_ENV:
			if (!(v = getenv(arg)))
				fail_out("${env:%s}: %s is not set", arg, arg);
			l = strlen(v);
			break;
		case TPL_SECRET:
			ref_of(p, &key);
			if (!(x = value_of(&key)))
				fail_out("secret '%s' of profile %s was not fetched", key.name, key.profile);
			v = (const char *)x->v, l = x->len;
			break;
		case TPL_CLIPBOARD:
			fail_out("${clipboard} is for snippets, not inject");
		}
		if (l > cap - o) {
			size_t want = o + l;

			if (want > (64u << 20))
				fail_out("the output would pass 64 MiB");
			while (cap < want)
				cap *= 2;
			bigger = xsecmem_alloc(cap);
			memcpy(bigger, out, o);
			secmem_free(out);
			out = bigger;
		}
		memcpy(out + o, v, l);
		o += l;
	}
	*len = o;
	return out;
}

/* Standard input, whole: at most max bytes, NUL-terminated. */
static char *read_stdin(size_t max, size_t *len)
{
	char *b = xmalloc(max + 2);
	ssize_t r;

	*len = 0;
	while ((r = read(STDIN_FILENO, b + *len, max + 1 - *len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return fail("%s", strerror(errno)), NULL;
		}
		if ((*len += (size_t)r) > max) {
			free(b);
			errno = EFBIG;
			return NULL;
		}
	}
	b[*len] = 0;
	return b;
}

int inject_main(int argc, char **argv)
{
	static struct template_part parts[16384];
	char *text, *out;
	size_t len, olen;
	int o, n;

	TT.profile = "default";
	TT.mode = 0600;
	while ((o = getopt_long(argc, argv, OPTSTR_inject, longopts_inject, NULL)) != -1) {
		switch (o) {
		case 'p': TT.profile = cli_profile_arg("inject", optarg); break;
		case 'i': TT.in = optarg; break;
		case 'o': TT.out = optarg; break;
		case OPT_MODE: {
			char *end;

			errno = 0;
			TT.mode = strtoll(optarg, &end, 8);
			if (errno || *end || !*optarg || *optarg == '-' || TT.mode > 07777)
				usage_error("inject", "--mode: an octal mode such as 0600, not '%s'", optarg);
			break;
		}
		default: usage_option("inject", argv, o, longopts_inject);
		}
	}
	if (optind < argc)
		usage_error("inject", "unexpected argument '%s' (the template is -i FILE)", argv[optind]);
	if (!TT.in || !strcmp(TT.in, "-"))
		text = read_stdin(TEMPLATE_MAX, &len);
	else
		text = read_file(TT.in, TEMPLATE_MAX, &len);
	if (!text)
		die("inject: %s: %s", TT.in ? TT.in : "standard input",
			errno == EFBIG ? "larger than 1 MiB" : last_error());
	if (template_parse(text, len, parts, (int)ARRAY_LEN(parts), &n) < 0)
		die("inject: %s:%s; nothing was written", TT.in ? TT.in : "standard input", last_error());
	fetch_all(parts, n);
	out = render(parts, n, &olen);
	values_free();
	if (!TT.out || !strcmp(TT.out, "-")) {
		if (write_all(STDOUT_FILENO, out, olen) < 0) {
			secmem_free(out);
			die("inject: standard output: %s", last_error());
		}
	} else if (atomic_write(TT.out, out, olen, (mode_t)TT.mode) < 0) {
		secmem_free(out);
		die("inject: %s; nothing was written", last_error());
	}
	secmem_free(out);
	free(text);
	return 0;
}
