/* doctor.c - `sesame status --doctor`: each check ok, warn or FAIL with a
 * hint, by category (daemon, sandbox, memory, vault, platform). */
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
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* --- status --doctor --- */
enum { PASS, WARN, FAIL };
/* The categories a check belongs to, as --doctor=LIST names them. */
enum { C_DAEMON = 1, C_SANDBOX = 2, C_MEMORY = 4, C_VAULT = 8, C_PLATFORM = 16, C_ALL = 31 };
static const char *const category_name[] = { "daemon", "sandbox", "memory", "vault", "platform" };
static struct {
	int json, n, quiet;
	unsigned cats;		/* the categories asked for */
	int count[3];
} TT;

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
	if (!strncmp(id, "kernel.", 7) || !strncmp(id, "input.", 6) || !strncmp(id, "tpm2.", 5))
		return C_PLATFORM;
	return C_SANDBOX;	/* ROLE.seccomp, .no_new_privs, .landlock, launcher.sandbox */
}

/* --doctor=LIST: a comma-separated list of categories, or "all". */
unsigned status_doctor_categories(const char *list)
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

	if (!(TT.cats & cat))
		return;
	while (!(1u << ci & cat & TT.cats))	/* the first of its categories asked for */
		ci++;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	TT.count[st]++;
	if (TT.quiet)
		return;
	if (TT.json) {
		printf("%s{\"id\":", TT.n++ ? "," : "");
		status_json_str(id);
		printf(",\"category\":\"%s\",\"status\":\"%s\",\"value\":", category_name[ci], word[st]);
		status_json_str(value);
		if (st != PASS && hint) {
			printf(",\"hint\":");
			status_json_str(hint);
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

	status_proc_view(pid, &pv);
	doctor_confined(role, pid, &pv, reported);
	snprintf(id, sizeof(id), "%s.memory", role);
	if (pv.rss_kb >= 0) {
		long long limit = status_cgroup_limit_kb(pid);
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
	if (status_error_text(&m, text, sizeof(text))) {
		check(FAIL, "input.keyboards", NULL, "daemon-input answered: %s", text);
		return;
	}
	/* Layers: on, or off for a reason other than having none. */
	if (wire_get_str(&m, WF_REMAP, text, sizeof(text)) == 0 && !strncmp(text, "on: ", 4))
		check(PASS, "input.layers", NULL, "%s", text + 4);
	else if (*text && !strstr(text, "no key is remapped"))
		check(WARN, "input.layers", "layers need a virtual keyboard: /dev/uinput writable by the user "
			"(a udev rule, or the input group)", "%s", !strncmp(text, "off: ", 5) ? text + 5 : text);
	*text = 0;
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
int status_doctor(const struct paths *p, struct bus_client *c, struct wire_msg *replies, int json,
	int exit_code, int quiet, unsigned cats)
{
	struct cli_role r[CLI_MAX_ROLES];
	char version[64] = "?", state[96], roles[8 + CLI_MAX_ROLES * sizeof(r->name)] = "profile", text[256];
	uint32_t pid = 0, clients = 0;
	int has_secrets = 0, secrets_gone = 0, uses_tpm = 0;
	size_t nr, ngone;
	unsigned asked = cats;

	TT.json = json;
	TT.quiet = quiet;
	TT.cats = cats;
	if (!TT.quiet)
		printf(json ? "{\"checks\":[" : "");
	if (!c) {
		/* Every category but platform needs the bus. */
		if (TT.cats & ~C_PLATFORM)
			TT.cats |= C_DAEMON;
		check(FAIL, "bus", "start daemon-profile (sesame daemon profile, or its service)", "%s",
			last_error());
		TT.cats = asked;
	} else if (status_error_text(&replies[0], text, sizeof(text))) {
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
			if (!strcmp(r[i].name, "input") && (TT.cats & C_PLATFORM))
				doctor_input(c);
		if (has_secrets && status_error_text(&replies[2], text, sizeof(text)))
			check(FAIL, "roles.secrets", "daemon-secrets is connected but does not answer as it "
				"should: its log may say why; restart it", "%s", text);
		else if (has_secrets)
			cli_vault_states_parse(&replies[2], note_vault, (void *)p);
		for (size_t i = 0; i < nvault_names && (TT.cats & (C_VAULT | C_PLATFORM)); i++)
			doctor_factors(c, vault_names[i], &uses_tpm);
	}
	doctor_audit(p, has_secrets);
	doctor_kernel();
	if (TT.cats & C_PLATFORM)
		doctor_tpm(uses_tpm);
	if (TT.quiet)
		;
	else if (json)
		printf("],\"summary\":{\"pass\":%d,\"warn\":%d,\"fail\":%d}}\n",
			TT.count[PASS], TT.count[WARN], TT.count[FAIL]);
	else
		printf("%d passed, %d warning%s, %d failed\n", TT.count[PASS], TT.count[WARN],
			TT.count[WARN] == 1 ? "" : "s", TT.count[FAIL]);
	bus_close(c);
	if (fflush(stdout))
		return 1;
	return TT.count[FAIL] ? 1 : exit_code && TT.count[WARN] ? 2 : 0;
}
