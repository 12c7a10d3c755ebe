/* status.c - `sesame status`: is the bus up, which roles are connected. */
#include "applets/applet.h"
#include "applets/status/status.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"
#include "lib/store/audit.h"
#include "lib/store/keyfile.h"
#include "lib/tpm2/tpm2.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/*APPLET status status_main "show whether the bus is up and which roles are connected"
usage: sesame status [--json] [--sandbox | --doctor[=LIST] [--output FORMAT] [--exit-code] [--quiet]]
       sesame status --rotate-keys

Asks daemon-profile over the bus for its version, uptime, the number of
connected clients and the roles connected to it, the profiles, and
daemon-secrets (when it is connected) for each vault and whether it is
locked (or unreadable: the file is there but does not open).  Exits 69
if daemon-profile is not running, 75 if it does not answer within 5 s,
or if daemon-secrets does not (what daemon-profile answered is shown).

  --rotate-keys
              new keys for the bus (bus.pub), the commands (cli.psk) and
              every role (keys/ROLE.key), nothing restarted: each
              connected role comes back with its new key, and the old
              keys are refused from then on
  --json      one JSON object instead of lines of text
  --sandbox   also, per running role: its pid, Landlock (and its ABI) and
              seccomp as the role reports them, and Seccomp and
              NoNewPrivs as the kernel shows them in /proc/PID/status
  --doctor[=LIST]
              instead, checks, each ok, warn or FAIL with a hint: the bus
              is up and daemon-secrets connected; per running role, how
              often it was restarted since daemon-profile started (warn
              from 1, fail past 3), its seccomp filter, no_new_privs,
              Landlock (as the role reports it to daemon-profile), core
              dumps off, nothing swapped out and its memory against its
              cgroup's limit (warn past half, fail at it); a role that
              was connected and went (warn); each vault opens, and its
              files are yours and 0600; the audit log's chain is whole
              (as audit verify checks it); daemon-input, if running,
              reads a keyboard (warn); the kernel's Landlock (its ABI),
              seccomp filters, memfd_secret and Yama ptrace_scope, with
              the kernel option to enable for what is missing.  Exits 1
              if a check fails (a warning does not fail), 0 otherwise;
              the bus being down is a failed check.
              LIST (or the next word, --doctor LIST) picks categories,
              comma-separated: daemon (the bus,
              daemon-secrets, restarts, roles gone), sandbox, memory
              (RSS, core dumps, swap, memfd_secret), vault (each vault,
              the audit log), platform (the kernel: Landlock, seccomp,
              memfd_secret; daemon-input's keyboards and layers), all (the default).
              With --json (or --output json): {"checks":[{"id",
              "category","status","value","hint"}],
              "summary":{"pass","warn","fail"}}
  --output FORMAT
              with --doctor: text (the default) or json (as --json)
  --exit-code with --doctor: exit 1 if a check fails, else 2 if one
              warns, else 0 (as the original's)
  -q, --quiet with --doctor: print nothing; implies --exit-code
*/

void status_proc_view(unsigned pid, struct proc_view *pv)
{
	char path[64], line[256], soft[32];
	FILE *f;

	pv->seccomp = pv->nnp = -1;
	pv->swap_kb = pv->rss_kb = pv->core = -1;
	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "Seccomp: %d", &pv->seccomp);
			sscanf(line, "NoNewPrivs: %d", &pv->nnp);
			sscanf(line, "VmSwap: %ld", &pv->swap_kb);
			sscanf(line, "VmRSS: %ld", &pv->rss_kb);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%u/limits", pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "Max core file size", 18) && sscanf(line + 18, " %31s", soft) == 1)
				pv->core = !strcmp(soft, "unlimited") ? -2 : strtol(soft, NULL, 10);
		fclose(f);
	}
}

/* A number of bytes in file (cgroup v2's memory.max, v1's
 * memory.limit_in_bytes), in KiB; 0 for "max", no limit or no file. */
static long long limit_file_kb(const char *file)
{
	unsigned long long v = 0;
	FILE *f = fopen(file, "re");

	if (f && fscanf(f, "%llu", &v) != 1)
		v = 0;
	if (f)
		fclose(f);
	return v >= 1ull << 62 ? 0 : (long long)(v / 1024);	/* v1 says "none" with 2^63 - 4096 */
}

/* The memory limit on pid's cgroup in KiB (systemd's MemoryMax=, a
 * container's limit), 0 if none is set or none can be read. */
long long status_cgroup_limit_kb(unsigned pid)
{
	char path[64], line[512], file[600];
	long long limit = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	if (!(f = fopen(path, "re")))
		return 0;
	while (!limit && fgets(line, sizeof(line), f)) {
		const char *cg;

		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "0::", 3)) {
			cg = line + 3;
			snprintf(file, sizeof(file), "/sys/fs/cgroup%s/memory.max", cg);
			if (!(limit = limit_file_kb(file))) {
				snprintf(file, sizeof(file), "/sys/fs/cgroup/unified%s/memory.max", cg);
				limit = limit_file_kb(file);
			}
		} else if ((cg = strstr(line, ":memory:"))) {
			snprintf(file, sizeof(file), "/sys/fs/cgroup/memory%s/memory.limit_in_bytes", cg + 8);
			limit = limit_file_kb(file);
		}
	}
	fclose(f);
	return limit;
}

static void sandbox_line(const char *role, unsigned pid, const char *state, int json, int *n)
{
	struct proc_view pv;

	status_proc_view(pid, &pv);
	if (json) {
		printf("%s\"%s\":{\"pid\":%u,\"sandbox\":", (*n)++ ? "," : "", role, pid);
		cli_json_str(stdout, state, strlen(state));
		printf(",\"seccomp\":%d,\"no_new_privs\":%d}", pv.seccomp, pv.nnp);
	} else {
		printf("sandbox %s: pid %u, %s (kernel: Seccomp %d, NoNewPrivs %d)\n", role, pid, state,
			pv.seccomp, pv.nnp);
	}
}

void status_json_str(const char *s)
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
		status_json_str(profile);
		putchar(':');
		status_json_str(state);
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
const char *status_error_text(const struct wire_msg *m, char *text, size_t n)
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
	char def[PROFILE_BUF] = "", name[PROFILE_BUF] = "", text[256];
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	int n = 0;

	if (status_error_text(&m, text, sizeof(text))) {
		complain("status: profiles: %s", text);
		return;
	}
	wire_get_str(&m, WF_DEFAULT, def, sizeof(def));
	printf(json ? ",\"default_profile\":" : "default profile: ");
	if (json)
		status_json_str(def);
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
				status_json_str(name);
			} else {
				printf(" %s", name);
				n++;
			}
		}
	}
	printf(json ? "]" : n ? "\n" : " none\n");
}

/* sesame status --rotate-keys: the hub makes new keys, and says which
 * roles it told to come back with theirs. */
static int rotate_keys(void)
{
	struct cli_io *io = xcli_io();
	struct bus_client *c;
	struct wire_msg m;
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	int n = 0;

	wire_begin(&io->req, WIRE_ROTATE_KEYS, WIRE_F_LAST, 0);
	c = xcli_ask(io, &m);
	printf("Keys rotated: the bus's, the commands' and every role's.\n");
	while (wire_next(&m, &pos, &tag, &v, &len))
		if (tag == WF_ROLE)
			printf("%sdaemon-%.*s", n++ ? ", " : "Told to reconnect with its new key: ", (int)len,
				(const char *)v);
	printf(n ? ".\n" : "No role was connected.\n");
	cli_done(c, io, &m);
	return fflush(stdout) ? 1 : 0;
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
	struct cli_role r[CLI_MAX_ROLES];
	size_t nr, ngone;
	uint64_t up = 0;
	uint32_t clients = 0;
	int json = 0, has_secrets = 0, sandbox = 0, doc = 0, stuck = 0, exit_code = 0, quiet = 0;
	unsigned catmask;
	const char *cats = NULL, *output = NULL;

	int o, rotate = 0;

	while ((o = getopt_long(argc, argv, OPTSTR_status, longopts_status, NULL)) != -1) {
		switch (o) {
		case OPT_JSON: json = 1; break;
		case OPT_SANDBOX: sandbox = 1; break;
		case OPT_ROTATE_KEYS: rotate = 1; break;
		case OPT_DOCTOR:
			doc = 1;
			cats = optarg;
			/* --doctor LIST, as the original takes it */
			if (!cats && optind < argc && argv[optind][0] != '-')
				cats = argv[optind++];
			break;
		case OPT_OUTPUT: output = optarg; break;
		case OPT_EXIT_CODE: exit_code = 1; break;
		case 'q': quiet = exit_code = 1; break;
		default: usage_option("status", argv, o, longopts_status);
		}
	}
	if (optind < argc)
		usage_error("status", "unexpected argument '%s'", argv[optind]);
	if (rotate && argc != 2)
		usage_error("status", "--rotate-keys goes alone");
	if (rotate)
		return rotate_keys();
	if (sandbox && doc)
		usage_error("status", "--doctor checks the sandbox already; give one of --sandbox and --doctor");
	if ((output || exit_code) && !doc)
		usage_error("status", "--output, --exit-code and --quiet go with --doctor");
	if (output && !strcmp(output, "json"))
		json = 1;
	else if (output && strcmp(output, "text"))
		usage_error("status", "--output: text or json, not '%s'", output);
	catmask = status_doctor_categories(cats);
	if (paths_resolve(&p) < 0)
		die("%s", last_error());
	/* --doctor reports a bus it cannot reach as a failed check. */
	if ((c = bus_connect(&p, NULL, BUS_CLI_TIMEOUT_MS))) {
		wire_begin(&req[0], WIRE_STATUS, 0, 0);
		wire_begin(&req[1], WIRE_PROFILE_LIST, 0, 0);
		/* Nothing follows, but for the doctor's question to daemon-input. */
		wire_begin(&req[2], WIRE_VAULT_STATUS, doc ? 0 : WIRE_F_LAST, 0);
		if (bus_pipeline(c, reqs, bufs, replies, 3, BUS_CLI_TIMEOUT_MS) < 0) {
			static struct wire_out err;

			if (last_code() == ERR_TIMEOUT && replies[0].type != 0xff &&
			    replies[1].type != 0xff && replies[2].type == 0xff) {
				/* The hub answered; daemon-secrets is stuck.  Its
				 * silence becomes an error reply, shown where its
				 * answer would be. */
				stuck = 1;
				wire_error(&err, NULL, WIRE_E_TIMEOUT, last_error());
				if (wire_end(&err) < 0 || wire_decode(err.buf, err.len, &replies[2]) < 0)
					die("status: %s", last_error());
			} else {
				if (!doc)
					die_code(last_exit(), "status: %s", last_error());
				bus_close(c);
				c = NULL;
			}
		}
	}
	if (doc)
		return status_doctor(&p, c, replies, json, exit_code, quiet, catmask);
	if (!c)
		die_code(last_exit(), "%s", last_error());
	m = replies[0];
	if (status_error_text(&m, text, sizeof(text)))
		die("status: %s", text);
	wire_get_str(&m, WF_VERSION, version, sizeof(version));
	wire_get_u64(&m, WF_UPTIME_MS, &up);
	wire_get_u32(&m, WF_CLIENTS, &clients);
	if (json) {
		printf("{\"bus\":\"up\",\"version\":");
		status_json_str(version);
		printf(",\"uptime_ms\":%llu,\"clients\":%u,\"roles\":[\"profile\"",
			(unsigned long long)up, clients);
	} else {
		printf("bus: up\nversion: %s\nuptime: %llu.%03llus\nclients: %u\nroles: profile",
			version, (unsigned long long)(up / 1000), (unsigned long long)(up % 1000), clients);
	}
	nr = cli_hub_roles(&m, &replies[2], r, &ngone);
	for (size_t i = 0; i < nr; i++) {
		has_secrets |= !strcmp(r[i].name, "secrets");
		if (json) {
			putchar(',');
			status_json_str(r[i].name);
		} else {
			printf(" %s", r[i].name);
		}
	}
	printf(json ? "]" : "\n");
	profiles(&replies[1], json);
	if (has_secrets && !status_error_text(&replies[2], text, sizeof(text)))
		vaults(&replies[2], json);
	else if (has_secrets)
		complain("status: vaults: %s", text);
	if (sandbox) {
		char state[96] = "?";
		uint32_t pid = 0;
		int n = 0;

		printf(json ? ",\"sandbox\":{" : "");
		wire_get_u32(&replies[0], WF_PID, &pid);
		wire_get_str(&replies[0], WF_SANDBOX, state, sizeof(state));
		sandbox_line("profile", pid, state, json, &n);
		for (size_t i = 0; i < nr; i++)
			if (r[i].pid)
				sandbox_line(r[i].name, r[i].pid, r[i].sandbox[0] ? r[i].sandbox : "not reported",
					json, &n);
		printf(json ? "}" : "");
	}
	printf(json ? "}\n" : "");
	bus_close(c);
	if (fflush(stdout))
		return 1;
	return stuck ? EXIT_TIMEOUT : 0;
}
