/* status.c - `sesame status`: is the bus up, which roles are connected. */
#include "applets/applet.h"
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/*APPLET status status_main "show whether the bus is up and which roles are connected"
usage: sesame status [--json] [--sandbox | --doctor[=LIST] [--exit-code] [--quiet]]
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
  --doctor    instead, checks, each ok, warn or FAIL with a hint: the bus
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
              the kernel option to enable for what is missing.  Exits 1 if a check fails (a warning
              does not fail), 0 otherwise; the bus being down is a
              failed check.
              LIST picks categories, comma-separated: daemon (the bus,
              daemon-secrets, restarts, roles gone), sandbox, memory
              (RSS, core dumps, swap, memfd_secret), vault (each vault,
              the audit log), platform (the kernel: Landlock, seccomp,
              memfd_secret; daemon-input's keyboards), all (the default).
              With --json (or --output json): {"checks":[{"id",
              "category","status","value","hint"}],
              "summary":{"pass","warn","fail"}}
  --exit-code with --doctor: exit 1 if a check fails, else 2 if one
              warns, else 0 (as the original's)
  --quiet, -q with --doctor: print nothing; implies --exit-code
*/

/* A process as the kernel shows it in /proc; -1 where unknown. */
struct proc_view {
	int seccomp, nnp;
	long swap_kb, rss_kb;
	long core;	/* RLIMIT_CORE soft limit; -2 unlimited */
};

static void proc_view(unsigned pid, struct proc_view *pv)
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
static long long cgroup_limit_kb(unsigned pid)
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

	proc_view(pid, &pv);
	if (json) {
		printf("%s\"%s\":{\"pid\":%u,\"sandbox\":", (*n)++ ? "," : "", role, pid);
		cli_json_str(stdout, state, strlen(state));
		printf(",\"seccomp\":%d,\"no_new_privs\":%d}", pv.seccomp, pv.nnp);
	} else {
		printf("sandbox %s: pid %u, %s (kernel: Seccomp %d, NoNewPrivs %d)\n", role, pid, state,
			pv.seccomp, pv.nnp);
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
	char def[PROFILE_BUF] = "", name[PROFILE_BUF] = "", text[256];
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

/* --- status --doctor --- */
enum { PASS, WARN, FAIL };
/* The categories a check belongs to, as --doctor=LIST names them. */
enum { C_DAEMON = 1, C_SANDBOX = 2, C_MEMORY = 4, C_VAULT = 8, C_PLATFORM = 16, C_ALL = 31 };
static const char *const category_name[] = { "daemon", "sandbox", "memory", "vault", "platform" };
static struct {
	int json, n, quiet;
	unsigned cats;		/* the categories asked for */
	int count[3];
} dr;

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/* A check's category, from its id. */
static unsigned category_of(const char *id)
{
	if (!strcmp(id, "bus") || !strncmp(id, "roles.", 6) || ends_with(id, ".restarts") ||
	    ends_with(id, ".running"))
		return C_DAEMON;
	if (!strncmp(id, "vault.", 6) || !strncmp(id, "audit.", 6))
		return C_VAULT;
	if (!strcmp(id, "kernel.memfd_secret"))
		return C_MEMORY | C_PLATFORM;	/* memory, and what the kernel offers */
	if (ends_with(id, ".core_dumps") || ends_with(id, ".swap") || ends_with(id, ".memory"))
		return C_MEMORY;
	if (!strncmp(id, "kernel.", 7) || !strcmp(id, "input.keyboards") || !strncmp(id, "tpm2.", 5))
		return C_PLATFORM;
	return C_SANDBOX;	/* ROLE.seccomp, .no_new_privs, .landlock, launcher.sandbox */
}

/* --doctor=LIST: a comma-separated list of categories, or "all". */
static unsigned doctor_categories(const char *list)
{
	char word[32];
	unsigned cats = 0;

	if (!list || !*list)
		return C_ALL;
	for (const char *p = list; *p; ) {
		size_t n = strcspn(p, ",");
		unsigned c = 0;

		snprintf(word, sizeof(word), "%.*s", (int)(n < sizeof(word) - 1 ? n : sizeof(word) - 1), p);
		if (!strcmp(word, "all"))
			c = C_ALL;
		for (size_t i = 0; i < ARRAY_LEN(category_name); i++)
			if (!strcmp(word, category_name[i]))
				c = 1u << i;
		if (!c)
			usage_error("status", "--doctor: unknown category '%s' (daemon, sandbox, memory, vault, "
				"platform, all)", word);
		cats |= c;
		p += n + (p[n] == ',');
	}
	return cats;
}

/* One check: its id (ROLE.what or kernel.what), the finding, and for a
 * warning or a failure what to do about it. */
static void check(int st, const char *id, const char *hint, const char *fmt, ...) PRINTF(4, 5);
static void check(int st, const char *id, const char *hint, const char *fmt, ...)
{
	static const char *const mark[] = { "ok", "warn", "FAIL" }, *const word[] = { "pass", "warn", "fail" };
	char value[256];
	va_list ap;

	unsigned cat = category_of(id);
	size_t ci = 0;

	if (!(dr.cats & cat))
		return;
	while (!(1u << ci & cat & dr.cats))	/* the first of its categories asked for */
		ci++;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	dr.count[st]++;
	if (dr.quiet)
		return;
	if (dr.json) {
		printf("%s{\"id\":", dr.n++ ? "," : "");
		json_str(id);
		printf(",\"category\":\"%s\",\"status\":\"%s\",\"value\":", category_name[ci], word[st]);
		json_str(value);
		if (st != PASS && hint) {
			printf(",\"hint\":");
			json_str(hint);
		}
		putchar('}');
	} else {
		printf("%-4s %-24s %s\n", mark[st], id, value);
		if (st != PASS && hint)
			printf("     %s\n", hint);
	}
}

/* A confined role, from the kernel's view of its process and, where the
 * role reports it ("landlock=abiN seccomp=on"), its own. */
static void doctor_confined(const char *role, unsigned pid, const struct proc_view *pv, const char *reported)
{
	char id[48];
	const char *ll;

	snprintf(id, sizeof(id), "%s.seccomp", role);
	if (pv->seccomp == 2)
		check(PASS, id, NULL, "filter on (pid %u)", pid);
	else if (pv->seccomp < 0)
		check(WARN, id, "run this as the user the daemons run as", "cannot read /proc/%u/status", pid);
	else
		check(FAIL, id, "the role runs without its syscall filter: see its log (global.sandbox = "
			"\"best-effort\" lets it start so)", "no filter (Seccomp %d, pid %u)", pv->seccomp, pid);
	snprintf(id, sizeof(id), "%s.no_new_privs", role);
	if (pv->nnp >= 0)
		check(pv->nnp == 1 ? PASS : WARN, id, "the role could gain privileges by exec", "%s",
			pv->nnp == 1 ? "set" : "not set");
	if (reported && (ll = strstr(reported, "landlock="))) {
		snprintf(id, sizeof(id), "%s.landlock", role);
		if (!strncmp(ll + 9, "abi", 3))
			check(PASS, id, NULL, "on, ABI %d", atoi(ll + 12));
		else
			check(WARN, id, "this kernel has no Landlock, or it is not among the LSMs it enables "
				"(lsm= on its command line): the role's file access is not confined", "off");
	}
	snprintf(id, sizeof(id), "%s.core_dumps", role);
	if (pv->core == 0)
		check(PASS, id, NULL, "off");
	else if (pv->core != -1)
		check(WARN, id, "a crash could write the role's memory to disk", "core file size %s",
			pv->core == -2 ? "unlimited" : "not 0");
}

/* A running role.  (daemon-launcher too: the applications it starts are
 * started by its unconfined spawner, and inherit nothing of its sandbox.) */
static void doctor_role(const char *role, unsigned pid, const char *reported)
{
	struct proc_view pv;
	char id[48];

	proc_view(pid, &pv);
	doctor_confined(role, pid, &pv, reported);
	snprintf(id, sizeof(id), "%s.memory", role);
	if (pv.rss_kb >= 0) {
		long long limit = cgroup_limit_kb(pid);
		const char *hint = "near the memory limit on its cgroup the kernel kills the role: raise it "
			"(systemd's MemoryMax=, the container's limit)";

		if (!limit)
			check(PASS, id, NULL, "RSS %.1f MiB, no cgroup limit", pv.rss_kb / 1024.0);
		else
			check(pv.rss_kb >= limit ? FAIL : pv.rss_kb >= limit / 2 ? WARN : PASS, id, hint,
				"RSS %.1f MiB of its cgroup's %.1f MiB", pv.rss_kb / 1024.0, limit / 1024.0);
	}
	snprintf(id, sizeof(id), "%s.swap", role);
	if (pv.swap_kb == 0)
		check(PASS, id, NULL, "nothing swapped out");
	else if (pv.swap_kb > 0)
		check(WARN, id, "keys and values live in locked memory, never swapped; the rest of the "
			"role can be: encrypted swap keeps it off the disk in clear", "%ld KiB swapped out", pv.swap_kb);
}

/* "3h 2m": a duration, in its two largest units. */
static const char *duration(uint64_t ms, char *buf, size_t size)
{
	unsigned long long s = ms / 1000;

	if (s < 60)
		snprintf(buf, size, "%llus", s);
	else if (s < 3600)
		snprintf(buf, size, "%llum %llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lluh %llum", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%llud %lluh", s / 86400, s % 86400 / 3600);
	return buf;
}

/* A connected role's reconnections since daemon-profile started: a role
 * that keeps coming back is being restarted, by hand or by a supervisor
 * after it exited.  As the original grades systemd's NRestarts: none
 * passes, up to 3 warn, more fail.  (A hub that does not count says 0.) */
static void doctor_restarts(const struct cli_role *r)
{
	char id[48], t[32];
	uint32_t n = r->connects ? r->connects - 1 : 0;

	if (!r->connects)
		return;
	snprintf(id, sizeof(id), "%.31s.restarts", r->name);
	check(n == 0 ? PASS : n <= 3 ? WARN : FAIL, id, "it connected again after it went: it was "
		"restarted, by hand or by its supervisor after it exited; its log says why",
		"%u; connected for %s", n, duration(r->since_ms, t, sizeof(t)));
}

/* A role that was connected and is not: it exited (or lost the bus) and
 * nothing started it again. */
static void doctor_gone(const struct cli_role *r)
{
	char id[48], t[32];

	snprintf(id, sizeof(id), "%.31s.running", r->name);
	check(WARN, id, "it exited or lost the bus: its log says why; under an init system its "
		"service restarts it", "not connected for %s (it connected %u time%s)",
		duration(r->since_ms, t, sizeof(t)), r->connects, r->connects == 1 ? "" : "s");
}

/* daemon-input, when it is connected: whether it reads a keyboard.  (The
 * original checked that the user is in the input group; the role knows
 * what it can open, ACLs and logind included.) */
static void doctor_input(struct bus_client *c)
{
	static uint8_t buf[WIRE_MAX_MESSAGE];
	static struct wire_out req;
	struct wire_msg m;
	char text[256] = "";
	size_t pos = 0, n = 0;
	uint16_t len;
	const uint8_t *v;

	wire_begin(&req, WIRE_INPUT_STATUS, 0, 0);
	if (wire_end(&req) < 0 || bus_request(c, &req, buf, &m, BUS_CLI_TIMEOUT_MS) < 0) {
		check(FAIL, "input.keyboards", "daemon-input is connected but does not answer: its log may "
			"say why", "%s", last_error());
		return;
	}
	if (error_text(&m, text, sizeof(text))) {
		check(FAIL, "input.keyboards", NULL, "daemon-input answered: %s", text);
		return;
	}
	while (wire_next_tag(&m, &pos, WF_DEVICE, &v, &len))
		n++;
	if (n) {
		check(PASS, "input.keyboards", NULL, "%zu device%s read", n, n == 1 ? "" : "s");
		return;
	}
	wire_get_str(&m, WF_TEXT, text, sizeof(text));
	check(WARN, "input.keyboards", "key bindings need a keyboard daemon-input can read: add its user "
		"to the input group", "%s", text[0] ? text : "no keyboard to read");
}

/* What the kernel offers every role. */
static void doctor_kernel(void)
{
	struct utsname u;
	char scope[16] = "";
	FILE *f;

	int abi;

	if (uname(&u) == 0)
		check(PASS, "kernel.version", NULL, "%s", u.release);
	if ((abi = sandbox_landlock_abi()) > 0)
		check(PASS, "kernel.landlock", NULL, "ABI %d", abi);
	else
		check(sandbox_default_best_effort() ? WARN : FAIL, "kernel.landlock", "the roles refuse to start "
			"without it unless global.sandbox = \"best-effort\" (built with SANDBOX_DEFAULT=" SANDBOX_DEFAULT
			")", "%s", last_error());
	if (sandbox_seccomp_available())
		check(PASS, "kernel.seccomp", NULL, "filters available");
	else
		check(sandbox_default_best_effort() ? WARN : FAIL, "kernel.seccomp", "the roles refuse to start "
			"without it unless global.sandbox = \"best-effort\"", "%s", last_error());
	if (secmem_secret_available())
		check(PASS, "kernel.memfd_secret", NULL, "available: keys are out of the kernel's direct map");
	else
		check(WARN, "kernel.memfd_secret", "secure memory falls back to mlock()ed pages, which the "
			"kernel and root can read; memfd_secret needs Linux 5.14 built with CONFIG_SECRETMEM "
			"(and secretmem.enable=1 before 6.5)", "unavailable (%s)", strerror(errno));
	if ((f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re"))) {
		if (!fgets(scope, sizeof(scope), f))
			scope[0] = 0;
		fclose(f);
		scope[strcspn(scope, "\n")] = 0;
	}
	if (!scope[0])
		check(WARN, "kernel.ptrace_scope", "the roles are not dumpable, so no other process of "
			"yours can attach to them; Yama would also keep one from attaching to a command",
			"no Yama");
	else if (atoi(scope) >= 1)
		check(PASS, "kernel.ptrace_scope", NULL, "%s", scope);
	else
		check(WARN, "kernel.ptrace_scope", "the roles are not dumpable, so no other process of "
			"yours can attach to them, but any can attach to a command: set "
			"kernel.yama.ptrace_scope = 1", "%s", scope);
}

/* A vault, from daemon-secrets' list.  daemon-secrets checks a vault's
 * mode when it opens it; one made readable to others since is seen here
 * (the database, or its WAL or shared memory next to it). */
static void doctor_vault(const char *profile, const char *state, void *ctx)
{
	static const char *const suffix[] = { ".db", ".db-wal", ".db-shm" };
	const struct paths *p = ctx;
	char id[80], hint[200], name[96], path[PATH_MAX];
	struct stat st;

	snprintf(id, sizeof(id), "vault.%s", profile);
	for (size_t i = 0; i < ARRAY_LEN(suffix); i++) {
		snprintf(name, sizeof(name), "vaults/%s%s", profile, suffix[i]);
		if (paths_join(path, p->data, name) < 0 || lstat(path, &st) < 0)
			continue;
		if (st.st_uid != geteuid() || (st.st_mode & 077)) {
			check(FAIL, id, "others can copy the sealed vault and attack its password offline: "
				"chown it to the daemons' user and chmod 600 it", "%s: mode %04o, uid %u (want "
				"0600, uid %u)", name + 7,
				(unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)geteuid());
			return;
		}
	}
	if (strcmp(state, "unreadable")) {
		check(PASS, id, NULL, "%s", state);
		return;
	}
	snprintf(hint, sizeof(hint), "the file does not open: 'sesame unlock -p %s' says why (damaged, "
		"not a vault, or open to others)", profile);
	check(FAIL, id, hint, "unreadable");
}

/* The vaults daemon-secrets has, for doctor_factors once they are listed. */
static char (*vault_names)[PROFILE_BUF];
static size_t nvault_names;

static void note_vault(const char *profile, const char *state, void *ctx)
{
	doctor_vault(profile, state, ctx);
	if (strlen(profile) < PROFILE_BUF && nvault_names < CLI_MAX_PROFILES) {
		if (!vault_names)
			vault_names = xcalloc(CLI_MAX_PROFILES, sizeof(*vault_names));
		strcpy(vault_names[nvault_names++], profile);
	}
}

/* A vault's factors, and whether its machine factors would open it now:
 * the TPM's PCRs still at the sealed values, the key file readable.
 * *uses_tpm: set if it has a TPM2 factor. */
static void doctor_factors(struct bus_client *c, const char *profile, int *uses_tpm)
{
	struct cli_auth *a = xmalloc(sizeof(*a));
	char id[96], desc[256] = "", hint[256] = "";
	int st = PASS;

	snprintf(id, sizeof(id), "vault.%s.factors", profile);
	if (cli_vault_auth(c, profile, a) < 0) {
		check(WARN, id, NULL, "cannot read them: %s", last_error());
		free(a);
		return;
	}
	snprintf(desc, sizeof(desc), "policy %s:%s%s", a->all ? "all" : "any", a->password ? " password" : "",
		a->ssh ? " ssh-key" : "");
	if (a->tpm2) {
		struct tpm2_sealed *s = xmalloc(sizeof(*s));
		char pcrs[96], ch[96];
		uint32_t changed = 0;

		*uses_tpm = 1;
		if (tpm2_data_parse(a->tpm2_data, a->tpm2_len, s) < 0) {
			st = FAIL;
			snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), " tpm2 (damaged: %.100s)", last_error());
		} else {
			tpm2_pcrs_format(s->pcrs, pcrs, sizeof(pcrs));
			if (tpm2_pcrs_changed(s, &changed) < 0) {
				st = WARN;
				snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), " tpm2 (PCRs %s: cannot read "
					"them: %.100s)", pcrs, last_error());
				snprintf(hint, sizeof(hint), "the TPM factor cannot unlock %s now; see tpm2.device", profile);
			} else if (changed) {
				st = WARN;
				tpm2_pcrs_format(changed, ch, sizeof(ch));
				snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), " tpm2 (PCR %s CHANGED)", ch);
				snprintf(hint, sizeof(hint), "the TPM will not unseal: unlock %s by another factor, then "
					"sesame tpm2 enroll -p %s to seal to the new values", profile, profile);
			} else {
				snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), " tpm2 (PCRs %s%s: %s)", pcrs,
					s->pin ? ", PIN" : "", s->pcrs ? "match" : "not bound to PCRs");
			}
		}
		free(s);
	}
	if (a->keyfile) {
		uint8_t *k = keyfile_read(a->keyfile_path);

		snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), " keyfile %.100s (%s)", a->keyfile_path,
			k ? "readable" : "NOT READABLE");
		if (!k && st == PASS) {
			st = WARN;
			snprintf(hint, sizeof(hint), "%.200s", last_error());
		}
		secmem_free(k);
	}
	check(st, id, hint, "%s", desc);
	free(a);
}

/* The TPM, when this sesame can use one: present, whose, its SHA-256
 * bank, its dictionary-attack state. */
static void doctor_tpm(int needed)
{
	struct tpm2_info i;

	if (!tpm2_available()) {
		check(needed ? FAIL : PASS, "tpm2.device", "a vault has a TPM2 factor: this sesame needs tpm2-tss "
			"(Debian: libtss2-esys-3.0.2-0 libtss2-tctildr0 libtss2-tcti-device0)", "%s", last_error());
		return;
	}
	if (tpm2_info(&i) < 0) {
		check(needed ? FAIL : PASS, "tpm2.device", needed ? "a vault has a TPM2 factor; without the TPM, "
			"its other factors open it" : NULL, "%s%s", last_error(), needed ? "" : " (no vault uses one)");
		return;
	}
	if (i.lockout)
		check(WARN, "tpm2.device", "wrong PINs put the TPM in lockout; it recovers after its recovery "
			"time, or tpm2_dictionarylockout --clear-lockout", "%s at %s: IN LOCKOUT (%u of %u failures, "
			"recovery %u s)", i.manufacturer, i.tcti, i.failures, i.max_failures, i.recovery_s);
	else if (!i.sha256_bank)
		check(needed ? FAIL : WARN, "tpm2.device", "sesame seals to the SHA-256 bank: tpm2_pcrallocate "
			"sha256:all", "%s at %s: no SHA-256 PCR bank", i.manufacturer, i.tcti);
	else
		check(PASS, "tpm2.device", NULL, "%s at %s: SHA-256 bank, not in lockout (%u of %u failures)",
			*i.manufacturer ? i.manufacturer : "?", i.tcti, i.failures, i.max_failures);
}

/* The audit log, read here: its chain whole through the rotated files. */
static void doctor_audit(const struct paths *p, int has_secrets)
{
	char path[PATH_MAX];
	struct audit_chain c;
	int rc;

	if (paths_join(path, p->data, "audit.jsonl") < 0)
		return;
	rc = audit_verify_chain(path, &c);
	if (rc < 0 && errno == ENOENT && !strcmp(c.file, path)) {
		if (has_secrets)
			check(WARN, "audit.log", "daemon-secrets logs its start: the log was removed; its "
				"next line starts a new one", "there is none at %s", path);
		else
			check(PASS, "audit.log", NULL, "none yet at %s", path);
	} else if (rc < 0) {
		check(FAIL, "audit.log", "the log must be readable by the user the daemons run as",
			"%s: %s", c.file, last_error());
	} else if (rc) {
		check(FAIL, "audit.log", "'sesame audit verify' names the break: a line was edited, removed "
			"or moved, or the log was cut", "broken at %s line %ld", c.file, c.r.bad_line);
	} else if (c.lost) {
		check(WARN, "audit.log", "the disk was full, or the log could not grow: make room, or set "
			"global.audit.required to refuse what cannot be audited", "chained, but %llu entr%s could "
			"not be written (first gap before entry %llu)", c.lost, c.lost == 1 ? "y" : "ies", c.lost_seq);
	} else {
		check(PASS, "audit.log", NULL, "intact: %ld entries, %zu file%s, %lld KiB%s", c.lines, c.files,
			c.files == 1 ? "" : "s", (c.bytes + 1023) / 1024,
			c.torn ? "; a torn end (a crash) was cut off: sesame audit verify says where" : "");
	}
}

/* Reply 0 (the hub's status) names each role and its pid, the hub's own
 * pid first; replies 0 and 2 carry what the hub and daemon-secrets report
 * of their sandbox. */
static int doctor(const struct paths *p, struct bus_client *c, struct wire_msg *replies, int json,
	int exit_code)
{
	struct cli_role r[CLI_MAX_ROLES];
	char version[64] = "?", state[96], roles[8 + CLI_MAX_ROLES * sizeof(r->name)] = "profile", text[256];
	uint32_t pid = 0, clients = 0;
	int has_secrets = 0, secrets_gone = 0, uses_tpm = 0;
	size_t nr, ngone;

	unsigned asked = dr.cats;

	dr.json = json;
	if (!dr.quiet)
		printf(json ? "{\"checks\":[" : "");
	if (!c) {
		/* Every category but platform needs the bus. */
		if (dr.cats & ~C_PLATFORM)
			dr.cats |= C_DAEMON;
		check(FAIL, "bus", "start daemon-profile (sesame daemon profile, or its service)", "%s",
			last_error());
		dr.cats = asked;
	} else if (error_text(&replies[0], text, sizeof(text))) {
		check(FAIL, "bus", NULL, "daemon-profile answered: %s", text);
	} else {
		wire_get_str(&replies[0], WF_VERSION, version, sizeof(version));
		wire_get_u32(&replies[0], WF_CLIENTS, &clients);
		nr = cli_hub_roles(&replies[0], &replies[2], r, &ngone);
		for (size_t i = 0; i < nr; i++) {
			has_secrets |= !strcmp(r[i].name, "secrets");
			snprintf(roles + strlen(roles), sizeof(roles) - strlen(roles), " %.31s", r[i].name);
		}
		for (size_t i = nr; i < nr + ngone; i++)
			secrets_gone |= !strcmp(r[i].name, "secrets");
		check(PASS, "bus", NULL, "up, sesame %s, %u clients; roles: %s", version, clients, roles);
		if (!has_secrets && !secrets_gone)
			check(WARN, "roles.secrets", "start daemon-secrets: vaults and secrets need it",
				"daemon-secrets is not connected");
		strcpy(state, "");
		wire_get_u32(&replies[0], WF_PID, &pid);
		wire_get_str(&replies[0], WF_SANDBOX, state, sizeof(state));
		doctor_role("profile", pid, state);
		for (size_t i = 0; i < nr; i++) {
			if (r[i].pid)
				doctor_role(r[i].name, r[i].pid, r[i].sandbox[0] ? r[i].sandbox : NULL);
			doctor_restarts(&r[i]);
		}
		for (size_t i = nr; i < nr + ngone; i++)
			doctor_gone(&r[i]);
		for (size_t i = 0; i < nr; i++)
			if (!strcmp(r[i].name, "input") && (dr.cats & C_PLATFORM))
				doctor_input(c);
		if (has_secrets && error_text(&replies[2], text, sizeof(text)))
			check(FAIL, "roles.secrets", "daemon-secrets is connected but does not answer as it "
				"should: its log may say why; restart it", "%s", text);
		else if (has_secrets)
			cli_vault_states_parse(&replies[2], note_vault, (void *)p);
		for (size_t i = 0; i < nvault_names && (dr.cats & (C_VAULT | C_PLATFORM)); i++)
			doctor_factors(c, vault_names[i], &uses_tpm);
	}
	doctor_audit(p, has_secrets);
	doctor_kernel();
	if (dr.cats & C_PLATFORM)
		doctor_tpm(uses_tpm);
	if (dr.quiet)
		;
	else if (json)
		printf("],\"summary\":{\"pass\":%d,\"warn\":%d,\"fail\":%d}}\n",
			dr.count[PASS], dr.count[WARN], dr.count[FAIL]);
	else
		printf("%d passed, %d warning%s, %d failed\n", dr.count[PASS], dr.count[WARN],
			dr.count[WARN] == 1 ? "" : "s", dr.count[FAIL]);
	bus_close(c);
	if (fflush(stdout))
		return 1;
	return dr.count[FAIL] ? 1 : exit_code && dr.count[WARN] ? 2 : 0;
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
	int json = 0, has_secrets = 0, sandbox = 0, doc = 0, stuck = 0, exit_code = 0;
	const char *cats = NULL, *output = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json"))
			json = 1;
		else if (!strcmp(a, "--sandbox"))
			sandbox = 1;
		else if (!strcmp(a, "--rotate-keys") && argc == 2)
			return rotate_keys();
		else if (!strcmp(a, "--rotate-keys"))
			usage_error("status", "--rotate-keys goes alone");
		else if (!strcmp(a, "--doctor") && i + 1 < argc && argv[i + 1][0] != '-')
			doc = 1, cats = argv[++i];	/* --doctor LIST, as the original takes it */
		else if (!strcmp(a, "--doctor"))
			doc = 1;
		else if (!strncmp(a, "--doctor=", 9))
			doc = 1, cats = a + 9;
		else if (!strcmp(a, "--output") && i + 1 < argc)
			output = argv[++i];
		else if (!strncmp(a, "--output=", 9))
			output = a + 9;
		else if (!strcmp(a, "--exit-code"))
			exit_code = 1;
		else if (!strcmp(a, "--quiet") || !strcmp(a, "-q"))
			dr.quiet = exit_code = 1;
		else
			usage_error("status", "unexpected argument '%s'", a);
	}
	if (sandbox && doc)
		usage_error("status", "--doctor checks the sandbox already; give one of --sandbox and --doctor");
	if ((output || exit_code) && !doc)
		usage_error("status", "--output, --exit-code and --quiet go with --doctor");
	if (output && !strcmp(output, "json"))
		json = 1;
	else if (output && strcmp(output, "text"))
		usage_error("status", "--output: text or json, not '%s'", output);
	dr.cats = doctor_categories(cats);
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
		return doctor(&p, c, replies, json, exit_code);
	if (!c)
		die_code(last_exit(), "%s", last_error());
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
	nr = cli_hub_roles(&m, &replies[2], r, &ngone);
	for (size_t i = 0; i < nr; i++) {
		has_secrets |= !strcmp(r[i].name, "secrets");
		if (json) {
			putchar(',');
			json_str(r[i].name);
		} else {
			printf(" %s", r[i].name);
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
