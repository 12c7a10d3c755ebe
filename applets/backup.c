/* backup.c - `sesame vault backup|restore`: a vault's secrets to one
 * sealed file and back, for another machine or after a lost disk (the
 * format is lib/store/backup.h). */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/envsecrets.h"
#include "lib/cli/prompt.h"
#include "lib/core/atomicfile.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/backup.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*APPLET vault vault_main "back a vault up to one sealed file, and restore it"
usage: sesame vault backup -p PROFILE [--passphrase-fd N] FILE
       sesame vault restore -p PROFILE [--force] [--passphrase-fd N] FILE

backup   every secret of PROFILE's vault (unlocked) into FILE, sealed
         under a recovery passphrase asked for now (twice on a
         terminal; at least 10 characters): Argon2id (3 passes, 64 MiB,
         stored in the file) and XChaCha20-Poly1305, so that the file
         can be opened on any machine with the passphrase alone, whatever
         factors the vault has.  FILE is written whole, mode 0600; an
         existing FILE is replaced.
restore  the secrets of FILE into PROFILE's vault, which must exist and
         be unlocked (sesame init -p PROFILE first, with the factors the
         new machine has).  A vault that holds secrets is not touched
         unless --force, which makes it hold exactly the backup's:
         secrets it lacks are added, the others replaced, the rest
         deleted.

Both are recorded in the audit log (vault.backup, vault.restore), with
each secret read or written.  The format is versioned, and a file that
was changed in any byte, or opened with another passphrase, is refused
as a whole.

  -p, --profile NAME    the vault
  --force               restore: into a vault that has secrets
  --passphrase-fd N     read the recovery passphrase from descriptor N
                        (one line), not the terminal or standard input
*/

static struct {
	const char *profile;
	int force, pass_fd;
} TT;

/* The recovery passphrase: from --passphrase-fd, else prompt_secret. */
static uint8_t *passphrase(int confirm, size_t *len)
{
	uint8_t *p;

	if (TT.pass_fd >= 0) {
		size_t n = 0;
		char c;
		ssize_t r;

		p = xsecmem_alloc(1025);
		while (n < 1024 && (r = read(TT.pass_fd, &c, 1)) != 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 || c == '\n')
				break;
			p[n++] = (uint8_t)c;
		}
		*len = n;
	} else if (!(p = prompt_secret("Recovery passphrase: ", confirm, 1024, len))) {
		die("vault: %s", last_error());
	}
	if (confirm && *len < 10) {
		secmem_free(p);
		die("vault backup: a recovery passphrase of at least 10 characters, please (it alone opens the file)");
	}
	if (!*len) {
		secmem_free(p);
		die("vault: no passphrase");
	}
	return p;
}

static void mark(struct bus_client *c, struct cli_io *io, const char *what)
{
	struct wire_msg m;

	wire_begin(&io->req, WIRE_VAULT_MARK, 0, 0);
	wire_put_str(&io->req, WF_PROFILE, TT.profile);
	wire_put_str(&io->req, WF_TEXT, what);
	xcli_request(c, io, &m);
}

static void add_name(const char *name, void *ctx)
{
	struct backup *b = ctx;

	if (backup_add(b, name, (const uint8_t *)"", 0) < 0)
		die("vault backup: %s", last_error());
}

static int do_backup(const char *file)
{
	struct cli_io *io = xcli_io();
	struct bus_client *c;
	struct backup b = { .created = (uint64_t)time(NULL) };
	struct backup_kdf kdf = { 3, 65536, { 0 } };
	uint8_t *pass, *out;
	size_t plen, len;

	snprintf(b.profile, sizeof(b.profile), "%s", TT.profile);
	pass = passphrase(1, &plen);	/* first: a refused one reads no secret */
	c = xcli_connect();
	xcli_list(c, io, TT.profile, add_name, &b);
	for (size_t i = 0; i < b.n; i++) {
		secmem_free(b.s[i].value);
		if (!(b.s[i].value = xcli_secret_fetch(c, io, TT.profile, b.s[i].name, &b.s[i].len)))
			die_code(last_exit(), "vault backup: secret '%s': %s; nothing was written", b.s[i].name,
				last_error());
	}
	out = backup_seal(&b, pass, plen, &kdf, &len);
	secmem_free(pass);
	if (!out || atomic_write(file, out, len, 0600) < 0)
		die("vault backup: %s", last_error());
	free(out);
	mark(c, io, "backup");
	bus_close(c);
	printf("Backed up %zu secret%s of profile '%s' to %s (keep the passphrase: it alone opens it).\n", b.n,
		b.n == 1 ? "" : "s", TT.profile, file);
	backup_free(&b);
	return fflush(stdout) ? 1 : 0;
}

static int do_restore(const char *file)
{
	struct backup b;
	struct cli_names have;
	struct cli_io *io;
	struct bus_client *c;
	struct wire_msg m;
	uint8_t *f, *pass;
	size_t len, plen, removed = 0;

	if (!(f = (uint8_t *)read_file(file, BACKUP_MAX_FILE, &len)))
		die("vault restore: %s: %s", file, errno == EFBIG ? "larger than a backup can be" : last_error());
	{
		struct backup_kdf k;

		if (backup_header(f, len, &k) < 0)
			die("vault restore: %s: %s", file, last_error());
	}
	io = xcli_io();
	c = xcli_connect();
	xcli_names(c, io, TT.profile, &have);	/* the vault exists and is unlocked, or this says why */
	if (have.n && !TT.force)
		die("vault restore: profile '%s' has %zu secret%s: not touched (--force makes it hold exactly the "
			"backup's)", TT.profile, have.n, have.n == 1 ? "" : "s");
	pass = passphrase(0, &plen);
	if (backup_open(f, len, pass, plen, &b) < 0)
		die("vault restore: %s: %s; nothing was changed", file, last_error());
	secmem_free(pass);
	free(f);
	for (size_t i = 0; i < b.n; i++) {
		xcli_secret_set(c, io, TT.profile, b.s[i].name, b.s[i].value, b.s[i].len);
	}
	for (size_t i = 0; i < have.n; i++) {
		int in = 0;

		for (size_t k = 0; k < b.n && !in; k++)
			in = !strcmp(b.s[k].name, have.v[i]);
		if (in)
			continue;
		wire_begin(&io->req, WIRE_SECRET_DELETE, 0, 0);
		wire_put_str(&io->req, WF_PROFILE, TT.profile);
		wire_put_str(&io->req, WF_KEY, have.v[i]);
		xcli_request(c, io, &m);
		removed++;
	}
	mark(c, io, "restore");
	sodium_memzero(io->buf, WIRE_MAX_MESSAGE);
	bus_close(c);
	printf("Restored %zu secret%s of profile '%s' (backed up from profile '%s')", b.n, b.n == 1 ? "" : "s",
		TT.profile, b.profile);
	if (removed)
		printf("; %zu not in the backup deleted", removed);
	printf(".\n");
	backup_free(&b);
	cli_names_free(&have);
	return fflush(stdout) ? 1 : 0;
}

int vault_main(int argc, char **argv)
{
	const char *sub;
	int o;

	if (argc < 2)
		usage_error("vault", "which one: backup or restore?");
	sub = argv[1];
	argv++, argc--;
	TT.pass_fd = -1;
	while ((o = getopt_long(argc, argv, OPTSTR_vault, longopts_vault, NULL)) != -1) {
		long long n;

		switch (o) {
		case 'p': TT.profile = cli_profile_arg("vault", optarg); break;
		case OPT_FORCE: TT.force = 1; break;
		case OPT_PASSPHRASE_FD:
			if (parse_range(optarg, 0, 1 << 20, &n) < 0)
				usage_error("vault", "--passphrase-fd: %s", last_error());
			TT.pass_fd = (int)n;
			break;
		default: usage_option("vault", argv, o, longopts_vault);
		}
	}
	if (strcmp(sub, "backup") && strcmp(sub, "restore"))
		usage_error("vault", "unknown subcommand '%s' (backup, restore)", sub);
	if (!TT.profile)
		usage_error("vault", "%s: which profile? (-p PROFILE)", sub);
	if (optind != argc - 1)
		usage_error("vault", "%s: one FILE", sub);
	if (TT.force && strcmp(sub, "restore"))
		usage_error("vault", "--force is for restore");
	return !strcmp(sub, "backup") ? do_backup(argv[optind]) : do_restore(argv[optind]);
}
