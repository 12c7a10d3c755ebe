/* status.c - `sesame status`: is the bus up, which roles are connected. */
#include "../lib/applet.h"
#include "../lib/bus.h"
#include "../lib/cli.h"
#include "../lib/paths.h"
#include "../lib/util.h"

#include <stdio.h>
#include <string.h>

/*APPLET status status_main "show whether the bus is up and which roles are connected"
usage: sesame status [--json] [--sandbox]

Asks daemon-profile over the bus for its version, uptime, the number of
connected clients and the roles connected to it, the profiles, and
daemon-secrets (when it is connected) for each vault and whether it is
locked.  Exits 69 if daemon-profile is not running, 75 if it does not
answer within 5 s.

  --json      one JSON object instead of lines of text
  --sandbox   also, per running role: its pid, Landlock (and its ABI) and
              seccomp as the role reports them, and Seccomp and
              NoNewPrivs as the kernel shows them in /proc/PID/status
*/

/* "Seccomp:" and "NoNewPrivs:" of a process, -1 if unknown. */
static void proc_status(unsigned pid, int *seccomp, int *nnp)
{
	char path[64], line[256];
	FILE *f;

	*seccomp = *nnp = -1;
	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "Seccomp: %d", seccomp);
		sscanf(line, "NoNewPrivs: %d", nnp);
	}
	fclose(f);
}

static void sandbox_line(const char *role, unsigned pid, const char *state, int json, int *n)
{
	int sc, nnp;

	proc_status(pid, &sc, &nnp);
	if (json) {
		printf("%s\"%s\":{\"pid\":%u,\"sandbox\":", (*n)++ ? "," : "", role, pid);
		cli_json_str(stdout, state, strlen(state));
		printf(",\"seccomp\":%d,\"no_new_privs\":%d}", sc, nnp);
	} else {
		printf("sandbox %s: pid %u, %s (kernel: Seccomp %d, NoNewPrivs %d)\n", role, pid, state, sc, nnp);
	}
}

static void json_str(const char *s)
{
	cli_json_str(stdout, s, strlen(s));
}

/* Vaults and their state, from daemon-secrets. */
struct vault_out {
	int json, n;
};

static void print_vault(const char *profile, const char *state, void *ctx)
{
	struct vault_out *o = ctx;

	if (o->json) {
		printf(o->n++ ? "," : "");
		json_str(profile);
		putchar(':');
		json_str(state);
	} else {
		printf(" %s (%s)", profile, state);
	}
}

static void vaults(const struct wire_msg *m, int json)
{
	struct vault_out o = { json, 0 };

	printf(json ? ",\"vaults\":{" : "vaults:");
	cli_vault_states_parse(m, print_vault, &o);
	printf(json ? "}" : "\n");
}

/* An error reply's text, or NULL if m is not an error. */
static const char *error_text(const struct wire_msg *m, char *text, size_t n)
{
	if (m->type != WIRE_ERROR)
		return NULL;
	if (wire_get_str(m, WF_TEXT, text, n) < 0)
		snprintf(text, n, "failed");
	return text;
}

/* Profiles and whether they are active, from daemon-profile. */
static void profiles(const struct wire_msg *mp, int json)
{
	struct wire_msg m = *mp;
	char def[65] = "", name[65] = "", text[256];
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	int n = 0;

	if (error_text(&m, text, sizeof(text))) {
		complain("status: profiles: %s", text);
		return;
	}
	wire_get_str(&m, WF_DEFAULT, def, sizeof(def));
	printf(json ? ",\"default_profile\":" : "default profile: ");
	if (json)
		json_str(def);
	else
		printf("%s\n", def);
	printf(json ? ",\"active_profiles\":[" : "active profiles:");
	while (wire_next(&m, &pos, &tag, &v, &len)) {
		if (tag == WF_PROFILE && len < sizeof(name) && !memchr(v, 0, len)) {
			memcpy(name, v, len);
			name[len] = 0;
		} else if (tag == WF_STATE && len == 6 && !memcmp(v, "active", 6) && name[0]) {
			if (json) {
				printf(n++ ? "," : "");
				json_str(name);
			} else {
				printf(" %s", name);
				n++;
			}
		}
	}
	printf(json ? "]" : n ? "\n" : " none\n");
}

int status_main(int argc, char **argv)
{
	/* Three questions in one round trip: the hub, the profiles, the vaults. */
	static uint8_t buf[3][WIRE_MAX_MESSAGE];
	static struct wire_out req[3];
	struct wire_out *reqs[3] = { &req[0], &req[1], &req[2] };
	uint8_t *bufs[3] = { buf[0], buf[1], buf[2] };
	struct wire_msg replies[3], m;
	char text[256];
	struct bus_client *c;
	struct paths p;
	char version[64] = "?";
	uint64_t up = 0;
	uint32_t clients = 0;
	int json = 0, has_secrets = 0, sandbox = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--sandbox"))
			sandbox = 1;
		else
			usage_error("status", "unexpected argument '%s'", argv[i]);
	}
	if (paths_resolve(&p) < 0)
		die("%s", last_error());
	if (!(c = bus_connect(&p, NULL, BUS_CLI_TIMEOUT_MS)))
		die_code(bus_error_exit(), "%s", last_error());
	wire_begin(&req[0], WIRE_STATUS, 0, 0);
	wire_begin(&req[1], WIRE_PROFILE_LIST, 0, 0);
	wire_begin(&req[2], WIRE_VAULT_STATUS, 0, 0);
	if (bus_pipeline(c, reqs, bufs, replies, 3, BUS_CLI_TIMEOUT_MS) < 0)
		die_code(bus_error_exit(), "status: %s", last_error());
	m = replies[0];
	if (error_text(&m, text, sizeof(text)))
		die("status: %s", text);
	wire_get_str(&m, WF_VERSION, version, sizeof(version));
	wire_get_u64(&m, WF_UPTIME_MS, &up);
	wire_get_u32(&m, WF_CLIENTS, &clients);
	if (json) {
		printf("{\"bus\":\"up\",\"version\":");
		json_str(version);
		printf(",\"uptime_ms\":%llu,\"clients\":%u,\"roles\":[\"profile\"",
			(unsigned long long)up, clients);
	} else {
		printf("bus: up\nversion: %s\nuptime: %llu.%03llus\nclients: %u\nroles: profile",
			version, (unsigned long long)(up / 1000), (unsigned long long)(up % 1000), clients);
	}
	{
		size_t pos = 0;
		uint16_t tag, len;
		const uint8_t *v;

		while (wire_next(&m, &pos, &tag, &v, &len)) {
			char role[32];

			if (tag != WF_ROLE || len >= sizeof(role) || memchr(v, 0, len))
				continue;
			memcpy(role, v, len);
			role[len] = 0;
			has_secrets |= !strcmp(role, "secrets");
			if (json) {
				putchar(',');
				json_str(role);
			} else {
				printf(" %s", role);
			}
		}
	}
	printf(json ? "]" : "\n");
	profiles(&replies[1], json);
	if (has_secrets && !error_text(&replies[2], text, sizeof(text)))
		vaults(&replies[2], json);
	else if (has_secrets)
		complain("status: vaults: %s", text);
	if (sandbox) {
		char state[96] = "?";
		uint32_t pid = 0;
		size_t pos = 0;
		uint16_t tag, len;
		const uint8_t *v;
		char role[32] = "";
		int n = 0;

		printf(json ? ",\"sandbox\":{" : "");
		wire_get_u32(&replies[0], WF_PID, &pid);
		wire_get_str(&replies[0], WF_SANDBOX, state, sizeof(state));
		sandbox_line("profile", pid, state, json, &n);
		if (has_secrets && replies[2].type != WIRE_ERROR) {
			strcpy(state, "?");
			pid = 0;
			wire_get_u32(&replies[2], WF_PID, &pid);
			wire_get_str(&replies[2], WF_SANDBOX, state, sizeof(state));
			sandbox_line("secrets", pid, state, json, &n);
		}
		/* Other roles report nothing yet: the kernel's view alone.  Each
		 * WF_ROLE is followed by that role's WF_PID. */
		m = replies[0];
		while (wire_next(&m, &pos, &tag, &v, &len)) {
			if (tag == WF_ROLE && len < sizeof(role) && !memchr(v, 0, len)) {
				memcpy(role, v, len);
				role[len] = 0;
			} else if (tag == WF_PID && len == 4 && role[0] && strcmp(role, "secrets")) {
				pid = (uint32_t)wire_uint(v, len);
				sandbox_line(role, pid, "not reported", json, &n);
				role[0] = 0;
			}
		}
		printf(json ? "}" : "");
	}
	printf(json ? "}\n" : "");
	bus_close(c);
	return fflush(stdout) ? 1 : 0;
}
