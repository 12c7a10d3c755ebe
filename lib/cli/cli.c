/* cli.c - see cli.h. */
#include "lib/cli/cli.h"
#include "lib/bus/bus.h"
#include "lib/cli/prompt.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/keyfile.h"
#include "lib/store/vault.h"
#include "lib/tpm2/tpm2.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *cli_profile_arg(const char *cmd, const char *name)
{
	if (!profile_name_valid(name))
		usage_error(cmd, "'%s' is not a valid profile name (1 to 64 letters, digits, '-' and '_', "
			"starting with a letter or digit)", name);
	return name;
}

int cli_profiles(const char *cmd, const char *arg, char names[][PROFILE_BUF], int max)
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
		cli_profile_arg(cmd, name);
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
	for (size_t i = 0, k; i < n; i += k) {
		k = 1;
		if (p[i] == '"' || p[i] == '\\')
			fprintf(f, "\\%c", p[i]);
		else if (p[i] < 0x20)
			fprintf(f, "\\u%04x", p[i]);
		else if (p[i] < 0x80)
			fputc(p[i], f);
		else if ((k = utf8_seq(p + i, n - i)))
			fwrite(p + i, 1, k, f);
		else {
			fputs("\\ufffd", f);	/* JSON is UTF-8: a stray byte cannot pass */
			k = 1;
		}
	}
	fputc('"', f);
}

void cli_vault_states_parse(const struct wire_msg *mp, void (*fn)(const char *profile, const char *state,
	void *ctx), void *ctx)
{
	struct wire_msg m = *mp;
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	char profile[PROFILE_BUF] = "";

	/* The reply pairs WF_PROFILE with the WF_STATE after it. */
	while (wire_next(&m, &pos, &tag, &v, &len)) {
		char s[PROFILE_BUF];

		if (len >= sizeof(s) || memchr(v, 0, len))
			continue;
		memcpy(s, v, len);
		s[len] = 0;
		if (tag == WF_PROFILE)
			strcpy(profile, s);
		else if (tag == WF_STATE && profile[0])
			fn(profile, s, ctx), profile[0] = 0;
	}
}

/* Each WF_ROLE or WF_GONE is followed by that role's fields; the hub's
 * own pid and sandbox come before them all. */
size_t cli_hub_roles(const struct wire_msg *status, const struct wire_msg *vaults,
	struct cli_role r[CLI_MAX_ROLES], size_t *ngone)
{
	struct cli_role all[CLI_MAX_ROLES], *cur = NULL;
	size_t pos = 0, n = 0, k = 0;
	uint16_t tag, len;
	const uint8_t *v;

	while (wire_next(status, &pos, &tag, &v, &len)) {
		if (tag == WF_ROLE || tag == WF_GONE) {
			cur = NULL;
			if (len >= sizeof(r->name) || memchr(v, 0, len) || n == CLI_MAX_ROLES)
				continue;
			cur = &all[n++];
			memset(cur, 0, sizeof(*cur));
			memcpy(cur->name, v, len);
			cur->gone = tag == WF_GONE;
		} else if (!cur) {
			continue;
		} else if (tag == WF_PID && len == 4 && !cur->gone) {
			cur->pid = (uint32_t)wire_uint(v, len);
		} else if (tag == WF_CONNECTS && len == 4) {
			cur->connects = (uint32_t)wire_uint(v, len);
		} else if (tag == WF_SINCE_MS && len == 8) {
			cur->since_ms = wire_uint(v, len);
		} else if (tag == WF_SANDBOX && len < sizeof(r->sandbox) && !memchr(v, 0, len)) {
			memcpy(cur->sandbox, v, len);
			cur->sandbox[len] = 0;
		}
	}
	*ngone = 0;
	for (int gone = 0; gone < 2; gone++)
		for (size_t i = 0; i < n; i++)
			if (all[i].gone == gone) {
				r[k++] = all[i];
				*ngone += (size_t)gone;
			}
	n -= *ngone;
	for (size_t i = 0; i < n; i++)
		if (!r[i].sandbox[0] && !strcmp(r[i].name, "secrets") && vaults->type != WIRE_ERROR)
			wire_get_str(vaults, WF_SANDBOX, r[i].sandbox, sizeof(r[i].sandbox));
	return n;
}

static struct cli_io *io;

static void io_wipe(void)
{
	secmem_free(io);	/* wipes */
	io = NULL;
}

struct cli_io *xcli_io(void)
{
	if (!io) {
		if (!(io = secmem_alloc(sizeof(*io))))
			die("%s (the locked-memory limit, ulimit -l, is too low for a request and its reply)",
				last_error());
		atexit(io_wipe);
	}
	return io;
}

struct bus_client *xcli_connect(void)
{
	struct paths p;

	if (paths_resolve(&p) < 0)
		die("%s", last_error());
	return xbus_connect(&p);
}

void xcli_request(struct bus_client *c, struct cli_io *x, struct wire_msg *m)
{
	xbus_request(c, &x->req, x->buf, m);
	sodium_memzero(x->req.buf, x->req.len);
}

void xcli_list(struct bus_client *c, struct cli_io *x, const char *profile,
	void (*fn)(const char *name, void *ctx), void *ctx)
{
	char after[VAULT_MAX_NAME + 1] = "", name[VAULT_MAX_NAME + 1];
	uint32_t more = 1;

	while (more) {
		struct wire_msg m;
		size_t pos = 0;
		uint16_t tag, len;
		const uint8_t *v;
		int n = 0;

		wire_begin(&x->req, WIRE_SECRET_LIST, 0, 0);
		wire_put_str(&x->req, WF_PROFILE, profile);
		if (*after)
			wire_put_str(&x->req, WF_AFTER, after);
		xcli_request(c, x, &m);
		while (wire_next(&m, &pos, &tag, &v, &len)) {
			if (tag != WF_KEY || !len || len > VAULT_MAX_NAME || memchr(v, 0, len))
				continue;
			memcpy(name, v, len);
			name[len] = 0;
			/* Each after the last: a daemon that went round would never end. */
			if (strcmp(name, after) <= 0)
				die("secret list: daemon-secrets sent the names of profile %s out of order", profile);
			fn(name, ctx);
			memcpy(after, name, len + 1);
			n++;
		}
		if (wire_get_u32(&m, WF_MORE, &more) < 0)
			more = 0;
		if (more && !n)
			die("secret list: daemon-secrets said more names follow, and sent none");
	}
}

struct bus_client *xcli_ask(struct cli_io *x, struct wire_msg *m)
{
	struct bus_client *c = xcli_connect();

	xcli_request(c, x, m);
	return c;
}

void cli_done(struct bus_client *c, struct cli_io *x, const struct wire_msg *m)
{
	sodium_memzero(x->buf, WIRE_HEADER + m->fields_len);
	bus_close(c);
}

int cli_vault_auth(struct bus_client *c, const char *profile, struct cli_auth *a)
{
	struct cli_io *x = xcli_io();
	struct wire_out *req = &x->req;
	struct wire_msg m;
	struct cli_ssh_key *k = NULL;
	char s[16];
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	int nk = 0;

	memset(a, 0, sizeof(*a));
	wire_begin(req, WIRE_VAULT_AUTH, 0, 0);
	wire_put_str(req, WF_PROFILE, profile);
	if (bus_request(c, req, x->buf, &m, BUS_CLI_TIMEOUT_MS) < 0)
		return -1;
	a->all = wire_get_str(&m, WF_POLICY, s, sizeof(s)) == 0 && !strcmp(s, "all");
	a->unlocked = wire_get_str(&m, WF_STATE, s, sizeof(s)) == 0 && !strcmp(s, "unlocked");
	while (wire_next(&m, &pos, &tag, &v, &len)) {
		if (tag == WF_FACTOR && len == 8 && !memcmp(v, "password", 8))
			a->password = 1;
		else if (tag == WF_FACTOR && len == 3 && !memcmp(v, "ssh", 3))
			a->ssh = 1;
		else if (tag == WF_FACTOR && len == 4 && !memcmp(v, "tpm2", 4))
			a->tpm2 = 1;
		else if (tag == WF_FACTOR && len == 7 && !memcmp(v, "keyfile", 7))
			a->keyfile = 1;
		else if (tag == WF_TPM2_DATA && len && len <= sizeof(a->tpm2_data))
			memcpy(a->tpm2_data, v, a->tpm2_len = len);
		else if (tag == WF_KEYFILE_DATA && len && len < sizeof(a->keyfile_path) && !memchr(v, 0, len)) {
			memcpy(a->keyfile_path, v, len);
			a->keyfile_path[len] = 0;
		}
		else if (tag == WF_SSH_SLOT && len == 4 && nk < VAULT_MAX_SSH_KEYS) {
			k = &a->sshk[nk++];
			k->slot = (int)((uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3]);
		} else if (tag == WF_SSH_KEY && k && len <= SSH_MAX_BLOB) {
			memcpy(k->key.blob, v, len);
			k->key.len = len;
		} else if (tag == WF_SSH_NONCE && k && len == 32) {
			memcpy(k->nonce, v, 32);
		} else if (tag == WF_SSH_COMMENT && k && len < sizeof(k->comment)) {
			memcpy(k->comment, v, len);
			k->comment[len] = 0;
		}
	}
	if (a->ssh && !nk)
		return fail("daemon-secrets sent no SSH key for profile %s", profile);
	for (int i = 0; i < nk; i++)
		if (!a->sshk[i].key.len || a->sshk[i].slot < 0 || a->sshk[i].slot >= VAULT_MAX_SSH_KEYS ||
		    ssh_identity_describe(&a->sshk[i].key) < 0)
			return fail("daemon-secrets sent a malformed SSH key for profile %s", profile);
	a->ssh = nk;
	if (nk)
		a->key = a->sshk[0].key;
	if ((a->tpm2 && !a->tpm2_len) || (a->keyfile && !*a->keyfile_path))
		return fail("daemon-secrets sent a factor of profile %s without its data", profile);
	return 0;
}

uint8_t *cli_ssh_sign(const char *profile, const struct ssh_identity *key, const uint8_t nonce[32],
	size_t *len)
{
	static struct ssh_identity ids[SSH_MAX_IDS];
	uint8_t challenge[160], *sig;
	size_t cl = vault_ssh_challenge(profile, nonce, challenge, sizeof(challenge));
	int fd = ssh_agent_connect(), n, i;

	if (fd < 0)
		return NULL;
	if ((n = ssh_agent_identities(fd, ids, SSH_MAX_IDS)) < 0) {
		close(fd);
		return NULL;
	}
	for (i = 0; i < n && !(ids[i].len == key->len && !memcmp(ids[i].blob, key->blob, key->len)); i++)
		;
	if (i == n) {
		close(fd);
		return fail("the SSH agent does not hold the key %s", key->fp), NULL;
	}
	sig = ssh_agent_sign(fd, &ids[i], challenge, cl, len);
	close(fd);
	return sig;
}

int cli_ssh_proofs(const char *profile, const struct cli_auth *a, int need_all, struct cli_factors *f)
{
	static struct ssh_identity ids[SSH_MAX_IDS];
	uint8_t challenge[160];
	int fd, n, got = 0;

	if (!a->ssh)
		return 0;
	if ((fd = ssh_agent_connect()) < 0)
		return -1;
	if ((n = ssh_agent_identities(fd, ids, SSH_MAX_IDS)) < 0) {
		close(fd);
		return -1;
	}
	for (int i = 0; i < a->ssh && (need_all || !got); i++) {
		const struct cli_ssh_key *k = &a->sshk[i];
		size_t cl = vault_ssh_challenge(profile, k->nonce, challenge, sizeof(challenge));
		int j;

		for (j = 0; j < n && !(ids[j].len == k->key.len && !memcmp(ids[j].blob, k->key.blob, k->key.len)); j++)
			;
		if (j == n) {
			if (need_all) {
				close(fd);
				return fail("the SSH agent does not hold the key %s", k->key.fp);
			}
			continue;
		}
		if (!(f->proof[k->slot] = ssh_agent_sign(fd, &ids[j], challenge, cl, &f->prooflen[k->slot]))) {
			if (need_all) {
				close(fd);
				return -1;
			}
			continue;
		}
		got++;
	}
	close(fd);
	if (!got && a->ssh == 1)
		return fail("the SSH agent does not hold the key %s", a->key.fp), -1;
	if (!got)
		return fail("the SSH agent holds none of the %d SSH keys enrolled", a->ssh), -1;
	return got;
}

static void list_keys(const struct ssh_identity *ids, int n)
{
	for (int i = 0; i < n; i++)
		if (ssh_key_eligible(&ids[i]))
			complain("  %s (%s) %s", ids[i].fp, ids[i].type, ids[i].comment);
}

int cli_ssh_pick(const char *spec, struct ssh_identity *out)
{
	static struct ssh_identity ids[SSH_MAX_IDS];
	struct ssh_identity want;
	int fd = ssh_agent_connect(), n, i, found = -1, eligible = 0;

	if (fd < 0)
		return -1;
	n = ssh_agent_identities(fd, ids, SSH_MAX_IDS);
	close(fd);
	if (n < 0)
		return -1;
	memset(&want, 0, sizeof(want));
	if (spec && *spec && strncmp(spec, "SHA256:", 7)) {
		char line[8192];
		FILE *f = fopen(spec, "re");

		if (!f)
			return fail("cannot read the public key %s: %s", spec, strerror(errno));
		if (!fgets(line, sizeof(line), f)) {
			fclose(f);
			return fail("%s is empty", spec);
		}
		fclose(f);
		if (ssh_pubkey_parse(line, &want) < 0)
			return fail("%s: %s", spec, last_error());
		spec = want.fp;
	}
	for (i = 0; i < n; i++) {
		if (!ssh_key_eligible(&ids[i]))
			continue;
		eligible++;
		if (!spec || !*spec || !strcmp(ids[i].fp, spec))
			found = found < 0 ? i : -2;
	}
	if (found >= 0) {
		*out = ids[found];
		return 0;
	}
	if (spec && *spec && found == -1) {
		int plain = !strncmp(spec, "SHA256:", 7);
		for (i = 0; i < n && !(plain && !strcmp(ids[i].fp, spec)); i++)
			;
		if (i < n)
			return fail("%s is a %s key: only Ed25519 and RSA keys can unlock a vault "
				"(their signatures are deterministic)", spec, ids[i].type);
		return fail("the SSH agent does not hold %s (ssh-add it first)", spec);
	}
	if (!eligible)
		return fail("the SSH agent holds no Ed25519 or RSA key (ssh-add one first)");
	complain("the SSH agent holds %d usable keys; name one with --ssh-key FINGERPRINT or PATH.pub:", eligible);
	list_keys(ids, n);
	return fail("which SSH key?");
}

uint8_t *cli_tpm2_secret(const char *profile, const struct cli_auth *a, int may_prompt)
{
	struct tpm2_sealed *s = xmalloc(sizeof(*s));
	uint8_t *pin = NULL, *secret = NULL;
	size_t pinlen = 0;

	if (tpm2_data_parse(a->tpm2_data, a->tpm2_len, s) < 0) {
		free(s);
		return fail("profile %s: %s", profile, last_error()), NULL;
	}
	if (s->pin && !may_prompt) {
		free(s);
		return fail("the TPM2 factor of profile %s needs its PIN", profile), NULL;
	}
	if (s->pin) {
		char prompt[128];

		snprintf(prompt, sizeof(prompt), "TPM2 PIN for profile '%.64s': ", profile);
		if (!(pin = prompt_secret(prompt, 0, 64, &pinlen))) {
			free(s);
			return NULL;
		}
	}
	secret = tpm2_unseal(s, pin, pinlen);
	secmem_free(pin);
	sodium_memzero(s, sizeof(*s));
	free(s);
	return secret;
}

uint8_t *cli_keyfile_secret(const struct cli_auth *a)
{
	return keyfile_read(a->keyfile_path);
}

/* "7=HEX,11=HEX" into s->values; each listed PCR must be in s->pcrs,
 * and each of s->pcrs listed. */
static int pcr_values(const char *spec, struct tpm2_sealed *s)
{
	uint32_t seen = 0;

	for (const char *p = spec; *p;) {
		char num[8];
		size_t nl = strcspn(p, "="), hl;
		long long n = -1;
		const char *hex = p + nl + 1, *stop;

		snprintf(num, sizeof(num), "%.*s", (int)(nl < sizeof(num) ? nl : sizeof(num) - 1), p);
		if (nl >= sizeof(num) || p[nl] != '=' || parse_range(num, 0, TPM2_MAX_PCR - 1, &n) < 0 ||
		    !(s->pcrs >> n & 1))
			return fail("--pcr-values: '%s': PCR=HEX pairs for the PCRs sealed to, comma-separated", spec);
		stop = strchr(hex, ',');
		hl = stop ? (size_t)(stop - hex) : strlen(hex);
		if (hl != 64 || sodium_hex2bin(s->values[n], 32, hex, hl, NULL, NULL, NULL) < 0)
			return fail("--pcr-values: PCR %lld needs 64 hex digits (a SHA-256 value)", n);
		seen |= 1u << n;
		p = stop ? stop + 1 : hex + hl;
	}
	if (seen != s->pcrs)
		return fail("--pcr-values: give a value for every PCR sealed to");
	return 0;
}

int cli_tpm2_new(const char *pcrs, const char *values, int pin, struct cli_factors *f,
	uint8_t data[VAULT_MAX_FACTOR_DATA])
{
	struct tpm2_sealed *s = xcalloc(1, sizeof(*s));
	uint8_t *p = NULL;
	size_t plen = 0, n;
	int r = -1;

	if (tpm2_pcrs_parse(pcrs ? pcrs : "7", &s->pcrs) < 0 || (values && pcr_values(values, s) < 0))
		goto out;
	if (pin && !(p = prompt_secret("New TPM2 PIN: ", 1, 64, &plen)))
		goto out;
	if (!(f->tpm2 = secmem_alloc(TPM2_SECRET_LEN)))
		goto out;
	if (tpm2_seal(s, values != NULL, p, plen, f->tpm2) < 0) {
		secmem_free(f->tpm2);
		f->tpm2 = NULL;
		goto out;
	}
	if (!(n = tpm2_data_format(s, data, VAULT_MAX_FACTOR_DATA))) {
		secmem_free(f->tpm2);
		f->tpm2 = NULL;
		fail("the sealed object does not fit in %d bytes", VAULT_MAX_FACTOR_DATA);
		goto out;
	}
	f->tpm2_data = data;
	f->tpm2_len = n;
	r = 0;
out:
	secmem_free(p);
	free(s);
	return r;
}

int cli_keyfile_new(const char *path, struct cli_factors *f, char *resolved)
{
	if (!realpath(path, resolved))
		return fail("key file %s: %s", path, strerror(errno));
	if (strlen(resolved) > VAULT_MAX_FACTOR_DATA)
		return fail("key file %s: the path is too long", resolved);
	if (!(f->keyfile = keyfile_read(resolved)))
		return -1;
	f->keyfile_path = resolved;
	return 0;
}

void cli_factors_free(struct cli_factors *f)
{
	secmem_free(f->pw);
	secmem_free(f->pw2);
	secmem_free(f->sig);
	secmem_free(f->tpm2);
	secmem_free(f->keyfile);
	f->pw = f->pw2 = f->sig = f->tpm2 = f->keyfile = NULL;
	for (int i = 0; i < VAULT_MAX_SSH_KEYS; i++) {
		secmem_free(f->proof[i]);
		f->proof[i] = NULL;
	}
}

int cli_factor_request(struct bus_client *c, uint8_t type, const char *profile, struct cli_factors *f)
{
	struct cli_io *x = xcli_io();	/* the request holds passwords */
	uint8_t *buf = x->buf;
	struct wire_out *req = &x->req;
	struct wire_msg m;
	int r;

	wire_begin(req, type, 0, 0);
	wire_put_str(req, WF_PROFILE, profile);
	if (f->pw)
		wire_put(req, WF_PASSWORD, f->pw, f->pwlen);
	if (f->pw2)
		wire_put(req, WF_NEW_PASSWORD, f->pw2, f->pw2len);
	if (f->sig)
		wire_put(req, WF_SSH_SIG, f->sig, f->siglen);
	if (f->key) {
		wire_put(req, WF_SSH_KEY, f->key->blob, f->key->len);
		wire_put(req, WF_SSH_NONCE, f->nonce, sizeof(f->nonce));
		if (f->comment)
			wire_put_str(req, WF_SSH_COMMENT, f->comment);
	}
	for (int i = 0; i < VAULT_MAX_SSH_KEYS; i++) {
		uint8_t *p;

		if (!f->proof[i])
			continue;
		if (!(p = secmem_alloc(f->prooflen[i] + 1))) {
			cli_factors_free(f);
			return fail("out of secure memory");
		}
		p[0] = (uint8_t)i;
		memcpy(p + 1, f->proof[i], f->prooflen[i]);
		wire_put(req, WF_SSH_PROOF, p, f->prooflen[i] + 1);
		secmem_free(p);
	}
	if (type == WIRE_SSH_REVOKE && (!f->factor || !strcmp(f->factor, "ssh")))
		wire_put_u32(req, WF_SSH_SLOT, (uint32_t)f->revoke_slot);
	if (f->tpm2)
		wire_put(req, WF_TPM2_SECRET, f->tpm2, 32);
	if (f->keyfile)
		wire_put(req, WF_KEYFILE_SECRET, f->keyfile, 32);
	if (f->tpm2_data)
		wire_put(req, WF_TPM2_DATA, f->tpm2_data, f->tpm2_len);
	if (f->keyfile_path)
		wire_put_str(req, WF_KEYFILE_DATA, f->keyfile_path);
	if (f->policy)
		wire_put_str(req, WF_POLICY, f->policy);
	if (f->factor)
		wire_put_str(req, WF_FACTOR, f->factor);
	cli_factors_free(f);
	r = bus_request(c, req, buf, &m, wire_type_kdf(type) ? WIRE_KDF_TIMEOUT_MS : BUS_CLI_TIMEOUT_MS);
	sodium_memzero(req->buf, req->len);
	return r;
}

void xcli_factor_request(struct bus_client *c, uint8_t type, const char *profile, struct cli_factors *f)
{
	if (cli_factor_request(c, type, profile, f) < 0)
		die_code(last_exit(), "%s", last_error());
}

/* Overwrite a file with zeros, then remove it.  On flash and copy-on-write
 * file systems the old blocks may survive; the vault key never touched the
 * disk in clear, so what remains is sealed. */
static void shred(const char *path)
{
	static const uint8_t zero[4096];
	struct stat st;
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		for (off_t done = 0; done < st.st_size;) {
			size_t n = st.st_size - done < (off_t)sizeof(zero) ? (size_t)(st.st_size - done) : sizeof(zero);
			if (write(fd, zero, n) != (ssize_t)n)
				break;
			done += (off_t)n;
		}
		fsync(fd);
	}
	if (fd >= 0)
		close(fd);
	if (unlink(path) == 0)
		printf("  removed %s\n", path);
	else if (errno != ENOENT)
		complain("cannot remove %s: %s", path, strerror(errno));
}

static void shred_dir(const char *dir, int rmdir_too)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	while (d && (e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (paths_join(path, dir, e->d_name) < 0 || lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			shred_dir(path, 1);
		else
			shred(path);
	}
	if (d)
		closedir(d);
	if (rmdir_too && rmdir(dir) < 0 && errno != ENOENT)
		complain("cannot remove %s: %s", dir, strerror(errno));
}

int cli_wipe_all(const struct paths *p)
{
	static const char *const data_files[] = { "audit.jsonl", "profiles.state" };
	char path[PATH_MAX], line[64];
	struct bus_client *c;

	if ((c = bus_connect(p, NULL, 1000))) {
		bus_close(c);
		return fail("the daemons are running; stop them first (their open vaults would survive)");
	}
	fprintf(stderr, "This destroys, with no way back:\n"
		"  every vault (%s/vaults/): all secrets of all profiles\n"
		"  the audit log and the profile state (%s)\n"
		"  config.toml and config.d/ (%s)\n"
		"  the runtime directory (%s)\n"
		"Type \"destroy all data\" to confirm: ", p->data, p->data, p->config, p->runtime);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = 0;
	line[strcspn(line, "\r\n")] = 0;
	if (strcmp(line, "destroy all data"))
		return fail("cancelled; nothing was destroyed");
	if (paths_join(path, p->data, "vaults") == 0)
		shred_dir(path, 1);
	for (size_t i = 0; i < sizeof(data_files) / sizeof(data_files[0]); i++)
		if (paths_join(path, p->data, data_files[i]) == 0)
			shred(path);
	if (paths_join(path, p->config, "config.toml") == 0)
		shred(path);
	if (paths_join(path, p->config, "config.d") == 0)
		shred_dir(path, 1);
	shred_dir(p->runtime, 1);
	printf("All data destroyed.  Run `sesame init` to start again.\n");
	return 0;
}

void cli_put_safe(FILE *f, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; ) {
		size_t k = utf8_seq(s + i, n - i);

		if (!k || (k == 1 && (s[i] < 0x20 || s[i] == 0x7f))) {
			putc('?', f);
			i += k ? k : 1;
		} else {
			fwrite(s + i, 1, k, f);
			i += k;
		}
	}
}

void xcli_write_value(const char *cmd, const struct wire_msg *m)
{
	const uint8_t *v;
	uint16_t len;

	if (!wire_find(m, WF_VALUE, &v, &len))
		die("%s: the reply holds no text", cmd);
	if (write_all(1, v, len) < 0 || (isatty(1) && write_all(1, "\n", 1) < 0))
		die("%s: cannot write: %s", cmd, last_error());
}

void cli_print_fields(const struct wire_msg *m, const struct cli_field *f, size_t n, int json)
{
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	int first = 1;

	if (json)
		putchar('{');
	while (wire_next(m, &pos, &tag, &v, &len)) {
		size_t i;
		uint64_t x;

		for (i = 0; i < n && f[i].tag != tag; i++)
			;
		if (i == n)
			continue;
		if (json)
			printf("%s\"%s\":", first ? "" : ",", f[i].json);
		else if (!first)
			putchar('\t');
		first = 0;
		if (f[i].kind == 's') {
			json ? cli_json_str(stdout, v, len) : cli_put_safe(stdout, v, len);
			continue;
		}
		x = wire_uint(v, len);
		if (f[i].kind == 't' && !json) {
			time_t t = (time_t)(x / 1000);
			struct tm tm;
			char when[16];

			localtime_r(&t, &tm);
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
			fputs(when, stdout);
		} else {
			printf("%llu", (unsigned long long)x);
		}
	}
	puts(json ? "}" : "");
}

void xcli_watch(const char *role, const struct cli_field *f, size_t n, int json)
{
	struct cli_io *x = xcli_io();
	uint8_t *buf = x->buf;
	struct bus_client *c;
	struct wire_msg m;

	wire_begin(&x->req, WIRE_SUBSCRIBE, 0, 0);
	wire_put_str(&x->req, WF_ROLE, role);
	if (wire_end(&x->req) < 0)
		die("%s watch: %s", role, last_error());
	c = xcli_ask(x, &m);
	fprintf(stderr, "Following daemon-%s's events (interrupt to stop).\n", role);
	for (;;) {
		if (bus_recv(c, buf, &m, 3600 * 1000) < 0) {
			if (last_code() == ERR_TIMEOUT)
				continue;
			die_code(EXIT_UNREACHABLE, "%s watch: the bus went away: %s", role, last_error());
		}
		if (m.flags & WIRE_F_EVENT && m.type == WIRE_EVENT) {
			cli_print_fields(&m, f, n, json);
			if (fflush(stdout) != 0)
				die("%s watch: cannot write", role);
		}
		sodium_memzero(buf, WIRE_HEADER + m.fields_len);
	}
}
