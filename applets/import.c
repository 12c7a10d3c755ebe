/* import.c - `sesame import`: secrets from the tools people leave (pass,
 * KeePassXC, Bitwarden, CSV, .env) into a vault, all or nothing, never a
 * value shown.  The readers are lib/cli/import.c. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/envsecrets.h"
#include "lib/cli/import.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*APPLET import import_main "import secrets from pass, KeePassXC, Bitwarden, CSV or .env"
usage: sesame import -p PROFILE --from pass|keepassxc|bitwarden|csv|env [--dry-run] [--overwrite] [FILE|DIR]

Reads every secret of FILE (DIR for pass: default $PASSWORD_STORE_DIR,
else ~/.password-store) and stores them in PROFILE's vault (unlocked),
all or none: a bad entry, a name given twice or, without --overwrite, a
name the vault has already, ends it before anything is stored.  Values
are never printed.  Names:

  pass       each .gpg file, decrypted with gpg (your gpg-agent asks for
             the key's passphrase as it would for pass): its path without
             .gpg = the first line; PATH.extra = the lines after it
  keepassxc  KeePassXC's export, XML or CSV (keepassxc-cli export
             --format xml|csv): GROUP/TITLE = the password (the groups
             under the database's own, joined by '/');
             GROUP/TITLE.username = the user name
  bitwarden  Bitwarden's unencrypted JSON export: FOLDER/NAME = a login's
             password or a secure note's text; .username, .totp and
             .FIELD for its custom fields; cards and identities skipped
  csv        a header row naming the columns: name and value (any case;
             --name-column, --value-column for others), a row a secret
  env        NAME=value lines, as sesame env --env-file reads them

Entries with nothing to store (an empty password) are skipped and
counted.

  -p, --profile NAME     the vault
  --from FORMAT          pass, keepassxc, bitwarden, csv or env
  --dry-run              list what would be stored (added or replaced),
                         store nothing
  --overwrite            replace secrets the vault has already
  --name-column C        csv: the column of names
  --value-column C       csv: the column of values
*/

static struct {
	const char *profile, *from, *name_col, *value_col;
	int dry, overwrite;
	struct import im;
	char **paths;		/* pass: the .gpg files, relative */
	size_t npaths;
} TT;

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .gpg file under dir/rel (not .git, not dotfiles). */
static void walk(const char *dir, const char *rel, int depth)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s%s", dir, *rel ? "/" : "", rel);
	if (depth > 32 || !(d = opendir(path)))
		die("import: %s: %s", path, depth > 32 ? "nested too deep" : strerror(errno));
	while ((e = readdir(d))) {
		char sub[PATH_MAX], full[PATH_MAX * 2];
		struct stat sb;
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		snprintf(full, sizeof(full), "%s/%s", dir, sub);
		if (lstat(full, &sb) < 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			walk(dir, sub, depth + 1);
		else if (S_ISREG(sb.st_mode) && l > 4 && !strcmp(e->d_name + l - 4, ".gpg")) {
			TT.paths = xreallocarray(TT.paths, TT.npaths + 1, sizeof(*TT.paths));
			TT.paths[TT.npaths++] = xstrdup(sub);
		}
	}
	closedir(d);
}

/* gpg --decrypt of file: its output, in secure memory. */
static uint8_t *gpg_decrypt(const char *file, size_t *len)
{
	size_t cap = VAULT_MAX_VALUE + 2;
	uint8_t *out = xsecmem_alloc(cap);
	int p[2], status;
	pid_t pid;
	ssize_t r;

	if (pipe(p) < 0 || (pid = fork()) < 0)
		die("import: cannot run gpg: %s", strerror(errno));
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]), close(p[1]);
		execlp("gpg", "gpg", "--batch", "--quiet", "--yes", "--decrypt", "--", file, (char *)NULL);
		fprintf(stderr, "sesame: import: cannot run gpg: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	*len = 0;
	while ((r = read(p[0], out + *len, cap - *len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (*len += (size_t)r) == cap)
			break;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		secmem_free(out);
		die("import: gpg could not decrypt %s (exit %d); nothing was stored", file,
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	if (*len == cap) {
		secmem_free(out);
		die("import: %s: larger than a vault's value can be; nothing was stored", file);
	}
	return out;
}

static void read_pass(const char *dir)
{
	char store[PATH_MAX];

	if (!dir) {
		const char *env = getenv("PASSWORD_STORE_DIR"), *home = getenv("HOME");

		snprintf(store, sizeof(store), "%s%s", env ? env : home ? home : "",
			env ? "" : "/.password-store");
		dir = store;
	}
	walk(dir, "", 0);
	qsort(TT.paths, TT.npaths, sizeof(*TT.paths), path_cmp);
	for (size_t i = 0; i < TT.npaths; i++) {
		char full[PATH_MAX * 2], name[PATH_MAX];
		size_t len;
		uint8_t *v;

		snprintf(full, sizeof(full), "%s/%s", dir, TT.paths[i]);
		snprintf(name, sizeof(name), "%.*s", (int)(strlen(TT.paths[i]) - 4), TT.paths[i]);
		v = gpg_decrypt(full, &len);
		if (import_pass_entry(&TT.im, name, (const char *)v, len) < 0)
			die("import: %s: %s; nothing was stored", full, last_error());
		secmem_free(v);
		free(TT.paths[i]);
	}
	free(TT.paths);
}

static void read_file_format(const char *file)
{
	size_t len;
	char *text;
	int r;

	if (!file)
		usage_error("import", "--from %s: which FILE?", TT.from);
	if (!(text = read_file(file, 64u << 20, &len)))
		die("import: %s: %s", file, errno == EFBIG ? "larger than 64 MiB" : last_error());
	if (!strcmp(TT.from, "env"))
		r = import_env(&TT.im, text, len, file);
	else if (!strcmp(TT.from, "csv"))
		r = import_csv(&TT.im, text, len, file, TT.name_col, TT.value_col);
	else if (!strcmp(TT.from, "keepassxc"))
		r = import_keepassxc(&TT.im, text, len, file);
	else
		r = import_bitwarden(&TT.im, text, len, file);
	sodium_memzero(text, len);	/* the file's text holds the values too */
	free(text);
	if (r < 0)
		die("import: %s; nothing was stored", last_error());
}

int import_main(int argc, char **argv)
{
	struct backup *l = &TT.im.list;
	struct cli_names h;
	struct cli_io *io;
	struct bus_client *c;
	size_t clash = 0, replaced = 0;
	int o;

	while ((o = getopt_long(argc, argv, OPTSTR_import, longopts_import, NULL)) != -1) {
		switch (o) {
		case 'p': TT.profile = cli_profile_arg("import", optarg); break;
		case OPT_FROM: TT.from = optarg; break;
		case OPT_DRY_RUN: TT.dry = 1; break;
		case OPT_OVERWRITE: TT.overwrite = 1; break;
		case OPT_NAME_COLUMN: TT.name_col = optarg; break;
		case OPT_VALUE_COLUMN: TT.value_col = optarg; break;
		default: usage_option("import", argv, o, longopts_import);
		}
	}
	if (!TT.profile)
		usage_error("import", "which vault? (-p PROFILE)");
	if (!TT.from || (strcmp(TT.from, "pass") && strcmp(TT.from, "keepassxc") && strcmp(TT.from, "bitwarden") &&
		strcmp(TT.from, "csv") && strcmp(TT.from, "env")))
		usage_error("import", "--from pass, keepassxc, bitwarden, csv or env");
	if (optind < argc - 1)
		usage_error("import", "unexpected argument '%s'", argv[optind + 1]);
	if ((TT.name_col || TT.value_col) && strcmp(TT.from, "csv"))
		usage_error("import", "--name-column and --value-column are for --from csv");
	if (!strcmp(TT.from, "pass"))
		read_pass(optind < argc ? argv[optind] : NULL);
	else
		read_file_format(optind < argc ? argv[optind] : NULL);
	io = xcli_io();
	c = xcli_connect();
	xcli_names(c, io, TT.profile, &h);
	for (size_t i = 0; i < l->n; i++)
		if (cli_names_has(&h, l->s[i].name)) {
			if (!TT.overwrite && !TT.dry && clash < 5)
				fprintf(stderr, "sesame: import: profile '%s' has '%s' already\n", TT.profile, l->s[i].name);
			clash++;
		}
	if (clash && !TT.overwrite && !TT.dry)
		die("import: %zu name%s the vault has already: nothing was stored (--overwrite replaces them)", clash,
			clash == 1 ? "" : "s");
	for (size_t i = 0; i < l->n; i++) {
		int old = cli_names_has(&h, l->s[i].name);

		if (TT.dry) {
			printf("would %s %s\n", old ? "replace" : "add", l->s[i].name);
			continue;
		}
		xcli_secret_set(c, io, TT.profile, l->s[i].name, l->s[i].value, l->s[i].len);
		replaced += old;
	}
	sodium_memzero(io->buf, WIRE_MAX_MESSAGE);
	bus_close(c);
	if (TT.dry)
		printf("%zu secret%s would be stored in profile '%s' (%zu replaced; %d skipped, empty); nothing was "
			"stored.\n", l->n, l->n == 1 ? "" : "s", TT.profile, clash, TT.im.skipped);
	else
		printf("Imported %zu secret%s into profile '%s' (%zu replaced; %d skipped, empty).\n", l->n,
			l->n == 1 ? "" : "s", TT.profile, replaced, TT.im.skipped);
	import_free(&TT.im);
	cli_names_free(&h);
	return fflush(stdout) ? 1 : 0;
}
