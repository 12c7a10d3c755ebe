/* cli.c - see cli.h. */
#include "cli.h"
#include "bus.h"
#include "util.h"
#include "vault.h"

#include <stdlib.h>
#include <string.h>

int cli_profiles(const char *cmd, const char *arg, char names[][65], int max)
{
	const char *spec = arg && *arg ? arg : getenv("SESAME_PROFILES");
	char *list, *save = NULL;
	int n = 0;

	if (!spec || !*spec)
		spec = "default";
	list = xstrdup(spec);
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *name = strrchr(t, ':'), *e;
		int dup = 0;

		name = name ? name + 1 : t;
		while (*name == ' ' || *name == '\t')
			name++;
		for (e = name + strlen(name); e > name && (e[-1] == ' ' || e[-1] == '\t'); )
			*--e = 0;
		if (!*name)
			continue;
		if (!vault_profile_valid(name))
			usage_error(cmd, "'%s' is not a valid profile name", name);
		for (int i = 0; i < n; i++)
			dup |= !strcmp(names[i], name);
		if (dup)
			continue;
		if (n == max)
			usage_error(cmd, "more than %d profiles", max);
		strcpy(names[n++], name);
	}
	free(list);
	if (!n)
		usage_error(cmd, "no profile named in '%s'", spec);
	return n;
}

void cli_json_str(FILE *f, const void *s, size_t n)
{
	const uint8_t *p = s;

	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			fprintf(f, "\\%c", p[i]);
		else if (p[i] < 0x20)
			fprintf(f, "\\u%04x", p[i]);
		else
			fputc(p[i], f);
	}
	fputc('"', f);
}

int cli_vault_states(struct bus_client *c, void (*fn)(const char *profile, const char *state, void *ctx),
	void *ctx)
{
	static uint8_t buf[WIRE_MAX_MESSAGE];
	static struct wire_out req;
	struct wire_msg m;
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	char profile[65] = "";

	wire_begin(&req, WIRE_VAULT_STATUS, 0, 0);
	if (bus_request(c, &req, buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		return -1;
	/* The reply pairs WF_PROFILE with the WF_STATE after it. */
	while (wire_next(&m, &pos, &tag, &v, &len)) {
		char s[65];

		if (len >= sizeof(s) || memchr(v, 0, len))
			continue;
		memcpy(s, v, len);
		s[len] = 0;
		if (tag == WF_PROFILE)
			strcpy(profile, s);
		else if (tag == WF_STATE && profile[0])
			fn(profile, s, ctx), profile[0] = 0;
	}
	return 0;
}
