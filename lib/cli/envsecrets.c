/* envsecrets.c - profiles' secrets as environment variables (envsecrets.h). */
#include "lib/cli/envsecrets.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/core/envvar.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int env_secrets_allow(struct env_secrets *s, const char *name)
{
	if (s->nallowed == (int)ARRAY_LEN(s->allowed))
		return -1;
	s->allowed[s->nallowed++] = name;
	return 0;
}

int env_secrets_denied(const struct env_secrets *s, const char *name)
{
	for (int i = 0; i < s->nallowed; i++)
		if (!strcasecmp(s->allowed[i], name))
			return 0;
	return envvar_denied(name);
}

void env_secrets_free(struct env_secrets *s)
{
	for (int i = 0; i < s->n; i++)
		secmem_free(s->v[i].value);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

struct listing {
	struct env_secrets *s;
	const char *profile, *prefix;
};

/* A name xcli_list found: a new variable, unless an earlier profile has
 * a secret of that name (the first wins). */
static void add_var(const char *secret, void *vctx)
{
	struct listing *l = vctx;
	struct env_secrets *s = l->s;
	struct env_secret *x;

	for (int k = 0; k < s->n; k++)
		if (!strcmp(s->v[k].secret, secret))
			return;
	if (s->n == s->cap)
		s->v = xreallocarray(s->v, s->cap = s->cap ? s->cap * 2 : 32, sizeof(*s->v));
	x = &s->v[s->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->secret, sizeof(x->secret), "%s", secret);
	snprintf(x->profile, sizeof(x->profile), "%s", l->profile);
	envvar_name(x->name, sizeof(x->name), l->prefix, x->secret);
}

uint8_t *xcli_secret_fetch(struct bus_client *c, struct cli_io *io, const char *profile, const char *name,
	size_t *len)
{
	struct wire_msg m;
	const uint8_t *val;
	uint8_t *v = NULL;
	uint16_t vl;

	wire_begin(&io->req, WIRE_SECRET_GET, 0, 0);
	wire_put_str(&io->req, WF_PROFILE, profile);
	wire_put_str(&io->req, WF_KEY, name);
	if (bus_request(c, &io->req, io->buf, &m, BUS_CLI_TIMEOUT_MS) < 0) {
		sodium_memzero(io->req.buf, io->req.len);
		return NULL;	/* the answer's reason, and its exit code in last_exit() */
	}
	sodium_memzero(io->req.buf, io->req.len);
	if (!wire_find(&m, WF_VALUE, &val, &vl))
		fail("the answer holds no value");
	else if ((v = secmem_dup(val, vl)))
		*len = vl;
	sodium_memzero(io->buf, WIRE_HEADER + m.fields_len);
	return v;
}

static void keep_name(const char *name, void *ctx)
{
	struct cli_names *s = ctx;

	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	snprintf(s->v[s->n++], sizeof(*s->v), "%s", name);
}

void xcli_names(struct bus_client *c, struct cli_io *io, const char *profile, struct cli_names *out)
{
	memset(out, 0, sizeof(*out));
	xcli_list(c, io, profile, keep_name, out);
}

int cli_names_has(const struct cli_names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return 1;
	return 0;
}

void cli_names_free(struct cli_names *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void xcli_secret_set(struct bus_client *c, struct cli_io *io, const char *profile, const char *name, const void *v,
	size_t len)
{
	struct wire_msg m;

	wire_begin(&io->req, WIRE_SECRET_SET, 0, 0);
	wire_put_str(&io->req, WF_PROFILE, profile);
	wire_put_str(&io->req, WF_KEY, name);
	wire_put(&io->req, WF_VALUE, v, len);
	xcli_request(c, io, &m);	/* wipes the request */
	sodium_memzero(io->buf, WIRE_HEADER + m.fields_len);
}

void xenv_secrets_fetch(struct env_secrets *s, const char *cmd, const char *spec, const char *prefix,
	int shell_names)
{
	struct cli_io *io = xcli_io();	/* secure memory: the values pass here */
	char profiles[CLI_MAX_PROFILES][PROFILE_BUF];
	int np = cli_profiles(cmd, spec, profiles, CLI_MAX_PROFILES);
	struct bus_client *c;

	if (prefix && *prefix) {
		for (const char *p = prefix; *p; p++)
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
				usage_error(cmd, "--prefix '%s': letters, digits and '_' only", prefix);
	}
	c = xcli_connect();
	for (int i = 0; i < np; i++) {
		struct listing l = { s, profiles[i], prefix };
		int from = s->n;

		xcli_list(c, io, profiles[i], add_var, &l);
		for (int k = from; k < s->n; k++) {
			struct env_secret *x = &s->v[k];

			if (!(x->value = xcli_secret_fetch(c, io, profiles[i], x->secret, &x->len))) {
				int code = last_exit();

				env_secrets_free(s);
				die_code(code, "%s: cannot fetch secret '%s' of profile %s: %s", cmd, x->secret, profiles[i],
					last_error());
			}
		}
	}
	bus_close(c);
	for (int i = 0; i < s->n; i++) {
		const char *why = NULL, *other = "";

		if (env_secrets_denied(s, s->v[i].name))
			why = "a variable that changes how programs load or run; refused (--allow NAME if meant)";
		else if (memchr(s->v[i].value, 0, s->v[i].len))
			why = "its value holds a NUL byte, which an environment cannot carry";
		else if (shell_names && s->v[i].name[0] >= '0' && s->v[i].name[0] <= '9')
			why = "a name no shell accepts, as it starts with a digit; --prefix gives it a start";
		for (int k = 0; !why && k < i; k++)
			if (!strcmp(s->v[k].name, s->v[i].name)) {
				why = "the same variable as secret '";
				other = s->v[k].secret;
			}
		if (why) {
			char msg[1800];

			snprintf(msg, sizeof(msg), "%s: secret '%s' (profile %s) maps to %s: %s%s%s", cmd,
				s->v[i].secret, s->v[i].profile, s->v[i].name, why, other, *other ? "'" : "");
			env_secrets_free(s);
			die("%s; nothing was %s", msg, strcmp(cmd, "export") ? "run" : "printed");
		}
	}
}

void xenv_secrets_setenv(const struct env_secrets *s, const char *cmd)
{
	for (int i = 0; i < s->n; i++) {
		char *v = xmalloc(s->v[i].len + 1);

		memcpy(v, s->v[i].value, s->v[i].len);
		v[s->v[i].len] = 0;
		if (setenv(s->v[i].name, v, 1) < 0)
			die("%s: cannot set %s: %s", cmd, s->v[i].name, strerror(errno));
		sodium_memzero(v, s->v[i].len);
		free(v);
	}
}
